"""The editor window: menus, toolbar, docks and the canvas around one Graph document.

The window owns the current Graph and its QUndoStack; the scene observes the graph and emits
intent, which the Editor turns into commands. File handling (new/open/save/recent, autosave
and recovery, image export) lives in DocumentController (document.py).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QPointF, QSettings, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QGuiApplication, QUndoStack
from PySide6.QtWidgets import (
    QDockWidget,
    QMainWindow,
    QMenu,
    QPlainTextEdit,
    QToolBar,
    QWidget,
)

from cgeditor.gui import clipboard, shortcuts
from cgeditor.gui.canvas.quick_add import QuickAdd
from cgeditor.gui.canvas.scene import GraphScene
from cgeditor.gui.canvas.view import GraphView
from cgeditor.gui.docks.inspector import Inspector
from cgeditor.gui.docks.palette import Palette
from cgeditor.gui.editor import Editor
from cgeditor.gui.run_controller import RunController
from cgeditor.gui.theme import ThemeMenu
from cgeditor.model.graph import Graph


class MainWindow(QMainWindow):
    """The whole editor; tests and embedders construct it directly."""

    graph_replaced = Signal()  # after set_graph: a new document is showing

    def __init__(self, path: str | None = None, settings: QSettings | None = None) -> None:
        super().__init__()
        self.setObjectName("main_window")
        self.setWindowTitle("cgeditor")
        self.resize(1400, 860)
        self.settings = settings if settings is not None else QSettings("cgeditor", "cgeditor")
        self.graph = Graph()
        self.undo_stack = QUndoStack(self)
        self.editor = Editor(self)
        self.view = GraphView(self)
        self.setCentralWidget(self.view)
        self.scene = self._make_scene(self.graph)
        self.menus: dict[str, QMenu] = {}
        for key, title in (("file", "&File"), ("edit", "&Edit"), ("view", "&View"),
                           ("run", "&Run"), ("help", "&Help")):
            self.menus[key] = self.menuBar().addMenu(title)
        self.toolbar = QToolBar("Main", self)
        self.toolbar.setObjectName("main_toolbar")
        self.toolbar.setMovable(False)
        self.addToolBar(self.toolbar)
        self._make_docks()
        self._make_actions()
        self.quick_add = QuickAdd(self)
        self.quick_add.chosen.connect(self._quick_add_chosen)
        self._quick_add_at = QPointF()
        self.view.op_dropped.connect(self.editor.add_op)
        self.view.quick_add_requested.connect(self._open_quick_add)
        self.undo_stack.indexChanged.connect(self.inspector.refresh)
        self.statusBar().showMessage("Drag ops from the palette, or press Tab on the canvas.")
        self.run = RunController(self)  # Run menu, toolbar, chain-rule and trace docks
        self.run.display_changed.connect(self.inspector.show_run)  # its value and gradient tables
        from cgeditor.gui.extras import install_extras
        install_extras(self)  # formula, layout, code export, gallery, help; icons
        from cgeditor.gui.learn import install_learning
        install_learning(self)  # Learn menu: gradient check, nudge, cost, training docks
        self.theme_menu = ThemeMenu(self, self.menus["view"])  # View > Theme, applied now
        # Room for an input's whole form above the chain-rule dock (restored layouts win).
        self.resizeDocks([self.findChild(QDockWidget, "inspector")], [250],
                         Qt.Orientation.Vertical)
        from cgeditor.gui.document import DocumentController
        self.document = DocumentController(self)
        self.document.start(path)

    # --- construction -------------------------------------------------------------------
    def _make_docks(self) -> None:
        self.palette = Palette(self)
        self.palette.op_activated.connect(
            lambda op: self.editor.add_op(op, self.view.center_scene_pos()))
        self._add_dock("palette", "Ops", self.palette, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.inspector = Inspector(self.editor, self)
        self._add_dock("inspector", "Inspector", self.inspector,
                       Qt.DockWidgetArea.RightDockWidgetArea)
        self.messages = QPlainTextEdit(self)
        self.messages.setReadOnly(True)
        self.messages.setMaximumBlockCount(5000)
        self._add_dock("messages", "Messages", self.messages,
                       Qt.DockWidgetArea.BottomDockWidgetArea)
        self.resizeDocks([self.findChild(QDockWidget, "messages")], [110],
                         Qt.Orientation.Vertical)

    def _add_dock(self, name: str, title: str, widget: QWidget,
                  area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        return dock

    def _new_action(self, name: str, text: str, slot: Callable[[], object],
                    menu: str, toolbar: bool = False) -> QAction:
        action = QAction(text, self)
        action.setObjectName(name)
        action.triggered.connect(lambda _checked=False: slot())
        shortcuts.apply(action)
        self.menus[menu].addAction(action)
        if toolbar:
            self.toolbar.addAction(action)
        return action

    def _make_actions(self) -> None:
        for name, make in (("undo", self.undo_stack.createUndoAction),
                           ("redo", self.undo_stack.createRedoAction)):
            action = make(self, name.capitalize())
            action.setObjectName(name)
            shortcuts.apply(action)
            self.menus["edit"].addAction(action)
            self.toolbar.addAction(action)
        self.menus["edit"].addSeparator()
        for name, text, slot in (
                ("copy", "&Copy", self.copy), ("paste", "&Paste", self.paste),
                ("duplicate", "D&uplicate", self.duplicate),
                ("delete", "&Delete", self.delete_selection),
                ("select_all", "Select &All", self.select_all)):
            self._new_action(name, text, slot, "edit")
        self.toolbar.addSeparator()
        self._new_action("fit", "&Fit Graph", self.fit, "view", toolbar=True)
        self._new_action("zoom_in", "Zoom &In", self.view.zoom_in, "view")
        self._new_action("zoom_out", "Zoom &Out", self.view.zoom_out, "view")
        self.menus["view"].addSeparator()
        for name in ("palette", "inspector", "messages"):
            self.menus["view"].addAction(self.findChild(QDockWidget, name).toggleViewAction())
        # Canvas keys (Delete, F) must not steal keys from the inspector's text fields.
        for name in ("delete", "fit"):
            self.action(name).setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.view.addAction(self.action(name))

    def _make_scene(self, graph: Graph) -> GraphScene:
        scene = GraphScene(graph, self)
        scene.connect_requested.connect(self.editor.connect)
        scene.detach_requested.connect(self.editor.detach)
        scene.reconnect_requested.connect(self.editor.reconnect)
        scene.nodes_moved.connect(self.editor.move)
        scene.selection.changed.connect(self._selection_changed)
        self.view.setScene(scene)
        return scene

    # --- the document seam --------------------------------------------------------------
    def action(self, name: str) -> QAction | None:
        """The action with objectName ``name`` (tests and docs find actions this way)."""
        return self.findChild(QAction, name)

    def log(self, text: str) -> None:
        """A line in the messages dock (and the status bar)."""
        self.messages.appendPlainText(text)
        self.statusBar().showMessage(text, 8000)

    def set_graph(self, graph: Graph) -> None:
        """Replace the document: a new graph, a new scene, an empty undo history."""
        old = self.scene
        old.detach()
        self.graph = graph
        self.undo_stack.clear()
        self.scene = self._make_scene(graph)
        # Dropping the whole scene is far faster than removing 10k items one by one.
        old.nodes.clear()
        old.wires.clear()
        old.deleteLater()
        self.inspector.show_nodes([])
        self.run.attach(graph)
        self.fit()
        self.graph_replaced.emit()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.document.maybe_close():
            event.accept()
        else:
            event.ignore()

    # --- edit actions -------------------------------------------------------------------
    def _selection_changed(self) -> None:
        self.inspector.show_nodes(self.scene.selected_ids())

    def delete_selection(self) -> None:
        self.editor.delete(self.scene.selected_ids())

    def select_all(self) -> None:
        self.scene.select_all()

    def copy(self) -> None:
        ids = self.scene.selected_ids()
        if not ids:
            self.log("Nothing to copy: select some nodes first.")
            return
        QGuiApplication.clipboard().setMimeData(
            clipboard.to_mime(clipboard.snapshot(self.graph, ids)))
        self.statusBar().showMessage(f"Copied {len(ids)} node(s)", 4000)

    def paste(self) -> None:
        try:
            payload, key = clipboard.payload_from_mime(QGuiApplication.clipboard().mimeData())
        except clipboard.ClipboardError as exc:
            self.log(f"Cannot paste: {exc}")
            return
        self.editor.paste_payload(payload, key)

    def duplicate(self) -> None:
        ids = self.scene.selected_ids()
        if ids:
            payload = clipboard.validate(clipboard.snapshot(self.graph, ids))
            self.editor.paste_payload(payload, f"duplicate:{','.join(ids)}")

    def fit(self) -> None:
        self.view.fit_rect(self.scene.graph_rect())

    def _open_quick_add(self, text: str, at: object) -> None:
        self._quick_add_at = self.view.mapToScene(self.view.viewport().mapFromGlobal(at))
        self.quick_add.popup(text, at)

    def _quick_add_chosen(self, op: str) -> None:
        self.editor.add_op(op, self._quick_add_at)
        self.view.setFocus()
