"""Central finite differences for a Plan, to check backprop gradients against.

(J(θ + ε) − J(θ − ε)) / 2ε per element of each checked leaf; a pass means
|g − ĝ| ≤ atol + rtol·|ĝ| with ĝ the numeric estimate. A mismatch where an op between the
leaf and the output sits at a kink (relu at 0, a max tie, …) is no failure of backprop: the
row says the point is not differentiable and which subgradient cgeditor uses. Nor is a
mismatch smaller than what rounding J(θ ± ε) can make of the estimate (16·u·|J|/ε, u the
float64 machine epsilon): at a large J a small ε moves J by less than its last digit, and the
estimate says 0 where backprop rightly says 3.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from cgeditor.core.diagnose import kinked_ports, number
from cgeditor.core.engine import Plan, as_value, backward, forward

ATOL = 1e-7
RTOL = 1e-5


@dataclass(frozen=True)
class CheckRow:
    """Backprop against finite differences for one leaf."""

    name: str
    backprop: Any
    numeric: Any
    abs_error: float
    rel_error: float
    passed: bool
    method: str  # "elementwise" or "random direction"
    note: str = ""  # set on a mismatch that is no failure (a kink, or rounding): says why
    rounding: bool = False  # the mismatch is within the estimate's rounding error

    @property
    def verdict(self) -> str:
        """'pass', 'FAIL', 'not differentiable' (a mismatch at a kink) or 'lost to
        rounding' (a mismatch the estimate cannot resolve), the last two explained in note."""
        if self.passed or not self.note:
            return "pass" if self.passed else "FAIL"
        return "lost to rounding" if self.rounding else "not differentiable"

    @property
    def failed(self) -> bool:
        """A mismatch that no kink or rounding explains: backprop disagrees with the slope."""
        return not self.passed and not self.note


def output_of(plan: Plan, feeds: Mapping[str, Any]) -> float:
    """The scalar output for these feeds (sums a tensor output, as backward seeds ones)."""
    value = forward(plan, feeds).values[plan.output]
    return float(np.sum(value))


def input_names(plan: Plan) -> list[str]:
    """The names of the plan's inputs (its leaves that are not consts), in execution order."""
    return [s.name for s, spec in zip(plan.steps, plan.specs) if spec.is_input]


def leaf_values(plan: Plan, feeds: Mapping[str, Any] | None = None) -> dict[str, Any]:
    feeds = dict(feeds or {})
    return {s.name: as_value(feeds.get(s.name, s.value))
            for s, spec in zip(plan.steps, plan.specs) if spec.is_leaf}


def central_difference(output: Callable[[float], float], eps: float) -> float:
    """(J(+ε) − J(−ε)) / 2ε for ``output(h)`` = J with the checked value moved by ``h``:
    the one central difference every gradient check and cost count uses (J(+ε) first)."""
    return (output(eps) - output(-eps)) / (2.0 * eps)


def elementwise_central(plan: Plan, feeds: Mapping[str, Any], name: str, eps: float,
                        output: Callable[[Mapping[str, Any]], float] | None = None
                        ) -> Iterator[tuple[tuple[int, ...], float]]:
    """(index, estimate) for each element of leaf ``name``, one at a time, bumping only that
    element of its value (``feeds[name]``, else the plan's). ``output(feeds)`` is J for
    these feeds (default: ``output_of``); callers that count or time the passes wrap it."""
    evaluate = output or (lambda bumped: output_of(plan, bumped))
    start = feeds[name] if name in feeds else plan.steps[plan.index[name]].value
    theta = np.array(start, dtype=np.float64)

    def moved(k: tuple[int, ...]) -> Callable[[float], float]:
        def at(h: float) -> float:
            bumped = theta.copy()
            bumped[k] += h
            return evaluate({**feeds, name: bumped})
        return at

    for k in np.ndindex(theta.shape):
        yield k, central_difference(moved(k), eps)


def numeric_gradient(plan: Plan, feeds: Mapping[str, Any], name: str, eps: float) -> Any:
    """Central-difference gradient of the output w.r.t. leaf ``name``, element by element;
    the shape of the leaf's value."""
    return _numeric(plan, leaf_values(plan, feeds), name, eps)


def _numeric(plan: Plan, base: Mapping[str, Any], name: str, eps: float) -> Any:
    """numeric_gradient from ``base``, every leaf's value (leaf_values)."""
    grad = np.zeros_like(np.asarray(base[name], dtype=np.float64))
    for k, estimate in elementwise_central(plan, base, name, eps):
        grad[k] = estimate
    return as_value(grad)


