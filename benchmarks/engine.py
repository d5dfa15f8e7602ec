"""Forward+backward time per node: cgeditor's engine against micrograd and PyTorch eager.

Three families built from add, sub and mul (the ops all three engines share), on scalar nodes
and on 1,000-element tensor nodes; plans are compiled outside the timing; best of repeats.
Run: python benchmarks/engine.py [--quick]
"""

from __future__ import annotations

import argparse
import operator
import random
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from cgeditor.core.engine import Step, backward, compile_plan, forward

try:
    import torch
except ImportError:  # torch is optional: its columns print as "-"
    torch = None

Prog = list[tuple[str, int, int]]  # ("leaf", -1, -1) or (op, a, b) over earlier slots
PY_OPS: dict[str, Callable] = {"add": operator.add, "sub": operator.sub, "mul": operator.mul}


def chain(n: int) -> Prog:
    """Deep chain h ← h·c + d, alternating mul and add; c and d fan out to every step."""
    prog: Prog = [("leaf", -1, -1)] * 3
    prev = 0
    for i in range(3, n):
        prog.append(("mul", prev, 1) if i % 2 else ("add", prev, 2))
        prev = i
    return prog


def wide(n: int) -> Prog:
    """Σ a_k·b_k: per term two leaves, one mul and one add into a running sum."""
    prog: Prog = [("leaf", -1, -1)]
    total = 0
    while len(prog) + 4 <= n:
        k = len(prog)
        prog += [("leaf", -1, -1), ("leaf", -1, -1), ("mul", k, k + 1), ("add", total, k + 2)]
        total = k + 3
    return prog


def dag(n: int, seed: int = 0) -> Prog:
    """Random DAG: 32 leaves, then nodes that take two random earlier nodes (add, sub or mul),
    ending in a sum of every node no one consumed, so every node reaches the output."""
    rng = random.Random(seed)
    prog: Prog = [("leaf", -1, -1)] * 32
    used = set()
    for i in range(32, n - 1):
        a, b = rng.randrange(i), rng.randrange(i)
        prog.append((rng.choice(("add", "sub", "mul")), a, b))
        used.update((a, b))
    total = next(i for i in range(len(prog)) if i not in used)
    for i in range(total + 1, len(prog)):
        if i not in used:
            prog.append(("add", total, i))
            total = len(prog) - 1
    return prog


def leaf_values(prog: Prog, size: int | None, seed: int = 1) -> list:
    rng = np.random.default_rng(seed)
    out = []
    for k, (op, _, _) in enumerate(prog):
        if op != "leaf":
            continue
        # chain's multiplier just under 1 keeps 100k steps finite
        base = 0.999 if k == 1 else rng.uniform(-1.0, 1.0)
        out.append(np.float64(base) if size is None
                   else base + rng.uniform(-1e-3, 1e-3, size))
    return out


def best(fn: Callable[[], Any], repeats: int) -> float:
    """Best CPU time of ``repeats`` calls: CPU time, not wall time, so other processes on a
    shared machine do not count against whichever engine happened to be running."""
    times = []
    for _ in range(repeats):
        t0 = time.process_time()
        fn()
        times.append(time.process_time() - t0)
    return min(times)


def time_cgeditor(prog: Prog, leaves: list, repeats: int) -> float:
    it = iter(leaves)
    steps = [Step(f"n{i}", "input", value=next(it)) if op == "leaf" else
             Step(f"n{i}", op, (a, b)) for i, (op, a, b) in enumerate(prog)]
    plan = compile_plan(steps)
    fwd = forward(plan)
    assert not fwd.issues, "benchmark graph went non-finite"

    def run() -> None:
        backward(plan, forward(plan).values)
    return best(run, repeats)


def _replay(prog: Prog, leaves: list) -> Any:
    """Evaluate prog with Python operators over any value type; returns the output."""
    it = iter(leaves)
    vals: list = []
    append = vals.append
    for op, a, b in prog:
        append(next(it) if op == "leaf" else PY_OPS[op](vals[a], vals[b]))
    return vals[-1]


