"""Undoable edits of many nodes at once: paste, duplicate and formula insert (AddParts), a
delete of several (DeleteNodes), and Bulk, a group run as one batch.

The records are plain (each node as add_node takes it, each wire as (src, dst, port)), not a
child command per node and wire: 30k QUndoCommands cost a 10k-node edit a third of a second
to make. Adding many goes through Graph.add_parts: checked once for the whole set, written in
bulk and announced once, so the canvas builds the items and wires in one pass.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from operator import itemgetter
from typing import Any

from PySide6.QtGui import QUndoCommand

from cgeditor.gui.commands import EditCommand, Group, RemoveNode, node_record, plural
from cgeditor.model.errors import CycleError
from cgeditor.model.graph import Graph
from cgeditor.model.graph_adding import CheckedParts


class Bulk(Group):
    """A Group of many node edits, run inside ``graph.batch()`` so the canvas and docks
    hold their per-node work (selection, wire routing) and do it once."""

    def __init__(self, graph: Graph, text: str) -> None:
        super().__init__(text)
        self.graph = graph

    def redo(self) -> None:
        with self.graph.batch():
            super().redo()

    def undo(self) -> None:
        with self.graph.batch():
            super().undo()


class DeleteNodes(EditCommand):
    """Delete many nodes as one step, in one batch, kept as plain records. Undo puts the
    nodes and their wires back with one add_parts (the wires are those of the state before,
    which was acyclic) and restores the graph's node order in one pass (the order files list
    nodes in)."""

    def __init__(self, graph: Graph, ids: list[str]) -> None:
        super().__init__(f"Delete {plural(len(ids), 'node')}")
        self.graph = graph
        self.nodes = [node_record(graph, node_id) for node_id in ids]
        self.wires = [(e.src, e.dst, e.port) for e in graph.edges_touching(ids)]
        self.output = graph.explicit_output if graph.explicit_output in ids else None
        self.order: list[str] = []

    def redo(self) -> None:
        graph = self.graph
        self.order = list(graph.nodes)
        with graph.batch():
            graph.remove_parts(record["node_id"] for record in self.nodes)

    def undo(self) -> None:
        graph = self.graph
        with graph.batch():
            graph.add_parts(reversed(self.nodes), reversed(self.wires), known_acyclic=True)
            if self.output is not None:
                graph.set_output(self.output)
            graph.reorder(self.order)


def delete_nodes(graph: Graph, ids: Iterable[str]) -> QUndoCommand:
    """One step that deletes the nodes with every wire touching them."""
    ids = [i for i in dict.fromkeys(ids) if i in graph.nodes]
    if len(ids) == 1:
        return RemoveNode(graph, ids[0], set())
    return DeleteNodes(graph, ids)


def named(graph: Graph, nodes: Iterable[Mapping[str, Any]]) -> list[str]:
    """The names add_parts gives the node specs ``nodes`` (each its own where free, else a
    numbered one), to hand it as ``names``. Name a paste once, before placing it by the
    names' widths: naming it again moves the graph's numbering on, so the nodes added would
    skip numbers."""
    return graph.unique_names(spec["name"] for spec in nodes)


def add_parts(graph: Graph, title: str, nodes: Iterable[Mapping[str, Any]],
              wires: Iterable[Mapping[str, str]], dx: float = 0.0, dy: float = 0.0,
              feeds: Iterable[tuple[str, str, str]] = (), names: Sequence[str] | None = None,
              keep_output: bool = False) -> tuple[AddParts, list[str]]:
    """One step adding ``nodes`` (fresh ids; each keeps its name where free, else a numbered
    one) moved by (dx, dy), the ``wires`` among them, and ``feeds``: wires (existing node id,
    key, port) from nodes already in the graph. ``nodes`` carry a "key" that ``wires`` and
    ``feeds`` refer to. Paste, duplicate and formula insert all build their step here;
    returns the command and the new ids, in ``nodes`` order. ``names``: the nodes' names
    as ``named`` gave them (else they are named here). ``keep_output``: the step also makes
    the graph's implicit output its explicit one (see AddParts). Raises GraphError
    (InvalidNameError, CycleError, …) before building anything the redo could refuse."""
    nodes = list(nodes)
    names = named(graph, nodes) if names is None else names
    drawn = graph.new_ids(len(nodes))
    ids = dict(zip([spec["key"] for spec in nodes], drawn))
    records = [{"op": spec["op"], "name": name, "x": spec["x"] + dx, "y": spec["y"] + dy,
                "attrs": dict(spec.get("attrs") or {}), "value": spec.get("value"),
                "trainable": spec.get("trainable", False), "node_id": node_id}
               for spec, name, node_id in zip(nodes, names, drawn, strict=True)]
    links = [(ids[src], ids[dst], port)
             for src, dst, port in map(itemgetter("src", "dst", "port"), wires)]
    links += [(src, ids[key], port) for src, key, port in feeds]
    try:  # all at once, as the redo will add them: refused here, before the stack sees it
        checked = graph.check_parts(records, links)
    except CycleError as exc:  # only the new wires can close one: they all end at new nodes
        raise CycleError("the pasted wires form a cycle", exc.path) from None
    kept = graph.output if keep_output and graph.explicit_output is None else None
    return AddParts(graph, title, records, links, checked, kept), list(ids.values())


class AddParts(EditCommand):
    """Many new nodes (add_node's keywords) and wires into them, added as one step with one
    add_parts. Every wire ends at a new node and add_parts (the function) checked the new
    wiring, so no cycle can close. The first redo, right after that check, adds the parts
    it checked (``checked``); any later redo checks them again.

    ``kept_output``: the graph's implicit output (the last sink in execution order), made
    explicit by the same step. A paste or duplicate adds sinks, and one of them landing
    below or right of the output would otherwise silently become J: every value and
    gradient shown would change although nothing the user built did."""

    def __init__(self, graph: Graph, title: str, nodes: list[dict[str, Any]],
                 links: list[tuple[str, str, str]], checked: CheckedParts | None = None,
                 kept_output: str | None = None) -> None:
        super().__init__(title)
        self.graph, self.nodes, self.links = graph, nodes, links
        self.checked, self.kept_output = checked, kept_output

    def redo(self) -> None:
        checked, self.checked = self.checked, None
        with self.graph.batch():
            if checked is not None and checked.fresh(self.graph):
                self.graph.add_checked(checked)
            else:
                self.graph.add_parts(self.nodes, self.links, known_acyclic=True)
            if self.kept_output is not None:
                self.graph.set_output(self.kept_output)

    def undo(self) -> None:
        with self.graph.batch():  # the nodes take their wires with them
            if self.kept_output is not None:
                self.graph.set_output(None)
            self.graph.remove_parts(record["node_id"] for record in reversed(self.nodes))
