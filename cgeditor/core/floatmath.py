"""Python-float stand-ins for the few numpy functions the elementwise rules are spelled with.

Compiled scalar code evaluates the registry's own numpy templates with this module bound to the
name ``np``, so ``np.tanh(x)`` runs ``math.tanh`` on a Python float (numpy's scalar functions
cost ten times more). Only finite results are trusted: where numpy would give inf or nan, these
either raise (math's ValueError and OverflowError, ZeroDivisionError) or give a non-finite or
complex number, and the engine then reruns the pass with numpy. A template that uses a numpy
function missing here is simply not compiled to floats.
"""

from __future__ import annotations

import math
from typing import Any

exp = math.exp
log = math.log
sqrt = math.sqrt
sin = math.sin
cos = math.cos
tanh = math.tanh
abs = abs  # numpy's name for it: the builtin on floats


def maximum(a: float, b: float) -> float:
    """The larger of a and b, and b at a tie, as numpy's maximum: max(-0.0, 0.0) is -0.0 but
    np.maximum(-0.0, 0.0) is 0.0, and the sign of a zero decides the sign of 1 / x later."""
    return a if a > b else b


def minimum(a: float, b: float) -> float:
    """The smaller of a and b, and b at a tie, as numpy's minimum."""
    return a if a < b else b


def sign(x: float) -> float:
    """-1.0, 0.0 or 1.0 (numpy's sign on a finite float)."""
    return float((x > 0) - (x < 0))


def heaviside(x: float, at_zero: float) -> float:
    """1.0 above 0, ``at_zero`` at 0, 0.0 below (numpy's heaviside; nan stays nan)."""
    if x > 0:
        return 1.0
    return at_zero if x == 0 else (0.0 if x < 0 else x)


def where(cond: Any, a: float, b: float) -> float:
    """``a`` where ``cond`` holds, else ``b`` (both are evaluated, as with numpy)."""
    return a if cond else b


def mean(x: float, axis: int | None = None) -> float:
    """The mean of one number is itself; numpy refuses an axis on a scalar, and so does this."""
    if axis is not None:
        raise ValueError("axis given for a scalar")
    return x + 0.0  # numpy's sum starts from +0.0, so the mean of -0.0 is 0.0


def size(_x: float) -> int:
    """A scalar holds one element."""
    return 1
