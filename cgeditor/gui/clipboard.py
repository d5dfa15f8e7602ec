"""Copying nodes as JSON on the system clipboard, and reading it back with full validation.

Anything can be on a clipboard, so ``payload_from_mime`` checks every field and refuses with
one message (ClipboardError) rather than letting a paste fail half way.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from typing import Any

import networkx as nx
import numpy as np
from PySide6.QtCore import QMimeData

from cgeditor.core.ops import REGISTRY
from cgeditor.model.errors import GraphError
from cgeditor.model.graph import LEAF_OPS, Graph
from cgeditor.model.values import coerce_attrs, parse_value

NODES_MIME = "application/x-cgeditor-nodes"
MAX_NODES = 20_000


class ClipboardError(ValueError):
    """The clipboard holds no nodes, or nodes this editor cannot paste; says why."""


def snapshot(graph: Graph, ids: Iterable[str]) -> dict[str, Any]:
    """The nodes ``ids`` and the wires among them, as plain JSON-ready data."""
    chosen = [i for i in dict.fromkeys(ids) if i in graph.nodes]
    keep = set(chosen)
    nodes = []
    for node_id in chosen:
        n = graph.nodes[node_id]
        value = None if n.value is None else np.asarray(n.value).tolist()
        nodes.append({"key": n.id, "op": n.op, "name": n.name, "x": n.x, "y": n.y,
                      "attrs": dict(n.attrs), "value": value, "trainable": n.trainable})
    edges = [{"src": e.src, "dst": e.dst, "port": e.port} for e in graph.edges
             if e.src in keep and e.dst in keep]
    return {"format": "cgeditor-nodes", "nodes": nodes, "edges": edges}


def to_mime(payload: dict[str, Any]) -> QMimeData:
    text = json.dumps(payload, sort_keys=True)
    mime = QMimeData()
    mime.setData(NODES_MIME, text.encode("utf-8"))
    mime.setText(text)
    return mime


def payload_from_mime(mime: QMimeData | None) -> tuple[dict[str, Any], str]:
    """The validated payload and its text (the key for repeated-paste offsets)."""
    if mime is None or not mime.hasFormat(NODES_MIME):
        raise ClipboardError("the clipboard holds no nodes (copy some first)")
    text = bytes(mime.data(NODES_MIME).data()).decode("utf-8", "replace")
    try:
        raw = json.loads(text)
    except (ValueError, RecursionError):
        raise ClipboardError("the clipboard's node data is not valid JSON") from None
    return validate(raw), text


def validate(raw: Any) -> dict[str, Any]:
    if not isinstance(raw, dict) or not isinstance(raw.get("nodes"), list) \
            or not isinstance(raw.get("edges"), list):
        raise ClipboardError("the clipboard's node data has no nodes and edges lists")
    if len(raw["nodes"]) > MAX_NODES:
        raise ClipboardError(f"the clipboard holds more than {MAX_NODES:,} nodes")
    nodes = [_node(item, i) for i, item in enumerate(raw["nodes"])]
    ops = {n["key"]: n["op"] for n in nodes}
    if len(ops) != len(nodes):
        raise ClipboardError("two copied nodes share a key")
    edges = [_edge(item, ops) for item in raw["edges"]]
    if len({(e["dst"], e["port"]) for e in edges}) != len(edges):
        raise ClipboardError("two copied wires feed the same input port")
    g = nx.DiGraph((e["src"], e["dst"]) for e in edges)
    if not nx.is_directed_acyclic_graph(g):
        raise ClipboardError("the copied wires form a cycle")
    return {"nodes": nodes, "edges": edges}


def _node(item: Any, index: int) -> dict[str, Any]:
    where = f"copied node {index + 1}"
    if not isinstance(item, dict):
        raise ClipboardError(f"{where} is not an object")
    op, key, name = item.get("op"), item.get("key"), item.get("name")
    if op not in REGISTRY:
        raise ClipboardError(f"{where} has unknown op {op!r}")
    if not isinstance(key, str) or not isinstance(name, str):
        raise ClipboardError(f"{where} needs a text key and name")
    if not name.isidentifier():
        name = op
    x, y = item.get("x", 0.0), item.get("y", 0.0)
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
               for v in (x, y)):
        raise ClipboardError(f"{where} has no finite position")
    try:
        attrs = coerce_attrs(REGISTRY[op], item.get("attrs") or {})
        value = parse_value(item.get("value", 0.0)) if op in LEAF_OPS else None
    except GraphError as exc:
        raise ClipboardError(f"{where}: {exc}") from None
    return {"key": key, "op": op, "name": name, "x": float(x), "y": float(y), "attrs": attrs,
            "value": value, "trainable": bool(item.get("trainable")) and op == "input"}


def _edge(item: Any, ops: dict[str, str]) -> dict[str, str]:
    if not isinstance(item, dict) or item.get("src") not in ops or item.get("dst") not in ops:
        raise ClipboardError("a copied wire refers to a node that was not copied")
    if item["src"] == item["dst"]:
        raise ClipboardError("a copied wire feeds its own node")
    port = item.get("port")
    if port not in REGISTRY[ops[item["dst"]]].inputs:
        raise ClipboardError(f"a copied wire targets unknown port {port!r}")
    return {"src": item["src"], "dst": item["dst"], "port": port}
