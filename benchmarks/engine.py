"""Forward + backward per node on the chain h_k = tanh(h_{k-1}·w + b), J = h_N, in one run:
cgeditor (compiled and careful) against micrograd, PyTorch eager (float64), straight-line
Python over floats, numpy written by hand, and HIPS autograd and JAX when installed.

Scalars at ~1k and ~10k nodes, vectors of 1,000 elements at ~1k nodes; best CPU time of
repeats, µs per node (3 nodes a layer: mul, add, tanh). A second table times what a structural
edit costs on the chain and on a graph without repeated layers (engine_edit.py), a third
runs whose gradients are all infinite, which must stay linear in the graph's size.
Run: python benchmarks/engine.py [--quick]
"""

from __future__ import annotations

import argparse
import importlib.util
import math
import sys
import threading
import time
from collections.abc import Callable
from functools import partial
from typing import Any

import engine_edit
import numpy as np
from engine_graphs import H0, B, W, chain_plan, edited_plan, irregular_plan, leaves, torch

from cgeditor.core import chunks
from cgeditor.core import compiled as straight_line
from cgeditor.core.engine import Plan, Step, backward, compile_plan, forward
from cgeditor.core.tables import tables


def best(fn: Callable[[], Any], repeats: int) -> float:
    """Best CPU time of ``repeats`` calls (CPU, not wall: other processes on a shared machine
    do not count against whichever engine happened to be running)."""
    times = []
    for _ in range(repeats):
        t0 = time.process_time()
        fn()
        times.append(time.process_time() - t0)
    return min(times)


def best_interleaved(fns: dict[str, Callable[[], Any]], repeats: int) -> dict[str, float]:
    """Best CPU time of each of ``fns``, taking turns ``repeats`` times (three calls a turn,
    so that each is timed with its own code and data in the caches): on a shared machine the
    load comes and goes, and taking turns exposes every peer to it alike."""
    times: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            times[name].append(best(fn, 3))
    return {name: min(spent) for name, spent in times.items()}


def run_cgeditor(layers: int, size: int | None, compiled: bool) -> Callable[[], Any]:
    plan = chain_plan(layers, size)
    assert not forward(plan, compiled=compiled).issues, "benchmark chain went non-finite"
    return lambda: backward(plan, forward(plan, compiled=compiled).values, compiled=compiled)


def cpython_share(nodes: int) -> tuple[float, float, int]:
    """Best cold compile of both scalar passes of a graph without repeated layers, all at once
    (ms), the part of it CPython's compile() alone takes on the generated text (ms), and the
    text's lines: the floor that building code as text sets."""
    runs = []
    for _ in range(3):
        chunks.forget()  # no code kept: CPython's compiler runs
        plan = irregular_plan(nodes, None)
        t0 = time.process_time()
        made = _both(plan, straight_line.FLOAT)
        runs.append((time.process_time() - t0, [code.source for code in made]))
    total, sources = min(runs, key=lambda run: run[0])
    # each pass's source is its driver and chunks, blank-line separated, compiled one by one
    pieces = [piece for source in sources for piece in source.split("\n\n")]
    own = min(_cpu(lambda: [compile(p, "<bench>", "exec") for p in pieces]) for _ in range(3))
    return total * 1e3, own * 1e3, sum(p.count("\n") + 1 for p in pieces)


def tables_ms(nodes: int) -> float:
    """Best CPU ms to build both tables of a tensor graph without repeated layers."""
    def build() -> None:
        plan = irregular_plan(nodes, 1000)
        t0 = time.process_time()
        tables(plan)
        spent.append(time.process_time() - t0)
    spent: list[float] = []
    for _ in range(5):
        build()
    return min(spent) * 1e3


