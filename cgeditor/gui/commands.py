"""Undoable edits: one QUndoCommand per change, each calling only Graph methods (edits of
many nodes at once: bulk_commands.py).

Callers validate first (can_connect, validate_name, parse_value_text, coerce_attrs), so a
command's redo never meets a refusal. Composite edits are one parent with child commands:
QUndoCommand redoes children in order and undoes them in reverse.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtGui import QUndoCommand

from cgeditor.model.graph import Graph
from cgeditor.model.number_text import true_minus
from cgeditor.model.values import format_value

Point = tuple[float, float]


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def parts_text(nodes: int, wires: int) -> str:
    """'3 nodes, 2 wires': what an edit of many nodes added or removed, in one wording for
    the messages (paste, formula, delete, an opened file)."""
    return f"{plural(nodes, 'node')}, {plural(wires, 'wire')}"


def short(value: Any, width: int = 24) -> str:
    text = true_minus(format_value(value, 6))  # menus and messages: the canvas's minus
    return text if len(text) <= width else text[: width - 1] + "…"


class EditCommand(QUndoCommand):
    """Base of every command here. Children live in a Python list, not as Qt children:
    PySide keeps no ownership link from a C++ parent command to a Python child, so Qt
    parenting would leave either a dangling child or a double delete."""

    reported = False  # a bulk edit the messages told of: its undo and redo are told too

    def __init__(self, text: str, parent: EditCommand | None = None) -> None:
        super().__init__(text)
        self.children_: list[EditCommand] = []
        if parent is not None:
            parent.children_.append(self)

    def redo(self) -> None:
        for child in self.children_:
            child.redo()

    def undo(self) -> None:
        for child in reversed(self.children_):
            child.undo()


class Group(EditCommand):
    """A parent whose children do the work (redo in order, undo in reverse)."""


class AddNode(EditCommand):
    """Create one node with a fixed id, so redo after undo brings back the same node."""

    def __init__(self, graph: Graph, op: str, name: str, x: float, y: float,
                 attrs: Mapping[str, Any] | None = None, value: Any = None,
                 trainable: bool = False, node_id: str | None = None,
                 parent: EditCommand | None = None) -> None:
        super().__init__(f"Add {op}", parent)
        self.graph = graph
        self.node_id = node_id or graph.new_id()
        self.kwargs = dict(op=op, name=name, x=x, y=y, attrs=dict(attrs or {}), value=value,
                           trainable=trainable, node_id=self.node_id)

    def redo(self) -> None:
        self.graph.add_node(**self.kwargs)

    def undo(self) -> None:
        self.graph.remove_node(self.node_id)


class Connect(EditCommand):
    """``text`` is given when the nodes do not exist yet (a paste builds them first);
    ``known_acyclic`` when the caller has checked that the wire closes no cycle."""

    def __init__(self, graph: Graph, src: str, dst: str, port: str,
                 parent: EditCommand | None = None, text: str | None = None,
                 known_acyclic: bool = False) -> None:
        super().__init__(text or f"Connect {wire_text(graph, src, dst, port)}", parent)
        self.graph, self.src, self.dst, self.port = graph, src, dst, port
        self.known_acyclic = known_acyclic

    def redo(self) -> None:
        self.graph.connect(self.src, self.dst, self.port, known_acyclic=self.known_acyclic)

    def undo(self) -> None:
        self.graph.disconnect(self.dst, self.port)


class Disconnect(EditCommand):
    def __init__(self, graph: Graph, dst: str, port: str,
                 parent: EditCommand | None = None) -> None:
        src = graph.source_of(dst, port)
        assert src is not None, "Disconnect needs a connected port"
        super().__init__(f"Disconnect {wire_text(graph, src, dst, port)}", parent)
        self.graph, self.src, self.dst, self.port = graph, src, dst, port

    def redo(self) -> None:
        self.graph.disconnect(self.dst, self.port)

    def undo(self) -> None:  # back to the acyclic state before redo
        self.graph.connect(self.src, self.dst, self.port, known_acyclic=True)


def wire_text(graph: Graph, src: str, dst: str, port: str) -> str:
    return f"{graph.nodes[src].name} → {graph.nodes[dst].name}.{port}"


class RemoveNode(EditCommand):
    """Delete one node; its children first disconnect the wires not already removed.
    Alone it puts the node back in its place on undo; inside DeleteNodes the parent
    restores the order of all of them at once."""

    def __init__(self, graph: Graph, node_id: str, skip: set[tuple[str, str]],
                 parent: EditCommand | None = None) -> None:
        node = graph.node(node_id)
        super().__init__(f"Delete {node.name}", parent)
        self.graph, self.node_id = graph, node_id
        self.kwargs = node_record(graph, node_id)
        self.was_output = graph.explicit_output == node_id
        self.placed = parent is None  # a lone delete restores its own place in the order
        self.index = 0  # its place in the graph's node order, taken when it is removed
        for edge in graph.in_edges(node_id) + graph.out_edges(node_id):
            if (edge.dst, edge.port) not in skip:
                skip.add((edge.dst, edge.port))
                Disconnect(graph, edge.dst, edge.port, self)

    def redo(self) -> None:
        super().redo()
        if self.placed:
            self.index = list(self.graph.nodes).index(self.node_id)
        self.graph.remove_node(self.node_id)

    def undo(self) -> None:
        self.graph.add_node(**self.kwargs)
        if self.placed:
            self.graph.place_at(self.node_id, self.index)
        if self.was_output:
            self.graph.set_output(self.node_id)
        super().undo()


def node_record(graph: Graph, node_id: str) -> dict[str, Any]:
    """The node ``node_id`` as add_node's keywords, to put it back as it was."""
    node = graph.node(node_id)
    return dict(op=node.op, name=node.name, x=node.x, y=node.y, attrs=dict(node.attrs),
                value=node.value, trainable=node.trainable, node_id=node_id)


