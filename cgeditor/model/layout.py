"""Auto-layout: columns by topological generation, rows ordered to reduce wire crossings.

Pure geometry over a Graph (no Qt): ``layered_layout`` computes positions by node id and
``apply_layout`` moves the nodes, so the GUI can wrap the moves in one undo step.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from cgeditor.model.graph import Graph

Positions = dict[str, tuple[float, float]]


def layered_layout(graph: Graph, spacing_x: float = 200.0, spacing_y: float = 110.0,
                   sweeps: int = 4) -> Positions:
    """Positions by node id: inputs on the left, the output on the right, each column centred
    on y = 0. ``sweeps`` rounds of barycenter ordering (down then up) reduce crossings;
    0 keeps the order in which nodes were added."""
    layer = assign_layers(graph)
    if not layer:
        return {}
    layers: list[list[str]] = [[] for _ in range(max(layer.values()) + 1)]
    for node_id in graph.nodes:  # insertion order: the "unsorted" starting point
        layers[layer[node_id]].append(node_id)
    preds = {n: graph.predecessors(n) for n in graph.nodes}
    succs = {n: graph.successors(n) for n in graph.nodes}
    y = _centred(layers, spacing_y)
    for _ in range(sweeps):
        # End on a downward sweep so the output side follows the inputs' order.
        for row in reversed(layers):
            _reorder(row, succs, y, spacing_y)
        for row in layers:
            _reorder(row, preds, y, spacing_y)
    return {n: (layer[n] * spacing_x, y[n]) for n in graph.nodes}


def assign_layers(graph: Graph) -> dict[str, int]:
    """Column of each node id: the longest path from a source; a source then moves right to
    sit one column before its nearest consumer (so a bias sits beside what it is added to)."""
    nxg = graph.nx_graph
    layer: dict[str, int] = {}
    order = list(_topological(graph))
    for node_id in order:
        layer[node_id] = max((layer[p] + 1 for p in nxg.predecessors(node_id)), default=0)
    for node_id in order:
        if nxg.in_degree(node_id) == 0 and nxg.out_degree(node_id) > 0:
            layer[node_id] = min(layer[s] for s in nxg.successors(node_id)) - 1
    return layer


def _topological(graph: Graph) -> Iterable[str]:
    """Kahn's algorithm over the live networkx graph, in insertion order (deterministic)."""
    nxg = graph.nx_graph
    pending = {n: nxg.in_degree(n) for n in graph.nodes}
    ready = [n for n, d in pending.items() if d == 0]
    while ready:
        node_id = ready.pop()
        yield node_id
        for succ in nxg.successors(node_id):
            pending[succ] -= 1
            if pending[succ] == 0:
                ready.append(succ)


def _centred(layers: list[list[str]], spacing_y: float) -> dict[str, float]:
    y: dict[str, float] = {}
    for row in layers:
        _place(row, y, spacing_y)
    return y


def _place(row: list[str], y: dict[str, float], spacing_y: float) -> None:
    middle = (len(row) - 1) / 2
    for rank, node_id in enumerate(row):
        y[node_id] = (rank - middle) * spacing_y


def _reorder(row: list[str], neighbours: Mapping[str, list[str]], y: dict[str, float],
             spacing_y: float) -> None:
    """Sort one column by the mean height of each node's neighbours (the barycenter); a node
    without neighbours on that side keeps its own height. Stable, so ties keep their order."""
    def barycenter(node_id: str) -> float:
        near = neighbours[node_id]
        return sum(y[n] for n in near) / len(near) if near else y[node_id]

    row.sort(key=barycenter)
    _place(row, y, spacing_y)


def apply_layout(graph: Graph, positions: Mapping[str, tuple[float, float]]) -> None:
    """Move every node named in ``positions`` (ids that are no longer in the graph are skipped)."""
    for node_id, (x, y) in positions.items():
        if node_id in graph.nodes:
            graph.move_node(node_id, x, y)


def count_crossings(graph: Graph, positions: Mapping[str, tuple[float, float]]) -> int:
    """Wire crossings between edges that span the same pair of columns (the ones ordering can
    fix); straight wires, so two such edges cross when their ends swap vertical order."""
    spans: dict[tuple[float, float], list[tuple[float, float]]] = {}
    for edge in graph.edges:
        (x0, y0), (x1, y1) = positions[edge.src], positions[edge.dst]
        spans.setdefault((x0, x1), []).append((y0, y1))
    crossings = 0
    for wires in spans.values():
        for i, (a0, a1) in enumerate(wires):
            crossings += sum(1 for b0, b1 in wires[i + 1:] if (a0 - b0) * (a1 - b1) < 0)
    return crossings
