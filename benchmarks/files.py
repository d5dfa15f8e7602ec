"""Time save and load of .cgraph files for random DAGs (fan-in 2, add/mul over inputs).

Target: load of a 10k-node file under 1 s (the canvas opens one, load included, in under 2 s).
Prints one row per size with the load split into its stages (parse = size/UTF-8/depth/json,
schema, build = semantics + Graph.from_parts), best of N runs, timed with the garbage
collector paused as files.loads pauses it.
Run: python benchmarks/files.py [--sizes 1000 10000 100000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import gc
import random
import tempfile
from pathlib import Path

from timing import best_ms

from cgeditor.model import files, files_build, files_parse
from cgeditor.model.graph import Graph


def random_dag(n: int, seed: int = 0) -> Graph:
    """n nodes: a tenth are inputs, the rest add/mul nodes fed by two random earlier nodes."""
    rng = random.Random(seed)
    g = Graph()
    n_inputs = max(2, n // 10)
    ids = [g.add_node("input", f"x{k}", 0, 110 * k, value=rng.uniform(-1, 1)).id
           for k in range(n_inputs)]
    for k in range(n - n_inputs):
        node = g.add_node(rng.choice(("add", "mul")), f"v{k}", 200 * (1 + k // 100),
                          110 * (k % 100))
        g.connect(rng.choice(ids), node.id, "a")
        g.connect(rng.choice(ids), node.id, "b")
        ids.append(node.id)
    g.set_output(ids[-1])
    return g


def measure(n: int, folder: Path, repeat: int) -> dict[str, float]:
    graph = random_dag(n)
    path = folder / f"dag{n}.cgraph"
    save_ms = best_ms(lambda: files.save(graph, path), repeat)
    raw = path.read_bytes()
    data = files_parse.parse_bytes(raw, path.name)
    files_build.validator()  # built once per process; not part of a load
    loaded = files.load(path)
    assert files.dumps(loaded) == raw.decode("utf-8"), "round trip changed the file"
    load_ms = best_ms(lambda: files.load(path), repeat)
    gc.disable()  # as files.loads does, so the stages add up to the load
    try:
        stages = {
            "parse": best_ms(lambda: files_parse.parse_bytes(raw, path.name), repeat),
            "schema": best_ms(lambda: files_build._check_schema(data, path.name), repeat),
            "build": best_ms(lambda: files_build._build(data, path.name), repeat),
        }
    finally:
        gc.enable()
    return {"nodes": n, "edges": len(graph.edges), "MiB": len(raw) / 2**20, "save": save_ms,
            "load": load_ms, **stages}


def loop_ms() -> float:
    """A 1M-iteration Python loop (about 30-50 ms on an idle 2-core machine): shows how busy
    the machine was, since shared CI boxes can run several times slower."""
    def spin() -> None:
        total = 0
        for k in range(1_000_000):
            total += k
    return best_ms(spin, 3)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"{'nodes':>7} {'edges':>7} {'size MiB':>9} {'save ms':>8} {'load ms':>8} "
          f"{'parse':>7} {'schema':>7} {'build':>7}")
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            r = measure(n, Path(tmp), args.repeat)
            print(f"{r['nodes']:>7,} {r['edges']:>7,} {r['MiB']:>9.2f} {r['save']:>8.0f} "
                  f"{r['load']:>8.0f} {r['parse']:>7.0f} {r['schema']:>7.0f} {r['build']:>7.0f}")
    print(f"target: load of a 10k-node file under 1 s; machine speed: a 1M-step Python "
          f"loop took {loop_ms():.0f} ms")


if __name__ == "__main__":
    main()
