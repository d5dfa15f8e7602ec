"""Numbers as the command line prints them: 6 significant digits with an ASCII minus (what
shells and scripts parse) in number_text's exponent style, tensors as shape + array on one
line in one notation, and JSON-safe values (non-finite numbers as strings)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from cgeditor.model.number_text import MINUS, cell_text, format_scalar, format_sci

DIGITS = 6


def format_number(x: float) -> str:
    """``x`` to 6 significant digits: 0.5, -4, 1.23457e6, -9e-5."""
    return _ascii(format_scalar(x, DIGITS))


def format_error(x: float) -> str:
    """An error size in scientific notation, 3 significant digits: 1.23e-8, 0."""
    return _ascii(format_sci(x, 3))


def _ascii(text: str) -> str:
    return text.replace(MINUS, "-")


def format_cell(value: Any) -> str:
    """A value or gradient for a table: 6 significant digits; tensors as shape + array, every
    element in the notation the whole array needs; None (not computed) as "n/a"."""
    return _ascii(cell_text(value, DIGITS))


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
