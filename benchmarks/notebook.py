"""The Python entry points at 300 (the largest graph folded to fit a window), 1,000, 10,000
and 100,000 nodes: tracing a tanh chain beside
from_formula building the same chain, and the notebook's SVG picture and run table beside
the run they show (CPU ms, best of repeats). The picture and table are capped, so their time
stays flat while the graph grows; tracing grows with it, as from_formula does.
Run: python benchmarks/notebook.py [SIZE ...]
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable

import cgeditor
from cgeditor import ops


def best_ms(repeats: int, action: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.process_time()
        action()
        best = min(best, time.process_time() - start)
    return best * 1000


def tanh_chain(n: int) -> Callable[[object], object]:
    def chain(x: object) -> object:
        for _ in range(n):
            x = ops.tanh(x)
        return x
    return chain


def main(sizes: list[int]) -> None:
    print(f"{'nodes':>8} {'trace ms':>9} {'from_formula ms':>16} {'run ms':>8} "
          f"{'SVG ms':>7} {'SVG KiB':>8} {'table ms':>9}")
    for n in sizes:
        repeats = 3 if n <= 10_000 else 1
        text = "; ".join(f"x{i + 1} = tanh(x{i})" for i in range(n))
        trace_ms = best_ms(repeats, lambda n=n: cgeditor.trace(tanh_chain(n), x=0.5))
        formula_ms = best_ms(repeats, lambda t=text: cgeditor.from_formula(t, x0=0.5))
        graph = cgeditor.trace(tanh_chain(n), x=0.5)
        run_ms = best_ms(repeats, graph.run)
        result = graph.run()
        svg_ms = best_ms(repeats, graph._repr_svg_)
        table_ms = best_ms(repeats, result._repr_html_)
        size = len(graph._repr_svg_().encode()) / 1024
        print(f"{n + 1:>8,} {trace_ms:>9.0f} {formula_ms:>16.0f} {run_ms:>8.0f} "
              f"{svg_ms:>7.1f} {size:>8.0f} {table_ms:>9.1f}")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [299, 1_000, 10_000, 100_000])