def recompile_ms(nodes: int, repeats: int = 5) -> float:
    """Best CPU ms to build both scalar passes of edited_plan at once right after
    irregular_plan's were built from scratch: the chunks an edit leaves alone are kept."""
    spent = []
    for _ in range(repeats):
        chunks.forget()
        before, after = irregular_plan(nodes, None), edited_plan(nodes, None)
        _both(before, straight_line.FLOAT)
        spent.append(_cpu(partial(_both, after, straight_line.FLOAT)))
    return min(spent) * 1e3


def _both(plan: Plan, kind: str) -> list[Any]:
    return [straight_line.compiled(plan, which, kind) for which in ("forward", "backward")]


def _cpu(fn: Callable[[], Any]) -> float:
    t0 = time.process_time()
    fn()
    return time.process_time() - t0


def tanh_microseconds(repeats: int) -> tuple[float, float | None]:
    """µs for one float64 tanh over 1,000 of the chain's values, numpy and torch: tanh is
    most of the tensor chain's forward pass, and no numpy code can run it faster."""
    h = leaves(1000)[0]
    runs = {"numpy": lambda: [np.tanh(h) for _ in range(100)]}
    if torch is not None:
        th = torch.tensor(h, dtype=torch.float64)
        runs["torch"] = lambda: [torch.tanh(th) for _ in range(100)]
    times = best_interleaved(runs, repeats)
    return times["numpy"] * 1e4, times["torch"] * 1e4 if torch is not None else None


def time_micrograd(layers: int, repeats: int) -> float:
    from micrograd.engine import Value

    def tanh(v: Value) -> Value:  # micrograd has no tanh; written as its own relu is
        t = math.tanh(v.data)
        out = Value(t, (v,), "tanh")

        def _backward() -> None:
            v.grad += (1 - t * t) * out.grad
        out._backward = _backward
        return out

    h0, w, b = (Value(x) for x in (H0, W, B))

    def run() -> None:
        h = h0
        for _ in range(layers):
            h = tanh(h * w + b)
        h.backward()
    result: list[float] = []
    # micrograd's topological sort recurses once per node: give it a deep stack
    sys.setrecursionlimit(max(10_000, 8 * layers))
    threading.stack_size(512 * 1024 * 1024)
    thread = threading.Thread(target=lambda: result.append(best(run, repeats)))
    thread.start()
    thread.join()
    return result[0]


def run_torch(layers: int, size: int | None) -> Callable[[], Any]:
    params = [torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in leaves(size)]

    def run() -> None:
        h, w, b = params
        for p in params:
            p.grad = None
        for _ in range(layers):
            h = torch.tanh(h * w + b)
        h.sum().backward()
    return run


def straight_line_python(layers: int) -> Callable[[float, float, float], tuple]:
    """The chain written out over Python floats, forward and backward, one line a step: the
    code a person would write by hand (compiled here, outside the timing)."""
    body = ["def run(h0, w, b):"]
    body += [f"    h{k + 1} = tanh(h{k} * w + b)" for k in range(layers)]
    body += [f"    g{layers} = 1.0", "    gw = gb = 0.0"]
    for k in range(layers, 0, -1):
        body += [f"    ga = g{k} * (1.0 - h{k} * h{k})", "    gb += ga", f"    gw += ga * h{k - 1}",
                 f"    g{k - 1} = ga * w"]
    body.append("    return g0, gw, gb")
    namespace = {"tanh": math.tanh}
    exec("\n".join(body), namespace)  # the benchmark's own text, no input
    return namespace["run"]


def forward_floor(layers: int, repeats: int) -> dict[str, float]:
    """µs a node of the scalar forward pass three ways, taking turns: cgeditor's compiled
    code alone, the chain written out one statement a node returning every value (what the
    engine must hand back), and one statement a layer keeping only h (the code by hand)."""
    plan = chain_plan(layers, None)
    code = straight_line.compiled(plan, "forward", straight_line.FLOAT)
    floats = tuple(float(v) for _, v in plan.leaves)
    names = [n for k in range(layers) for n in (f"m{k}", f"a{k}", f"h{k + 1}")]
    every = [line for k in range(layers) for line in (
        f"    m{k} = h{k} * w", f"    a{k} = m{k} + b", f"    h{k + 1} = tanh(a{k})")]
    runs = {"cgeditor": lambda: code.run(floats),
            "every value": _written([*every, f"    return ({', '.join(names)},)"]),
            "by hand": _written([f"    h{k + 1} = tanh(h{k} * w + b)" for k in range(layers)]
                                + [f"    return h{layers}"])}
    per = 1e6 / (3 + 3 * layers)
    return {name: spent * per for name, spent in best_interleaved(runs, repeats).items()}


