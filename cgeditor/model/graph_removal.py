"""Taking nodes out of a Graph, and putting back the order they stood in: the Removal part
of Graph.

One node goes with each of its edges announced (edge_removed, then node_removed); many go as
one edit announced once (parts_removed), their edges found in one pass: deleting 10k nodes
one by one announced 30k changes, each re-checked by every observer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from cgeditor.model.node import Edge, Node

if TYPE_CHECKING:
    import networkx as nx

    from cgeditor.model.signals import Signal


class Removal:
    """Removing nodes and restoring node order: a mixin of Graph, which provides the
    tables and the methods annotated here."""

    nodes: dict[str, Node]
    _inputs: dict[tuple[str, str], str]
    _nx: nx.DiGraph
    _by_name: dict[str, str]
    _output: str | None
    _forget_order: Callable[[], None]
    node_removed: Signal
    parts_removed: Signal
    node: Callable[[str], Node]
    in_edges: Callable[[str], list[Edge]]
    out_edges: Callable[[str], list[Edge]]
    wire_keys: Callable[[str], list[tuple[str, str]]]
    disconnect: Callable[[str, str], Edge]
    _changed: Callable[[], None]

    def remove_node(self, node_id: str) -> Node:
        """Remove a node and, first, every edge touching it (each announced)."""
        node = self.node(node_id)
        for edge in self.in_edges(node_id) + self.out_edges(node_id):
            self.disconnect(edge.dst, edge.port)
        del self.nodes[node_id]
        del self._by_name[node.name]
        self._nx.remove_node(node_id)
        if self._output == node_id:
            self._output = None
        self._forget_order()
        self.node_removed.emit(node)
        self._changed()
        return node

    def remove_parts(self, ids: Iterable[str]) -> tuple[list[Node], list[Edge]]:
        """Remove the nodes ``ids`` and every edge touching them as one edit, announced once
        on ``parts_removed`` (nodes, edges), not on node_removed and edge_removed each.
        Returns what it removed; raises UnknownNodeError, changing nothing, for an id not
        in the graph."""
        removed = [self.node(node_id) for node_id in dict.fromkeys(ids)]
        gone = {node.id for node in removed}
        edges = self.edges_touching(gone)
        inputs, nodes, names = self._inputs, self.nodes, self._by_name
        for edge in edges:
            del inputs[(edge.dst, edge.port)]
        self._nx.remove_nodes_from(gone)  # with their networkx edges: each touches one
        for node in removed:
            del nodes[node.id]
            del names[node.name]
        if self._output in gone:
            self._output = None
        self._forget_order()
        self.parts_removed.emit(removed, edges)
        self._changed()
        return removed, edges

    def edges_touching(self, ids: Iterable[str]) -> list[Edge]:
        """Every edge into or out of the nodes ``ids``, each once."""
        inputs, chosen = self._inputs, set(ids)
        if len(chosen) * 4 > len(self.nodes):  # most nodes: one pass over the edges is cheaper
            return [Edge(src, dst, port) for (dst, port), src in inputs.items()
                    if dst in chosen or src in chosen]
        keys = dict.fromkeys(key for node_id in chosen for key in self.wire_keys(node_id))
        return [Edge(inputs[key], *key) for key in keys]

    def reorder(self, ids: Iterable[str]) -> None:
        """Put the nodes in the order of ``ids`` (those present; any others follow), as
        undoing a bulk delete must: one pass, not one place_at per node."""
        nodes = self.nodes
        first = {i: nodes[i] for i in ids if i in nodes}
        self.nodes = {**first, **{i: n for i, n in nodes.items() if i not in first}}

    def place_at(self, node_id: str, index: int) -> None:
        """Put a node back at ``index`` in insertion order (the order files list nodes in),
        so undoing a delete restores the file exactly."""
        node = self.node(node_id)
        rest = [n for n in self.nodes.values() if n.id != node_id]
        rest.insert(max(0, min(index, len(rest))), node)
        self.nodes = {n.id: n for n in rest}
