"""The one door for edits: what the user wants (canvas, palette, inspector, paste, formula,
layout, training) becomes exactly one undoable command on the document's undo stack.

Everything is validated against the Graph first; a refusal is reported (messages, status bar,
flash on the canvas) and changes nothing. An accepted edit (not a move) first has the document
settle: a training still running ends, its steps an undo step under the edit, which wins.
Methods return an error text or None. An edit of many nodes at once (paste, duplicate,
formula, layout, a delete of several) leaves one line in the messages saying what it did, in
one wording: "Pasted 3 nodes, 2 wires".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QPointF
from PySide6.QtGui import QUndoCommand

from cgeditor.core.ops import REGISTRY
from cgeditor.gui import bulk_commands as B
from cgeditor.gui import commands as C
from cgeditor.gui import theme as T
from cgeditor.gui.canvas.arrange import scene_layout
from cgeditor.gui.editor_fields import FieldEdits
from cgeditor.gui.overlaps import ROOM_GAPS, body_corner
from cgeditor.gui.placement import (
    formula_parts,
    formula_placement,
    formula_report,
    paste_drop,
)
from cgeditor.gui.remedy_commands import remedy_command
from cgeditor.model import collector, failure_remedy
from cgeditor.model.errors import CycleError, GraphError, SelfLoopError
from cgeditor.model.room import make_room

if TYPE_CHECKING:
    from cgeditor.gui.canvas.scene import GraphScene
    from cgeditor.gui.context import Document
    from cgeditor.model.graph import Graph

PASTE_OFFSET = 40.0


class Editor(FieldEdits):
    """The document's edit operations; each successful one is exactly one undo step.

    ``log`` reports refusals and bulk edits; ``fit`` shows the whole graph after an edit
    that places every node (layout, a formula on an empty canvas), and the node ids it is
    given even where the whole graph is too wide to read; ``reveal`` brings the given node
    ids into view (what a paste, a formula or a scalar output added) keeping what was in
    view where it can; ``room`` is the width and height a fit shows readable,
    which auto layout folds a long graph to fill (None: never fold)."""

    def __init__(self, document: Document, log: Callable[[str], None],
                 fit: Callable[[Iterable[str]], None],
                 room: Callable[[], tuple[float, float]] | None = None,
                 reveal: Callable[[Iterable[str]], None] | None = None) -> None:
        self.document = document
        self.log = log
        self.fit = fit
        self.room = room
        self.reveal = reveal or (lambda _ids: None)
        self._paste_counts: dict[str, int] = {}

    @property
    def graph(self) -> Graph:
        return self.document.graph

    def push(self, command: QUndoCommand | None, inserted: Iterable[str] = ()) -> None:
        """Push ``command`` as one step; if it made nodes grow or added nodes that now cover
        others, the same step moves the covered ones out from under them (see make_room),
        so one undo puts every node back. A node ``inserted`` (added at another's place, on
        the wire into it) pushes what it covers right instead of dropping below it."""
        if command is None:
            return
        scene = self.document.shown_scene()
        scene.take_changes()  # what grew before this edit (an undo, a run) is not its doing
        step = Step(command.text())
        step.children_.append(command)
        self.document.undo_stack.push(step)
        room = self._room(scene, frozenset(inserted))
        if room is not None:
            room.redo()
            step.children_.append(room)

    def report(self, line: str) -> None:
        """Tell the messages what the step just pushed did (a bulk edit); its undo and redo
        are told too."""
        self._mark_reported()
        self.log(line)

    def _mark_reported(self) -> None:
        """The step just pushed was told of: its undo and redo are told too."""
        stack = self.document.undo_stack
        stack.command(stack.index() - 1).reported = True  # type: ignore[attr-defined]

    def undo(self) -> None:
        """Undo one step (Edit > Undo); the undo of a bulk edit leaves a line."""
        self._history(undo=True)

    def redo(self) -> None:
        """Redo one step (Edit > Redo); the redo of a bulk edit leaves a line."""
        self._history(undo=False)

    def _history(self, undo: bool) -> None:
        stack = self.document.undo_stack
        if not undo and not stack.canRedo():
            return  # nothing to bring back: a training runs on
        before = stack.index()
        self.document.settle("Undo" if undo else "Redo")
        if undo and stack.index() > before:
            # A training ended into steps of its own (its values, the room its run took):
            # they are what this Undo takes back, all of them.
            while stack.index() > before:
                stack.undo()
            return
        index = stack.index() - 1 if undo else stack.index()
        if not 0 <= index < stack.count():
            return
        command = stack.command(index)
        if getattr(command, "reported", False):  # first: a re-run's status line wins
            self.log(f"{'Undid' if undo else 'Redid'} {command.text()}")
        if undo:
            stack.undo()
        else:
            stack.redo()

    def keep_apart(self, change: Callable[[], None], title: str) -> None:
        """Do ``change`` (a run painted onto the canvas); if it grew nodes past the rows they
        reserved, push one step ``title`` that moves what they now cover."""
        if Step.running:  # painted while a step is done or undone: the step makes room
            change()
            return
        scene = self.document.shown_scene()
        scene.take_changes()
        change()
        scene.note_outgrown()
        room = self._room(scene)
        if room is not None:
            step = Step(title)
            step.children_.append(room)
            self.document.undo_stack.push(step)

    def _room(self, scene: GraphScene, inserted: frozenset[str] = frozenset()
              ) -> C.MoveNodes | None:
        """The move that clears what the scene's grown and added nodes cover, or None. An
        ``inserted`` node counts as grown from nothing at its left edge: what it covers is
        not in its column before, so make_room pushes it right (and what that covers)."""
        grown, added = scene.take_changes()
        if not grown and not added:
            return None
        outlines = scene.outlines()
        for node_id in inserted & set(added):
            x, y, _w, h = outlines[node_id]
            grown[node_id] = (x, y, 0.0, h)
        added = [node_id for node_id in added if node_id not in inserted]
        nodes = self.graph.nodes
        moves = {}
        for node_id, (x, y) in make_room(outlines, grown, added, ROOM_GAPS).items():
            old = (nodes[node_id].x, nodes[node_id].y)
            new = body_corner(x, y)
            if new != old:
                moves[node_id] = (old, new)
        if not moves:
            return None
        room = C.MoveNodes(self.graph, moves)
        room.setText(f"Make room: move {C.plural(len(moves), 'node')}")
        return room

    def _settle(self) -> None:
        """Before making an accepted edit's command (it reads the graph: an old value, a
        deleted node's record), work writing into the graph ends and keeps what it did."""
        self.document.settle("your edit")

    def refuse(self, reason: str) -> str:
        self.log(f"Refused: {reason}")
        return reason

    # --- nodes --------------------------------------------------------------------------
    def add_op(self, op: str, at: QPointF) -> str | None:
        """Add an ``op`` node whose header is centred on ``at``; its id, or None."""
        if op not in REGISTRY:
            self.refuse(f"unknown op {op!r}")
            return None
        self._settle()
        cmd = C.AddNode(self.graph, op, self.graph.generated_name(op),
                        round(at.x() - T.NODE_WIDTH / 2), round(at.y() - T.HEADER_HEIGHT / 2))
        self.push(cmd)
        self.document.shown_scene().select_ids([cmd.node_id])
        return cmd.node_id

    def delete(self, ids: list[str]) -> None:
        ids = [i for i in dict.fromkeys(ids) if i in self.graph.nodes]
        if not ids:
            return
        self._settle()
        cmd = B.delete_nodes(self.graph, ids)
        self.push(cmd)
        if isinstance(cmd, B.DeleteNodes):  # many: the message counts what went
            self.report(f"Deleted {C.parts_text(len(ids), len(cmd.wires))}")

    def move(self, moves: dict[str, Any]) -> None:
        moves = {k: v for k, v in moves.items() if k in self.graph.nodes}
        if moves:
            self.push(C.MoveNodes(self.graph, moves))

    # --- wires --------------------------------------------------------------------------
    def connect(self, src: str, dst: str, port: str) -> str | None:
        refusal = self.graph.can_connect(src, dst, port)
        if refusal is not None:
            return self._refuse_wire(refusal, src, dst, port)
        self._settle()
        self.push(C.connect(self.graph, src, dst, port))
        return None

    def detach(self, dst: str, port: str) -> None:
        if self.graph.source_of(dst, port) is not None:
            self._settle()
            self.push(C.Disconnect(self.graph, dst, port))

    def reconnect(self, src: str, old_dst: str, old_port: str, dst: str, port: str) -> None:
        """Move the wire src -> old_dst.old_port to dst.port; dropped back on its own port
        it stays as it is."""
        if self.graph.source_of(old_dst, old_port) != src:
            self.refuse(f"there is no wire from {src!r} into {old_dst!r}.{old_port}")
            return
        if (dst, port) == (old_dst, old_port):
            return
        refusal = self.graph.can_connect(src, dst, port)
        if refusal is not None:
            self._refuse_wire(refusal, src, dst, port)
            return
        self._settle()
        self.push(C.reconnect(self.graph, src, old_dst, old_port, dst, port))

    def _refuse_wire(self, refusal: GraphError, src: str, dst: str, port: str) -> str:
        """Light what the refusal names (the cycle the wire would close, or the node asked
        to feed itself) and log its reason."""
        if isinstance(refusal, CycleError):
            self.document.shown_scene().flash(refusal.path, (src, dst, port))
        elif isinstance(refusal, SelfLoopError):
            self.document.shown_scene().flash([src])
        return self.refuse(str(refusal))

    # --- many nodes at once --------------------------------------------------------------
    def paste_payload(self, payload: dict[str, Any], key: str,
                      verb: str = "Pasted") -> list[str]:
        """Paste a validated clipboard payload, each repeat a further step down-right;
        ``verb`` names it in the messages ("Duplicated")."""
        with collector.paused():  # records, outlines, items: 10^5 lasting objects
            return self._paste(payload, key, verb)

    def _paste(self, payload: dict[str, Any], key: str, verb: str) -> list[str]:
        nodes = payload["nodes"]
        if not nodes:  # no step: one adding nothing would still make the output explicit
            self.refuse("cannot paste: the clipboard holds no nodes")
            return []
        self._settle()
        count = self._paste_counts.get(key, 0) + 1
        offset = PASTE_OFFSET * count
        names = B.named(self.graph, nodes)
        outlines = self.document.shown_scene().outlines()
        drop = paste_drop(self.graph, outlines, nodes, names, offset, ROOM_GAPS)
        try:
            cmd, ids = B.add_parts(self.graph, f"Paste {C.plural(len(nodes), 'node')}", nodes,
                                   payload["edges"], offset, offset + drop, names=names,
                                   keep_output=True)
        except GraphError as exc:  # nothing was changed: the command was never pushed
            self.refuse(f"cannot paste: {exc}")
            return []
        self._paste_counts[key] = count
        self.push(cmd)
        self.document.shown_scene().select_ids(ids)
        self.reveal(ids)
        kept = "" if cmd.kept_output is None else \
            f"; {self.graph.nodes[cmd.kept_output].name} stays the output"
        self.report(f"{verb} {C.parts_text(len(ids), len(payload['edges']))}{kept}")
        return ids

    def insert_formula(self, formula: Graph, matched: list[str]) -> list[str]:
        """Add ``formula`` to the right of the graph as one undo step, its inputs named in
        ``matched`` replaced by the graph's nodes of those names; the new node ids."""
        self._settle()
        nodes, wires, feeds = formula_parts(formula, self.graph, matched)
        where = formula_placement(formula, self.graph, matched, self.document.shown_scene(),
                                  self.room() if self.room is not None else None)
        for spec in nodes:
            spec["x"], spec["y"] = where.get(spec["key"], (spec["x"], spec["y"]))
        out = formula.output
        title = f"Insert formula {formula.nodes[out].name}" if out else "Insert formula"
        try:
            cmd, ids = B.add_parts(self.graph, title, nodes, wires, feeds=feeds)
        except GraphError as exc:  # nothing was changed: the command was never pushed
            self.refuse(f"cannot insert the formula: {exc}")
            return []
        alone = not self.graph.nodes  # nothing else the user was looking at
        self.push(cmd)
        self.document.shown_scene().select_ids(ids)
        if alone:
            self.fit(ids)
        else:  # the view moves only as far as shows what came, keeping what was in view
            self.reveal(ids)
        self.report(formula_report(formula, len(ids), len(wires) + len(feeds),
                                   sorted({self.graph.nodes[src].name for src, _, _ in feeds})))
        return ids

    def auto_layout(self) -> int:
        """Arrange the graph by layers, by the nodes' real sizes, as one undo step; how many
        nodes moved."""
        scene, graph = self.document.shown_scene(), self.graph
        scene.reserve_shapes()  # sizes for the graph as it is now, not after a debounce
        room = self.room() if self.room is not None else None
        moves = {node_id: ((graph.nodes[node_id].x, graph.nodes[node_id].y), pos)
                 for node_id, pos in scene_layout(scene, room=room).items()
                 if (graph.nodes[node_id].x, graph.nodes[node_id].y) != pos}
        if moves:
            command = C.MoveNodes(graph, moves)
            command.setText("Auto layout")
            self.push(command)
            self.report(f"Auto layout: moved {len(moves)} of "
                        f"{C.plural(len(graph.nodes), 'node')}")
        else:
            self.log("Auto layout: every node was already in place")
        self.fit(())
        return len(moves)

    def apply_remedy(self, remedy: failure_remedy.Remedy) -> str | None:
        """The failure lab's Apply remedy: ``remedy``'s edits as one undo step, tried on a
        copy of the graph first (a remedy of a graph since changed is refused whole)."""
        try:
            failure_remedy.apply(self.graph.copy(), remedy)
            edits = failure_remedy.edits(self.graph, remedy)
        except (GraphError, KeyError) as exc:
            return self.refuse(f"cannot apply the remedy {remedy.title!r}: {exc}")
        self._settle()
        adds = [edit[1] for edit in edits if edit[0] == "add"]  # in remedy.nodes' order
        inserted = [add["node_id"] for new, add in zip(remedy.nodes, adds) if new.inserted]
        self.push(remedy_command(self.graph, remedy.title, edits), inserted)
        # the node a guard goes before, and the output after it, move right to make room,
        # past the canvas's edge: the fix's numbers are what the lab's run is to show
        self.reveal([add["node_id"] for add in adds] + [
            node for _src, node, _port in remedy.wires if node in self.graph.nodes]
            + [self.graph.output or ""])
        self.report(f"Remedy: {remedy.title}")
        return None

    def set_values(self, values: Mapping[str, Any], title: str) -> None:
        """Set several inputs at once as one undo step called ``title`` ("Train 200 steps"),
        announced as one edit (one re-run of a shown run, not one per input)."""
        parent = B.Bulk(self.graph, title)
        for node_id, value in values.items():
            C.SetValue(self.graph, node_id, value, parent)
        self.push(parent)
        self._mark_reported()  # the caller tells what it did


class Step(C.Group):
    """One undo step as the editor pushes it: the edit, then the moves that make room.
    ``running`` counts the steps being done or undone right now (a run painted meanwhile
    must not push a step of its own into the middle of an undo)."""

    running = 0

    def redo(self) -> None:
        with _stepping():
            super().redo()

    def undo(self) -> None:
        with _stepping():
            super().undo()


@contextmanager
def _stepping() -> Iterator[None]:
    Step.running += 1
    try:
        yield
    finally:
        Step.running -= 1

