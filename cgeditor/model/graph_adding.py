"""Many new parts added to a live graph as one edit (Graph.add_parts: paste, duplicate, the
undo of a bulk delete): checked all together as add_node and connect would check them one by
one, then written in bulk.

Each check runs first as whole-column passes (sets, zip, map: loops in C) that can only
accept. Only when one of them doubts does the part-by-part walk run, and it says what it
refuses: the same first refusal with the same message as ever. A paste of 10^4 nodes from
the graph's own (a duplicate, a copy) passes the column checks; those cost a third of the
walk. The cycle search is skipped where the wires' order proves there is none.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from itertools import chain, repeat
from operator import attrgetter, is_, itemgetter, lt
from typing import TYPE_CHECKING, Any

from cgeditor.core.ops import REGISTRY
from cgeditor.model.errors import (
    CycleError,
    InvalidNameError,
    NameTakenError,
    UnknownNodeError,
    cycle_text,
)
from cgeditor.model.graph_algorithms import adjacency, check_ends, find_cycle, port_taken
from cgeditor.model.graph_parts import Triple, add_nx_edges, add_nx_nodes
from cgeditor.model.naming import all_plainly_valid
from cgeditor.model.node import Node
from cgeditor.model.values import coerce_attrs, parse_value

if TYPE_CHECKING:
    from cgeditor.model.graph import Graph

# add_node's keywords, in the order of _make_node's arguments
_FIELDS = ("op", "name", "x", "y", "attrs", "value", "trainable", "node_id")
_DEFAULTS = (None, None, 0.0, 0.0, None, None, False, None)


class StaleParts(RuntimeError):
    """Checked parts offered a second time, or to a graph that changed since (a bug)."""


class CheckedParts:
    """New Nodes and edges check_parts accepted, to be added once while the graph is as it
    was: a paste is checked before its step is pushed and added by the step's first redo,
    and 10k nodes are not checked twice."""

    def __init__(self, graph: Graph, nodes: list[Node], edges: list[Triple]) -> None:
        self.graph, self.nodes, self.edges = graph, nodes, edges
        self.version: int | None = graph.structure_version

    def fresh(self, graph: Graph) -> bool:
        """Whether they may still be added to ``graph``: not yet added, graph unchanged."""
        return graph is self.graph and self.version == graph.structure_version

    def take(self, graph: Graph) -> list[Node]:
        """The Nodes, once, for ``graph`` unchanged since the check."""
        if not self.fresh(graph):
            raise StaleParts("these parts were checked against another state of the graph")
        self.version = None
        return self.nodes


def checked_parts(graph: Graph, records: Iterable[Mapping[str, Any]],
                  edges: Sequence[Triple], known_acyclic: bool = False) -> list[Node]:
    """The new Nodes for ``records`` (add_node's keywords), after checking them and ``edges``
    as add_node and connect would, all together; raises the first refusal's GraphError.
    Nothing is written to ``graph``."""
    records = list(records)
    new = quick_nodes(graph, records)
    if new is None:
        new = _checked_nodes(graph, records)
    by_id = {node.id: node for node in new}
    if not edges_pass(graph, by_id, edges):
        _check_edges(graph, by_id, edges)
    if not (known_acyclic or acyclic_by_order(by_id, edges)):
        _check_acyclic(graph, by_id, edges)
    return new


def insert_parts(graph: Graph, new: list[Node], edges: Sequence[Triple]) -> None:
    """Write checked Nodes and edges into the graph's dicts and networkx graph in bulk,
    exactly as add_node and connect one by one would (same orders, same "ports" counts)."""
    ids = list(map(attrgetter("id"), new))
    graph.nodes.update(zip(ids, new))
    graph._by_name.update(zip(map(attrgetter("name"), new), ids))
    add_nx_nodes(graph, ids)
    graph._inputs.update(((dst, port), src) for src, dst, port in edges)
    add_nx_edges(graph, ((src, dst) for src, dst, _port in edges))


# --- the column checks: they accept, or leave it to the walk -------------------------------
def quick_nodes(graph: Graph, records: list[Mapping[str, Any]]) -> list[Node] | None:
    """The Nodes _checked_nodes makes of ``records``, or None wherever it might refuse one or
    draw an id: every id given, ids and names free and distinct, names plainly valid (see
    all_plainly_valid), ops known, values on leaves only. Draws nothing, so the walk that
    runs after a None refuses exactly what it always refused."""
    try:
        return _quick_nodes(graph, records)
    except Exception:  # anything odd (a record that is no mapping): the walk says what
        return None


def _quick_nodes(graph: Graph, records: list[Mapping[str, Any]]) -> list[Node] | None:
    try:
        rows = list(map(itemgetter(*_FIELDS), records))
    except KeyError:  # fields left to their defaults (add_parts' own callers)
        rows = [tuple(map(record.get, _FIELDS, _DEFAULTS)) for record in records]
    if not rows:
        return []
    ops, names, xs, ys, attrs, values, trainables, ids = map(list, zip(*rows))
    fine = (set(ops) <= REGISTRY.keys() and all_plainly_valid(names)
            and graph._by_name.keys().isdisjoint(names) and len(set(names)) == len(names)
            and set(map(type, ids)) == {str} and all(ids)
            and graph.nodes.keys().isdisjoint(ids) and len(set(ids)) == len(ids))
    return _made(ops, names, xs, ys, attrs, values, trainables, ids) if fine else None


def _made(ops: list[Any], names: list[str], xs: list[Any], ys: list[Any], attrs: list[Any],
          values: list[Any], trainables: list[Any], ids: list[str]) -> list[Node] | None:
    """The Nodes as _make_node makes them, of columns quick_nodes checked; None if a value
    is given to an op that computes its own (raises what coerce_attrs or parse_value do)."""
    # per op, not per node: its spec, whether it is a leaf, its attrs' defaults
    kinds = {op: (spec, spec.is_leaf, spec.default_attrs())
             for op, spec in ((op, REGISTRY[op]) for op in set(ops))}
    new = []
    for op, name, x, y, given, value, trainable, node_id in zip(
            ops, names, xs, ys, attrs, values, trainables, ids):
        spec, leaf, defaults = kinds[op]
        if leaf:
            value = parse_value(0.0 if value is None else value)
        elif value is not None:
            return None
        node_attrs = coerce_attrs(spec, dict(given)) if given else dict(defaults)
        new.append(Node(node_id, op, name, float(x), float(y), node_attrs, value,
                        bool(trainable) and spec.is_input))
    return new


def edges_pass(graph: Graph, new: Mapping[str, Node], edges: Sequence[Triple]) -> bool:
    """Whether _check_edges passes ``edges``, as whole-column passes (False: let it say)."""
    try:
        return _edges_pass(graph, new, edges)
    except Exception:  # an edge that is no triple, an unhashable port: the walk says what
        return False


def _edges_pass(graph: Graph, new: Mapping[str, Node], edges: Sequence[Triple]) -> bool:
    if not edges:
        return True
    sources, targets, ports = zip(*edges)
    src_nodes, dst_nodes = _ends(graph, new, sources), _ends(graph, new, targets)
    if not (all(src_nodes) and all(dst_nodes)):  # a Node is true, a missing end None
        return False
    valid = {(name, port) for name, spec in REGISTRY.items() for port in spec.inputs}
    fed = set(zip(targets, ports))
    return (set(zip(map(attrgetter("op"), dst_nodes), ports)) <= valid
            and not any(map(is_, src_nodes, dst_nodes))
            and len(fed) == len(edges) and graph._inputs.keys().isdisjoint(fed))


def _ends(graph: Graph, new: Mapping[str, Node], ids: Sequence[str]) -> list[Node | None]:
    """The Nodes ``ids`` name, new or old (None where there is none): looked up among the
    old only if some are not new (a paste's wires are all among its own nodes)."""
    found = list(map(new.get, ids))
    return found if all(found) else list(map(new.get, ids, map(graph.nodes.get, ids)))


def acyclic_by_order(new: Mapping[str, Node], edges: Sequence[Triple]) -> bool:
    """True if ``edges`` provably close no cycle: each ends at a new node and starts at an
    old one or at a new one listed before its end. Then a path entering the new nodes
    only ever goes on to later ones, and the old graph was acyclic. (False: search.)"""
    if not edges:
        return True
    rank = dict(zip(new, range(len(new))))
    sources, targets, _ports = zip(*edges)
    if not all(map(rank.__contains__, targets)):  # a wire into an old node
        return False
    return all(map(lt, map(rank.get, sources, repeat(-1)), map(rank.__getitem__, targets)))


# --- the walk: part by part, saying what it refuses ---------------------------------------
def _checked_nodes(graph: Graph, records: Iterable[Mapping[str, Any]]) -> list[Node]:
    """Each record as a validated Node; names and ids free in the graph and distinct."""
    new: list[Node] = []
    names: set[str] = set()
    ids: set[str] = set()
    make = graph._make_node
    for record in records:
        get = record.get
        op, name = get("op"), get("name")
        if name is None and op in REGISTRY:
            name = graph.generated_name(op, names)
        node = make(op, name, get("x", 0.0), get("y", 0.0), get("attrs"), get("value"),
                    get("trainable", False), get("node_id"))
        if node.name in names:
            raise NameTakenError(f"two new nodes are named {node.name!r}")
        if node.id in ids:
            raise InvalidNameError(f"two new nodes have the id {node.id!r}")
        names.add(node.name)
        ids.add(node.id)
        new.append(node)
    return new


def _check_edges(graph: Graph, new: Mapping[str, Node], edges: Sequence[Triple]) -> None:
    """Both ends exist (old or new), the port exists, no self-loop, each port fed once."""
    old, inputs = graph.nodes, graph._inputs
    fed: set[tuple[str, str]] = set()
    for src, dst, port in edges:
        source, target = old.get(src) or new.get(src), old.get(dst) or new.get(dst)
        if source is None or target is None:
            missing = src if source is None else dst
            raise UnknownNodeError(f"there is no node with id {missing!r}")
        check_ends(source, target, port)
        key = (dst, port)
        if key in inputs or key in fed:
            taken = inputs.get(key)
            raise port_taken(target, port, old[taken] if taken is not None else None)
        fed.add(key)


def _check_acyclic(graph: Graph, new: Mapping[str, Node], edges: Sequence[Triple]) -> None:
    """Raise CycleError if the edges close a cycle. The graph was acyclic, so a cycle runs
    through a new edge, and so through nodes its target reaches: only those are sorted (a
    paste's wires end at pasted nodes, which reach only pasted nodes)."""
    succ = adjacency(graph._nx)[0]
    extra: dict[str, list[str]] = {}
    for src, dst, _port in edges:
        extra.setdefault(src, []).append(dst)

    def after(node_id: str) -> Iterable[str]:
        return chain(succ.get(node_id, ()), extra.get(node_id, ()))

    pending = _reached(after, {dst: 0 for _src, dst, _port in edges})
    left_out = _left_out(after, pending)
    if not left_out:
        return
    pred: dict[str, dict[str, None]] = {n: {} for n in pending}
    for n in pending:
        for m in after(n):
            pred[m][n] = None
    rank = {n: k for k, n in enumerate(chain(graph.nodes, new))}  # named from its first node
    cycle = find_cycle(pred, left_out, rank)
    names = cycle_text([(graph.nodes.get(n) or new[n]).name for n in [*cycle, cycle[0]]])
    raise CycleError(f"the new wires would close the cycle {names}", cycle)


def _reached(after: Callable[[str], Iterable[str]], start: dict[str, int]) -> dict[str, int]:
    """Every node reached from ``start``'s through ``after``, with how many edges of the
    reached part enter it (counted on the way: no subgraph is built for a 10k paste)."""
    pending = start
    stack = list(start)
    while stack:
        for nxt in after(stack.pop()):
            count = pending.get(nxt)
            if count is None:
                stack.append(nxt)
            pending[nxt] = 1 if count is None else count + 1
    return pending


def _left_out(after: Callable[[str], Iterable[str]], pending: dict[str, int]) -> set[str]:
    """The nodes a topological sort leaves out (on or behind a cycle; none if acyclic), given
    each node's count of entering edges (used up): Kahn's algorithm with a plain stack, since
    no order is wanted (the heap of topological_order cost twice as much for a 10k paste).
    An edge given twice (two ports fed by one node) is counted and used up twice."""
    ready = [n for n, count in pending.items() if count == 0]
    while ready:
        for nxt in after(ready.pop()):
            pending[nxt] -= 1
            if pending[nxt] == 0:
                ready.append(nxt)
    return {n for n, count in pending.items() if count}
