"""Copying nodes to the system clipboard as .cgraph text, and reading it back as a file.

Anything can be on a clipboard, so what is pasted goes through the file loader's whole
pipeline (size cap, strict UTF-8, depth, duplicate keys, version, schema, names, ports,
cycles): it yields a whole valid payload or one ClipboardError that says why, before anything
is changed. The one exception is text this process itself just put there: a paste of
the exact bytes of its last copy takes the parts that copy built from the graph (the same
payload the loader would return, without parsing and checking 10^4 nodes again).
"""

from __future__ import annotations

import atexit
from collections.abc import Iterable
from typing import Any

import numpy as np
from PySide6.QtCore import QMimeData
from PySide6.QtGui import QGuiApplication

from cgeditor.model import collector, files
from cgeditor.model.errors import GraphError, LoadError
from cgeditor.model.graph import Graph

NODES_MIME = "application/x-cgeditor-nodes"
MAX_NODES = 20_000
SOURCE = "the clipboard"  # the "file name" in a refusal's message
# Platforms whose clipboard lives in this process only (Qt's default QPlatformClipboard, in a
# global freed after Python has shut down); a desktop's clipboard outlives the editor.
PROCESS_LOCAL = frozenset({"offscreen", "minimal", "minimalegl", "linuxfb", "eglfs", "vnc",
                           "vkkhrdisplay"})


class ClipboardError(ValueError):
    """The clipboard holds no nodes, or nodes this editor cannot paste; says why."""


class _Copied:
    """The exact bytes of this process's last copy and the payload built with them."""

    raw: bytes | None = None
    payload: dict[str, Any] | None = None


def in_graph_order(graph: Graph, ids: Iterable[str]) -> list[str]:
    """``ids`` in the order of the graph's nodes, not the selection's (Qt's own, which
    follows no rule a user sees): a paste numbers the copies in that order, h1's before h2's."""
    chosen = set(ids)
    return [node_id for node_id in graph.nodes if node_id in chosen]


def snapshot(graph: Graph, ids: Iterable[str]) -> str:
    """The nodes ``ids`` (in the graph's order) and the wires among them, as the text of a
    .cgraph file."""
    return files.dumps(graph, in_graph_order(graph, ids))


def copy_nodes(graph: Graph, ids: Iterable[str]) -> tuple[str, dict[str, Any] | None]:
    """The snapshot text of the nodes ``ids`` and the payload a paste of it validates to,
    built from the graph's own (already checked) nodes; None past MAX_NODES, where the
    loader refuses the text. The nodes go in the graph's order (see in_graph_order)."""
    chosen = in_graph_order(graph, ids)
    with collector.paused():  # 10^4 node dicts that outlive this
        data = files.graph_to_data(graph, chosen)
        edges = [(e["from"], e["to"], e["port"]) for e in data["edges"]]
        return files.data_text(data), _copied_payload(graph, chosen, edges)


def duplicate_payload(graph: Graph, ids: Iterable[str]) -> dict[str, Any] | None:
    """The payload copy_nodes gives for ``ids``, without the snapshot: a duplicate never
    puts text on the clipboard, and writing it (then its file data) was a fifth of
    duplicating 10k nodes. None past MAX_NODES, as for a copy."""
    chosen = in_graph_order(graph, ids)
    with collector.paused():
        return _copied_payload(graph, chosen, files.edges_among(graph, chosen))


def _copied_payload(graph: Graph, chosen: list[str], edges: list[tuple[str, str, str]]
                    ) -> dict[str, Any] | None:
    """The paste payload of the nodes ``chosen`` and the ``edges`` among them (src, dst,
    port), as the loader would build it from their file text."""
    if len(chosen) > MAX_NODES:
        return None
    picked = [graph.nodes[node_id] for node_id in chosen]
    xs = files.written_positions([node.x for node in picked])
    ys = files.written_positions([node.y for node in picked])
    return {"nodes": [_part(node, x, y) for node, x, y in zip(picked, xs, ys)],
            "edges": [{"src": s, "dst": d, "port": p} for s, d, p in edges]}


