"""Shape inference before anything is computed, and the size limits that keep a small file from
taking the machine.

Each op's rule (OpSpec.shape) maps input shapes and attrs to the shapes the op allocates: its
result first, then any larger intermediate (mse broadcasts pred − target before averaging).
``infer`` walks a plan in execution order from its leaves' shapes, so a node whose result would
exceed the limits is refused, named, before a single element of it is allocated.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from cgeditor.core.diagnose import (
    failure_message,
    matmul_shape_check,
    matrix_transpose_shape_check,
    shape_text,
)

if TYPE_CHECKING:
    from cgeditor.core.engine import Plan

Shape = tuple[int, ...]

# One node's result may hold at most this many float64 elements (80 MB) …
MAX_NODE_ELEMENTS = 10_000_000
# … and all values of one graph together at most this many (240 MB; gradients take as much
# again), so a long chain of modest tensors cannot add up to gigabytes either.
MAX_GRAPH_ELEMENTS = 30_000_000


class ShapeError(ValueError):
    """The inputs' shapes do not fit the op (the message says how)."""


class _AxisShapeError(ShapeError, np.exceptions.AxisError):
    """An axis the input does not have: worded, and typed, as numpy's own AxisError, so the
    message to the user is the engine's (core/diagnose.py)."""


# --- rules: (*input shapes, **attrs) -> (result shape, *intermediate shapes) ------------------
def same_shape(x: Shape, **_attrs: Any) -> tuple[Shape]:
    """Elementwise unary ops: the result has the input's shape."""
    return (x,)


def broadcast_shape(a: Shape, b: Shape) -> tuple[Shape]:
    """Elementwise binary ops: numpy broadcasting."""
    return (_broadcast(a, b),)


def _broadcast(a: Shape, b: Shape) -> Shape:
    if a == b:  # the common case, without numpy's 6 µs
        return a
    try:
        return tuple(np.broadcast_shapes(a, b))
    except ValueError:
        raise ShapeError(f"shapes {shape_text(a)} and {shape_text(b)} do not broadcast") from None


def _axis(shape: Shape, axis: int, scalar_ok: bool = True) -> int:
    """``axis`` normalised for ``shape``, as numpy accepts it: ufunc reductions (np.sum,
    np.max) also take axis 0 or -1 of a scalar; np.mean (``scalar_ok`` False) does not."""
    if not shape and scalar_ok and axis in (0, -1):
        return 0
    if not -len(shape) <= axis < len(shape):
        raise _AxisShapeError(f"axis {axis} is out of bounds for array of dimension "
                              f"{len(shape)}")
    return axis % len(shape)


def along_axis_shape(x: Shape, axis: int = -1) -> tuple[Shape]:
    """softmax and log_softmax: same shape, and the axis must exist."""
    _axis(x, axis)
    return (x,)


def sum_shape(x: Shape, axis: int | None = None) -> tuple[Shape]:
    """A scalar, or the shape without ``axis``."""
    if axis is None:
        return ((),)
    k = _axis(x, axis)
    return (x[:k] + x[k + 1:],)


def mean_shape(x: Shape, axis: int | None = None) -> tuple[Shape]:
    """As sum_shape, but a scalar has no axis 0 to average over."""
    if axis is not None and not x:
        _axis(x, axis, scalar_ok=False)
    return sum_shape(x, axis)


def transpose_shape(x: Shape) -> tuple[Shape]:
    return (tuple(reversed(x)),)


def matrix_transpose_shape(x: Shape) -> tuple[Shape]:
    """The last two axes swapped: a matrix, or each matrix of a stack, transposed."""
    problem = matrix_transpose_shape_check(("x",), (x,))
    if problem:
        raise ShapeError(problem)
    return ((*x[:-2], x[-1], x[-2]),)


def matmul_shape(a: Shape, b: Shape) -> tuple[Shape]:
    """numpy matmul: 1-d operands are vectors, leading axes broadcast."""
    problem = matmul_shape_check(("a", "b"), (a, b))  # the rule, spelled once
    if problem:
        raise ShapeError(problem)
    a2, b2 = (a if len(a) > 1 else (1, *a)), (b if len(b) > 1 else (*b, 1))
    batch = _broadcast(a2[:-2], b2[:-2])
    out = (*batch, a2[-2], b2[-1])
    if len(b) == 1:
        out = out[:-1]
    if len(a) == 1:
        out = out[:-2] + out[-1:] if len(b) > 1 else out[:-1]
    return (out,)


