"""The failure lab's remedy as one undo step: the model's primitive edits (failure_remedy.edits)
turned into the commands every other edit uses, children of one group."""

from __future__ import annotations

from collections.abc import Sequence

from cgeditor.gui import commands as C
from cgeditor.model.failure_remedy import Edit
from cgeditor.model.graph import Graph


class RemedyStep(C.Group):
    """The remedy's children, and on undo the graph's node order as it was before (the
    order files list nodes in): a node removed and put back would otherwise come last."""

    def __init__(self, graph: Graph, title: str) -> None:
        super().__init__(title)
        self.graph = graph
        self.order: list[str] = []

    def redo(self) -> None:
        self.order = list(self.graph.nodes)
        super().redo()

    def undo(self) -> None:
        super().undo()
        self.graph.reorder(self.order)


def remedy_command(graph: Graph, title: str, edits: Sequence[Edit]) -> C.Group:
    """One group whose children make ``edits`` in order (and undo them in reverse). The
    commands are made before any runs, so each reads the graph as it was: a removed node's
    wires are cut by the disconnects before it (``skip``), and a new output's undo leaves
    the old one to the removed node's own undo, which sets it back once the node is."""
    parent = RemedyStep(graph, title)
    cut: set[tuple[str, str]] = set()
    removed: set[str] = set()
    for kind, *args in edits:
        if kind == "disconnect":
            C.Disconnect(graph, args[0], args[1], parent)
            cut.add((args[0], args[1]))
        elif kind == "remove":
            C.RemoveNode(graph, args[0], cut, parent)
            removed.add(args[0])
        elif kind == "add":
            C.AddNode(graph, parent=parent, **args[0])
        elif kind == "connect":
            C.Connect(graph, *args, parent, text=f"Connect into {args[2]}")
        elif kind == "value":
            C.SetValue(graph, args[0], args[1], parent)
        else:
            output = C.SetOutput(graph, args[0], parent, name=title)
            if output.old in removed:
                output.old = None
    return parent
