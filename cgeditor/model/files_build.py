"""Second half of loading a .cgraph file: plain data to a Graph.

Format and version check (with a migration hook), JSON Schema validation, then semantics and
the build itself through Graph.from_parts, whose typed errors become LoadErrors with a pointer.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from functools import cache
from typing import Any

import jsonschema

from cgeditor.core.diagnose import shape_text
from cgeditor.model import values
from cgeditor.model.errors import (
    GraphError,
    LoadError,
)
from cgeditor.model.files_parse import escape
from cgeditor.model.files_schema import compile_schema
from cgeditor.model.formatting import format_number
from cgeditor.model.graph import Graph
from cgeditor.paths import resource

FORMAT_NAME = "cgeditor-graph"
FORMAT_VERSION = 1
# version -> function turning data of that version into data of the next one
MIGRATIONS: dict[int, Callable[[dict], dict]] = {}


@cache
def _schema() -> dict:
    return json.loads(resource("cgraph.schema.json").read_text(encoding="utf-8"))


@cache
@cache
def coordinate_bounds() -> tuple[float, float]:
    """The (lowest, highest) x or y the schema accepts."""
    coordinate = _schema()["$defs"]["coordinate"]
    return float(coordinate["minimum"]), float(coordinate["maximum"])


@cache
def validator() -> jsonschema.protocols.Validator:
    """The schema validator, built once: compiling the schema per load would cost more."""
    cls = jsonschema.validators.validator_for(_schema())
    cls.check_schema(_schema())
    return cls(_schema())


@cache
def fast_check() -> Callable[[Any], bool]:
    return compile_schema(_schema())


def data_to_graph(data: Any, filename: str = "<data>") -> Graph:
    """A whole valid Graph from parsed JSON data, or one LoadError."""
    data = _check_version(data, filename)
    _check_schema(data, filename)
    return _build(data, filename)


def _check_version(data: Any, filename: str) -> dict:
    if not isinstance(data, dict):
        raise LoadError(filename, f"not a cgeditor graph: the top level is {_kind(data)}, "
                                  "not an object", "/")
    if data.get("format") != FORMAT_NAME:
        found = data.get("format")
        raise LoadError(filename, f"not a cgeditor graph: \"format\" must be {FORMAT_NAME!r}, "
                                  f"not {_show(found)}", "/format")
    version = data.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise LoadError(filename, f"\"version\" must be a whole number from 1, not "
                                  f"{_show(version)}", "/version")
    if version > FORMAT_VERSION:
        raise LoadError(filename, f"this file has format version {version}, newer than the "
                                  f"{FORMAT_VERSION} this cgeditor reads: upgrade cgeditor "
                                  "to open it", "/version")
    while version < FORMAT_VERSION:
        migrate = MIGRATIONS.get(version)
        if migrate is None:
            raise LoadError(filename, f"format version {version} is no longer supported",
                            "/version")
        data = migrate(data)
        version += 1
        data["version"] = version
    return data


def check_meta(meta: dict, filename: str) -> None:
    """Raise the LoadError a file holding ``meta`` would get when opened (a title too long,
    too many keys, a value JSON cannot hold): a save checks it first, since a script may
    set any meta, and a file that does not open again keeps nothing."""
    try:
        json.dumps(meta, allow_nan=False, ensure_ascii=False).encode("utf-8")
    except (TypeError, ValueError) as exc:  # a set, NaN, a lone surrogate
        raise LoadError(filename, f"the graph's meta cannot be written as JSON: {exc}",
                        "/meta") from None
    _check_schema({"format": FORMAT_NAME, "version": FORMAT_VERSION, "nodes": [],
                   "edges": [], "output": None, "meta": meta}, filename)


def _check_schema(data: dict, filename: str) -> None:
    if fast_check()(data):
        return  # jsonschema only runs to find and word an error (it takes seconds on 10k)
    error = jsonschema.exceptions.best_match(validator().iter_errors(data))
    if error is None:
        return
    pointer = "".join(f"/{escape(part)}" for part in error.absolute_path) or "/"
    raise LoadError(filename, _schema_reason(error), pointer)


_JSON_TYPES = {"number": "a number", "integer": "a whole number", "string": "a string",
               "object": "an object", "array": "a list", "boolean": "true or false",
               "null": "null"}


def _schema_reason(error: jsonschema.ValidationError) -> str:
    """Schema messages reworded so they never quote a whole (possibly huge) value."""
    field = error.absolute_path[-1] if error.absolute_path else "the file"
    label = f"{field!r}" if isinstance(field, str) else f"item {field}"
    if error.validator == "type":
        wanted = error.validator_value
        wanted = [wanted] if isinstance(wanted, str) else wanted
        words = " or ".join(_JSON_TYPES.get(w, w) for w in wanted)
        return f"{label} must be {words}, not {_kind(error.instance)}"
    if error.validator == "required":
        missing = [k for k in error.validator_value if k not in error.instance]
        return f"required field {_show(missing[0] if missing else '?')} is missing"
    if error.validator == "additionalProperties":
        known = error.schema.get("properties", {})
        extra = sorted(k for k in error.instance if k not in known)
        return f"unknown field {_show(extra[0] if extra else '?')} (allowed: {', '.join(known)})"
    if error.validator == "pattern":
        return f"{label} {_show(error.instance)} may only use letters, digits and _ . : -"
    if error.validator in ("minLength", "maxLength") and isinstance(error.instance, str):
        side = "at least" if error.validator == "minLength" else "at most"
        return (f"{label} has {len(error.instance):,} characters (it must have {side} "
                f"{error.validator_value})")
    if error.validator in ("minimum", "maximum"):
        side = "at least" if error.validator == "minimum" else "at most"
        return f"{label} is out of range (it must be {side} {format_number(error.validator_value)})"
    return f"{label}: {_short(error.message)}"


def _build(data: dict, filename: str) -> Graph:
    """Semantics and build in one pass: Graph.from_parts checks what add_node and connect
    would (ids, names, ops, attrs, values, ports, cycles) and says which part it refused."""
    for i, raw in enumerate(data["nodes"]):
        if type(raw.get("value")) is list:  # a number is one element: nothing to check
            _check_tensor_size(raw["value"], f"/nodes/{i}/value", filename)
    try:
        graph = Graph.from_parts(data["nodes"], data["edges"])
    except GraphError as exc:
        raise LoadError(filename, str(exc), exc.where) from None
    output = data.get("output")
    if output is not None:
        if output not in graph.nodes:
            raise LoadError(filename, f"the output {_show(output)} is not a node in the file",
                            "/output")
        graph.set_output(output)
    graph.meta = dict(data.get("meta") or {})
    return graph


def _check_tensor_size(value: Any, where: str, filename: str) -> None:
    """Refuse an oversized tensor from its first row alone, before walking every number
    (parse_value still checks that the rows are rectangular)."""
    shape: list[int] = []
    while isinstance(value, list) and value and len(shape) <= values.MAX_DIMS:
        shape.append(len(value))
        value = value[0]
    count = math.prod(shape)
    if count > values.MAX_ELEMENTS:
        raise LoadError(filename, f"the value is a tensor of shape {shape_text(shape)}: "
                                  f"{count:,} elements, more "
                                  f"than {values.MAX_ELEMENTS:,} (the limit)", where)


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    for kind, words in (((int, float), "a number"), (str, "a string"), (dict, "an object"),
                        (list, "a list"), (type(None), "null")):
        if isinstance(value, kind):
            return words
    return type(value).__name__


def _show(value: Any) -> str:
    return _short(repr(value)) if isinstance(value, str) else _short(json.dumps(value))


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."