def _written(body: list[str]) -> Callable[[], Any]:
    namespace = {"tanh": math.tanh}
    exec("\n".join(["def run(h0, w, b):", *body]), namespace)  # the benchmark's own text
    run = namespace["run"]
    return lambda: run(H0, W, B)


def run_python(layers: int) -> Callable[[], Any]:
    run = straight_line_python(layers)
    return lambda: run(H0, W, B)


def run_numpy(layers: int, size: int) -> Callable[[], Any]:
    """The same math in numpy by hand: a loop forward keeping each h, a loop backward."""
    h0, w, b = leaves(size)

    def run() -> None:
        hs = [h0]
        for _ in range(layers):
            hs.append(np.tanh(hs[-1] * w + b))
        g, gw, gb = np.ones_like(h0), 0.0, 0.0
        for k in range(layers, 0, -1):
            ga = g * (1.0 - hs[k] * hs[k])
            gb = gb + ga
            gw = gw + ga * hs[k - 1]
            g = ga * w
    return run


def time_autograd(layers: int, size: int | None, repeats: int) -> float | None:
    if importlib.util.find_spec("autograd") is None:
        return None
    import autograd
    import autograd.numpy as anp

    def f(w: Any, h: Any, b: Any) -> Any:
        for _ in range(layers):
            h = anp.tanh(h * w + b)
        return anp.sum(h)
    grad = autograd.grad(f)
    h0, w, b = leaves(size)
    return best(lambda: grad(w, h0, b), repeats)


def jax_compile_seconds(layers: int) -> float | None:
    if importlib.util.find_spec("jax") is None:
        return None
    import jax

    def f(w: Any, h: Any, b: Any) -> Any:
        for _ in range(layers):
            h = jax.numpy.tanh(h * w + b)
        return h
    t0 = time.perf_counter()
    jax.jit(jax.grad(f)).lower(W, H0, B).compile()
    return time.perf_counter() - t0


