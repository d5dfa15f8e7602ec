"""A fast yes/no check of data against cgraph.schema.json, compiled once into closures.

jsonschema needs seconds for a 10k-node file; this covers the keywords our schema uses in
milliseconds. It only answers "valid?": on "no", jsonschema itself finds and words the error,
so the schema file stays the single source of truth. Unknown keywords fail at compile time.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

Check = Callable[[Any], bool]

_ANNOTATIONS = frozenset({"$schema", "$id", "$defs", "title", "description"})
_MEMBERS = frozenset({"properties", "additionalProperties"})
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
        fused = self._fused(schema)
        if fused is not None:
            return fused
        checks = [self._keyword(key, value) for key, value in schema.items()
                  if key not in _ANNOTATIONS and key not in _MEMBERS]
        if not _MEMBERS.isdisjoint(schema):
            checks.append(self._members(schema.get("properties", {}),
                                        schema.get("additionalProperties", True)))
        return _all_of(checks)

    def _ref(self, ref: str) -> Check:
        if not ref.startswith("#/$defs/"):
            raise ValueError(f"only local $defs references are supported, not {ref!r}")
        name = ref.removeprefix("#/$defs/")
        if name not in self.done:
            self.done[name] = self.compile(self.defs[name])
        return self.done[name]

    def _keyword(self, key: str, value: Any) -> Check:
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
        raise ValueError(f"schema keyword {key!r} is not supported by the fast check")

    def _fused(self, schema: dict) -> Check | None:
        """One closure for the common shapes, a typed leaf or a typed object: the type is
        tested once and no keyword pays a call of its own (~2x faster on a 10k-node file)."""
        keys, kind = schema.keys() - _ANNOTATIONS, schema.get("type")
        if kind == "string" and keys <= {"type", "minLength", "maxLength", "pattern"}:
            return _string(schema.get("minLength", 0), schema.get("maxLength", math.inf),
                           schema.get("pattern"))
        if kind == "number" and keys <= {"type", "minimum", "maximum"}:
            low, high = schema.get("minimum", -math.inf), schema.get("maximum", math.inf)
            return lambda v: (type(v) is float or type(v) is int) and low <= v <= high
        if kind == "object" and keys <= _MEMBERS | {"type", "required", "maxProperties"}:
            members = self._members(schema.get("properties", {}),
                                    schema.get("additionalProperties", True))
            required, most = frozenset(schema.get("required", ())), schema.get("maxProperties")
            return lambda v: (type(v) is dict and (most is None or len(v) <= most)
                              and v.keys() >= required and members(v))
        return None

    def _members(self, props: dict[str, dict], additional: Any) -> Check:
        """properties and additionalProperties as one walk over the object's own members:
        cheaper than probing every declared property, as most are optional and absent."""
        known = {name: self.compile(sub) for name, sub in props.items()}
        extra = None if additional is False else self.compile(additional) \
            if isinstance(additional, dict) else _anything

        def check(v: Any) -> bool:
            if isinstance(v, dict):
                for name, member in v.items():
                    sub = known.get(name, extra)
                    if sub is None or not sub(member):
                        return False
            return True
        return check


def _string(shortest: int, longest: float, pattern: str | None) -> Check:
    if pattern is None:
        return lambda v: type(v) is str and shortest <= len(v) <= longest
    search = re.compile(pattern).search
    return lambda v: type(v) is str and shortest <= len(v) <= longest and search(v) is not None


def _anything(_v: Any) -> bool:
    return True


def _all_of(checks: list[Check]) -> Check:
    # Rare since _fused covers the common shapes: a pair is one lambda, longer lists all().
    if len(checks) <= 1:
        return checks[0] if checks else _anything
    if len(checks) == 2:
        first, second = checks
        return lambda v: first(v) and second(v)
    steps = tuple(checks)

    return lambda v: all(step(v) for step in steps)


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
