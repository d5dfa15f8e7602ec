"""Numbers as the command line and the docks print them: 6 significant digits, tensors as
shape + array on one line, and JSON-safe values (non-finite numbers as strings)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np


def format_number(x: float) -> str:
    """``x`` to 6 significant digits: 0.5, -4, 1.23457e+06."""
    return f"{x:.6g}"


def format_cell(value: Any) -> str:
    """A value or gradient for a table: 6 significant digits; tensors as shape + array;
    None (not computed) as "n/a"."""
    if value is None:
        return "n/a"
    if np.ndim(value) == 0:
        return format_number(float(value))
    arr = np.asarray(value)
    text = np.array2string(arr, separator=", ", threshold=12, edgeitems=2,
                           max_line_width=10_000,
                           formatter={"float_kind": lambda v: format_number(float(v))})
    return f"{arr.shape} {' '.join(text.split())}"  # one line, whatever numpy wraps


def jsonable(value: Any) -> Any:
    """A number or nested list for JSON; non-finite numbers as "nan", "inf" or "-inf"."""
    if value is None:
        return None
    if np.ndim(value) == 0:
        x = float(value)
        if math.isfinite(x):
            return x
        return "nan" if math.isnan(x) else ("inf" if x > 0 else "-inf")
    return [jsonable(item) for item in np.asarray(value)]