def peer_row(kind: str, layers: int, repeats: int) -> str:
    size = None if kind == "scalar" else 1000
    per = 1e6 / (3 + 3 * layers)  # µs per node
    runs = {"cg": run_cgeditor(layers, size, True), "careful": run_cgeditor(layers, size, False),
            "hand": run_python(layers) if size is None else run_numpy(layers, size)}
    if torch is not None:
        runs["torch"] = run_torch(layers, size)
    times = {name: spent * per for name, spent in best_interleaved(runs, repeats).items()}
    cg, careful, hand, th = times["cg"], times["careful"], times["hand"], times.get("torch")
    mg = time_micrograd(layers, max(2, repeats // 3)) * per if size is None else None
    ag = time_autograd(layers, size, repeats)
    jax_s = jax_compile_seconds(layers) if size is None else None
    return (f"{kind:<7}{3 + 3 * layers:>7}{num(cg, 10)}{num(careful, 10)}"
            f"{num(mg, 9)}{num(th, 9)}{num(hand, 9)}{num(ag and ag * per, 10)}"
            f"{num(jax_s, 9, '.1f')}{num(mg and mg / cg, 8, '.1f')}"
            f"{num(th and th / cg, 9, '.1f')}{num(cg / hand, 9, '.1f')}")


PEER_HEADER = (f"{'kind':<7}{'nodes':>7}{'compiled':>10}{'careful':>10}"
               f"{'microgr':>9}{'torch':>9}{'by hand':>9}{'autograd':>10}{'jax s':>9}"
               f"{'mg/cg':>8}{'torch/cg':>9}{'cg/hand':>9}")


def num(x: float | None, width: int, fmt: str = ".2f") -> str:
    return f"{'-':>{width}}" if x is None else f"{x:>{width}{fmt}}"


def nonfinite_row(layers: int) -> str:
    """The chain, then J = sqrt(h_N − h_N) = sqrt(0): every gradient is inf or nan, and each
    node's issue names the rule it came from."""
    plan = chain_plan(layers, None)
    steps = list(plan.steps)
    n = len(steps)
    steps += [Step("zero", "sub", (n - 1, n - 1)), Step("J", "sqrt", (n,))]
    plan = compile_plan(steps)
    t0 = time.process_time()
    fwd = forward(plan)
    bwd = backward(plan, fwd.values)
    seconds = time.process_time() - t0
    bad = sum(issue.kind == "nonfinite_grad" for issue in bwd.issues.values())
    return f"{len(steps):>8}{bad:>16}{seconds:>10.2f}{seconds * 1e6 / len(steps):>10.2f}"


def calibrate() -> float:
    """ns per np.float64 multiply in a Python loop, so tables from busy machines compare."""
    a, b = np.float64(1.0000001), np.float64(0.9999999)

    def loop() -> None:
        x = a
        for _ in range(100_000):
            x = x * b
    return best(loop, 5) * 1e4


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer sizes and repeats")
    args = parser.parse_args()
    repeats = 3 if args.quick else 7
    print(f"numpy {np.__version__}, torch {torch.__version__ if torch else 'not installed'}, "
          f"autograd {'installed' if importlib.util.find_spec('autograd') else 'not installed'}"
          f", jax {'installed' if importlib.util.find_spec('jax') else 'not installed'}")
    print(f"calibration: one numpy float64 multiply costs {calibrate():.0f} ns here "
          "(typically 30-60 ns on an idle desktop)")
    print("µs per node, forward + backward, best of repeats; 'by hand' is straight-line Python "
          "over floats (scalar) or numpy written by hand (tensor); 'compiled' is the code "
          "(scalars) or the tables (tensors) a plan runs once hot")
    print(PEER_HEADER)
    rows = [("scalar", 333), ("tensor", 333)] if args.quick else \
        [("scalar", 333), ("scalar", 3333), ("tensor", 333)]
    for kind, layers in rows:
        print(peer_row(kind, layers, repeats), flush=True)
    engine_edit.print_table(repeats)
    total, own, lines = cpython_share(1002)
    print(f"scalar, 1,002 nodes without repeated layers: both passes compiled at once in "
          f"{total:.1f} ms, of which CPython's compile() of the {lines:,} generated lines "
          f"alone {own:.1f}; again after one node is inserted mid-graph {recompile_ms(1002):.1f}"
          f" (chunks kept); tensor: both tables built in {tables_ms(1002):.1f} ms")
    floor = forward_floor(333, repeats)
    print(f"scalar forward alone, µs a node: cgeditor compiled {floor['cgeditor']:.3f}, "
          f"written out one statement a node returning every value {floor['every value']:.3f}"
          f", one statement a layer keeping only h {floor['by hand']:.3f}")
    np_tanh, torch_tanh = tanh_microseconds(repeats)
    print(f"one float64 tanh over 1,000 elements: numpy {np_tanh:.1f} µs, torch "
          f"{num(torch_tanh, 0, '.1f').strip()} µs (one tanh a layer of 3 nodes: numpy's "
          f"tanh alone is {np_tanh / 3:.1f} µs a node)")
    print("\nnon-finite gradients everywhere (one run, forward + backward, careful path)")
    print(f"{'nodes':>8}{'bad gradients':>16}{'seconds':>10}{'µs/node':>10}")
    for layers in (3333, 33_333) if args.quick else (3333, 10_000, 33_333):
        print(nonfinite_row(layers), flush=True)


if __name__ == "__main__":
    main()
