"""Auto-layout time on random DAGs of 100, 1,000 and 10,000 nodes (target: under 1 s for 1,000),
with the wire crossings it removes where counting them is affordable. Best of repeats.
Run: python benchmarks/layout.py
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable

from cgeditor.model.graph import Graph
from cgeditor.model.layout import apply_layout, assign_layers, count_crossings, layered_layout


def random_dag(n: int, seed: int = 0) -> Graph:
    """One input in ten; every other node an add or mul of two earlier nodes, mostly recent
    ones, so the graph is deep as well as wide (as formulas and networks are)."""
    rng = random.Random(seed)
    graph = Graph()
    ids: list[str] = []
    for i in range(n):
        if i < 2 or rng.random() < 0.1:
            ids.append(graph.add_node("input", f"x{i}").id)
            continue
        node = graph.add_node(rng.choice(("add", "mul")))
        for port in ("a", "b"):
            src = ids[max(0, i - 1 - int(rng.expovariate(1 / 20)))]
            graph.connect(src, node.id, port)
        ids.append(node.id)
    return graph


def best_of(repeats: int, action: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    print(f"{'nodes':>7} {'edges':>7} {'columns':>7} {'layout ms':>10} {'apply ms':>9} "
          f"{'crossings unsorted':>19} {'crossings sorted':>17}")
    for n in (100, 1_000, 10_000):
        graph = random_dag(n)
        repeats = 5 if n <= 1_000 else 2
        layout_s = best_of(repeats, lambda g=graph: layered_layout(g))
        positions = layered_layout(graph)
        apply_s = best_of(repeats, lambda g=graph, p=positions: apply_layout(g, p))
        columns = max(assign_layers(graph).values()) + 1
        if n <= 1_000:  # the crossing count is quadratic in the wires between two columns
            before = str(count_crossings(graph, layered_layout(graph, sweeps=0)))
            after = str(count_crossings(graph, positions))
        else:
            before = after = "-"
        print(f"{n:>7} {len(graph.edges):>7} {columns:>7} {layout_s * 1e3:>10.1f} "
              f"{apply_s * 1e3:>9.1f} {before:>19} {after:>17}")


if __name__ == "__main__":
    main()