def time_micrograd(prog: Prog, leaves: list, repeats: int) -> float:
    from micrograd.engine import Value
    params = [Value(float(v)) for v in leaves]
    result = []

    def run() -> None:
        for p in params:
            p.grad = 0.0
        _replay(prog, params).backward()

    # micrograd's topological sort recurses once per node: give it a deep stack
    sys.setrecursionlimit(max(10_000, 4 * len(prog)))
    threading.stack_size(512 * 1024 * 1024)
    thread = threading.Thread(target=lambda: result.append(best(run, repeats)))
    thread.start()
    thread.join()
    return result[0]


def time_torch(prog: Prog, leaves: list, repeats: int) -> float:
    params = [torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in leaves]

    def run() -> None:
        for p in params:
            p.grad = None
        out = _replay(prog, params)
        out.sum().backward() if out.ndim else out.backward()
    return best(run, repeats)


def time_numpy(prog: Prog, leaves: list, repeats: int) -> float:
    """The same numpy arithmetic, forward and backward (fan-out summed), in a bare loop over
    precomputed arrays: the floor any engine built on numpy pays."""
    it = iter(leaves)
    code = [(None, -1, -1, next(it)) if op == "leaf" else (PY_OPS[op], a, b, None)
            for op, a, b in prog]
    n = len(code)
    mul, sub = operator.mul, operator.sub

    def run() -> None:
        vals = [v for *_, v in code]
        for i, (f, a, b, _) in enumerate(code):
            if f is not None:
                vals[i] = f(vals[a], vals[b])
        grads: list = [None] * n
        grads[-1] = np.ones_like(vals[-1])
        for i in range(n - 1, -1, -1):
            f, a, b, _ = code[i]
            g = grads[i]
            if f is None or g is None:
                continue
            ga, gb = (g * vals[b], g * vals[a]) if f is mul else (g, -g) if f is sub else (g, g)
            grads[a] = ga if grads[a] is None else grads[a] + ga
            grads[b] = gb if grads[b] is None else grads[b] + gb
    return best(run, repeats)


FAMILIES = {"chain": chain, "wide": wide, "dag": dag}
HEADER = (f"{'kind':<7}{'family':<7}{'nodes':>8}{'cg µs':>9}{'mg µs':>9}{'torch µs':>10}"
          f"{'mg/cg':>8}{'torch/cg':>9}{'numpy µs':>10}{'cg−np µs':>10}")


def measure(kind: str, family: str, n: int, quick: bool) -> str:
    prog = FAMILIES[family](n)
    size = None if kind == "scalar" else 1000
    leaves = leaf_values(prog, size)
    repeats = 2 if quick or n >= 100_000 else 5
    per = 1e6 / len(prog)
    cg = time_cgeditor(prog, leaves, repeats) * per
    mg = time_micrograd(prog, leaves, repeats) * per if kind == "scalar" else None
    th = time_torch(prog, leaves, repeats) * per if torch is not None else None
    npy = time_numpy(prog, leaves, repeats) * per

    def num(x: float | None, width: int, fmt: str = ".2f") -> str:
        return f"{'-':>{width}}" if x is None else f"{x:>{width}{fmt}}"
    return (f"{kind:<7}{family:<7}{len(prog):>8}{num(cg, 9)}{num(mg, 9)}{num(th, 10)}"
            f"{num(mg and mg / cg, 8, '.1f')}{num(th and th / cg, 9, '.1f')}{num(npy, 10)}"
            f"{num(cg - npy, 10)}")


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
    parser.add_argument("--quick", action="store_true", help="small sizes, fewer repeats")
    args = parser.parse_args()
    scalar_sizes = [1000, 10_000] if args.quick else [1000, 10_000, 100_000]
    tensor_sizes = [1000] if args.quick else [1000, 10_000]
    print(f"numpy {np.__version__}, torch {torch.__version__ if torch else 'not installed'}; "
          "µs per node, forward+backward, best of repeats")
    print(f"calibration: one numpy float64 multiply costs {calibrate():.0f} ns on this machine "
          "(typically 30-60 ns on an idle desktop)")
    print(HEADER)
    for kind, sizes in (("scalar", scalar_sizes), ("tensor", tensor_sizes)):
        for family in FAMILIES:
            for n in sizes:
                print(measure(kind, family, n, args.quick), flush=True)


if __name__ == "__main__":
    main()
