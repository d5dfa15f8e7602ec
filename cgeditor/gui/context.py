"""What every controller of a window is handed: the open document and the window's services.

Controllers receive a Context from the composition root (window.py) and never look anything
up on the window. They follow a new document through ``Document.replaced`` and learn that
the numbers they show went stale through ``Document.edited``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSettings, Qt, Signal
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QDockWidget, QMainWindow, QMenu, QToolBar, QWidget

from cgeditor.model.graph import Graph

if TYPE_CHECKING:
    from cgeditor.gui.canvas.scene import GraphScene
    from cgeditor.gui.canvas.view import GraphView
    from cgeditor.gui.editor import Editor

# The model's announcements that make derived numbers (results, checks, costs) stale. Not
# node_moved or nodes_moved: a move changes no number.
EDIT_SIGNALS = ("node_added", "node_removed", "node_renamed", "value_changed",
                "attrs_changed", "edge_added", "edge_removed", "output_changed", "parts_added",
                "parts_removed")


class Document(QObject):
    """The open document: its graph, the scene that shows it and its undo history.

    ``replace`` installs another graph with an empty history; ``replaced`` then tells every
    follower (the window's scene builder first, since it connects first). ``edited`` comes
    once per edit, and once per batch of edits (``Graph.batch``); ``structural`` then says
    whether it changed the graph's structure (nodes, wires, attrs, names) or only values.
    ``settling`` comes before an edit, an Undo or Redo, or a close or replace, while the
    graph is still as it was (``settle``)."""

    replaced = Signal(object)  # the new Graph
    settling = Signal(str)  # what is about to change the graph: 'your edit', 'Undo', …
    edited = Signal()  # the graph or a value changed (not a move)
    moved = Signal()  # nodes moved (once per batch): the order, and so the output, may change

    def __init__(self, graph: Graph, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.graph = graph
        self.undo_stack = QUndoStack(self)
        self.scene: GraphScene | None = None
        self.opening = False  # see replace
        self._follow(graph)

    def shown_scene(self) -> GraphScene:
        """The scene showing the graph (the window builds one before any controller)."""
        assert self.scene is not None, "the window builds the scene first"
        return self.scene

    def replace(self, graph: Graph, opening: bool = False) -> None:
        """Make ``graph`` the document: the old history goes, every follower hears of it.
        ``opening``: a file or example is being opened, so nodes its saved places put on
        others are moved apart as the scene is built (``opening`` says so meanwhile)."""
        self._unfollow(self.graph)
        self.graph = graph
        self.undo_stack.clear()
        self._follow(graph)
        self.opening = opening
        try:
            self.replaced.emit(graph)
        finally:
            self.opening = False

    def settle(self, cause: str) -> None:
        """Work that writes into the graph over time (a training) ends now, ahead of
        ``cause`` ('your edit', 'Undo', 'closing'): what it did so far becomes an undo step
        of its own, so the edit that follows lands on top of it and wins, and nothing it
        did is lost. Called before the edit's command is made (it reads the graph)."""
        self.settling.emit(cause)

    def _note_edit(self, *_args: object) -> None:
        self._dirty = True

    def _announce_edit(self) -> None:
        # On ``changed``, which comes after the edit's own signal: the scene has shown the
        # edit by then. A move changes no number, so it announces nothing.
        if not self._dirty:  # a move: no number changed, though the order may have
            if not self._batch:
                self._version = self.graph.structure_version
                self.moved.emit()
            return
        if not self._batch:  # a 10k-node paste is one edit to the docks
            self._dirty = False
            version = self.graph.structure_version
            self.structural, self._version = version != self._version, version
            self.edited.emit()

    def announce_structural(self) -> None:
        """Tell the followers that what they show no longer fits the graph, as a structural
        edit would: a move that handed the output to another sink."""
        self.structural = True
        self.edited.emit()

    def _batch_started(self) -> None:
        self._batch = True

    def _batch_finished(self) -> None:
        self._batch = False
        self._announce_edit()

    def _handlers(self) -> list[tuple[str, Callable[..., None]]]:
        return [*((name, self._note_edit) for name in EDIT_SIGNALS),
                ("changed", self._announce_edit), ("batch_started", self._batch_started),
                ("batch_finished", self._batch_finished)]

    def _follow(self, graph: Graph) -> None:
        self._batch = self._dirty = self.structural = False
        self._version = graph.structure_version
        for name, handler in self._handlers():
            getattr(graph, name).connect(handler)

    def _unfollow(self, graph: Graph) -> None:
        for name, handler in self._handlers():
            getattr(graph, name).disconnect(handler)


@dataclass
class Context:
    """The window's services a controller may use, handed over explicitly."""

    document: Document
    editor: Editor
    view: GraphView
    log: Callable[[str], None]  # a line in the messages dock and the status bar
    log_lines: Callable[[Sequence[str]], None]  # ``log`` for each, the dock appended to once
    status: Callable[[str, int], None]  # a transient status-bar message (text, ms)
    menus: dict[str, QMenu]
    toolbar: QToolBar
    settings: QSettings
    window: QMainWindow  # the parent of docks and dialogs, never a place to look things up

    @property
    def graph(self) -> Graph:
        return self.document.graph

    @property
    def scene(self) -> GraphScene:
        return self.document.shown_scene()

    def add_dock(self, name: str, title: str, widget: QWidget,
                 area: Qt.DockWidgetArea) -> QDockWidget:
        """A dock named ``name`` holding ``widget``, its toggle under View > Panels."""
        dock = QDockWidget(title, self.window)
        dock.setObjectName(name)
        dock.setWidget(widget)
        self.window.addDockWidget(area, dock)
        panels = self.menus.get("panels")
        if panels is not None:
            panels.addAction(dock.toggleViewAction())
        return dock
