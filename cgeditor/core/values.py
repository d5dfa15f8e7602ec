"""What the engine stores per node, and the chores on it: float64 values, gradients summed back
over broadcast axes, finiteness checks and short descriptions for messages."""

from __future__ import annotations

import math
import threading
import warnings
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from typing import Any

import numpy as np

from cgeditor.core.diagnose import number, shape_text
from cgeditor.core.ops import F64


# Exported numpy modules carry as_value's source as their f64, and sum_to_shape's as it is
# (model/export_helpers.py): keep both to plain numpy.
def as_value(raw: Any) -> Any:
    """A float64 numpy scalar or a float64 ndarray (never a shape-(1,)-for-a-scalar array)."""
    arr = np.asarray(raw, dtype=np.float64)
    return arr[()] if arr.ndim == 0 else arr


def fit_like(grad: Any, like: Any) -> Any:
    """``grad`` as the gradient of ``like``: unchanged when it already has like's type and
    shape (the common case, checked first and cheaply), else ``fit_to``."""
    kind = grad.__class__
    if kind is like.__class__ and (kind is F64 or (kind is np.ndarray
                                                   and grad.shape == like.shape)):
        return grad
    return fit_to(grad, like)


def fit_to(grad: Any, like: Any) -> Any:
    """Sum a broadcast gradient back to the shape of ``like`` (numpy broadcasting in reverse)."""
    grad = sum_to_shape(grad, np.shape(like))
    return F64(grad) if grad.ndim == 0 else grad


def sum_to_shape(grad: Any, shape: tuple[int, ...]) -> np.ndarray:
    """``grad`` summed over the axes broadcasting added or stretched, as a float64 array of
    ``shape`` (a read-only view when it had to be broadcast back up)."""
    grad = np.asarray(grad, dtype=np.float64)
    if grad.shape != shape:
        extra = grad.ndim - len(shape)
        if extra > 0:
            grad = grad.sum(axis=tuple(range(extra)))
        elif extra < 0:  # fewer axes (a target's gradient from lower-rank logits): numpy
            grad = grad.reshape((1,) * -extra + grad.shape)  # aligns the trailing ones
        kept = tuple(k for k, n in enumerate(shape) if n == 1 and grad.shape[k] != 1)
        if kept:
            grad = grad.sum(axis=kept, keepdims=True)
        grad = np.broadcast_to(grad, shape)
    return grad


def is_finite(value: Any) -> bool:
    """True when every element of ``value`` is finite."""
    with np.errstate(all="ignore"):
        return finite(value)


def finite(value: Any) -> bool:
    """is_finite without its own np.errstate, for callers that already silenced numpy."""
    if value.__class__ is F64:
        return math.isfinite(value)
    arr = np.asarray(value, dtype=np.float64)
    # A finite sum of squares proves every element finite, in one pass and no temporary (the
    # dot product is the cheapest numpy call for it); one that overflowed from finite
    # elements falls through to the exact check.
    flat = arr.ravel()
    return math.isfinite(flat.dot(flat)) or bool(np.isfinite(arr).all())


def all_finite(values: Sequence[Any]) -> bool:
    """True when every element of every value is finite; each object is checked once, since
    gradients passed on unchanged (add's) are the same array several times over."""
    return all(map(finite, {id(v): v for v in values}.values()))


def describe(value: Any) -> str:
    """Short human text for a value: '-inf', '2', or 'inf at index [1] (1 of 3 elements
    non-finite)' naming the first bad element."""
    if value is None:
        return "nothing"
    if np.ndim(value) == 0:
        return number(value)
    arr = np.asarray(value)
    bad = int(np.size(arr) - np.isfinite(arr).sum())
    if bad:
        index = tuple(int(k) for k in np.argwhere(~np.isfinite(arr))[0])
        return (f"{number(arr[index])} at index {list(index)} ({bad} of {arr.size} "
                "elements non-finite)")
    return f"array of shape {shape_text(arr.shape)}"


_NUMPY_DEFAULT_ERR = {"divide": "warn", "over": "warn", "under": "ignore", "invalid": "warn"}


def quiet_ieee() -> AbstractContextManager:
    """IEEE results without numpy warnings, as cheaply as possible.

    numpy's scalar arithmetic runs about twice as slow under any non-default np.errstate, so
    on the main thread with numpy's default error state the (rare) RuntimeWarnings are
    filtered instead. warnings.catch_warnings edits process-wide state, so other threads
    (and callers who changed np.seterr, e.g. to "raise") get the thread-local np.errstate.
    """
    if threading.current_thread() is threading.main_thread() \
            and np.geterr() == _NUMPY_DEFAULT_ERR:
        return _IgnoredRuntimeWarnings()
    return np.errstate(all="ignore")


class _IgnoredRuntimeWarnings(warnings.catch_warnings):
    def __enter__(self) -> None:
        super().__enter__()
        warnings.simplefilter("ignore", RuntimeWarning)


class FloatList(Sequence):
    """A pass's numbers as compiled scalar code made them (Python floats, None where nothing
    was computed), handed out as np.float64 scalars, as the careful path gives them.

    Boxing a float as a numpy scalar costs about as much as the compiled code computing it,
    so it is done on access: reading a few values (a training step reads the parameters'
    gradients) boxes a few, and iterating boxes all of them once, in one batch. ``floats``
    stays readable while the list is unchanged, so a backward pass takes the forward pass's
    floats as they are; any write drops it. Compares and concatenates as a list.
    """

    __slots__ = ("_boxed", "finite", "floats")

    def __init__(self, floats: Sequence[float | None], finite: bool) -> None:
        # finite: every entry is a finite float (no None), so compiled code may read them
        self.floats: Sequence[float | None] | None = floats
        self.finite = finite
        self._boxed: list[Any] | None = None

    def boxed(self) -> list[Any]:
        """Every entry boxed (np.float64 or None), once; later reads come from this list."""
        if self._boxed is None:
            floats = self.floats
            if self.finite:  # fromiter fills float64s at C speed; iterating boxes each
                self._boxed = list(np.fromiter(floats, F64, len(floats)))
            else:
                self._boxed = [None if v is None else F64(v) for v in floats]
        return self._boxed

    def __getitem__(self, i: Any) -> Any:
        if self._boxed is None and i.__class__ is int:
            v = self.floats[i]
            return None if v is None else F64(v)
        return self.boxed()[i]

    def __setitem__(self, i: Any, value: Any) -> None:
        self.boxed()[i] = value
        self.floats, self.finite = None, False

    def __len__(self) -> int:
        return len(self.floats if self._boxed is None else self._boxed)

    def __iter__(self) -> Iterator[Any]:
        return iter(self.boxed())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (list, FloatList)):
            return self.boxed() == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # mutable, as a list

    def __add__(self, other: Sequence[Any]) -> list[Any]:
        return [*self.boxed(), *other]

    def __radd__(self, other: Sequence[Any]) -> list[Any]:
        return [*other, *self.boxed()]

    def __repr__(self) -> str:
        return f"FloatList({self.boxed()!r})"