def mse_shape(pred: Shape, target: Shape) -> tuple[Shape, Shape]:
    """A scalar, after pred − target is broadcast in full."""
    return (), _broadcast(pred, target)


def cross_entropy_shape(logits: Shape, target: Shape) -> tuple[Shape, Shape]:
    """A scalar, after target · log_softmax(logits) is broadcast in full."""
    _axis(logits, -1)
    return (), _broadcast(logits, target)


# --- inference over a plan -------------------------------------------------------------------
@dataclass
class ShapeReport:
    """Per step: its inferred shape (None where unknown), and why a step is refused."""

    shapes: list[Shape | None]
    mismatches: dict[int, str] = field(default_factory=dict)  # the op does not fit its inputs
    too_large: dict[int, str] = field(default_factory=dict)  # over a size limit


def size(shape: Sequence[int]) -> int:
    return math.prod(shape)


def infer(plan: Plan, values: Sequence[Any]) -> ShapeReport:
    """Shapes of every step from the leaves in ``values`` (others are ignored), in execution
    order, without computing anything. A step downstream of a mismatch, a refusal or a leaf
    without a value has an unknown shape and is neither checked nor counted."""
    shapes: list[Shape | None] = [None] * len(plan.steps)
    report = ShapeReport(shapes)
    total = 0
    for i, (step, spec) in enumerate(zip(plan.steps, plan.specs)):
        if not step.args:
            if spec.is_leaf and values[i] is not None:
                shapes[i] = np.shape(values[i])
                total += size(shapes[i])
            continue
        inputs = [shapes[j] for j in step.args]
        if any(s is None for s in inputs):
            continue
        try:
            made = spec.shape(*inputs, **step.attrs)
        except ShapeError as exc:  # worded as the engine words the op's failure
            names = [plan.steps[j].name for j in step.args]
            views = [np.broadcast_to(0.0, s) for s in inputs]  # zero strides: no memory
            report.mismatches[i] = failure_message(spec, names, views, exc)
            continue
        refusal = _over_limit(step.name, made, total)
        if refusal:
            report.too_large[i] = refusal
            continue
        shapes[i] = made[0]
        total += size(made[0])
    return report


def _over_limit(name: str, made: Sequence[Shape], total: int) -> str | None:
    largest = made[0] if len(made) == 1 else max(made, key=size)
    if size(largest) > MAX_NODE_ELEMENTS:
        what = "its result" if largest == made[0] else "a step inside it"
        return (f"{name} refused: {what} would have shape {shape_text(largest)} ({size(largest):,} "
                f"elements), over the limit of {MAX_NODE_ELEMENTS:,} per node")
    if total + size(made[0]) > MAX_GRAPH_ELEMENTS:
        return (f"{name} refused: with its result of shape {shape_text(made[0])} the graph's "
                f"values would hold {total + size(made[0]):,} elements, over the limit of "
                f"{MAX_GRAPH_ELEMENTS:,} for one graph")
    return None


def refusals(plan: Plan, values: Sequence[Any]) -> dict[int, str]:
    """The steps a forward pass must not compute, with why: over a size limit (see ``infer``).

    A plan whose leaves are all scalars makes only scalars (or fails), so it is skipped; for
    tensors the answer is kept per plan and leaf shapes, as training reruns one plan often."""
    scalar = np.float64
    if len(plan.steps) <= MAX_GRAPH_ELEMENTS and all(
            values[i].__class__ is scalar for i, _ in plan.leaves):
        return {}
    return _inferred(plan, values)[1].too_large


def one_shape(plan: Plan, values: Sequence[Any]) -> Shape | None:
    """The one shape every step's result will have, given the leaves in ``values``, when
    inference finds them all alike and nothing refused or mismatched; None otherwise. Kept per
    plan and leaf shapes, as ``refusals``."""
    return _inferred(plan, values)[2]


def _inferred(plan: Plan, values: Sequence[Any]) -> tuple[tuple, ShapeReport, Shape | None]:
    leaf_shapes = tuple(None if values[i] is None else np.shape(values[i])
                        for i, _ in plan.leaves)
    cached = plan.cache.get("shapes")
    if cached is None or cached[0] != leaf_shapes:
        report = infer(plan, values)
        alike = set(report.shapes)
        one = alike.pop() if len(alike) == 1 and not report.mismatches else None
        cached = plan.cache["shapes"] = (leaf_shapes, report, one)
    return cached
