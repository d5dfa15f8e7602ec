"""First half of loading a .cgraph file: bytes to plain JSON data, refusing anything unsafe.

Size cap, strict UTF-8, a depth pre-scan without recursion, then json.loads refusing duplicate
keys, NaN/Infinity and numbers beyond float64. Each refusal is one LoadError with a location.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from cgeditor.model.errors import LoadError

MAX_FILE_BYTES = 64 * 1024 * 1024  # module constant so tests can shrink it
MAX_DEPTH = 64  # a valid file nests about 11 deep; 64 leaves room for meta
MAX_INT_DIGITS = 309  # float64 tops out near 1.8e308; longer literals cannot be values

# A JSON string (escapes included) or one bracket: enough to count depth outside strings.
_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]', re.DOTALL)


class _Refused:
    """Stands in for a literal the hooks refused, so the tree walk can say where it was."""

    def __init__(self, reason: str):
        self.reason = reason


class _DuplicateKeys(dict):
    """An object that had a key twice; ``key`` is the first repeated one."""

    key: str = ""


def size_reason(size: int) -> str:
    return (f"the file is {_mib(size)}, larger than the {_mib(MAX_FILE_BYTES)} limit "
            "for graph files")


def _mib(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MiB" if n >= 1024 * 1024 else f"{n:,} bytes"


def parse_bytes(raw: bytes | str, filename: str) -> Any:
    """Plain JSON data from a file's bytes (or text); LoadError for anything refused."""
    if isinstance(raw, str):
        try:
            raw = raw.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise LoadError(filename, "the text contains an unpaired surrogate, which is not "
                                      "valid UTF-8", f"character {exc.start}") from None
    if len(raw) > MAX_FILE_BYTES:
        raise LoadError(filename, size_reason(len(raw)))
    if not raw.strip():
        raise LoadError(filename, "the file is empty" if not raw else "the file is blank")
    nul = raw.find(b"\x00")
    if nul >= 0:
        raise LoadError(filename, "the file contains NUL bytes: it is binary, not a .cgraph "
                                  "text file", f"byte {nul}")
    try:
        text = raw.decode("utf-8-sig")  # strict, but a leading BOM is harmless
    except UnicodeDecodeError as exc:
        raise LoadError(filename, "the file is not valid UTF-8 text (binary data?)",
                        f"byte {exc.start}") from None
    _check_depth(text, filename)
    return _decode_json(text, filename)


def _check_depth(text: str, filename: str) -> None:
    """Refuse nesting deeper than MAX_DEPTH with a loop, so json.loads never recurses far."""
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return  # cannot nest deeper than the number of brackets
    depth = 0
    for match in _TOKEN.finditer(text):
        char = match.group()
        if char in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                raise LoadError(filename, f"the data is nested more than {MAX_DEPTH} levels "
                                          "deep", line_column(text, match.start()))
        elif char in "]}":
            depth -= 1


def line_column(text: str, offset: int) -> str:
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return f"line {line}, column {column}"


def _decode_json(text: str, filename: str) -> Any:
    refused: list[Any] = []

    def pairs_hook(pairs: list[tuple[str, Any]]) -> dict:
        obj = dict(pairs)
        if len(obj) == len(pairs):
            return obj
        seen: set[str] = set()
        marked = _DuplicateKeys(obj)
        marked.key = next(k for k, _ in pairs if k in seen or seen.add(k))  # type: ignore
        refused.append(marked)
        return marked

    def refuse(reason: str) -> _Refused:
        refused.append(_Refused(reason))
        return refused[-1]

    def parse_int(literal: str) -> Any:
        digits = len(literal.lstrip("-"))
        if digits > MAX_INT_DIGITS:
            return refuse(f"an integer with {digits:,} digits is too large (beyond float64)")
        return int(literal)

    def parse_float(literal: str) -> Any:
        value = float(literal)
        if math.isinf(value):
            return refuse(f"the number {_short(literal)} is too large (beyond float64)")
        return value

    def parse_constant(name: str) -> Any:
        return refuse(f"{name} is not allowed: numbers must be finite")

    try:
        data = json.loads(text, object_pairs_hook=pairs_hook, parse_int=parse_int,
                          parse_float=parse_float, parse_constant=parse_constant)
    except json.JSONDecodeError as exc:
        raise LoadError(filename, f"not valid JSON: {exc.msg.removesuffix(' at')}",
                        f"line {exc.lineno}, column {exc.colno}") from None
    except RecursionError:  # the pre-scan should make this unreachable; never crash anyway
        raise LoadError(filename, "the data is nested too deeply") from None
    if refused:
        _raise_refused(data, refused[0], filename)
    return data


def _raise_refused(data: Any, first: Any, filename: str) -> None:
    where = pointer_to(data, first)
    if isinstance(first, _DuplicateKeys):
        raise LoadError(filename, f"the key {_short(first.key)!r} appears twice in one object",
                        where)
    raise LoadError(filename, first.reason, where)


def pointer_to(data: Any, target: Any) -> str:
    """The JSON pointer of ``target`` (found by identity) inside ``data``, iteratively."""
    stack: list[tuple[Any, str]] = [(data, "")]
    while stack:
        item, pointer = stack.pop()
        if item is target:
            return pointer or "/"
        if isinstance(item, dict):
            stack.extend((v, f"{pointer}/{escape(k)}") for k, v in item.items())
        elif isinstance(item, list):
            stack.extend((v, f"{pointer}/{i}") for i, v in enumerate(item))
    return ""


def escape(key: Any) -> str:
    """One JSON-pointer reference token (RFC 6901)."""
    return str(key).replace("~", "~0").replace("/", "~1")


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."