def connect(graph: Graph, src: str, dst: str, port: str) -> QUndoCommand | None:
    """Connect, replacing the wire a taken port had (one step); None if already so."""
    old = graph.source_of(dst, port)
    if old == src:
        return None
    if old is None:
        return Connect(graph, src, dst, port)
    parent = Group(f"Connect {wire_text(graph, src, dst, port)}")
    Disconnect(graph, dst, port, parent)
    Connect(graph, src, dst, port, parent)
    return parent


def reconnect(graph: Graph, src: str, old_dst: str, old_port: str, dst: str,
              port: str) -> QUndoCommand | None:
    """Move the wire feeding old_dst.old_port to dst.port (replacing what fed it); None
    when dst.port is the wire's own port (nothing to do)."""
    if (dst, port) == (old_dst, old_port):
        return None
    parent = Group(f"Reconnect {wire_text(graph, src, dst, port)}")
    Disconnect(graph, old_dst, old_port, parent)
    if graph.source_of(dst, port) is not None:
        Disconnect(graph, dst, port, parent)
    Connect(graph, src, dst, port, parent)
    return parent


class MoveNodes(EditCommand):
    """A drag of one or many nodes, recorded once on release."""

    def __init__(self, graph: Graph, moves: Mapping[str, tuple[Point, Point]]) -> None:
        what = graph.nodes[next(iter(moves))].name if len(moves) == 1 else \
            plural(len(moves), "node")
        super().__init__(f"Move {what}")
        self.graph, self.moves = graph, dict(moves)

    def redo(self) -> None:
        with self.graph.batch():
            self.graph.move_nodes({node_id: new for node_id, (_old, new) in self.moves.items()})

    def undo(self) -> None:
        with self.graph.batch():
            self.graph.move_nodes({node_id: old for node_id, (old, _new) in self.moves.items()})


class Rename(EditCommand):
    def __init__(self, graph: Graph, node_id: str, name: str) -> None:
        self.old = graph.node(node_id).name
        super().__init__(f"Rename {self.old} to {name}")
        self.graph, self.node_id, self.new = graph, node_id, name

    def redo(self) -> None:
        self.graph.rename_node(self.node_id, self.new)

    def undo(self) -> None:
        self.graph.rename_node(self.node_id, self.old)


class SetValue(EditCommand):
    def __init__(self, graph: Graph, node_id: str, value: Any,
                 parent: EditCommand | None = None) -> None:
        node = graph.node(node_id)
        super().__init__(f"Set {node.name} = {short(value)}", parent)
        self.graph, self.node_id, self.old, self.new = graph, node_id, node.value, value

    def redo(self) -> None:
        self.graph.set_value(self.node_id, self.new)

    def undo(self) -> None:
        self.graph.set_value(self.node_id, self.old)


class SetAttr(EditCommand):
    def __init__(self, graph: Graph, node_id: str, attr: str, value: Any) -> None:
        node = graph.node(node_id)
        shown = "none" if value is None else short(value)
        super().__init__(f"Set {node.name}.{attr} = {shown}")
        self.graph, self.node_id, self.attr = graph, node_id, attr
        self.old, self.new = node.attrs.get(attr), value

    def redo(self) -> None:
        self.graph.set_attrs(self.node_id, {self.attr: self.new})

    def undo(self) -> None:
        self.graph.set_attrs(self.node_id, {self.attr: self.old})


class SetTrainable(EditCommand):
    def __init__(self, graph: Graph, node_id: str, trainable: bool) -> None:
        name = graph.node(node_id).name
        super().__init__(f"Make {name} {'trainable' if trainable else 'fixed'}")
        self.graph, self.node_id, self.new = graph, node_id, trainable

    def redo(self) -> None:
        self.graph.set_trainable(self.node_id, self.new)

    def undo(self) -> None:
        self.graph.set_trainable(self.node_id, not self.new)


class SetOutput(EditCommand):
    """``name`` is given when the node does not exist yet (a group adds it first)."""

    def __init__(self, graph: Graph, node_id: str | None, parent: EditCommand | None = None,
                 name: str | None = None) -> None:
        name = name or (graph.node(node_id).name if node_id else "none")
        super().__init__(f"Use {name} as output", parent)
        self.graph, self.old, self.new = graph, graph.explicit_output, node_id

    def redo(self) -> None:
        self.graph.set_output(self.new)

    def undo(self) -> None:
        self.graph.set_output(self.old)


def reduce_output(graph: Graph, op: str, where: tuple[float, float] | None = None) -> Group:
    """One step: a ``sum`` or ``mean`` node fed by the current output, at ``where`` (default:
    220 right of it), made the new output, so a tensor output becomes the single number
    backward needs."""
    out = graph.node(graph.output)
    name = graph.unique_name("J" if out.name != "J" else "L")
    parent = Group(f"Make the output a scalar: {name} = {op}({out.name})")
    x, y = where if where is not None else (out.x + 220.0, out.y)
    add = AddNode(graph, op, name, x, y, parent=parent)
    Connect(graph, out.id, add.node_id, "x", parent, text=f"Connect {out.name} → {name}.x")
    SetOutput(graph, add.node_id, parent, name=name)
    return parent
