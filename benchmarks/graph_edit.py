"""Editing cost on big graphs: building a 10k-node Graph (one by one and with from_parts), and
the cycle check for one new edge (Graph.can_connect and connect) — the target is under 1 ms
on 10k nodes.
Run: python benchmarks/graph_edit.py
"""

from __future__ import annotations

import random

from timing import best_ms

from cgeditor.model.graph import Graph


def build(n: int, seed: int = 0) -> tuple[Graph, list[str]]:
    """A random DAG of add nodes over 32 inputs: each add takes two earlier nodes."""
    rng = random.Random(seed)
    g = Graph()
    ids = [g.add_node("input", f"x{i}", x=0.0, value=1.0).id for i in range(32)]
    for i in range(32, n):
        node = g.add_node("add", f"n{i}", x=float(i))
        g.connect(ids[rng.randrange(i)], node.id, "a")
        g.connect(ids[rng.randrange(i)], node.id, "b")
        ids.append(node.id)
    return g, ids


def main() -> None:
    n = 10_000
    build_ms = best_ms(lambda: build(n), repeat=3)
    g, ids = build(n)
    # a Node's fields are spelled as from_parts reads them (id, op, name, x, y, attrs, …)
    parts, edges = [dict(vars(node)) for node in g.nodes.values()], g.edges
    sink, source = ids[-1], ids[0]
    free = g.add_node("neg", "probe")
    rows = [
        ("build 10k-node Graph (add_node + connect)", build_ms),
        ("build it with Graph.from_parts", best_ms(lambda: Graph.from_parts(parts, edges),
                                                   repeat=3)),
        # worst case: sink → an input closes no cycle but the search walks everything downstream
        ("can_connect, no cycle (first input → probe)", best_ms(
            lambda: g.can_connect(source, free.id, "x"))),
        ("can_connect, refused cycle (sink → first add)", best_ms(
            lambda: g.can_connect(sink, ids[32], "a"))),
        # both searches of networkx's bidirectional BFS have thousands of nodes to visit
        ("can_connect, mid → early (large search both ways)", best_ms(
            lambda: g.can_connect(ids[n // 2], ids[40], "a"))),
        ("can_connect, full reachability (sink → probe)", best_ms(
            lambda: g.can_connect(sink, free.id, "x"))),
        ("connect + disconnect one edge", best_ms(
            lambda: (g.connect(sink, free.id, "x"), g.disconnect(free.id, "x")))),
        ("order() after an edit", best_ms(
            lambda: (g.move_node(free.id, 1.0, 0.0), g.order()), repeat=3)),
    ]
    print(f"{'operation':<50}{'ms':>10}")
    for label, ms in rows:
        print(f"{label:<50}{ms:>10.3f}")


if __name__ == "__main__":
    main()