def directional_numeric(plan: Plan, feeds: Mapping[str, Any], name: str, direction: np.ndarray,
                        eps: float) -> float:
    """Central difference of the output along ``direction`` (the shape of leaf ``name``)."""
    return _directional(plan, leaf_values(plan, feeds), name, direction, eps)


def _directional(plan: Plan, base: Mapping[str, Any], name: str, direction: np.ndarray,
                 eps: float) -> float:
    """directional_numeric from ``base``, every leaf's value (leaf_values)."""
    theta = np.asarray(base[name], dtype=np.float64)
    return central_difference(
        lambda h: output_of(plan, {**base, name: theta + h * direction}), eps)


def check_gradients(plan: Plan, feeds: Mapping[str, Any] | None = None,
                    names: Sequence[str] | None = None, eps: float = 1e-6,
                    max_elements: int = 64, seed: int = 0) -> list[CheckRow]:
    """Compare backprop with central differences for each named leaf (default: every input).

    Leaves with more than ``max_elements`` elements are checked along one random direction.
    """
    check = GradientCheck(plan, feeds, eps, max_elements, seed)
    return check.rows(input_names(plan) if names is None else names)


class GradientCheck:
    """One gradient check of ``plan`` at ``feeds``: the forward and backward passes, the
    leaves' values and the graph's paths are read once, for rows asked in any number of
    calls (the dock asks a few per tick). With p inputs, each leaf alone cost a walk over
    every node on top of its 2 passes.
    """

    def __init__(self, plan: Plan, feeds: Mapping[str, Any] | None = None, eps: float = 1e-6,
                 max_elements: int = 64, seed: int = 0) -> None:
        self.plan, self.eps, self.max_elements = plan, eps, max_elements
        feeds = dict(feeds or {})
        self.values = forward(plan, feeds).values
        self.grads = backward(plan, self.values).grads
        self.base = leaf_values(plan, feeds)
        self.columns = columns_apply(plan, self.base)
        self._rng = np.random.default_rng(seed)  # one stream: the same directions per call
        self._paths: Paths | None = None

    def rows(self, names: Sequence[str]) -> list[CheckRow]:
        """A row for each leaf of ``names``, in order."""
        plan, values = self.plan, self.values
        small = [n for n in names if np.size(values[plan.index[n]]) <= self.max_elements]
        estimates = batched_central(plan, self.base, small, self.eps) if self.columns else {}
        rows = []
        for name in names:
            i = plan.index[name]
            g = self.grads[i] if self.grads[i] is not None else np.zeros_like(values[i])
            if name not in small:
                direction = self._rng.standard_normal(np.shape(values[i]))
                got = float(np.sum(np.asarray(g) * direction))
                row = _row(name, got, _directional(plan, self.base, name, direction, self.eps),
                           "random direction")
            else:
                numeric = estimates.get(name)
                if numeric is None:
                    numeric = _numeric(plan, self.base, name, self.eps)
                row = _row(name, g, numeric, "elementwise")
            if not row.passed:
                row = self._explained(row, i)
            rows.append(row)
        return rows

    def _explained(self, row: CheckRow, leaf: int) -> CheckRow:
        """A mismatch with its note: the first kink on the leaf's way to J, else rounding
        when the mismatch is below what rounding J(θ ± ε) makes of the estimate."""
        self._paths = self._paths or Paths(self.plan)
        note = kink_note(self.plan, self.values, leaf, self._paths)
        if note:
            return replace(row, note=note)
        size = float(np.sum(np.abs(self.values[self.plan.output])))
        noise = ROUNDING_SLACK * UNIT_ROUNDOFF * size / self.eps
        if np.isfinite(row.abs_error) and row.abs_error <= noise:
            return replace(row, rounding=True, note=rounding_note(size, self.eps, noise))
        return row


UNIT_ROUNDOFF = float(np.finfo(np.float64).eps)
# J(θ ± ε) are rounded at their last step and on their way through the graph: a sum 100
# layers deep (J ≈ 6e29) missed by up to 2.4 u·|J|/ε. A mismatch this small is beyond what
# the estimate can tell; a wrong rule is off by about the gradient itself.
ROUNDING_SLACK = 16


def rounding_note(size: float, eps: float, noise: float) -> str:
    """Why a mismatch below ``noise`` is no failure: J's size swamps the step ε."""
    return (f"lost to rounding: at |J| ≈ {number(f'{size:.4g}')}, rounding J(θ ± ε) can move "
            f"the estimate by up to ~{number(f'{noise:.2g}')} at ε = {number(eps)}, more than "
            "the mismatch; a larger ε, or a smaller J, resolves smaller slopes")


# Values one batched pass holds at once (columns × steps, 8 bytes each): 32 MB.
BATCH_VALUES = 1 << 22


