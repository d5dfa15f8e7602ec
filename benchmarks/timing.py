"""Wall-clock timing shared by the benchmark scripts (run as `python benchmarks/NAME.py`)."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def samples_ms(fn: Callable[[], object], repeat: int) -> list[float]:
    """Wall time of each of ``repeat`` calls of ``fn``, in milliseconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return times


def best_ms(fn: Callable[[], object], repeat: int = 5) -> float:
    return min(samples_ms(fn, repeat))


def median_ms(fn: Callable[[], object], repeat: int = 1, warm: bool = False) -> float:
    if warm:
        fn()  # warm caches (execution order, compiled plans) before timing
    return statistics.median(samples_ms(fn, repeat))


def print_sizes(title: str, table: dict[int, list[tuple[str, float]]], width: int = 46) -> None:
    """A table of labelled ms rows, one column per graph size (the keys, in node counts)."""
    sizes = list(table)
    print(f"{title:{width}}" + "".join(f" {f'{n // 1000}k nodes':>10}" for n in sizes))
    for k, (label, _) in enumerate(table[sizes[0]]):
        print(f"{label:{width}}" + "".join(f" {table[n][k][1]:10.2f}" for n in sizes))
