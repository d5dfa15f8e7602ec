"""Remedies of the failure-mode lab as plain edits: set a value, slip ``+ ε`` or a clamp in
front of an op, swap an op for another, replace a naive softmax by the stable op.

A ``Remedy`` says what the graph should become; ``edits`` spells it as the ordered primitive
changes (disconnect, remove, add, connect, value, output) that the GUI turns into one undo
step and ``apply`` makes on a Graph directly. No Qt here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from cgeditor.core.ops import REGISTRY
from cgeditor.model.graph import Graph
from cgeditor.model.layout import NOMINAL_HEADER, NOMINAL_ROW
from cgeditor.model.number_text import format_scalar

EPS = 1e-9  # the ε a remedy adds: far below the data, far above float64's 2.2e-308
Edit = tuple[Any, ...]
GUARD_LEFT = 200.0  # ε's left edge, from its guard's: a node's width and a wire's room


@dataclass(frozen=True)
class NewNode:
    """A node a remedy adds; ``key`` names it in the remedy's wires before it has an id."""

    key: str
    op: str
    name: str
    x: float
    y: float
    value: Any = None
    attrs: Mapping[str, Any] = field(default_factory=dict)
    # The id of a node the remedy removes, taken over: a swapped op stays the same node to
    # the run kept across the edit and its undo ('∂J/∂w', not '∂J (deleted)/∂w').
    node_id: str | None = None
    # Put in a row at another node's place: the canvas moves that node, and what it then
    # covers, right to make room (a node dropped on a wire), instead of dropping this one.
    inserted: bool = False


@dataclass(frozen=True)
class Remedy:
    """What to change. ``wires`` are (src, dst, port) by node id or NewNode key; a wire into
    a taken port replaces the wire there. ``output`` (an id or key) becomes the output.
    ``lr`` is a training setting, not a document edit: the learning rate to train with."""

    title: str  # the undo step's name: "Use log(p + ε)"
    text: str  # what it does, one sentence for the dock
    values: Mapping[str, Any] = field(default_factory=dict)  # node id -> new value
    nodes: tuple[NewNode, ...] = ()
    wires: tuple[tuple[str, str, str], ...] = ()
    remove: tuple[str, ...] = ()
    output: str | None = None
    lr: float | None = None

    @property
    def edits_document(self) -> bool:
        return bool(self.values or self.nodes or self.wires or self.remove or self.output)


def edits(graph: Graph, remedy: Remedy) -> list[Edit]:
    """The primitive changes that make ``remedy`` on ``graph``, in an order each is valid:
    ("disconnect", dst, port), ("remove", id), ("add", record), ("connect", src, dst, port),
    ("value", id, value), ("output", id). New nodes get fresh ids from the graph (records
    are add_node's keywords). KeyError when the remedy names a node the graph lacks."""
    gone = set(remedy.remove)
    if any(n.node_id is not None and n.node_id not in gone for n in remedy.nodes):
        raise KeyError("a remedy's node takes over the id of a node it does not remove")
    ids = {new.key: new.node_id or graph.new_id() for new in remedy.nodes}
    cut: dict[tuple[str, str], None] = {}
    for _src, dst, port in remedy.wires:
        if dst not in ids and graph.source_of(dst, port) is not None:
            cut[(dst, port)] = None
    for node_id in remedy.remove:
        graph.node(node_id)
        for edge in graph.in_edges(node_id) + graph.out_edges(node_id):
            cut[(edge.dst, edge.port)] = None
    out: list[Edit] = [("disconnect", dst, port) for dst, port in cut]
    out += [("remove", node_id) for node_id in remedy.remove]
    out += [("add", dict(op=n.op, name=n.name, x=n.x, y=n.y, attrs=dict(n.attrs),
                         value=n.value, node_id=ids[n.key])) for n in remedy.nodes]
    for src, dst, port in remedy.wires:
        if src in gone or dst in gone:
            raise KeyError(f"a remedy wires a node it removes: {src} → {dst}.{port}")
        out.append(("connect", ids.get(src, src), ids.get(dst, dst), port))
    out += [("value", node_id, value) for node_id, value in remedy.values.items()]
    if remedy.output is not None:
        out.append(("output", ids.get(remedy.output, remedy.output)))
    return out


def apply(graph: Graph, remedy: Remedy) -> None:
    """Make ``remedy`` on ``graph`` (one batch); the model's twin of the GUI's undo step,
    for the command line and the tests."""
    with graph.batch():
        for edit in edits(graph, remedy):
            kind, *args = edit
            if kind == "disconnect":
                graph.disconnect(*args)
            elif kind == "remove":
                graph.remove_node(*args)
            elif kind == "add":
                graph.add_node(**args[0])
            elif kind == "connect":
                graph.connect(*args)
            elif kind == "value":
                graph.set_value(*args)
            else:
                graph.set_output(*args)


