"""The editor window: menus, toolbar, docks and the canvas around one Graph document.

The window owns the current Graph and its QUndoStack. File handling (new/open/save/recent,
autosave and recovery, image export) lives in DocumentController (document.py).
"""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QAction, QCloseEvent, QUndoStack
from PySide6.QtWidgets import (
    QDockWidget,
    QGraphicsScene,
    QGraphicsView,
    QMainWindow,
    QMenu,
    QPlainTextEdit,
    QToolBar,
    QWidget,
)

from cgeditor.model.graph import Graph


class MainWindow(QMainWindow):
    """The whole editor; tests and embedders construct it directly."""

    def __init__(self, path: str | None = None, settings: QSettings | None = None) -> None:
        super().__init__()
        self.setObjectName("main_window")
        self.settings = settings if settings is not None else QSettings("cgeditor", "cgeditor")
        self.graph = Graph()
        self.undo_stack = QUndoStack(self)
        self.scene = QGraphicsScene(self)
        self.view = QGraphicsView(self.scene, self)
        self.view.setObjectName("canvas")
        self.setCentralWidget(self.view)
        self.menus: dict[str, QMenu] = {}
        for key, title in (("file", "&File"), ("edit", "&Edit"), ("view", "&View"),
                           ("run", "&Run"), ("help", "&Help")):
            self.menus[key] = self.menuBar().addMenu(title)
        self.toolbar = QToolBar("Main", self)
        self.toolbar.setObjectName("main_toolbar")
        self.addToolBar(self.toolbar)
        self.messages = QPlainTextEdit(self)
        self.messages.setReadOnly(True)
        self._add_dock("messages", "Messages", self.messages,
                       Qt.DockWidgetArea.BottomDockWidgetArea)
        from cgeditor.gui.document import DocumentController
        self.document = DocumentController(self)
        self.document.start(path)

    def _add_dock(self, name: str, title: str, widget: QWidget,
                  area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        return dock

    def action(self, name: str) -> QAction | None:
        """The action with objectName ``name`` (tests and docs find actions this way)."""
        return self.findChild(QAction, name)

    def log(self, text: str) -> None:
        """A line in the messages dock (and the status bar)."""
        self.messages.appendPlainText(text)
        self.statusBar().showMessage(text, 8000)

    def set_graph(self, graph: Graph) -> None:
        """Replace the document: a new graph, a new scene, an empty undo history."""
        self.graph = graph
        self.undo_stack.clear()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.document.maybe_close():
            event.accept()
        else:
            event.ignore()
