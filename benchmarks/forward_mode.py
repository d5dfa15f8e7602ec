"""Forward mode against backward, both ways round, on J = Σ w_i·x_i (model/cost.py's graph).

All p gradients ∂J/∂w_i: one backward pass, or p forward-mode passes (one seed each).
Every node's derivative ∂v/∂w_1: one forward-mode pass, or one backward pass per node (each
node taken as the output). Prints rule evaluations (vjps or jvps called) and the best of
``--repeat`` timings in one run, so the ratios compare like with like on a loaded machine.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

from cgeditor.core.engine import Plan, backward, compile_plan, forward
from cgeditor.core.tangents import jvp
from cgeditor.model.cost import wide_sum_of_products
from cgeditor.model.run import compile_graph


def _best(run: Callable[[], int], repeat: int) -> tuple[int, float]:
    """(what ``run`` counted, its best time in seconds over ``repeat`` runs)."""
    best, counted = float("inf"), 0
    for _ in range(repeat):
        start = time.perf_counter()
        counted = run()
        best = min(best, time.perf_counter() - start)
    return counted, best


def _rules(plan: Plan, data: list) -> int:
    """Operation nodes that got a number: one rule call each (a zero tangent is no call)."""
    return sum(1 for spec, v in zip(plan.specs, data) if not spec.is_leaf and v is not None)


def row(p: int, repeat: int) -> tuple:
    plan = compile_graph(wide_sum_of_products(p))
    values = forward(plan, compiled=False).values
    inputs = [s.name for s in plan.steps if s.name.startswith("w")]
    ops = [i for i, spec in enumerate(plan.specs) if not spec.is_leaf]
    outputs = [compile_plan(plan.steps, i) for i in ops]  # each node as the output

    def all_grads_backward() -> int:
        return _rules(plan, backward(plan, values, compiled=False).grads)

    def all_grads_forward_mode() -> int:
        return sum(_reached(plan, jvp(plan, values, name).seeds) for name in inputs)

    def all_tangents_forward_mode() -> int:
        return _reached(plan, jvp(plan, values, inputs[0]).seeds)

    def all_tangents_backward() -> int:
        return sum(_rules(out, backward(out, values, compiled=False).grads) for out in outputs)

    return (p, len(ops), *_best(all_grads_backward, repeat),
            *_best(all_grads_forward_mode, repeat),
            *_best(all_tangents_forward_mode, repeat),
            *_best(all_tangents_backward, repeat))


def _reached(plan: Plan, seeds: dict) -> int:
    """Operation nodes downstream of the seeded leaves: the jvps a pass calls."""
    reached = set(seeds)
    for i, step in enumerate(plan.steps):
        if any(j in reached for j in step.args):
            reached.add(i)
    return len(reached - set(seeds))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--p", type=int, nargs="+", default=[10, 100, 1000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print("| p | n ops | ∂J/∂every w: backward, 1 pass | forward mode, p passes "
          "| ∂every v/∂w₁: forward mode, 1 pass | backward, n passes |")
    print("|---|---|---|---|---|---|")
    for p, n, bc, bs, fc, fs, tc, ts, oc, os_ in (row(p, args.repeat) for p in args.p):
        print(f"| {p:,} | {n:,} | {bc:,} vjps, {bs * 1e3:.2f} ms | {fc:,} jvps, {fs * 1e3:.1f} ms "
              f"| {tc:,} jvps, {ts * 1e3:.2f} ms | {oc:,} vjps, {os_ * 1e3:.1f} ms |")


if __name__ == "__main__":
    main()
