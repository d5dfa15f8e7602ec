"""Whole-graph algorithms behind Graph: execution order, shortest paths, cycles, bulk build.

Plain functions over networkx's own successor/predecessor dicts, which ``adjacency`` hands
out: calling networkx's algorithms pays its dispatch per call, which dominated edits and loads
of big graphs. The two private accesses to networkx live here, each with its measured reason.
"""

from __future__ import annotations

import difflib
import heapq
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Mapping
from operator import attrgetter, eq, itemgetter
from typing import TYPE_CHECKING, Any

from cgeditor.core.ops import REGISTRY
from cgeditor.model.errors import (
    AttrError,
    CycleError,
    GraphError,
    InvalidNameError,
    NotTrainableError,
    PortTakenError,
    SelfLoopError,
    UnknownNodeError,
    UnknownOpError,
    UnknownPortError,
    ValueParseError,
)

if TYPE_CHECKING:
    import networkx as nx

    from cgeditor.model.graph import Edge, Graph, Node

Adjacency = Mapping[str, Mapping[str, Any]]


def adjacency(nxg: nx.DiGraph) -> tuple[dict[str, dict], dict[str, dict]]:
    """The successor and predecessor dicts of dicts inside ``nxg``, to read, never write.

    Private attributes on purpose: the public ``succ``/``pred`` views wrap every lookup in a
    new AtlasView, which makes the execution order of a 10k-node graph ~45% slower (128 ms
    against 88) and a cycle check twice as slow. Their layout has not changed since networkx
    2.0; pyproject bounds networkx to the versions the tests ran on.
    """
    return nxg._succ, nxg._pred


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


# --- building a graph from many parts at once (Graph.from_parts) ---------------------------
def build_from_parts(graph: Graph, nodes: Iterable[Mapping[str, Any]],
                     edges: Iterable[Mapping[str, str] | Edge]) -> list[str]:
    """Fill an empty ``graph`` with validated nodes and edges; returns the execution order.

    The dicts and the networkx graph are filled in bulk, and one topological sort replaces a
    cycle search per edge: that is what makes loading 10k nodes cheap.
    """
    _add_nodes(graph, nodes)
    _add_nx_nodes(graph)
    edges = list(edges)
    if set(map(type, edges)) <= {dict}:  # as parsed from a file: one C-level pass
        triples = list(map(itemgetter("from", "to", "port"), edges))
    else:
        triples = [(e["from"], e["to"], e["port"]) if isinstance(e, Mapping) else
                   (e.src, e.dst, e.port) for e in edges]
    _edges_from_parts(graph, triples)
    return _acyclic_order(graph, triples)


def _add_nx_nodes(graph: Graph) -> None:
    """What ``add_nodes_from`` does for a fresh graph's string ids, minus its per-node
    checks and dispatch (the ids are already validated).

    The second private access, writing: with add_nodes_from and add_edges_from building the
    networkx graph of a 10k-node file takes ~200 ms instead of ~105, a fifth of its load
    (benchmarks/files.py). test_from_parts_builds_the_graph_the_one_by_one_path_builds
    checks the result against the public path's.
    """
    nxg = graph._nx
    nxg._node.update((n, {}) for n in graph.nodes)
    nxg._succ.update((n, {}) for n in graph.nodes)  # _succ is also nxg._adj
    nxg._pred.update((n, {}) for n in graph.nodes)
    getattr(nxg, "__networkx_cache__", {}).clear()  # as networkx does after any change


def located(exc: GraphError, where: str) -> GraphError:
    """``exc`` marked with the JSON pointer of the part it refuses."""
    exc.where = where
    return exc


def _add_nodes(graph: Graph, parts: Iterable[Mapping[str, Any]]) -> None:
    """Validate and insert each node in turn: one loop, with the checks _make_node does
    not do inlined and their refusals worded by _refuse_node, as a call per node cost more
    than the checks themselves."""
    nodes, make, insert = graph.nodes, graph._make_node, graph._insert
    for i, part in enumerate(parts):
        get = part.get
        node_id, op, trainable = get("id"), get("op"), get("trainable", False)
        if ((node_id is not None and node_id in nodes) or op not in REGISTRY
                or (trainable and not REGISTRY[op].is_input)):
            _refuse_node(graph, part, i)
        try:
            node = make(op, get("name"), get("x", 0.0), get("y", 0.0), get("attrs"),
                        get("value"), bool(trainable), node_id)
        except GraphError as exc:
            raise located(exc, f"/nodes/{i}{_field_of(exc, part)}") from None
        insert(node)


