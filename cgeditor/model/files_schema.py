"""A fast yes/no check of data against cgraph.schema.json, compiled once into closures.

jsonschema needs seconds for a 10k-node file; this covers the keywords our schema uses in
milliseconds. It only answers "valid?": on "no", jsonschema itself finds and words the error,
so the schema file stays the single source of truth. Unknown keywords fail at compile time.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

Check = Callable[[Any], bool]

_ANNOTATIONS = frozenset({"$schema", "$id", "$defs", "title", "description"})
_TYPES: dict[str, Check] = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    # JSON Schema counts 1.0 as an integer, as jsonschema does
    "integer": lambda v: (isinstance(v, int) and not isinstance(v, bool))
    or (isinstance(v, float) and v.is_integer()),
}


def compile_schema(schema: dict) -> Check:
    """A function telling whether data satisfies ``schema`` (local $refs resolved once)."""
    return _Compiler(schema.get("$defs", {})).compile(schema)


class _Compiler:
    def __init__(self, defs: dict[str, Any]):
        self.defs = defs
        self.done: dict[str, Check] = {}

    def compile(self, schema: dict) -> Check:
        checks = [self._keyword(key, value, schema) for key, value in schema.items()
                  if key not in _ANNOTATIONS]
        return _all_of([c for c in checks if c is not None])

    def _ref(self, ref: str) -> Check:
        if not ref.startswith("#/$defs/"):
            raise ValueError(f"only local $defs references are supported, not {ref!r}")
        name = ref.removeprefix("#/$defs/")
        if name not in self.done:
            self.done[name] = self.compile(self.defs[name])
        return self.done[name]

    def _keyword(self, key: str, value: Any, schema: dict) -> Check | None:
        simple = _SIMPLE.get(key)
        if simple is not None:
            return simple(value)
        if key == "$ref":
            return self._ref(value)
        if key == "anyOf":
            options = [self.compile(s) for s in value]
            return lambda v: any(option(v) for option in options)
        if key == "items":
            item = self.compile(value)
            return lambda v: not isinstance(v, list) or all(map(item, v))
        if key == "properties":
            return self._properties(value)
        if key == "additionalProperties":
            return self._additional(value, set(schema.get("properties", {})))
        raise ValueError(f"schema keyword {key!r} is not supported by the fast check")

    def _properties(self, props: dict[str, dict]) -> Check:
        compiled = [(name, self.compile(sub)) for name, sub in props.items()]

        def check(v: Any) -> bool:
            if isinstance(v, dict):
                for name, sub in compiled:
                    if name in v and not sub(v[name]):
                        return False
            return True
        return check

    def _additional(self, value: Any, known: set[str]) -> Check:
        if value is False:
            return lambda v: not isinstance(v, dict) or known.issuperset(v)
        extra = self.compile(value)
        return lambda v: not isinstance(v, dict) or all(
            extra(x) for k, x in v.items() if k not in known)


def _all_of(checks: list[Check]) -> Check:
    # A chain of `a(v) and b(v)` closures: measured twice as fast as all() over a generator.
    combined = checks[0] if checks else (lambda v: True)
    for nxt in checks[1:]:
        combined = _both(combined, nxt)
    return combined


def _both(first: Check, second: Check) -> Check:
    return lambda v: first(v) and second(v)


def _type(names: str | list[str]) -> Check:
    checks = [_TYPES[n] for n in ([names] if isinstance(names, str) else names)]
    if len(checks) == 1:
        return checks[0]
    return lambda v: any(check(v) for check in checks)


def _is_number(v: Any) -> bool:
    return _TYPES["number"](v)


def _pattern(pattern: str) -> Check:
    search = re.compile(pattern).search
    return lambda v: not isinstance(v, str) or search(v) is not None


def _const(expected: Any) -> Check:
    return lambda v: type(v) is type(expected) and v == expected


_SIMPLE: dict[str, Callable[[Any], Check]] = {
    "type": _type,
    "const": _const,
    "pattern": _pattern,
    "required": lambda names: lambda v: not isinstance(v, dict) or all(n in v for n in names),
    "minLength": lambda n: lambda v: not isinstance(v, str) or len(v) >= n,
    "maxLength": lambda n: lambda v: not isinstance(v, str) or len(v) <= n,
    "minimum": lambda n: lambda v: not _is_number(v) or v >= n,
    "maximum": lambda n: lambda v: not _is_number(v) or v <= n,
    "maxProperties": lambda n: lambda v: not isinstance(v, dict) or len(v) <= n,
}
