"""The composition root: the editor window, built from the action table (actions.py) and the
controllers, each handed an explicit Context (context.py).

The window owns the Document ``doc`` (graph, scene, undo stack); the scene observes the graph and
emits intent, which the Editor turns into commands. Controllers: DocumentController (files),
RunController (Run menu, trace and chain-rule docks), Learning (Learn docks), DialogLauncher
(dialogs), SelectionActions (Edit menu). None of them looks anything up on the window.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QPoint, QPointF, QSettings, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent
from PySide6.QtWidgets import QMainWindow, QMenu, QToolBar

from cgeditor.gui import actions as A
from cgeditor.gui import theme_switch
from cgeditor.gui.canvas.quick_add import QuickAdd
from cgeditor.gui.canvas.run_paint import paint_run
from cgeditor.gui.canvas.scene import GraphScene
from cgeditor.gui.canvas.view import GraphView
from cgeditor.gui.context import Context, Document
from cgeditor.gui.dialog_launcher import DialogLauncher
from cgeditor.gui.dock_layout import arrange_docks, keep_graph_whole
from cgeditor.gui.docks.inspector import Inspector
from cgeditor.gui.docks.palette import OpPalette
from cgeditor.gui.document import DocumentController
from cgeditor.gui.editor import Editor
from cgeditor.gui.focus_return import FocusReturn
from cgeditor.gui.forward_mode import ForwardMode
from cgeditor.gui.learn import Learning
from cgeditor.gui.messages import MessageLog
from cgeditor.gui.overlaps import parted_places
from cgeditor.gui.run_controller import RunController
from cgeditor.gui.selection_actions import SelectionActions
from cgeditor.gui.status_line import StatusLine
from cgeditor.model.graph import Graph
from cgeditor.model.run import RunState

Area = Qt.DockWidgetArea


class MainWindow(QMainWindow):
    """The whole editor; tests and embedders construct it directly."""

    closed = Signal()  # the window closed (not cancelled): cgeditor.show returns then

    def __init__(self, path: str | None = None, settings: QSettings | None = None,
                 graph: Graph | None = None) -> None:
        super().__init__()
        self.setObjectName("main_window")
        self.setWindowTitle("cgeditor")
        self.resize(1400, 860)
        self.settings = settings if settings is not None else QSettings("cgeditor", "cgeditor")
        self.doc = Document(Graph(), self)  # graph, scene and undo stack
        self._unasked = False  # closing on a signal: nobody to ask about unsaved changes
        self.undo_stack = self.doc.undo_stack
        self.setStatusBar(StatusLine(self))  # before anything shows a message in it
        self.view = GraphView(self)
        self.setCentralWidget(self.view)
        self.editor = Editor(self.doc, self.log, self.view.fit_graph, self.view.readable_room,
                             self.view.reveal_nodes)
        self.menus: dict[str, QMenu] = A.make_menus(self)
        self.toolbar = QToolBar("Main", self)
        self.toolbar.setObjectName("main_toolbar")
        self.toolbar.setMovable(False)
        self.ctx = Context(self.doc, self.editor, self.view, self.log, self.log_lines,
                           self._status,
                           self.menus, self.toolbar, self.settings, self)
        self.doc.replaced.connect(self._show_document)  # first: later followers see it
        self._show_document(self.doc.graph)
        self._make_docks()
        self._make_controllers()
        self._make_actions()
        self.statusBar().showMessage("Drag ops from the palette, or press Tab on the canvas.")
        arrange_docks(self, self.view)  # the canvas gets most of the window (restored layouts win)
        self.focus_return = FocusReturn(self, self.view)  # after dialogs, without a WM too
        if graph is not None:
            self.document.start_with(graph)
        else:
            self.document.start(path)
        self.dialogs.offer_hint()

    # --- construction -------------------------------------------------------------------
    def _make_docks(self) -> None:
        self.palette = OpPalette(self)
        self.palette.op_activated.connect(
            lambda op: self.editor.add_op(op, self.view.center_scene_pos()))
        self.ctx.add_dock("palette", "Ops", self.palette, Area.LeftDockWidgetArea)
        self.inspector = Inspector(self.editor, self)
        self.ctx.add_dock("inspector", "Inspector", self.inspector, Area.RightDockWidgetArea)
        self.messages = MessageLog(self)
        self.ctx.add_dock("messages", "Messages", self.messages, Area.BottomDockWidgetArea)
        self.undo_stack.indexChanged.connect(self.inspector.refresh)
        self.quick_add = QuickAdd(self)
        self.quick_add.chosen.connect(self._quick_add_chosen)
        self._quick_add_at = QPointF()
        self.view.op_dropped.connect(self.editor.add_op)
        self.view.quick_add_requested.connect(self._open_quick_add)

    def _make_controllers(self) -> None:
        self.document = DocumentController(self.ctx)
        self.run = RunController(self.ctx)
        self.run.published.connect(self._show_run)  # before the Learn docks draw over it
        self.forward_mode = ForwardMode(self.ctx, self.run)
        self.learning = Learning(self.ctx, self.run, self.document.open_example)
        self.dialogs = DialogLauncher(self.ctx, self.document, self.run.published)
        self.selection = SelectionActions(self.ctx)

    def _make_actions(self) -> None:
        owners = {"document": self.document, "run": self.run, "forward_mode": self.forward_mode,
                  "scalar_fix": self.run.scalar_fix, "learn": self.learning,
                  "dialogs": self.dialogs, "selection": self.selection, "editor": self.editor,
                  "view": self.view, "history": self.undo_stack, "window": self}
        self.theme_menu = theme_switch.ThemeMenu(self, self.menus["theme"])  # applied now
        slots = {"recent": self.document.recent_menu, "play_speed": self.run.speed,
                 "formula_field": self.dialogs.field}
        self.actions = A.build(self, owners, self.menus, self.toolbar, slots)
        self.addToolBar(self.toolbar)
        A.follow_history(self.actions["undo"], self.actions["redo"], self.undo_stack)
        A.canvas_shortcuts(self.actions, self.view)
        self.run.live_changed.connect(self.actions["live"].setChecked)
        self.run.playing_changed.connect(self.actions["play"].setChecked)
        stop = self.actions["stop_training"]
        stop.setEnabled(False)
        self.learning.training_changed.connect(stop.setEnabled)
        self.learning.practice_changed.connect(self.actions["practice"].setChecked)
        self.learning.practice_changed.connect(self.dialogs.hide_hint)
        moves = [self.actions[name] for name in ("ordering_up", "ordering_down")]
        self.learning.ordering.take_keys(*moves)
        for move in moves:
            move.setEnabled(False)
            self.learning.ordering_changed.connect(move.setEnabled)
        self.learning.ordering_changed.connect(self.dialogs.hide_hint)
        self.actions["backward"].triggered.connect(self.dialogs.backward_pressed)
        self.run.scalar_fix.use_actions(self.actions)
        self.forward_mode.use_action(self.actions["forward_mode"])

    def _show_document(self, graph: Graph) -> None:
        """A new scene for the document's graph (the old one is dropped whole)."""
        old = self.doc.scene
        scene = GraphScene(graph, self, part=parted_places if self.doc.opening else None)
        scene.connect_requested.connect(self.editor.connect)
        scene.detach_requested.connect(self.editor.detach)
        scene.reconnect_requested.connect(self.editor.reconnect)
        scene.nodes_moved.connect(self.editor.move)
        scene.selection.changed.connect(self._selection_changed)
        self.doc.scene = scene
        self.view.setScene(scene)
        if old is not None:
            old.detach()
            # Dropping the whole scene is far faster than removing 10k items one by one.
            old.nodes.clear()
            old.wires.clear()
            old.deleteLater()
            self.inspector.show_nodes([])
            keep_graph_whole(self, self.view)
            self.view.fit_graph()

    # --- the document seam --------------------------------------------------------------
    @property
    def graph(self) -> Graph:
        return self.doc.graph

    @property
    def scene(self) -> GraphScene:
        return self.ctx.scene

    def action(self, name: str) -> QAction | None:
        """The action with objectName ``name`` (tests and docs find actions this way)."""
        return self.findChild(QAction, name)

    def log(self, text: str) -> None:
        """A line in the messages dock (a repeat of the last one counted on its line) and
        the status bar."""
        self.statusBar().showMessage(self.messages.add(text), 8000)

    def log_lines(self, texts: Sequence[str]) -> None:
        """``log`` for each of ``texts``, the dock appended to once."""
        if texts:
            self.statusBar().showMessage(self.messages.add_many(texts), 8000)

    def _status(self, text: str, ms: int) -> None:
        self.statusBar().showMessage(text, ms)

    def set_graph(self, graph: Graph) -> None:
        """Replace the document: a new graph, a new scene, an empty undo history."""
        self.doc.replace(graph)

    def fit(self) -> None:
        self.view.fit_graph()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._unasked or self.document.maybe_close():
            event.accept()
            self.closed.emit()
        else:
            event.ignore()

    def close_unasked(self) -> None:
        """Close without a prompt, unsaved work kept for recovery (a signal to quit)."""
        self.document.close_unasked()
        self._unasked = True
        self.close()

    # --- canvas -------------------------------------------------------------------------
    def _show_run(self, state: RunState) -> None:
        """The published run on the canvas and in the inspector's number tables."""
        # The rows a run fills are reserved from inferred shapes; where inference could not
        # tell (a graph past the reserve limit), a grown node pushes its neighbours away.
        self.editor.keep_apart(lambda: paint_run(self.scene, state.display, self.graph),
                               "Make room for the run's values")
        self.inspector.show_run(state.display)

    def _selection_changed(self) -> None:
        self.inspector.show_nodes(self.scene.selected_ids())

    def _open_quick_add(self, text: str, at: QPoint) -> None:
        self._quick_add_at = self.view.mapToScene(self.view.viewport().mapFromGlobal(at))
        self.quick_add.popup(text, at)

    def _quick_add_chosen(self, op: str) -> None:
        self.editor.add_op(op, self._quick_add_at)
        self.view.setFocus()