def _refuse_node(graph: Graph, part: Mapping[str, Any], i: int) -> None:
    """Raise the located error for node ``i``, which _add_nodes refused before building."""
    node_id, op = part.get("id"), part.get("op")
    if node_id is not None and node_id in graph.nodes:
        raise located(InvalidNameError(f"two nodes have the id {node_id!r}"), f"/nodes/{i}/id")
    if op not in REGISTRY:
        close = difflib.get_close_matches(str(op), REGISTRY, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise located(UnknownOpError(f"unknown op {op!r}{hint}"), f"/nodes/{i}/op")
    # add_node quietly drops the flag; in a file it is a mistake worth naming
    raise located(NotTrainableError(f"only input nodes can be trainable, not {op}"),
                  f"/nodes/{i}/trainable")


def _field_of(exc: GraphError, part: Mapping[str, Any]) -> str:
    if isinstance(exc, ValueParseError):
        return "/value"
    if isinstance(exc, AttrError):
        return "/attrs"
    if isinstance(exc, InvalidNameError):
        return "/name"
    return "/value" if "value" in part else ""


def _edges_from_parts(graph: Graph, edges: list[tuple[str, str, str]]) -> None:
    """Check the edges' ends and ports, then fill ``graph._inputs`` and the networkx
    adjacency (edge attribute "ports": how many ports the source feeds on the target).

    All checks run as whole-column passes in C (sets, zip, map); only if one fails does a
    per-edge walk find the first bad edge, so messages name the same edge as ever. The
    adjacency is written as add_edge would write it: ~5x cheaper than add_edges_from.
    """
    nodes, inputs = graph.nodes, graph._inputs
    sources, targets, ports = (list(column) for column in zip(*edges)) if edges else ([],) * 3
    if not (nodes.keys() >= set(sources) and nodes.keys() >= set(targets)
            and _ports_exist(nodes, targets, ports) and not any(map(eq, sources, targets))):
        _first_bad_edge(graph, edges)
    inputs.update(zip(zip(targets, ports), sources))
    if len(inputs) < len(edges):  # a port fed twice
        inputs.clear()
        _first_bad_edge(graph, edges)
    succ, pred = adjacency(graph._nx)  # written here: see _add_nx_nodes for why
    for (src, dst), count in Counter(zip(sources, targets)).items():
        succ[src][dst] = pred[dst][src] = {"ports": count}  # one dict seen from both ends


def _ports_exist(nodes: Mapping[str, Node], targets: list[str], ports: list[str]) -> bool:
    valid = {(name, port) for name, spec in REGISTRY.items() for port in spec.inputs}
    ops = map(attrgetter("op"), map(nodes.__getitem__, targets))
    return set(zip(ops, ports)) <= valid


def _first_bad_edge(graph: Graph, edges: list[tuple[str, str, str]]) -> None:
    """Raise the error of the first edge refused when adding them one by one."""
    nodes, taken = graph.nodes, set()
    for i, (src, dst, port) in enumerate(edges):
        if (src not in nodes or dst not in nodes or src == dst
                or port not in nodes[dst].ports or (dst, port) in taken):
            _refuse_edge(graph, edges, i, taken)
        taken.add((dst, port))
    raise RuntimeError("the bulk edge checks refused edges that one by one pass")  # a bug


def _refuse_edge(graph: Graph, edges: list[tuple[str, str, str]], i: int,
                 taken: set[tuple[str, str]]) -> None:
    """Raise the located error for edge ``i``, the first bad one; ``taken``: the (target,
    port) pairs the edges before it feed."""
    nodes = graph.nodes
    src, dst, port = edges[i]
    if src not in nodes or dst not in nodes:
        key, missing = ("from", src) if src not in nodes else ("to", dst)
        raise located(UnknownNodeError(f"edge {key} {missing!r}: there is no node with "
                                       "that id"), f"/edges/{i}/{key}")
    try:
        check_ends(nodes[src], nodes[dst], port)
    except GraphError as exc:
        raise located(exc, f"/edges/{i}") from None
    first = next(k for k, e in enumerate(edges) if e[1] == dst and e[2] == port)
    raise located(PortTakenError(
        f"two edges go into input port {port!r} of {nodes[dst].name} (edges {first} "
        f"and {i}); a port takes one edge"), f"/edges/{i}")


def check_ends(source: Node, target: Node, port: str) -> None:
    """The checks of an edge that need no search: the port exists, no self-loop."""
    if port not in target.ports:
        ports = ", ".join(target.ports) or "none"
        raise UnknownPortError(f"{target.name} ({target.op}) has no input port {port!r} "
                               f"(its ports: {ports})")
    if source is target:
        raise SelfLoopError(f"{source.name} cannot feed its own input {port!r}")


def _acyclic_order(graph: Graph, edges: list[tuple[str, str, str]]) -> list[str]:
    """The execution order, or a CycleError naming one cycle and an edge that closes it."""
    nodes, (succ, pred) = graph.nodes, adjacency(graph._nx)
    # the keys Graph.order breaks ties by, made once: a lookup per node, not a lambda call
    ties = {n: (node.x, node.name) for n, node in nodes.items()}
    order = topological_order(succ, pred, ties.__getitem__)
    if len(order) == len(nodes):
        return order
    rank = {n: k for k, n in enumerate(nodes)}
    cycle = find_cycle(pred, set(nodes).difference(order), rank)
    names = " → ".join(nodes[n].name for n in [*cycle, cycle[0]])
    closing = next(k for k, e in enumerate(edges) if e[0] == cycle[-1] and e[1] == cycle[0])
    raise located(CycleError(f"the edges form a cycle: {names}", cycle), f"/edges/{closing}")
