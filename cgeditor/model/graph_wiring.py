"""Reading a Graph's wiring: its edges, each port's source, a node's neighbours and the live
networkx graph: the Wiring part of Graph."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from cgeditor.model.node import Edge, Node

if TYPE_CHECKING:
    import networkx as nx


class Wiring:
    """Queries over the wiring: a mixin of Graph, which provides what is annotated here."""

    nodes: dict[str, Node]
    _inputs: dict[tuple[str, str], str]
    _nx: nx.DiGraph
    node: Callable[[str], Node]

    @property
    def edges(self) -> list[Edge]:
        """Every edge, as an Edge(src, dst, port)."""
        return [Edge(src, dst, port) for (dst, port), src in self._inputs.items()]

    def edge_triples(self) -> Iterator[tuple[str, str, str]]:
        """(src, dst, port) of every edge, without an Edge object each (the canvas reads 20k
        of them when it opens a big file)."""
        return ((src, dst, port) for (dst, port), src in self._inputs.items())

    def input_map(self) -> dict[tuple[str, str], str]:
        """A copy of the wiring: (dst, port) -> src for every edge."""
        return dict(self._inputs)

    def wire_keys(self, node_id: str) -> list[tuple[str, str]]:
        """(dst, port) of every edge into or out of ``node_id``: what a moved node drags."""
        inputs, nodes = self._inputs, self.nodes
        keys = [(node_id, p) for p in nodes[node_id].ports if (node_id, p) in inputs]
        for dst in self._nx.successors(node_id):
            keys.extend((dst, p) for p in nodes[dst].ports if inputs.get((dst, p)) == node_id)
        return keys

    def source_of(self, dst: str, port: str) -> str | None:
        """The id of the node wired into ``dst``'s ``port``, or None."""
        return self._inputs.get((dst, port))

    def in_edges(self, node_id: str) -> list[Edge]:
        """The edges into the node, in its ports' order; UnknownNodeError."""
        node = self.node(node_id)
        return [Edge(self._inputs[(node_id, p)], node_id, p) for p in node.ports
                if (node_id, p) in self._inputs]

    def out_edges(self, node_id: str) -> list[Edge]:
        """The edges out of the node, one per input port it feeds."""
        return [Edge(node_id, dst, port) for dst in self._nx.successors(node_id)
                for port in self.nodes[dst].ports if self._inputs.get((dst, port)) == node_id]

    def successors(self, node_id: str) -> list[str]:
        """Ids of the nodes the node feeds (each once)."""
        return list(self._nx.successors(node_id))

    def predecessors(self, node_id: str) -> list[str]:
        """Ids of the nodes that feed the node (each once)."""
        return list(self._nx.predecessors(node_id))

    @property
    def nx_graph(self) -> nx.DiGraph:
        """The live networkx graph (read-only by convention: edit through Graph)."""
        return self._nx