def _part(node: Any, x: float, y: float) -> dict[str, Any]:
    """A payload node as the loader builds it from the node's file entry, at (x, y): its
    position as written (a non-finite or huge one is written as 0 or the bound)."""
    return {"key": node.id, "op": node.op, "name": node.name, "x": x, "y": y,
            "attrs": dict(node.attrs), "value": _own(node.value) if node.is_leaf else None,
            "trainable": node.trainable}


def _own(value: Any) -> Any:
    """An array copied (the graph or an earlier paste may hold the same one), a scalar as is."""
    return value.copy() if isinstance(value, np.ndarray) else value


def remember(text: str, payload: dict[str, Any] | None) -> None:
    """Keep ``payload`` (None: nothing) for a paste of exactly ``text``, which this process
    just put on the clipboard; it replaces what an earlier copy left."""
    _Copied.raw, _Copied.payload = text.encode("utf-8"), payload


def to_mime(text: str) -> QMimeData:
    mime = QMimeData()
    mime.setData(NODES_MIME, text.encode("utf-8"))
    mime.setText(text)
    return mime


def publish(text: str) -> None:
    """Put ``text`` (a snapshot) on the application's clipboard as nodes and as plain text."""
    QGuiApplication.clipboard().setMimeData(to_mime(text))


@atexit.register
def release_local_clipboard() -> None:
    """Clear a process-local clipboard while Python still runs. Qt frees that clipboard's
    data in a global destructor after the interpreter is gone, and freeing a QMimeData made
    in Python then calls into the dead interpreter: a segfault at exit. Nothing outside the
    process can read that clipboard, so clearing it loses nothing."""
    if QGuiApplication.instance() is not None and \
            QGuiApplication.platformName() in PROCESS_LOCAL:
        QGuiApplication.clipboard().clear()


def payload_from_mime(mime: QMimeData | None) -> tuple[dict[str, Any], str]:
    """The validated payload and its text (the key for repeated-paste offsets)."""
    if mime is None or not mime.hasFormat(NODES_MIME):
        raise ClipboardError("the clipboard holds no nodes (copy some first)")
    raw = bytes(mime.data(NODES_MIME).data())
    return _recalled(raw) or validate(raw), raw.decode("utf-8", "replace")


def _recalled(raw: bytes) -> dict[str, Any] | None:
    """A fresh copy of the payload remembered for exactly ``raw``, else None (any other
    text, one byte apart included, goes through the loader)."""
    payload = _Copied.payload
    if payload is None or raw != _Copied.raw:
        return None
    with collector.paused():
        return {"nodes": [{**spec, "attrs": dict(spec["attrs"]), "value": _own(spec["value"])}
                          for spec in payload["nodes"]],
                "edges": [dict(edge) for edge in payload["edges"]]}


def validate(text: str | bytes) -> dict[str, Any]:
    """Nodes (each with a "key" its wires refer to) and wires from clipboard ``text``,
    checked exactly as a file is. Raises ClipboardError with the loader's message."""
    with collector.paused():  # the payload's 10^4 dicts outlive this: nothing to collect
        return _payload(text)


def _payload(text: str | bytes) -> dict[str, Any]:
    try:
        graph = files.loads(text, SOURCE)
    except (LoadError, GraphError) as exc:
        raise ClipboardError(str(exc)) from None
    if len(graph.nodes) > MAX_NODES:
        raise ClipboardError(f"the clipboard holds more than {MAX_NODES:,} nodes")
    nodes = [{"key": n.id, "op": n.op, "name": n.name, "x": n.x, "y": n.y,
              "attrs": dict(n.attrs), "value": n.value if n.is_leaf else None,
              "trainable": n.trainable} for n in graph.nodes.values()]
    edges = [{"src": s, "dst": d, "port": p} for s, d, p in graph.edge_triples()]
    return {"nodes": nodes, "edges": edges}
