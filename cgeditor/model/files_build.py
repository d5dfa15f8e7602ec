"""Second half of loading a .cgraph file: plain data to a Graph.

Format and version check (with a migration hook), JSON Schema validation, then semantics and
the build itself through Graph's mutators, whose typed errors become LoadErrors with a pointer.
"""

from __future__ import annotations

import difflib
import json
import math
from collections.abc import Callable
from functools import cache
from typing import Any

import jsonschema
import networkx as nx

from cgeditor.core.ops import REGISTRY
from cgeditor.model import values
from cgeditor.model.errors import (
    AttrError,
    GraphError,
    InvalidNameError,
    LoadError,
    ValueParseError,
)
from cgeditor.model.files_parse import escape
from cgeditor.model.files_schema import compile_schema
from cgeditor.model.graph import Graph

FORMAT_NAME = "cgeditor-graph"
FORMAT_VERSION = 1
# version -> function turning data of that version into data of the next one
MIGRATIONS: dict[int, Callable[[dict], dict]] = {}


@cache
def _schema() -> dict:
    from cgeditor.paths import resource

    return json.loads(resource("cgraph.schema.json").read_text(encoding="utf-8"))


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
    if error.validator in ("minimum", "maximum"):
        side = "at least" if error.validator == "minimum" else "at most"
        return f"{label} is out of range (it must be {side} {error.validator_value:g})"
    return f"{label}: {_short(error.message)}"


def _build(data: dict, filename: str) -> Graph:
    graph = Graph()
    for i, raw in enumerate(data["nodes"]):
        _add_node(graph, raw, i, filename)
    edges = data["edges"]
    _check_edges(graph, edges, filename)
    for i in _topological_edge_order(graph, edges, filename):
        edge = edges[i]
        try:
            graph.connect(edge["from"], edge["to"], edge["port"])
        except GraphError as exc:
            raise LoadError(filename, str(exc), f"/edges/{i}") from None
    output = data.get("output")
    if output is not None:
        if output not in graph.nodes:
            raise LoadError(filename, f"the output {_show(output)} is not a node in the file",
                            "/output")
        graph.set_output(output)
    graph.meta = dict(data.get("meta") or {})
    return graph


def _add_node(graph: Graph, raw: dict, i: int, filename: str) -> None:
    where = f"/nodes/{i}"
    if raw["id"] in graph.nodes:
        raise LoadError(filename, f"two nodes have the id {raw['id']!r}", f"{where}/id")
    op = raw["op"]
    if op not in REGISTRY:
        close = difflib.get_close_matches(op, REGISTRY, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise LoadError(filename, f"unknown op {_show(op)}{hint}", f"{where}/op")
    if raw.get("trainable") and op != "input":
        raise LoadError(filename, f"only input nodes can be trainable, not {op}",
                        f"{where}/trainable")
    _check_tensor_size(raw.get("value"), f"{where}/value", filename)
    try:
        graph.add_node(op, raw["name"], raw["x"], raw["y"], raw.get("attrs"), raw.get("value"),
                       bool(raw.get("trainable", False)), node_id=raw["id"])
    except GraphError as exc:
        raise LoadError(filename, str(exc), where + _field_of(exc, raw)) from None


def _check_tensor_size(value: Any, where: str, filename: str) -> None:
    """Refuse an oversized tensor from its first row alone, before walking every number
    (parse_value still checks that the rows are rectangular)."""
    shape: list[int] = []
    while isinstance(value, list) and value and len(shape) <= values.MAX_DIMS:
        shape.append(len(value))
        value = value[0]
    count = math.prod(shape)
    if count > values.MAX_ELEMENTS:
        dims = "×".join(str(n) for n in shape)
        raise LoadError(filename, f"the value is a {dims} tensor: {count:,} elements, more "
                                  f"than {values.MAX_ELEMENTS:,} (the limit)", where)


def _field_of(exc: GraphError, raw: dict) -> str:
    if isinstance(exc, ValueParseError):
        return "/value"
    if isinstance(exc, AttrError):
        return "/attrs"
    if isinstance(exc, InvalidNameError):
        return "/name"
    return "/value" if "value" in raw else ""


def _check_edges(graph: Graph, edges: list[dict], filename: str) -> None:
    """Missing nodes, unknown ports, self-loops and taken ports, before anything connects."""
    fed: dict[tuple[str, str], int] = {}
    for i, edge in enumerate(edges):
        src, dst, port = edge["from"], edge["to"], edge["port"]
        for key, node_id in (("from", src), ("to", dst)):
            if node_id not in graph.nodes:
                raise LoadError(filename, f"edge {key} {node_id!r}: there is no node with that "
                                          "id", f"/edges/{i}/{key}")
        reason = graph.can_connect(src, dst, port) if src == dst or port not in \
            graph.nodes[dst].ports else None
        if reason:
            raise LoadError(filename, reason, f"/edges/{i}")
        if (dst, port) in fed:
            raise LoadError(filename, f"two edges go into input port {port!r} of "
                                      f"{graph.nodes[dst].name} (edges {fed[(dst, port)]} and "
                                      f"{i}); a port takes one edge", f"/edges/{i}")
        fed[(dst, port)] = i


def _topological_edge_order(graph: Graph, edges: list[dict], filename: str) -> list[int]:
    """Edge indices sorted so each edge's target comes topologically after every earlier
    one's: then Graph.connect's cycle check never walks far (10k nodes stay fast)."""
    dag = nx.DiGraph()
    dag.add_nodes_from(graph.nodes)
    dag.add_edges_from((e["from"], e["to"]) for e in edges)
    try:
        rank = {n: k for k, n in enumerate(nx.topological_sort(dag))}
    except nx.NetworkXUnfeasible:
        cycle = nx.find_cycle(dag)
        names = " → ".join(graph.nodes[a].name for a, _ in cycle)
        first = graph.nodes[cycle[0][0]].name
        at = next(i for i, e in enumerate(edges) if (e["from"], e["to"]) == cycle[0][:2])
        raise LoadError(filename, f"the edges form a cycle: {names} → {first}",
                        f"/edges/{at}") from None
    return sorted(range(len(edges)), key=lambda i: rank[edges[i]["to"]])


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
