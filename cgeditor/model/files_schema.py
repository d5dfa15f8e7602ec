"""A fast yes/no check of data against cgraph.schema.json, compiled once into closures.

jsonschema needs seconds for a 10k-node file; this covers the keywords our schema uses in
milliseconds. It only answers "valid?": on "no", jsonschema itself finds and words the error,
so the schema file stays the single source of truth. Unknown keywords fail at compile time.
Arrays of objects (nodes, edges) are checked a column at a time, in C-level loops.

Why not fastjsonschema: its validator of this schema takes ~500 ms on a 10k-node file against
~100 ms here (it walks node by node), which would double the load; measured with the data
benchmarks/files.py writes.
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable
from functools import partial
from typing import Any

Check = Callable[[Any], bool]
ColumnCheck = Callable[[list[Any]], bool]  # are all these values valid?

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
        self.columns: dict[str, ColumnCheck] = {}

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
            items = self.column(value)
            return lambda v: not isinstance(v, list) or items(v)
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

    def column(self, schema: dict) -> ColumnCheck:
        """A check of a whole list of values against ``schema``: for the shapes _fused
        covers, a few C-level passes (map, set, min) instead of Python calls per value,
        answering exactly as ``all(map(self.compile(schema), values))`` would."""
        if schema.keys() - _ANNOTATIONS == {"$ref"}:
            ref = schema["$ref"]
            if ref not in self.columns:
                self.columns[ref] = self.column(self.defs[ref.removeprefix("#/$defs/")]) \
                    if ref.startswith("#/$defs/") else self._each(schema)
            return self.columns[ref]
        keys, kind = schema.keys() - _ANNOTATIONS, schema.get("type")
        if kind == "string" and keys <= {"type", "minLength", "maxLength", "pattern"}:
            return _string_column(schema.get("minLength", 0),
                                  schema.get("maxLength", math.inf), schema.get("pattern"))
        if kind == "number" and keys <= {"type", "minimum", "maximum"}:
            return _number_column(schema.get("minimum", -math.inf),
                                  schema.get("maximum", math.inf))
        if kind == "boolean" and keys == {"type"}:
            return lambda values: set(map(type, values)) <= {bool}
        if (kind == "object" and keys <= _MEMBERS | {"type", "required", "maxProperties"}
                and schema.get("additionalProperties", True) in (True, False)):
            return self._object_column(schema)
        return self._each(schema)

    def _each(self, schema: dict) -> ColumnCheck:
        item = self.compile(schema)
        return lambda values: all(map(item, values))

    def _object_column(self, schema: dict) -> ColumnCheck:
        """Objects with no schema for extra members: their key sets checked in bulk, then
        each property's values, those of properties sharing one check (from, to) together."""
        props = schema.get("properties", {})
        columns = {name: self.column(sub) for name, sub in props.items()}
        required = tuple(schema.get("required", ()))
        closed = schema.get("additionalProperties", True) is False
        most = schema.get("maxProperties", math.inf)

        def check(objects: list[Any]) -> bool:
            if not objects:
                return True
            if set(map(type, objects)) != {dict} or max(map(len, objects)) > most:
                return False
            try:  # a missing required key raises here, where its column is gathered
                gathered = {name: list(map(operator.itemgetter(name), objects))
                            for name in required}
            except KeyError:
                return False
            present = set().union(*objects)
            if closed and not present <= columns.keys():
                return False
            by_check: dict[ColumnCheck, list[Any]] = {}
            for name in present & columns.keys():
                values = (gathered[name] if name in gathered
                          else [obj[name] for obj in objects if name in obj])
                by_check.setdefault(columns[name], []).extend(values)
            return all(column(values) for column, values in by_check.items())
        return check

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


def _string_column(shortest: int, longest: float, pattern: str | None) -> ColumnCheck:
    search = None if pattern is None else re.compile(pattern).search

    def check(values: list[Any]) -> bool:
        if not values:
            return True
        if set(map(type, values)) != {str}:
            return False
        distinct = set(values)  # ids repeat across edges: test each once
        lengths = set(map(len, distinct))
        return (shortest <= min(lengths) and max(lengths) <= longest
                and (search is None or all(map(search, distinct))))
    return check


def _number_column(low: float, high: float) -> ColumnCheck:
    # operator.le via partial, not low.__le__: an int bound would answer NotImplemented
    # (truthy) for a float, and NaN must fail as it does in ``low <= v <= high``
    above, below = partial(operator.le, low), partial(operator.ge, high)
    return lambda values: (set(map(type, values)) <= {int, float}
                           and all(map(above, values)) and all(map(below, values)))


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