# --- the remedies the diagnosis offers ----------------------------------------------------
def guard_input(graph: Graph, node_id: str, port: str, clamp: bool, what: str) -> Remedy:
    """``node``'s input ``port`` kept away from 0: ``x + ε`` (``clamp`` False: x ≥ 0 stays
    put) or ``maximum(x, ε)`` (a negative x too). ``what`` names it: 'log(p + ε)'."""
    node = graph.node(node_id)
    src = graph.source_of(node_id, port)
    assert src is not None, "a node that ran has every port wired"
    op = "maximum" if clamp else "add"
    # ε goes left of the guard, as a new input would, dropped below whatever it lands on
    x, y = on_wire_into(node_id, graph)
    guard = NewNode("guard", op, graph.generated_name(op), x, y, inserted=True)
    eps = NewNode("eps", "const", graph.unique_name("eps"), x - GUARD_LEFT, y, EPS)
    # div's b is guarded, not a: the one port of a unary op needs no name
    guarded = f"its input {port}" if len(REGISTRY[node.op].inputs) > 1 else "its input"
    return Remedy(
        f"Use {what}", f"{node.name} becomes {what} with ε = {format_scalar(EPS)} (a const "
        f"node), so {guarded} never reaches 0{' nor goes below it' if clamp else ''}.",
        nodes=(eps, guard),
        wires=((src, "guard", "a"), ("eps", "guard", "b"), ("guard", node_id, port)))


def on_wire_into(node_id: str, graph: Graph) -> tuple[float, float]:
    """Where a node put on a wire into ``node_id`` goes (an ``inserted`` NewNode): at its
    left edge, just below its port rows, so the wires into its other ports pass above it
    and its own wire runs up into its port once the canvas has moved the node, which it
    covers, right."""
    node = graph.node(node_id)
    return node.x, node.y + NOMINAL_HEADER + NOMINAL_ROW * len(node.ports)


def swap_ops(graph: Graph, ids: Iterable[str], op: str, title: str, text: str) -> Remedy:
    """Each node of ``ids`` replaced by an ``op`` node of the same id, name, place and
    wires (and the output's role, if it had it)."""
    ids = list(dict.fromkeys(ids))
    key = {node_id: f"swap:{node_id}" for node_id in ids}
    touching = {(e.src, e.dst, e.port) for node_id in ids
                for e in graph.in_edges(node_id) + graph.out_edges(node_id)}
    wires = sorted((key.get(s, s), key.get(d, d), p) for s, d, p in touching)
    nodes = tuple(NewNode(key[i], op, graph.node(i).name, graph.node(i).x, graph.node(i).y,
                          node_id=i) for i in ids)
    return Remedy(title, text, nodes=nodes, wires=tuple(wires), remove=tuple(ids),
                  output=key.get(graph.explicit_output or ""))


def stable_softmax(graph: Graph, naive: list[str], last: str, logits: str,
                   log: bool) -> Remedy:
    """The naive softmax ``naive`` (exp, sum, div and, when ``log``, the log after them;
    ``last`` the one whose result the graph reads) replaced by one ``log_softmax`` (or
    ``softmax``) of ``logits``, which subtracts the maximum before exp and so never
    overflows."""
    op = "log_softmax" if log else "softmax"
    # On the wire into the first node it feeds (where the exp was, that node may stand
    # below it, and the wire would loop back); the output: where the exp was
    users = sorted((graph.node(e.dst) for e in graph.out_edges(last)), key=lambda n: n.x)
    first = graph.node(naive[0])
    x, y = on_wire_into(users[0].id, graph) if users else (first.x, first.y)
    new = NewNode("stable", op, graph.unique_name(op), x, y, attrs={"axis": -1},
                  inserted=bool(users))
    wires = [("stable", e.dst, e.port) for e in graph.out_edges(last)]
    what = "log(exp(z) / sum(exp(z)))" if log else "exp(z) / sum(exp(z))"
    return Remedy(
        f"Use {op}", f"Replace {what} ({', '.join(graph.node(i).name for i in naive)}) by "
        f"{op}({graph.node(logits).name}), which subtracts max(z) before exp: "
        "exp(z − max z) ≤ 1 never overflows.",
        nodes=(new,), wires=((logits, "stable", "x"), *wires), remove=tuple(naive),
        output="stable" if graph.explicit_output == last else None)
