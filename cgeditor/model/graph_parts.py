"""Many nodes and edges at once: a new graph from a file's parts (Graph.from_parts); the
networkx writes it shares with many new parts added to a live graph (graph_adding.py).

Everything is checked before anything is written; then the dicts and the networkx graph are
filled in bulk, and one topological sort over what the new edges can reach replaces a cycle
search per edge.
"""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Iterable, Mapping
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
    UnknownNodeError,
    UnknownOpError,
    ValueParseError,
    cycle_text,
)
from cgeditor.model.graph_algorithms import (
    adjacency,
    check_ends,
    find_cycle,
    topological_order,
)

if TYPE_CHECKING:
    from cgeditor.model.graph import Edge, Graph, Node

Triple = tuple[str, str, str]  # an edge as (src, dst, port)


# --- a new graph from a file's parts (Graph.from_parts) ---------------------------------------
def node_parts(graph: Graph, ids: Iterable[str] | None = None) -> list[dict[str, Any]]:
    """``graph``'s nodes (or those of ``ids``) as Graph.from_parts takes them."""
    nodes = graph.nodes.values() if ids is None else (graph.nodes[i] for i in ids)
    return [{"id": n.id, "op": n.op, "name": n.name, "x": n.x, "y": n.y, "attrs": n.attrs,
             **({"value": n.value} if n.is_leaf else {}), "trainable": n.trainable}
            for n in nodes]


def build_from_parts(graph: Graph, nodes: Iterable[Mapping[str, Any]],
                     edges: Iterable[Mapping[str, str] | Edge]) -> list[str]:
    """Fill an empty ``graph`` with validated nodes and edges; returns the execution order.

    The dicts and the networkx graph are filled in bulk, and one topological sort replaces a
    cycle search per edge: that is what makes loading 10k nodes cheap.
    """
    _add_nodes(graph, nodes)
    add_nx_nodes(graph, graph.nodes)
    edges = list(edges)
    if set(map(type, edges)) <= {dict}:  # as parsed from a file: one C-level pass
        triples = list(map(itemgetter("from", "to", "port"), edges))
    else:
        triples = [(e["from"], e["to"], e["port"]) if isinstance(e, Mapping) else
                   (e.src, e.dst, e.port) for e in edges]
    _edges_from_parts(graph, triples)
    return _acyclic_order(graph, triples)


def add_nx_nodes(graph: Graph, ids: Iterable[str]) -> None:
    """What ``add_nodes_from`` does for new string ids, minus its per-node checks and
    dispatch (the ids are already validated).

    A private access to networkx, writing: with add_nodes_from and add_edges_from building the
    networkx graph of a 10k-node file takes ~200 ms instead of ~105, a fifth of its load
    (benchmarks/files.py). test_from_parts_builds_the_graph_the_one_by_one_path_builds
    checks the result against the public path's.
    """
    nxg = graph._nx
    ids = list(ids)
    nxg._node.update((n, {}) for n in ids)
    nxg._succ.update((n, {}) for n in ids)  # _succ is also nxg._adj
    nxg._pred.update((n, {}) for n in ids)
    getattr(nxg, "__networkx_cache__", {}).clear()  # as networkx does after any change


def add_nx_edges(graph: Graph, pairs: Iterable[tuple[str, str]]) -> None:
    """Write the networkx adjacency of checked edges (src, dst) as add_edge would: edge
    attribute "ports" counts the ports the source feeds on the target. Written here, not
    through add_edges_from (~5x dearer): see add_nx_nodes for why."""
    succ, pred = adjacency(graph._nx)
    for (src, dst), count in Counter(pairs).items():
        data = succ[src].get(dst)
        if data is None:
            succ[src][dst] = pred[dst][src] = {"ports": count}  # one dict seen from both ends
        else:  # two old nodes already wired (add_parts): more ports
            data["ports"] += count


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
    add_nx_edges(graph, zip(sources, targets))


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
    names = cycle_text([nodes[n].name for n in [*cycle, cycle[0]]])
    closing = next(k for k, e in enumerate(edges) if e[0] == cycle[-1] and e[1] == cycle[0])
    raise located(CycleError(f"the edges form a cycle: {names}", cycle), f"/edges/{closing}")
