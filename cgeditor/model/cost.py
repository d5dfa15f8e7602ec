"""What backprop saves: primitive op evaluations (and seconds) for every gradient of a graph
by one forward and one backward pass, against central finite differences (2·p·n).

``counted_evaluations`` counts what the engine actually evaluated, to check the formulas.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from cgeditor.core.engine import Plan, backward, forward
from cgeditor.core.gradcheck import elementwise_central, input_names, leaf_values
from cgeditor.model.graph import Graph
from cgeditor.model.run import compile_graph, refuse_non_scalar, refuse_unrunnable

EPS = 1e-6


@dataclass(frozen=True)
class Cost:
    """Op evaluations for all p gradient entries: backprop against finite differences."""

    ops: int  # n: non-leaf ops a forward pass evaluates
    params: int  # p: scalars whose gradient is wanted (sum of the checked inputs' sizes)
    backprop_forward: int  # = n
    backprop_backward: int  # one vjp per op the output reaches
    finite_diff: int  # 2·p·n: two forward passes per scalar
    backprop_seconds: float | None = None
    finite_diff_seconds: float | None = None
    estimated: bool = False  # finite-difference seconds scaled up from part of the passes

    @property
    def backprop(self) -> int:
        return self.backprop_forward + self.backprop_backward

    @property
    def ratio(self) -> float:
        """How many times more evaluations finite differences need."""
        return self.finite_diff / self.backprop if self.backprop else float("nan")

    @property
    def time_ratio(self) -> float | None:
        if not self.backprop_seconds or self.finite_diff_seconds is None:
            return None
        return self.finite_diff_seconds / self.backprop_seconds


def _plan(graph: Graph) -> Plan:
    refuse_unrunnable(graph, "count")
    plan = compile_graph(graph)
    refuse_non_scalar(plan, forward(plan).values, "count gradient costs")
    return plan


def _checked(plan: Plan, names: Sequence[str] | None) -> list[str]:
    return list(names) if names is not None else input_names(plan)


def count(graph: Graph, names: Sequence[str] | None = None) -> Cost:
    """Exact evaluation counts for gradients w.r.t. ``names`` (default: every input)."""
    plan = _plan(graph)
    n = sum(1 for spec in plan.specs if not spec.is_leaf)
    reached = _reached(plan)
    backward_ops = sum(1 for i in reached if not plan.specs[i].is_leaf)
    values = leaf_values(plan)
    p = sum(int(np.size(values[name])) for name in _checked(plan, names))
    return Cost(n, p, n, backward_ops, 2 * p * n)


def _reached(plan: Plan) -> set[int]:
    """Steps the backward pass visits: the output and everything it depends on."""
    reached, stack = {plan.output}, [plan.output]
    while stack:
        for j in plan.steps[stack.pop()].args:
            if j not in reached:
                reached.add(j)
                stack.append(j)
    return reached


def measure(graph: Graph, names: Sequence[str] | None = None, repeat: int = 5,
            budget: float | None = None) -> Cost:
    """``count`` plus the seconds both take on this machine: backprop is the best of
    ``repeat`` forward+backward passes; finite differences run every central difference, or,
    past ``budget`` seconds, time as many as fit and scale up (``estimated`` is then True)."""
    plan = _plan(graph)
    checked = _checked(plan, names)
    cost = count(graph, checked)
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        backward(plan, forward(plan).values)
        best = min(best, time.perf_counter() - start)
    fd = _finite_differences(plan, checked, budget)
    seconds = fd.seconds * (2 * cost.params) / fd.passes if fd.passes else 0.0
    return replace(cost, backprop_seconds=best, finite_diff_seconds=seconds,
                   estimated=fd.passes < 2 * cost.params)


@dataclass(frozen=True)
class _FiniteDifferences:
    passes: int
    evaluations: int  # non-leaf op evaluations over all passes
    seconds: float


def _finite_differences(plan: Plan, names: Sequence[str],
                        budget: float | None = None) -> _FiniteDifferences:
    """Every central difference (core/gradcheck.py's) for each element of each named leaf,
    counted and timed; past ``budget`` seconds it stops (measure() scales up). Only the
    bumped leaf is fed; the rest keep the plan's values, so the time is the passes'."""
    passes = evaluations = 0
    start = time.perf_counter()

    def output(feeds: Mapping[str, Any]) -> float:
        nonlocal passes, evaluations
        values = forward(plan, feeds).values
        evaluations += _evaluated(plan, values)
        passes += 1
        return float(np.sum(values[plan.output]))

    for name in names:
        for _ in elementwise_central(plan, {}, name, EPS, output):
            if budget is not None and time.perf_counter() - start > budget:
                return _FiniteDifferences(passes, evaluations, time.perf_counter() - start)
    return _FiniteDifferences(passes, evaluations, time.perf_counter() - start)


def _evaluated(plan: Plan, data: Sequence[Any]) -> int:
    """Non-leaf steps that got a value (forward) or a gradient (backward): one rule call each."""
    return sum(1 for spec, v in zip(plan.specs, data) if not spec.is_leaf and v is not None)


def counted_evaluations(graph: Graph, names: Sequence[str] | None = None) -> tuple[int, int, int]:
    """Op evaluations actually made: the forward and the backward pass of backprop, and all
    the forward passes of central differences on every checked input."""
    plan = _plan(graph)
    fwd = forward(plan)
    bwd = backward(plan, fwd.values)
    fd = _finite_differences(plan, _checked(plan, names))
    return _evaluated(plan, fwd.values), _evaluated(plan, bwd.grads), fd.evaluations


def wide_sum_of_products(p: int, seed: int = 0) -> Graph:
    """J = Σ w_i·x_i over p trainable inputs w_i and constants x_i (2p − 1 ops)."""
    if p < 1:
        raise ValueError("p must be at least 1")
    rng = np.random.default_rng(seed)
    graph = Graph()
    total = None
    for i in range(p):
        w = graph.add_node("input", f"w{i + 1}", 0, 220 * i, value=float(rng.normal()),
                           trainable=True)
        x = graph.add_node("const", f"x{i + 1}", 0, 220 * i + 110, value=float(rng.normal()))
        prod = graph.add_node("mul", f"m{i + 1}", 200, 220 * i + 55)
        graph.connect(w.id, prod.id, "a")
        graph.connect(x.id, prod.id, "b")
        if total is None:
            total = prod
            continue
        acc = graph.add_node("add", f"s{i + 1}", 400 + 10 * i, 220 * i + 55)
        graph.connect(total.id, acc.id, "a")
        graph.connect(prod.id, acc.id, "b")
        total = acc
    assert total is not None
    graph.rename_node(total.id, "J")
    graph.set_output(total.id)
    graph.meta.update(title=f"Wide sum of products, p = {p}",
                      description="J = Σ w_i·x_i: backprop costs O(n + p), finite "
                                  "differences O(n·p).")
    return graph


def scaling_table(ps: Sequence[int] = (10, 100, 1000), timed: bool = True,
                  budget: float | None = None) -> list[Cost]:
    """Cost against p on the wide sum-of-products graph, for plotting; ``budget`` caps the
    seconds spent on finite differences per graph (the rest is scaled up)."""
    rows = []
    for p in ps:
        graph = wide_sum_of_products(p)
        rows.append(measure(graph, budget=budget) if timed else count(graph))
    return rows
