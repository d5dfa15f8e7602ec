"""The canonical text of a whole graph, remembering each node's line between calls, so writing
the file again after an edit costs about the edit, not the graph (autosave, then save).

The text is byte-for-byte what files.dumps writes. A node's line is reused only while the node
object and every field its line is made of are the very same objects as when it was written
(identity, not equality: 0.0 == -0.0, yet they are written differently); an array value is
always written afresh, since an array can change in place.
"""

from __future__ import annotations

from collections.abc import Generator
from operator import is_
from typing import Any

import numpy as np

from cgeditor.model import collector
from cgeditor.model.files import encode_line, node_data, rows_text
from cgeditor.model.files_build import FORMAT_NAME, FORMAT_VERSION
from cgeditor.model.graph import Graph

__all__ = ["FileText"]

CHUNK = 250  # nodes a step: about a ms, so a caller can keep the event loop within its budget


class FileText:
    """Writes graphs as files.dumps does, re-encoding only the nodes changed since last time.

    One instance per document; a graph of other nodes simply finds nothing to reuse."""

    def __init__(self) -> None:
        self._nodes: dict[str, tuple[tuple[Any, ...], str]] = {}  # id -> (refs, line)
        self._edges: dict[tuple[str, str, str], str] = {}  # (src, dst, port) -> line

    def text(self, graph: Graph) -> str:
        """The whole file of ``graph`` as files.dumps(graph) spells it."""
        steps = self.steps(graph)
        with collector.paused():  # 10^4 lasting tuples: no cycles, but many full walks
            while True:
                try:
                    next(steps)
                except StopIteration as done:
                    return done.value

    def steps(self, graph: Graph, chunk: int = CHUNK) -> Generator[None, None, str]:
        """The text of ``graph`` made in steps of ``chunk`` nodes, yielding between them so a
        caller can let the event loop run; the generator returns the text. The graph must not
        change while it runs: a caller that sees an edit drops it and starts again (the lines
        made so far are kept for the next run)."""
        node_lines = yield from self._node_lines(graph, chunk)
        edge_lines = yield from self._edge_lines(graph, chunk)
        yield  # joining megabytes of lines is a step of its own
        data = {"format": FORMAT_NAME, "version": FORMAT_VERSION, "nodes": node_lines,
                "edges": edge_lines, "output": graph.explicit_output, "meta": dict(graph.meta)}
        return rows_text(data, {"nodes": node_lines, "edges": edge_lines})

    def _node_lines(self, graph: Graph, chunk: int) -> Generator[None, None, list[str]]:
        cache, lines = self._nodes, []
        for k, (node_id, node) in enumerate(graph.nodes.items()):
            if k % chunk == chunk - 1:
                yield
            attrs = node.attrs
            # Every object the line is made of (a node's id and op never change).
            refs = (node, node.name, node.x, node.y, node.value, node.trainable, attrs,
                    *attrs.values())
            kept = cache.get(node_id)
            if kept is not None and len(kept[0]) == len(refs) and all(map(is_, kept[0], refs)) \
                    and type(node.value) is not np.ndarray:
                lines.append(kept[1])
                continue
            line = encode_line(node_data(node))
            cache[node_id] = (refs, line)
            lines.append(line)
        if len(cache) != len(lines):  # forget removed nodes (and the objects refs hold)
            self._nodes = {node_id: cache[node_id] for node_id in graph.nodes}
        return lines

    def _edge_lines(self, graph: Graph, chunk: int) -> Generator[None, None, list[str]]:
        """Edges by (target's place in the node order, port's place on the target): the order
        files.graph_to_data sorts them in."""
        cache, lines, keys = self._edges, [], []
        source_of = graph.source_of
        for k, (node_id, node) in enumerate(graph.nodes.items()):
            if k % chunk == chunk - 1:
                yield
            for port in node.ports:
                src = source_of(node_id, port)
                if src is None:
                    continue
                key = (src, node_id, port)
                line = cache.get(key)
                if line is None:
                    line = cache[key] = encode_line({"from": src, "to": node_id, "port": port})
                keys.append(key)
                lines.append(line)
        if len(cache) != len(lines):
            self._edges = {key: cache[key] for key in keys}
        return lines
