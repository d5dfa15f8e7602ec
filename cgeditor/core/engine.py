"""Forward and backward passes over a compiled Plan: plain functions over lists, no Graph.

A Plan is a frozen, execution-ordered list of steps (op, input slots, attrs, leaf value).
``forward`` fills a list of values, ``backward`` a fresh list of gradients (never accumulated
across runs). Failures and non-finite numbers become per-node issues, never exceptions.
Backward visits the nodes in an order fixed by the wiring alone (``backward_order``), not by
the execution order, whose ties follow the canvas: a fan-in's terms are then summed in one
order whatever the layout, so a move changes no gradient, not even in its last bit.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property, partial
from typing import Any

import numpy as np

from cgeditor.core import compiled as straight_line
from cgeditor.core.blame import grad_message, value_message
from cgeditor.core.diagnose import failure_message
from cgeditor.core.ops import F64, OpSpec, get_op
from cgeditor.core.shapes import refusals
from cgeditor.core.values import (
    FloatList,
    as_value,
    describe,
    finite,
    fit_like,
    fit_to,
    is_finite,
    quiet_ieee,
)

__all__ = ["BackwardResult", "FloatList", "ForwardResult", "Issue", "Plan", "Step", "as_value",
           "backward", "compile_plan", "describe", "fit_to", "forward", "is_finite",
           "quiet_ieee"]

# A plan runs carefully (the loop below) until compiling it to straight-line code is worth the
# pause. Compiling costs up to ~35 µs a node (CPython's compiler; repeated layers share their
# chunks' code, chunks.py, and a structure seen before costs a quarter of that) and saves
# ~0.6 µs a node per scalar run, so in total it pays after ~60 runs;
# but what the user feels is the pause, not the sum. So a build goes on in slices of at most
# SLICE seconds a pass (codegen.compiled: one step may overrun it, ~5 ms at 1k nodes), run by
# run, the careful loop answering until the code is done. Up to QUICK_NODES nodes the slices
# start at the second run of a plan (of one structure version): a graph run once after each
# structural edit never waits for the compiler, and Forward, Backward and Live mode (a run
# per value edit) pass to compiled code within a few runs without a pause. Bigger plans wait
# for HOT_RUNS runs, the sign of a loop (training, gradient checks), as their steps are
# longer; above HOT_NODES (over a second to compile) only compiled=True compiles, at once.
# Arrays of one shape run from tables, which need no compiling, from the first run.
QUICK_RUNS, QUICK_NODES = 1, 2_000
HOT_RUNS = 20
SLICE = 0.005
HOT_NODES = 20_000


@dataclass(frozen=True)
class Step:
    """One node as the engine sees it."""

    name: str
    op: str
    args: tuple[int, ...] = ()
    attrs: Mapping[str, Any] = field(default_factory=dict)
    value: Any = None  # leaves only


@dataclass(frozen=True)
class Plan:
    """Nodes in execution order, ready to evaluate.

    ``fwd`` and ``bwd`` are the steps precompiled for the hot loops, one flat tuple per
    operation node: (slot, rule with attrs bound, a, b, args, name), where a and b are the
    input slots of a unary or binary op (-1 when unused) — attribute lookups per node cost
    more than the arithmetic on a scalar.
    """

    steps: tuple[Step, ...]
    output: int
    specs: tuple[OpSpec, ...]
    index: Mapping[str, int]
    fwd: tuple[tuple, ...] = ()
    bwd: tuple[tuple, ...] = ()
    leaves: tuple[tuple[int, Any], ...] = ()
    # Per node, the nodes that take it as an input (execution order); and the compiled code
    # and run counts, filled on use and kept as long as the plan (one structure version).
    consumers: tuple[tuple[int, ...], ...] = ()
    # The output and the slots it reads, in the order every backward pass visits them.
    down: tuple[int, ...] = ()
    cache: dict = field(default_factory=dict, compare=False, repr=False)

    @cached_property
    def names(self) -> tuple[str, ...]:
        """Node names in execution order, built once per plan (callers index it per node)."""
        return tuple(s.name for s in self.steps)

    @cached_property
    def down_rank(self) -> dict[int, int]:
        """Each slot of ``down`` by its place there (the output's is 0)."""
        return {slot: n for n, slot in enumerate(self.down)}

    def __len__(self) -> int:
        return len(self.steps)

    def read_by(self, slot: int) -> set[int]:
        """``slot`` and every slot it reads, directly or through others (steps come in
        topological order, so one backward sweep finds them)."""
        read, steps = {slot}, self.steps
        for i in range(slot, -1, -1):
            if i in read:
                read.update(steps[i].args)
        return read


def compile_plan(steps: Sequence[Step], output: int | None = None) -> Plan:
    """Freeze ``steps`` (already in execution order) into a Plan; output defaults to the last."""
    specs = tuple(get_op(s.op) for s in steps)
    out = len(steps) - 1 if output is None else output
    index = {s.name: i for i, s in enumerate(steps)}
    fwd, bwd, leaves = [], {}, []
    for i, (step, spec) in enumerate(zip(steps, specs)):
        if spec.is_leaf:
            leaves.append((i, step.value))
            continue
        rule, vjp = spec.forward, spec.vjp
        if step.attrs:
            rule, vjp = partial(rule, **step.attrs), partial(vjp, **step.attrs)
        args = tuple(step.args)
        a, b = args if len(args) == 2 else (args[0], -1) if len(args) == 1 else (-1, -1)
        fwd.append((i, rule, a, b, args, step.name))
        if i <= out:
            bwd[i] = (i, vjp, a, b, args, spec.name)
    consumers: list[list[int]] = [[] for _ in steps]
    for k, step in enumerate(steps):
        for j in dict.fromkeys(step.args):
            consumers[j].append(k)
    down = backward_order(steps, out)
    return Plan(tuple(steps), out, specs, index, tuple(fwd),
                tuple([bwd[i] for i in down if i in bwd]), tuple(leaves),
                tuple(map(tuple, consumers)), down=down)


def backward_order(steps: Sequence[Step], out: int) -> tuple[int, ...]:
    """The output and every node it reads, in the order backward visits them: the reverse of
    the post-order of a depth-first walk from the output through each node's inputs, first
    port first. A reverse topological order fixed by the wiring alone: the execution order
    breaks ties by canvas position, and a node's gradient sums its consumers' terms in the
    order they are visited (three or more terms summed in another order can differ in the
    last bit). An edit changes it only around the edit, so compiled chunks further on stay.
    The stack holds plain slots (0 new, 1 open, 2 done in ``state``): a stack of iterators
    set off the collector's full walks, ~4× the time of the rest of compile_plan at 10k."""
    if out < 0:
        return ()
    state = bytearray(len(steps))
    post: list[int] = []
    stack = [out]
    push, pop = stack.append, stack.pop
    while stack:
        i = stack[-1]
        if state[i] == 0:  # open it: its inputs go above it, the first port on top
            state[i] = 1
            for j in steps[i].args[::-1]:
                if not state[j]:
                    push(j)
        else:  # every input is done: so is it (unless this is a second entry of it)
            pop()
            if state[i] == 1:
                state[i] = 2
                post.append(i)
    post.reverse()
    return tuple(post)


@dataclass
class Issue:
    """Something wrong at one node: an op that failed, or a non-finite value or gradient."""

    index: int
    kind: str  # "error", "skipped", "nonfinite", "nonfinite_grad"
    message: str
    origin: bool = False


# values and grads: a list, or a FloatList from compiled scalar code (read, iterated, written
# and compared as a list; each entry an np.float64 scalar, an ndarray or None either way)
@dataclass
class ForwardResult:
    values: list[Any] | FloatList
    issues: dict[int, Issue]


@dataclass
class BackwardResult:
    grads: list[Any] | FloatList
    issues: dict[int, Issue]


def forward(plan: Plan, feeds: Mapping[str, Any] | None = None, *,
            compiled: bool | None = None) -> ForwardResult:
    """Evaluate every step in order; leaves take ``feeds[name]`` when given.

    ``compiled``: True runs the plan's straight-line code now, False only the careful loop,
    None (the default) the careful loop until the plan has run QUICK_RUNS times (HOT_RUNS
    times above QUICK_NODES nodes, and always for plans of over HOT_NODES nodes), then a slice
    of building per run until the code is done (see SLICE). The result is
    the same either way (to rounding): wherever compiled code meets an exception or a
    non-finite number, the careful loop reruns the pass and reports the issues. Arrays of one
    shape run from tables (``core/tables.py``), which need no compiling, from the first run
    unless ``compiled`` is False.
    """
    values: list[Any] = [None] * len(plan.steps)
    issues: dict[int, Issue] = {}
    for i, value in plan.leaves:
        values[i] = value
    for name, raw in (feeds or {}).items():
        i = plan.index.get(name)
        if i is not None and not plan.steps[i].args:
            values[i] = as_value(raw)
    for i, _ in plan.leaves:
        if values[i] is None:
            issues[i] = Issue(i, "error", f"{plan.steps[i].name} has no value")
    for i, message in refusals(plan, values).items():  # before anything is allocated
        issues[i] = Issue(i, "error", message)
    if not issues and plan.fwd and compiled is not False:
        done = straight_line.forward_values(plan, values, _budget(plan, "forward", compiled))
        if done is not None:
            return ForwardResult(done, issues)
    with quiet_ieee():  # IEEE results, reported as issues instead of warnings
        failed = _run_fast(plan.fwd, values) if not issues else (0, None)
        if failed is not None:
            _run_careful(plan, values, issues, *failed)
        _mark_nonfinite(plan, values, issues, "nonfinite")
    return ForwardResult(values, issues)


def _run_fast(code: tuple, values: list) -> tuple[int, Exception] | None:
    """The hot loop; returns (position in code, exception) of the first op that raised."""
    i = -1
    try:
        for i, rule, a, b, args, _ in code:
            if b >= 0:
                values[i] = rule(values[a], values[b])
            elif a >= 0:
                values[i] = rule(values[a])
            else:
                values[i] = rule(*[values[j] for j in args])
    except Exception as exc:  # an op failed: the careful loop takes over from here
        return next(k for k, entry in enumerate(code) if entry[0] == i), exc
    return None


def _run_careful(plan: Plan, values: list, issues: dict, start: int,
                 exc: Exception | None) -> None:
    """Carry on after a failure: skip nodes whose inputs have no value, record each error."""
    for k in range(start, len(plan.fwd)):
        i, rule, _, _, args, _ = plan.fwd[k]
        if i in issues:  # refused before the pass (a size limit): left without a value
            continue
        missing = [plan.steps[j].name for j in args if values[j] is None]
        if missing:
            issues[i] = Issue(i, "skipped", f"not evaluated: input {', '.join(missing)} "
                                            "has no value")
            continue
        if k != start or exc is None:
            try:
                values[i] = rule(*[values[j] for j in args])
                continue
            except Exception as err:
                exc = err
        issues[i] = Issue(i, "error", failure_message(
            plan.specs[i], [plan.steps[j].name for j in args], [values[j] for j in args], exc))
        values[i] = None


def _budget(plan: Plan, which: str, compiled: bool | None) -> float:
    """Seconds this run of ``which`` pass may spend compiling (see ``forward``); never asked
    with ``compiled`` False, which runs only the careful loop."""
    if compiled:
        return math.inf
    runs = plan.cache[which] = plan.cache.get(which, 0) + 1
    if len(plan.steps) <= QUICK_NODES:
        return SLICE if runs > QUICK_RUNS else 0.0
    return SLICE if runs > HOT_RUNS and len(plan.steps) <= HOT_NODES else 0.0


def backward(plan: Plan, values: Sequence[Any], seed: Any = None, *,
             compiled: bool | None = None) -> BackwardResult:
    """Fresh gradients of the output w.r.t. every node (None where a node cannot reach it).

    ``compiled`` chooses the code as in ``forward``; a wrong number of gradients from a vjp
    raises TypeError naming the op.
    """
    grads: list[Any] = [None] * len(plan.steps)
    out = plan.output
    result = values[out]
    if result is None:
        return BackwardResult(grads, {})
    if seed is None:  # ones_like costs more than a whole small scalar run
        grads[out] = F64(1.0) if result.__class__ is F64 else np.ones_like(result)[()]
    else:
        grads[out] = as_value(seed)
    if grads[out].__class__ is np.ndarray and grads[out].ndim == 0:
        grads[out] = F64(grads[out])
    issues: dict[int, Issue] = {}
    if plan.bwd and compiled is not False:
        done = straight_line.backward_grads(plan, values, grads[out],
                                            _budget(plan, "backward", compiled))
        if done is not None:
            return BackwardResult(done, issues)
    if values.__class__ is FloatList:  # box each value once, not at every read
        values = values.boxed()
    with quiet_ieee():
        _backward_loop(plan.bwd, values, grads)
        _mark_nonfinite(plan, grads, issues, "nonfinite_grad", values)
    return BackwardResult(grads, issues)


def _backward_loop(code: tuple, values: Sequence[Any], grads: list) -> None:
    """Reverse-order vjps with fan-out summed; scalars skip the shape chores entirely."""
    for i, vjp, a, b, args, op in code:
        g = grads[i]
        if g is None:
            continue
        if b >= 0:
            va, vb = values[a], values[b]
            parts = vjp(g, values[i], va, vb)
            try:
                ga, gb = parts
            except (TypeError, ValueError):
                raise _count_error(op, parts, 2) from None
            if ga.__class__ is not F64 or va.__class__ is not F64:
                ga = fit_like(ga, va)
            prev = grads[a]
            grads[a] = ga if prev is None else prev + ga
            if gb.__class__ is not F64 or vb.__class__ is not F64:
                gb = fit_like(gb, vb)
            prev = grads[b]  # read after the write above: x*x feeds both ports
            grads[b] = gb if prev is None else prev + gb
        else:
            parts = vjp(g, values[i], *[values[j] for j in args])
            if len(parts) != len(args):
                raise _count_error(op, parts, len(args))
            for j, part in zip(args, parts):
                if part.__class__ is not F64 or values[j].__class__ is not F64:
                    part = fit_like(part, values[j])
                prev = grads[j]
                grads[j] = part if prev is None else prev + part


def _count_error(op: str, parts: Any, expected: int) -> TypeError:
    count = len(parts) if hasattr(parts, "__len__") else "no sequence of"
    return TypeError(f"vjp of {op} returned {count} gradients for {expected} inputs")


def _mark_nonfinite(plan: Plan, data: Sequence[Any], issues: dict, kind: str,
                    values: Sequence[Any] | None = None) -> None:
    """Record every non-finite entry; where one first appears, in the pass's own direction,
    is an origin: a value whose inputs are all finite, a gradient whose consumers' all are.
    Two branches that fail apart have an origin each, whichever the canvas puts first.

    ``data`` is what is checked (values or gradients); ``values`` are the forward values.
    """
    try:  # fast path, all scalars: filter(None) drops the Nones (and zeros, finite anyway)
        if np.isfinite(np.fromiter(filter(None, data), dtype=np.float64)).all():
            return
    except (TypeError, ValueError):  # a tensor in the list: check one by one
        pass
    bad = [i for i, v in enumerate(data) if v is not None and i not in issues
           and not finite(v)]
    if not bad:
        return
    values = data if values is None else values
    found = set(bad)
    if kind == "nonfinite":
        origins = {i for i in bad if found.isdisjoint(plan.steps[i].args)}
    else:
        origins = {i for i in bad if found.isdisjoint(plan.consumers[i])}
    for i in bad:
        if kind == "nonfinite":
            message = value_message(plan, values, i)
        else:
            message = grad_message(plan, values, data, i)
        issues[i] = Issue(i, kind, message, i in origins)
