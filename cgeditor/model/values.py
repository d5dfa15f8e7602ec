"""Turning user and file data into node values and attributes, with clear refusals."""

from __future__ import annotations

import json
import math
import re
from typing import Any

import numpy as np

from cgeditor.core.ops import F64, OpSpec
from cgeditor.model.errors import AttrError, ValueParseError
from cgeditor.model.number_text import short_exponent

MAX_ELEMENTS = 1_000_000  # per tensor: bounds memory for values typed in or loaded
MAX_DIMS = 8
# nan, inf and Infinity as people type them (JSON itself only knows NaN and Infinity).
_NON_FINITE_WORD = re.compile(r"[-+]?\b(?:nan|inf(?:inity)?)\b", re.IGNORECASE)


def not_finite(token: str) -> ValueParseError:
    """The one refusal for nan, inf and numbers beyond float64, however they were typed."""
    return ValueParseError(f"{token} is not a finite number: values must be finite numbers "
                           "between -1.8e308 and 1.8e308 (no nan or inf)")


def parse_value(raw: Any) -> Any:
    """A float64 scalar or ndarray from a number or a rectangular nested list of numbers."""
    if isinstance(raw, np.ndarray):
        raw = raw.tolist()
    _check_structure(raw)
    try:
        arr = np.array(raw, dtype=np.float64)
    except (ValueError, TypeError, OverflowError):
        raise ValueParseError("rows must all have the same length") from None
    if arr.dtype == object or arr.ndim > MAX_DIMS:
        raise ValueParseError("rows must all have the same length")
    if not np.isfinite(arr).all():
        raise not_finite(f"{arr[~np.isfinite(arr)].flat[0]:g}")
    return F64(arr) if arr.ndim == 0 else arr


def _check_structure(raw: Any) -> None:
    """Walk the nested lists once: numbers only, bounded depth and size, no ragged rows."""
    count = 0
    stack = [(raw, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (list, tuple)):
            if depth >= MAX_DIMS:
                raise ValueParseError(f"more than {MAX_DIMS} levels of nesting")
            if not item:
                raise ValueParseError("empty lists are not values")
            stack.extend((x, depth + 1) for x in item)
        elif isinstance(item, bool) or not isinstance(item, (int, float, np.number)):
            raise ValueParseError(f"{_show(item)} is not a number")
        else:
            if isinstance(item, int) and abs(item) > 2**1023:
                raise not_finite(_show(item))
            count += 1
            if count > MAX_ELEMENTS:
                raise ValueParseError(f"more than {MAX_ELEMENTS:,} elements (the limit)")


def _show(item: Any) -> str:
    text = repr(item)
    return text if len(text) <= 30 else text[:27] + "..."


def parse_value_text(text: str) -> Any:
    """Parse what a user typed: '2', '-1e-3', '[[1, 2], [3, 4]]'. JSON numbers only."""
    stripped = text.strip()
    if not stripped:
        raise ValueParseError("enter a number or a nested list such as [[1, 2], [3, 4]]")
    word = _NON_FINITE_WORD.search(stripped)
    if word:
        raise not_finite(word.group())
    try:
        raw = json.loads(stripped, parse_constant=_refuse_constant, parse_float=_finite_float)
    except ValueParseError:
        raise
    except (ValueError, RecursionError):
        raise ValueParseError(
            f"{_show(stripped)} is not a number or a nested list such as [[1, 2], [3, 4]]"
        ) from None
    return parse_value(raw)


def _refuse_constant(name: str) -> Any:
    raise not_finite(name)


def _finite_float(text: str) -> float:
    """json's float hook: 1e309 would silently become inf."""
    value = float(text)
    if not math.isfinite(value):
        raise not_finite(text)
    return value


def format_value(value: Any, digits: int = 17) -> str:
    """Text that parse_value_text reads back to the same value (equal, not bit-equal: −0.0
    is written '0', as every number shown is; see number_text)."""
    if value is None:
        return ""
    if np.ndim(value) == 0:
        return _num(float(value), digits)
    return json.dumps(_nested(np.asarray(value), digits)).replace('"', "")


def _nested(arr: np.ndarray, digits: int) -> Any:
    if arr.ndim == 0:
        return _num(float(arr), digits)
    return [_nested(row, digits) for row in arr]


def _num(x: float, digits: int) -> str:
    if math.isfinite(x) and x == int(x) and abs(x) < 1e16:
        return str(int(x))
    text = repr(x) if digits >= 17 else f"{x:.{digits}g}"
    return short_exponent(text) if "e" in text else text  # the style numbers are shown in


def coerce_attrs(spec: OpSpec, attrs: dict[str, Any] | None) -> dict[str, Any]:
    """The op's attrs with defaults filled in; AttrError for unknown names or wrong kinds."""
    result = spec.default_attrs()
    for name, raw in (attrs or {}).items():
        attr = spec.attr(name)
        if attr is None:
            known = ", ".join(a.name for a in spec.attrs) or "none"
            raise AttrError(f"{spec.name} has no attribute {name!r} (it has: {known})")
        result[name] = _coerce(attr.kind, raw, f"{spec.name}.{name}")
    return result


def _coerce(kind: str, raw: Any, label: str) -> Any:
    if isinstance(raw, str):
        raw = raw.strip()
        if raw in ("", "None", "none", "null") and kind == "int?":
            return None
        word = _NON_FINITE_WORD.search(raw)
        if word:  # the same message as a value field's, however it was typed
            raise AttrError(f"{label}: {not_finite(word.group())}")
        try:
            raw = json.loads(raw, parse_float=_finite_float)
        except ValueParseError as exc:
            raise AttrError(f"{label}: {exc}") from None
        except ValueError:
            raise AttrError(f"{label} must be {_kind_words(kind)}, not {_show(raw)}") from None
    if raw is None and kind == "int?":
        return None
    if isinstance(raw, bool):
        raise AttrError(f"{label} must be {_kind_words(kind)}, not {raw}")
    if (kind in ("int", "int?") and isinstance(raw, (int, np.integer))) or (
            kind in ("int", "int?") and isinstance(raw, float) and raw.is_integer()):
        if abs(int(raw)) > 64:
            raise AttrError(f"{label} must be a small integer, not {raw}")
        return int(raw)
    if kind == "float" and isinstance(raw, (int, float, np.integer, np.floating)):
        try:
            number = float(raw)  # an int past float64's range overflows (10**400 typed)
        except OverflowError:
            raise AttrError(f"{label}: {not_finite(_show(raw))}") from None
        if math.isfinite(number):
            return number
    raise AttrError(f"{label} must be {_kind_words(kind)}, not {_show(raw)}")


def _kind_words(kind: str) -> str:
    return {"int": "an integer", "int?": "an integer or empty", "float": "a finite number"}[kind]
