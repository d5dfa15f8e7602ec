"""Running a Plan's straight-line code (built by ``codegen``), and deciding when its result
stands. Three kinds of code exist per plan, each built on first use:

- ``FLOAT``: every leaf a float64 scalar and every rule spelled with functions that
  ``floatmath`` provides, run on Python floats with ``math`` (ten times cheaper per op than
  numpy scalars). Only a finite result is trusted; anything else is rerun carefully.
- ``NUMPY``: the same templates on numpy values, with the engine's shape chores (summing a
  broadcast gradient back to its input's shape) done by ``fit_like``.
- ``UNIFORM``: when every value is an array of one shape (shape inference says so before the
  forward pass; backward checks its values): no shape chores, and every result whose outermost
  operation is a ufunc is written into a row of one buffer, so one reduction over the buffer
  checks them all for inf and nan instead of a numpy call per array. These passes run from
  tables (``tables``: the same expressions, no compiling) whenever every op's templates allow,
  from a plan's first run; compiled code only for plans with an op they cannot run.

Every kind returns None wherever the careful path must decide (an exception, a non-finite
number): the careful path is the reference, and it alone writes issues.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from operator import is_
from typing import TYPE_CHECKING, Any

import numpy as np

from cgeditor.core.codegen import FLOAT, NUMPY, PENDING, UNIFORM, Pass, compiled
from cgeditor.core.ops import F64
from cgeditor.core.shapes import one_shape
from cgeditor.core.tables import Table, run_backward, run_forward, tables
from cgeditor.core.values import FloatList, all_finite, quiet_ieee

if TYPE_CHECKING:
    from cgeditor.core.engine import Plan

__all__ = ["FLOAT", "NUMPY", "PENDING", "UNIFORM", "Pass", "backward_grads", "compiled",
           "forward_values"]


def forward_values(plan: Plan, values: list, budget: float = math.inf,
                   ) -> list | FloatList | None:
    """Every node's value from the leaves already in ``values``; None when the careful path
    must run instead (a rule raised, some value is not finite, or the code is not built
    yet). ``budget``: seconds this call may spend compiling (``compiled``); tables (arrays
    of one shape) need none."""
    leaves = [values[i] for i, _ in plan.leaves]
    if all(v.__class__ is F64 for v in leaves):
        code = compiled(plan, "forward", FLOAT, budget)
        if code is PENDING:
            return None
        if code is not None:
            return _float_forward(code, leaves)
    shape = one_shape(plan, values)
    made = tables(plan) if shape else None
    if made is not None:
        return _table_forward(plan, made[0], leaves, shape)
    code = compiled(plan, "forward", UNIFORM if shape else NUMPY, budget)
    if code is PENDING or code is None:
        return None
    if shape:
        return _uniform_forward(plan, code, leaves, shape)
    with quiet_ieee():
        try:
            out = code.run(tuple(leaves))
        except Exception:  # a shape mismatch or a failing rule: reported by the careful path
            return None
        return list(out) if all_finite(out) else None


def _uniform_forward(plan: Plan, code: Pass, leaves: list, shape: tuple[int, ...],
                     ) -> list | None:
    """The UNIFORM forward pass run from its compiled code."""
    return _checked_uniform(plan, code.rows, code.loose, shape,
                            lambda buffer: code.run(tuple(leaves), buffer))


def _table_forward(plan: Plan, table: Table, leaves: list, shape: tuple[int, ...],
                   ) -> list | None:
    """The UNIFORM forward pass run from its table."""
    values: list[Any] = [None] * len(plan.steps)
    for (i, _), value in zip(plan.leaves, leaves):
        values[i] = value

    def run(buffer: np.ndarray) -> list:
        run_forward(table, values, [*buffer, None])
        return values

    return _checked_uniform(plan, table.rows, table.loose, shape, run)


def _checked_uniform(plan: Plan, rows: int, loose: Sequence[int], shape: tuple[int, ...],
                     run: Callable[[np.ndarray], Sequence[Any]]) -> list | None:
    """Every value of a UNIFORM forward pass, ``run`` writing ``rows`` results of ``shape``
    into the buffer it is given and returning all values; None when it raised or a result
    is not finite (the buffer checked by one sum, the ``loose`` values outside it each)."""
    buffer = np.empty((rows, *shape))
    with quiet_ieee():
        try:
            out = run(buffer)
        except Exception:  # a failing rule: reported by the careful path
            return None
        if not (_finite_rows(buffer) and all_finite([out[k] for k in loose])):
            return None
    plan.cache[_LAST_ARRAYS] = (out, shape)  # for backward's shape check
    return list(out)


def _finite_rows(buffer: np.ndarray) -> bool:
    """Every element of ``buffer`` is finite. One sum proves it (inf or nan anywhere makes the
    sum non-finite); a sum that overflowed from finite elements falls to the exact check."""
    return math.isfinite(np.add.reduce(buffer, axis=None)) or bool(np.isfinite(buffer).all())


def _float_forward(code: Pass, leaves: list) -> FloatList | None:
    # np.errstate, not quiet_ieee: it is cheaper to enter, and here numpy only ever runs
    # inside a rule function of core/rules.py, whose warnings must not reach the user.
    with np.errstate(all="ignore"):
        try:
            out = code.run(tuple(map(float, leaves)))
        except Exception:  # a domain error or overflow: the careful path decides
            return None
    return FloatList(out, True) if _finite_reals(out) else None


def backward_grads(plan: Plan, values: Sequence[Any], seed: Any,
                   budget: float = math.inf) -> Sequence[Any] | None:
    """Gradients of the output (None for nodes that cannot reach it); None when the careful
    path must run instead. ``budget`` as in ``forward_values``."""
    floats = _floats(values) if seed.__class__ is F64 else None
    if floats is not None:
        code = compiled(plan, "backward", FLOAT, budget)
        if code is PENDING:
            return None
        if code is not None:
            return _float_backward(plan, code, floats, seed)
    with quiet_ieee():
        return _numpy_backward(plan, values, seed, budget)


def _float_backward(plan: Plan, code: Pass, floats: Sequence[float], seed: Any,
                    ) -> FloatList | None:
    with np.errstate(all="ignore"):  # as in _float_forward
        try:
            out = code.run(floats, float(seed))
        except Exception:
            return None
    if not _finite_reals(out):
        return None
    if len(code.slots) == len(plan.steps):  # every node reaches the output
        return FloatList(out, True)
    return FloatList(_scatter(plan, code.slots, out), False)


def _numpy_backward(plan: Plan, values: Sequence[Any], seed: Any, budget: float,
                    ) -> list | None:
    shape = _uniform_shape(plan, values, seed)
    made = tables(plan) if shape is not None else None
    if made is not None:
        grads = _table_backward(plan, made[1], values, seed, shape)
        if grads is not _RESHAPED:
            return grads
    elif shape is not None:
        code = compiled(plan, "backward", UNIFORM, budget)
        if code is PENDING or code is None:
            return None
        buffer = np.empty((code.rows, *shape))
        try:
            out = code.run(tuple(values), seed, buffer)
        except Exception:
            return None
        loose = [out[k] for k in code.loose]  # rows have the buffer's shape; these may not
        if all(g.__class__ is np.ndarray and g.shape == shape for g in loose):
            finite = _finite_rows(buffer) and all_finite(loose)
            return _scatter(plan, code.slots, out) if finite else None
    # not one shape, or a rule changed a gradient's shape after all: the shape chores decide
    code = compiled(plan, "backward", NUMPY, budget)
    if code is PENDING or code is None:
        return None
    try:
        out = code.run(tuple(values), seed)
    except Exception:
        return None
    return _scatter(plan, code.slots, out) if all_finite(out) else None


_RESHAPED: list = []  # _table_backward: some gradient left the one shape


def _table_backward(plan: Plan, table: Table, values: Sequence[Any], seed: Any,
                    shape: tuple[int, ...]) -> list | None:
    """The UNIFORM backward pass run from its table (as in ``_numpy_backward``); _RESHAPED
    when a rule gave a gradient of another shape."""
    grads: list[Any] = [None] * len(plan.steps)
    grads[plan.output] = seed
    buffer = np.empty((table.rows, *shape))
    try:
        run_backward(table, values, grads, [*buffer, None])
    except Exception:
        return None
    loose = [grads[k] for k in table.loose]
    if all(g.__class__ is np.ndarray and g.shape == shape for g in loose):
        return grads if _finite_rows(buffer) and all_finite(loose) else None
    return _RESHAPED


_LAST_ARRAYS = "last uniform values"


def _finite_reals(out: Sequence[Any]) -> bool:
    """Every number of a float pass is finite and real. One sum checks both: inf or nan
    anywhere makes it non-finite, a complex number (Python's (-1.0) ** 0.5) makes it
    complex — and math.isfinite would quietly take the real part of a numpy complex."""
    with np.errstate(all="ignore"):  # a rule's numpy float64s warn on inf + -inf
        total = sum(out)
    return isinstance(total, float) and math.isfinite(total)


def _floats(values: Sequence[Any]) -> Sequence[float] | None:
    """``values`` as Python floats when every one is a finite scalar, else None. The floats
    of a compiled forward pass are taken as they are (converting costs as much as the
    backward code itself)."""
    if values.__class__ is FloatList and values.finite:
        return values.floats
    try:
        arr = np.array(values, dtype=np.float64)  # refuses None and arrays of size > 1
    except (TypeError, ValueError):
        return None
    # math's stand-ins for numpy are trusted on finite numbers only (sign(nan) is 0.0 there)
    if arr.shape != (len(values),) or not np.isfinite(arr).all():
        return None
    return arr.tolist()


def _uniform_shape(plan: Plan, values: Sequence[Any], seed: Any) -> tuple[int, ...] | None:
    """The one shape of every value and the seed, when they are all arrays of one shape. The
    values of the last UNIFORM forward pass are recognised by identity."""
    if seed.__class__ is not np.ndarray:
        return None
    shape = seed.shape
    last = plan.cache.get(_LAST_ARRAYS)
    if last is not None and last[1] == shape and len(last[0]) == len(values) \
            and all(map(is_, values, last[0])):
        return shape
    if all(v.__class__ is np.ndarray and v.shape == shape for v in values):
        return shape
    return None


def _scatter(plan: Plan, slots: tuple[int, ...], grads: Sequence[Any]) -> list:
    if len(slots) == len(plan.steps):  # every node reaches the output: already in order
        return list(grads)
    full: list[Any] = [None] * len(plan.steps)
    for i, g in zip(slots, grads):
        full[i] = g
    return full
