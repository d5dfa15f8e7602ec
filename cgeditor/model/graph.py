"""The editable document: nodes, named input ports and edges over one live networkx DiGraph.

Every mutator validates first and raises a typed GraphError, so a refused edit changes
nothing. Every change is announced on a Signal (past tense) and invalidates run results.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from copy import deepcopy
from typing import TYPE_CHECKING, Any

import networkx as nx

from cgeditor.core.ops import REGISTRY, get_op
from cgeditor.model import collector
from cgeditor.model.errors import (
    CycleError,
    InvalidNameError,
    NotALeafError,
    NotTrainableError,
    SelfLoopError,
    UnknownNodeError,
    UnknownOpError,
    UnknownPortError,
    cycle_text,
)
from cgeditor.model.graph_adding import CheckedParts, checked_parts, insert_parts
from cgeditor.model.graph_algorithms import (
    adjacency,
    check_ends,
    last_in_order,
    place_key,
    port_taken,
    shortest_path,
    topological_order,
)
from cgeditor.model.graph_parts import Triple, build_from_parts, node_parts
from cgeditor.model.graph_removal import Removal
from cgeditor.model.graph_running import Running
from cgeditor.model.graph_wiring import Wiring
from cgeditor.model.naming import Naming
from cgeditor.model.node import MAX_NAME_LENGTH, RESERVED_NAMES, Edge, Node
from cgeditor.model.signals import Signal
from cgeditor.model.values import coerce_attrs, parse_value

if TYPE_CHECKING:
    from cgeditor.model.run import Compiled, RunResult

__all__ = ["MAX_NAME_LENGTH", "RESERVED_NAMES", "Edge", "Graph", "Node"]

class Graph(Naming, Removal, Wiring, Running):
    """A computation graph that stays acyclic, with one edge at most into each input port."""

    def __init__(self) -> None:
        self.nodes: dict[str, Node] = {}
        self._inputs: dict[tuple[str, str], str] = {}  # (dst, port) -> src
        self._nx = nx.DiGraph()  # edge attr "ports": how many ports the src feeds on dst
        self._by_name: dict[str, str] = {}
        self._output: str | None = None
        self._order: list[str] | None = None
        self._last: str | None = None  # the order's last node, found without the order
        self._id_counter = 0
        self._name_hint: dict[str, int] = {}
        self.structure_version = 0  # bumped by every edit except a leaf's value
        self.run_cache: Compiled | None = None  # run.py's compiled plan (derived state)
        self.meta: dict[str, Any] = {}
        self.last_result: RunResult | None = None
        self.node_added, self.node_removed = Signal(), Signal()
        self.node_moved, self.node_renamed = Signal(), Signal()
        self.value_changed, self.attrs_changed = Signal(), Signal()
        self.edge_added, self.edge_removed = Signal(), Signal()
        self.parts_added = Signal()  # (nodes, edges as (src, dst, port)): one add_parts
        # Many nodes at once, one announcement each: (nodes, edges) removed; nodes moved.
        self.parts_removed, self.nodes_moved = Signal(), Signal()
        self.output_changed, self.changed = Signal(), Signal()
        self.evaluated, self.invalidated = Signal(), Signal()
        # Around a bulk edit: observers may hold per-node work and do it once at the end.
        self.batch_started, self.batch_finished = Signal(), Signal()
        self._batch_depth = 0

    @classmethod
    def from_parts(cls, nodes: Iterable[Mapping[str, Any]],
                   edges: Iterable[Mapping[str, str] | Edge] = ()) -> Graph:
        """A new graph from parts spelled as in a file (nodes: op, and optionally id, name, x,
        y, attrs, value, trainable; edges: Edges or from/to/port mappings), checked as add_node
        and connect would, but acyclicity by one topological sort and with no signals (nobody
        observes a graph not yet returned). A refusal is the typed GraphError, its ``where``
        the JSON pointer of the part: "/nodes/3/name"."""
        graph = cls()
        graph._order = build_from_parts(graph, nodes, edges)
        graph.skip_ids(graph.nodes)
        return graph

    def copy(self) -> Graph:
        """A new graph with this one's nodes (same ids, names, places, attrs, values copied),
        edges, output and meta, as saving and opening it would give, without a file's size
        limit; no run results and no observers come along."""
        new = Graph.from_parts(node_parts(self), self.edges)
        if self.explicit_output is not None:
            new.set_output(self.explicit_output)
        new.meta = deepcopy(self.meta)
        return new

    # --- queries ------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.nodes)

    def __contains__(self, node_id: object) -> bool:
        return node_id in self.nodes

    def node(self, node_id: str) -> Node:
        """The node with id ``node_id``; UnknownNodeError if there is none."""
        try:
            return self.nodes[node_id]
        except KeyError:
            raise UnknownNodeError(f"there is no node with id {node_id!r}") from None

    def order(self) -> list[str]:
        """Node ids in execution order: topological, ties left to right, then by name."""
        if self._order is None:
            self._order = topological_order(*adjacency(self._nx), place_key(self.nodes))
        return list(self._order)

    def _forget_order(self) -> None:
        """The execution order (and its last node) is recomputed on demand after an edit."""
        self._order = self._last = None

    @property
    def output(self) -> str | None:
        """The output node's id: the one set explicitly, else the last sink in order."""
        if self._output in self.nodes:
            return self._output
        if self._order is None and self._last is None:  # a paste names it: no 20k-node sort
            self._last = last_in_order(adjacency(self._nx)[0], place_key(self.nodes))
        if self._order is None and self._last is not None:
            return self._last
        succ = adjacency(self._nx)[0]  # the last sink: walked from the end, no degree views
        return next((n for n in reversed(self.order()) if not succ[n]), None)

    @property
    def explicit_output(self) -> str | None:
        """The output's id if one was set (set_output), else None."""
        return self._output if self._output in self.nodes else None

    # --- validation ---------------------------------------------------------------------
    def can_connect(self, src: str, dst: str, port: str
                    ) -> UnknownNodeError | UnknownPortError | SelfLoopError | CycleError | None:
        """The typed refusal of ``src -> dst.port`` (its message is the reason; a CycleError's
        ``path`` runs around the cycle it would close), or None if the edge may be added. A
        taken port is allowed here: connect() refuses it, replace_input() swaps it."""
        try:
            self._check_edge(src, dst, port)
        except (UnknownNodeError, UnknownPortError, SelfLoopError, CycleError) as exc:
            return exc
        return None

    def _check_edge(self, src: str, dst: str, port: str) -> None:
        source, target = self.node(src), self.node(dst)
        check_ends(source, target, port)
        path = shortest_path(*adjacency(self._nx), dst, src)
        if path is not None:
            names = cycle_text([self.nodes[n].name for n in [src, *path]])
            raise CycleError(f"connecting {source.name} → {target.name}.{port} would close "
                             f"the cycle {names}", [src, *path])

    # --- mutators -----------------------------------------------------------------------
    def add_node(self, op: str, name: str | None = None, x: float = 0.0, y: float = 0.0,
                 attrs: Mapping[str, Any] | None = None, value: Any = None,
                 trainable: bool = False, node_id: str | None = None) -> Node:
        """A new node of ``op`` (a registry name) at (x, y); the name is generated (mul1, …)
        unless given. Leaves take ``value`` (a number or nested list; 0.0 if None), other
        ops ``attrs``. Raises UnknownOpError, InvalidNameError, NameTakenError,
        ValueParseError, AttrError or NotALeafError, changing nothing."""
        node = self._make_node(op, name, x, y, attrs, value, trainable, node_id)
        self._insert(node)
        self._nx.add_node(node.id)
        self._forget_order()
        self.node_added.emit(node)
        self._changed()
        return node

    def add_parts(self, nodes: Iterable[Mapping[str, Any]], edges: Iterable[Triple] = (),
                  *, known_acyclic: bool = False) -> list[Node]:
        """Add many nodes (add_node's keywords) and edges (src, dst, port) among them and to or
        from old nodes, as one edit: all checked first as add_node and connect would (no
        cycle search if ``known_acyclic``), then written in bulk and announced once on
        ``parts_added``. The new Nodes in order; a refusal's GraphError changes nothing."""
        return self.add_checked(self.check_parts(nodes, edges, known_acyclic=known_acyclic))

    def check_parts(self, nodes: Iterable[Mapping[str, Any]], edges: Iterable[Triple] = (),
                    *, known_acyclic: bool = False) -> CheckedParts:
        """Raise the GraphError add_parts would raise, else return the parts checked, for one
        add_checked before any other edit. Changes nothing (but draws ids not given)."""
        edges = list(edges)
        return CheckedParts(self, checked_parts(self, nodes, edges, known_acyclic), edges)

    def add_checked(self, parts: CheckedParts) -> list[Node]:
        """Add what check_parts just checked, as add_parts would, without checking again.
        Raises StaleParts if they were added already or the graph changed since."""
        new = parts.take(self)
        insert_parts(self, new, parts.edges)
        self._forget_order()
        self.parts_added.emit(new, parts.edges)
        self._changed()
        return new

    def _make_node(self, op: str, name: str | None, x: float, y: float,
                   attrs: Mapping[str, Any] | None, value: Any, trainable: bool,
                   node_id: str | None) -> Node:
        """A validated Node, not yet in the graph (add_node and from_parts share this)."""
        if op not in REGISTRY:
            raise UnknownOpError(f"unknown op {op!r}")
        spec = get_op(op)
        name = self.generated_name(op) if name is None else name
        self.validate_name(name)
        if node_id is not None and node_id in self.nodes:
            raise InvalidNameError(f"node id {node_id!r} is already used")
        node_attrs = coerce_attrs(spec, dict(attrs or {}))
        if spec.is_leaf:
            value = parse_value(0.0 if value is None else value)
        elif value is not None:
            raise NotALeafError(f"{op} nodes compute their value; only inputs and consts "
                                "hold one")
        return Node(node_id or self.new_id(), op, name, float(x), float(y), node_attrs, value,
                    bool(trainable) and spec.is_input)

    def _insert(self, node: Node) -> None:
        self.nodes[node.id] = node
        self._by_name[node.name] = node.id

    def connect(self, src: str, dst: str, port: str, *, known_acyclic: bool = False) -> Edge:
        """Add the edge ``src -> dst.port``; raises the typed GraphError of a refusal.
        ``known_acyclic``: the caller knows the edge closes no cycle (an undo putting back an
        edge of an earlier state; wires among just-pasted nodes, checked as a file), so the
        cycle search, a graph walk per edge that made 10k-node undos and pastes take seconds,
        is skipped. Ends and ports are still checked."""
        if known_acyclic:
            check_ends(self.node(src), self.node(dst), port)
        else:
            self._check_edge(src, dst, port)
        if (dst, port) in self._inputs:
            raise port_taken(self.nodes[dst], port, self.nodes[self._inputs[(dst, port)]])
        self._inputs[(dst, port)] = src
        if self._nx.has_edge(src, dst):
            self._nx[src][dst]["ports"] += 1
        else:
            self._nx.add_edge(src, dst, ports=1)
        edge = Edge(src, dst, port)
        self._forget_order()
        self.edge_added.emit(edge)
        self._changed()
        return edge

    def disconnect(self, dst: str, port: str) -> Edge:
        """Remove the edge into ``dst``'s ``port``; UnknownPortError if there is none."""
        src = self._inputs.get((dst, port))
        if src is None:
            raise UnknownPortError(f"{self.node(dst).name}.{port} is not connected")
        del self._inputs[(dst, port)]
        data = self._nx[src][dst]
        data["ports"] -= 1
        if data["ports"] == 0:
            self._nx.remove_edge(src, dst)
        edge = Edge(src, dst, port)
        self._forget_order()
        self.edge_removed.emit(edge)
        self._changed()
        return edge

    def move_node(self, node_id: str, x: float, y: float) -> None:
        """Put the node at (x, y): its place breaks ties in the execution order."""
        node = self.node(node_id)
        node.x, node.y = float(x), float(y)
        self._forget_order()  # ties in the order are broken left to right
        self.node_moved.emit(node)
        self._changed(invalidate=False)

    def move_nodes(self, places: Mapping[str, tuple[float, float]]) -> None:
        """Put each node of ``places`` ({id: (x, y)}) there, announced once on
        ``nodes_moved`` (the Nodes), not on node_moved each. Raises UnknownNodeError,
        changing nothing, for an id not in the graph."""
        moved = [self.node(node_id) for node_id in places]
        for node, (x, y) in zip(moved, places.values(), strict=True):
            node.x, node.y = float(x), float(y)
        self._forget_order()  # ties in the order are broken left to right
        self.nodes_moved.emit(moved)
        self._changed(invalidate=False)

    def rename_node(self, node_id: str, name: str) -> None:
        """Give the node ``name``; InvalidNameError or NameTakenError, changing nothing."""
        node = self.node(node_id)
        self.validate_name(name, node_id)
        del self._by_name[node.name]
        node.name = name
        self._by_name[name] = node_id
        self._forget_order()
        self.node_renamed.emit(node)
        self._changed()

    def set_value(self, node_id: str, value: Any) -> None:
        """Set a leaf's value (a number or nested list); ValueParseError, NotALeafError."""
        node = self.node(node_id)
        if not node.is_leaf:
            raise NotALeafError(f"{node.name} is a {node.op} node: its value is computed")
        node.value = parse_value(value)
        self.value_changed.emit(node)
        self._changed(structural=False)

    def set_attrs(self, node_id: str, attrs: Mapping[str, Any]) -> None:
        """Change some of the node's attributes (axis, exponent); AttrError, changing nothing."""
        node = self.node(node_id)
        node.attrs = coerce_attrs(node.spec, {**node.attrs, **attrs})
        self.attrs_changed.emit(node)
        self._changed()

    def set_trainable(self, node_id: str, trainable: bool) -> None:
        """Mark an input as a parameter training changes; NotTrainableError for other ops."""
        node = self.node(node_id)
        if not node.is_input and trainable:
            raise NotTrainableError(f"only input nodes can be trainable, not {node.op}")
        node.trainable = bool(trainable)
        self.attrs_changed.emit(node)
        self._changed(invalidate=False, structural=False)

    def set_output(self, node_id: str | None) -> None:
        """Make ``node_id`` the output (None: the last sink in execution order)."""
        if node_id is not None:
            self.node(node_id)
        self._output = node_id
        self.output_changed.emit(node_id)
        self._changed()

    def _repr_svg_(self) -> str:
        """The graph as SVG text, which Jupyter shows as its picture (model/notebook.py)."""
        from cgeditor.model.notebook import graph_svg  # notebook.py imports this module
        return graph_svg(self)

    # --- bookkeeping --------------------------------------------------------------------
    @contextmanager
    def batch(self) -> Iterator[None]:
        """Many edits announced as one burst: ``batch_started`` before the first and
        ``batch_finished`` after the last (nested batches count once). Every edit inside
        is still announced on its own signal."""
        self._batch_depth += 1
        if self._batch_depth == 1:
            self.batch_started.emit()
        try:
            with collector.paused():  # thousands of lasting objects, no cycles to find
                yield
        finally:
            self._batch_depth -= 1
            if self._batch_depth == 0:
                self.batch_finished.emit()

    def _changed(self, invalidate: bool = True, structural: bool = True) -> None:
        if structural:  # anything a compiled plan depends on: not a leaf's value
            self.structure_version += 1
        if invalidate:
            self.invalidate()
        self.changed.emit()