def columns_apply(plan: Plan, base: Mapping[str, Any]) -> bool:
    """Whether every leaf of ``base`` is a scalar and every op elementwise: then each
    value of the plan is a scalar, and feeding the leaves as columns computes each
    column as that column's scalars would, side by side."""
    return all(np.ndim(value) == 0 for value in base.values()) and all(
        spec.is_leaf or spec.elementwise for spec in plan.specs)


def batched_central(plan: Plan, base: Mapping[str, Any], names: Sequence[str],
                    eps: float) -> dict[str, Any]:
    """The central difference for each scalar leaf of ``names`` (needs ``columns_apply``),
    from forward passes over columns: column 2k holds every leaf's value with leaf k's
    moved by +ε, column 2k + 1 by −ε, so one pass over the plan yields both J of many
    leaves (one Python pass over n nodes instead of 2p). Leaves whose columns did not
    yield a number are left out (the caller checks them one at a time)."""
    leaves = [s.name for s, spec in zip(plan.steps, plan.specs) if spec.is_leaf]
    per_pass = max(1, BATCH_VALUES // (2 * len(plan.steps)))
    out: dict[str, Any] = {}
    for start in range(0, len(names), per_pass):
        chunk = names[start:start + per_pass]
        feeds = {leaf: np.full(2 * len(chunk), base[leaf], dtype=np.float64)
                 for leaf in leaves}
        for k, name in enumerate(chunk):
            feeds[name][2 * k] += eps  # as elementwise_central moves one element
            feeds[name][2 * k + 1] += -eps
        # The careful loop: the same rules on the columns, without building the tables
        # for arrays of one shape (their backward half alone is ~0.3 s at 10k nodes).
        moved = forward(plan, feeds, compiled=False).values[plan.output]
        if moved is None or np.shape(moved) != (2 * len(chunk),):
            continue
        for k, name in enumerate(chunk):
            out[name] = as_value((float(moved[2 * k]) - float(moved[2 * k + 1])) / (2.0 * eps))
    return out


class Paths:
    """Who reads each slot of ``plan``, and the slots the output depends on (it among them):
    read once for the kink notes of every leaf of one check."""

    def __init__(self, plan: Plan) -> None:
        self.readers: list[list[int]] = [[] for _ in plan.steps]
        for i, step in enumerate(plan.steps):
            for j in step.args:
                self.readers[j].append(i)
        self.feeds_output = plan.read_by(plan.output)
        # The ops on the way to the output that have a kink at all: with none (a graph of
        # sums, products, tanh…) no leaf's walk over everything it reaches is needed.
        self.kinked = sorted(i for i in self.feeds_output if plan.specs[i].kink is not None)

    def reach(self, leaf: int) -> set[int]:
        """``leaf`` and every slot that reads it, directly or through others."""
        found, todo = {leaf}, [leaf]
        while todo:
            for i in self.readers[todo.pop()]:
                if i not in found:
                    found.add(i)
                    todo.append(i)
        return found


def kink_note(plan: Plan, values: Sequence[Any], leaf: int, paths: Paths | None = None) -> str:
    """'not differentiable here: r = relu(…) at a kink; …' for the first op on a path from
    slot ``leaf`` to the output that sits at a kink in an input the leaf reaches; else ''.
    ``paths``: the plan's Paths, when the caller notes several leaves."""
    paths = paths or Paths(plan)
    if not paths.kinked:
        return ""
    reach = paths.reach(leaf)
    for i in paths.kinked:
        if i not in reach:
            continue
        step, spec = plan.steps[i], plan.specs[i]
        ports = kinked_ports(spec, [values[j] for j in step.args], dict(step.attrs))
        if any(step.args[spec.inputs.index(p)] in reach for p in ports):
            return f"not differentiable here (at {step.name}): {spec.kink_doc}"
    return ""


def _row(name: str, got: Any, expected: Any, method: str) -> CheckRow:
    got_arr = np.asarray(got, dtype=np.float64)
    want = np.asarray(expected, dtype=np.float64)
    with np.errstate(all="ignore"):  # inf − inf and inf / inf: no agreement, no warning
        diff = np.abs(got_arr - want)
        scale = np.abs(want)
        abs_err = float(np.max(diff)) if np.size(diff) else 0.0
        rel_err = float(np.max(diff / np.maximum(scale, 1e-12))) if np.size(diff) else 0.0
        # An infinite estimate is no slope to agree with (|g − inf| ≤ rtol·inf holds for any
        # g): a non-finite number passes only when both sides are the very same number.
        close = (diff <= ATOL + RTOL * scale) & np.isfinite(want)
        passed = bool(np.all(close | (got_arr == want)))
    return CheckRow(name, as_value(got), as_value(expected), abs_err, rel_err, passed, method)
