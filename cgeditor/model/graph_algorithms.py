"""Whole-graph algorithms behind Graph: execution order, shortest paths, cycles.

Plain functions over networkx's own successor/predecessor dicts, which ``adjacency`` hands
out: calling networkx's algorithms pays its dispatch per call, which dominated edits and loads
of big graphs. (graph_parts.py writes those dicts in bulk, with its measured reason.)
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Hashable, Mapping
from typing import TYPE_CHECKING, Any

from cgeditor.model.errors import (
    PortTakenError,
    SelfLoopError,
    UnknownPortError,
)

if TYPE_CHECKING:
    import networkx as nx

    from cgeditor.model.graph import Node

Adjacency = Mapping[str, Mapping[str, Any]]


def adjacency(nxg: nx.DiGraph) -> tuple[dict[str, dict], dict[str, dict]]:
    """The successor and predecessor dicts of dicts inside ``nxg``, to read, never write.

    Private attributes on purpose: the public ``succ``/``pred`` views wrap every lookup in a
    new AtlasView, which makes the execution order of a 10k-node graph ~45% slower (128 ms
    against 88) and a cycle check twice as slow. Their layout has not changed since networkx
    2.0; pyproject bounds networkx to the versions the tests ran on.
    """
    return nxg._succ, nxg._pred


def place_key(nodes: Mapping[str, Node]) -> Callable[[str], tuple[float, str]]:
    """The execution order's tie key: left to right on the canvas, then by name."""
    return lambda node_id: (nodes[node_id].x, nodes[node_id].name)


def topological_order(succ: Adjacency, pred: Adjacency,
                      tie_key: Callable[[str], tuple[Any, ...]]) -> list[str]:
    """Kahn's algorithm with a heap, ties broken by ``tie_key`` (ending with the node id).

    Nodes on or behind a cycle are left out, so a short result means the graph has a cycle.
    networkx's lexicographical sort costs ~25x more here.
    """
    pending = {n: len(p) for n, p in pred.items()}
    ready = [(*tie_key(n), n) for n, d in pending.items() if d == 0]
    heapq.heapify(ready)
    order = []
    while ready:
        node_id = heapq.heappop(ready)[-1]
        order.append(node_id)
        for nxt in succ[node_id]:
            pending[nxt] -= 1
            if pending[nxt] == 0:
                heapq.heappush(ready, (*tie_key(nxt), nxt))
    return order


def last_in_order(succ: Adjacency, tie_key: Callable[[str], tuple[Any, ...]]) -> str | None:
    """The node topological_order(succ, pred, tie_key) lists last (None for no nodes), found
    without sorting: the node of largest tie key is taken only when nothing else is ready,
    so every node left then descends from it; the last is found again among those. A chain
    drawn right to left would walk its descendants over and over: past twice the graph's
    size this gives up (None) and the caller sorts."""
    def key(node_id: str) -> tuple[Any, ...]:
        return (*tie_key(node_id), node_id)

    if not succ:
        return None
    node, budget = max(succ, key=key), 2 * len(succ)
    while succ[node]:
        below: set[str] = set()
        stack = list(succ[node])
        while stack:
            nxt = stack.pop()
            if nxt not in below:
                below.add(nxt)
                stack.extend(succ[nxt])
        budget -= len(below)
        if budget < 0:
            return None
        node = max(below, key=key)
    return node


def find_cycle(pred: Adjacency, left_out: set[str], rank: Mapping[str, int]) -> list[str]:
    """One cycle among the nodes a topological sort ``left_out``, in edge direction, starting
    at its node of lowest ``rank`` (so the same file always names the same cycle).

    Every left-out node has a left-out predecessor, so walking backwards must repeat a node.
    """
    node = min(left_out, key=rank.__getitem__)
    seen: dict[str, int] = {}
    walk: list[str] = []
    while node not in seen:
        seen[node] = len(walk)
        walk.append(node)
        node = next(p for p in pred[node] if p in left_out)
    cycle = walk[seen[node]:][::-1]
    start = min(range(len(cycle)), key=lambda k: rank[cycle[k]])
    return cycle[start:] + cycle[:start]


def shortest_path(succ: Adjacency, pred: Adjacency, start: str, goal: str) -> list[str] | None:
    """A shortest path start → … → goal along edges, or None.

    Bidirectional breadth-first search, growing the smaller frontier, over the adjacency
    dicts directly: networkx's own has_path pays ~80 µs of dispatch per call.
    """
    if start == goal:
        return [start]
    fwd: dict[str, str | None] = {start: None}
    back: dict[str, str | None] = {goal: None}
    fwd_edge, back_edge = [start], [goal]
    while fwd_edge and back_edge:
        if len(fwd_edge) <= len(back_edge):
            fwd_edge, meet = _expand(fwd_edge, succ, fwd, back)
        else:
            back_edge, meet = _expand(back_edge, pred, back, fwd)
        if meet is not None:
            return _walk(fwd, meet)[::-1] + _walk(back, meet)[1:]
    return None


def _expand(frontier: list[str], adjacency: Adjacency, seen: dict, other: dict
            ) -> tuple[list[str], str | None]:
    """One breadth-first layer; returns the next frontier and a node both searches reached."""
    nxt = []
    for node_id in frontier:
        for neighbour in adjacency[node_id]:
            if neighbour not in seen:
                seen[neighbour] = node_id
                if neighbour in other:
                    return nxt, neighbour
                nxt.append(neighbour)
    return nxt, None


def _walk(parents: Mapping[Hashable, Any], node_id: str | None) -> list[str]:
    path = []
    while node_id is not None:
        path.append(node_id)
        node_id = parents[node_id]
    return path


def check_ends(source: Node, target: Node, port: str) -> None:
    """The checks of an edge that need no search: the port exists, no self-loop."""
    if port not in target.ports:
        ports = ", ".join(target.ports) or "none"
        raise UnknownPortError(f"{target.name} ({target.op}) has no input port {port!r} "
                               f"(its ports: {ports})")
    if source is target:
        raise SelfLoopError(f"{source.name} cannot feed its own input {port!r}")


def port_taken(target: Node, port: str, feeder: Node | None) -> PortTakenError:
    """The refusal of a second edge into ``target.port``: fed by ``feeder`` already, or (None)
    by another of the edges being added together."""
    by = f"by {feeder.name}" if feeder is not None else "twice"
    return PortTakenError(f"{target.name}.{port} is already fed {by}; disconnect it first")
