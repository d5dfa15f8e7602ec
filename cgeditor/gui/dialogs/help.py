"""Help: the keyboard shortcuts table (every binding of shortcuts.SHORTCUTS plus the canvas
gestures), the About box, and the first-run hint shown over the canvas on the seed example.
"""

from __future__ import annotations

import platform

import numpy
from PySide6 import __version__ as pyside_version
from PySide6.QtCore import QEvent, QObject, QSettings, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from cgeditor import __version__
from cgeditor.gui import shortcuts
from cgeditor.gui import theme as T

GESTURES: tuple[tuple[str, str], ...] = (
    ("Quick add an op at the cursor", "Tab, or start typing on the canvas"),
    ("Zoom at the cursor", "Mouse wheel"),
    ("Pan", "Middle-drag, or hold Space and drag"),
    ("Connect two nodes", "Drag from an output port to an input port"),
    ("Replace a wire", "Drop a new wire on a taken input port"),
    ("Detach a wire", "Drag it off its input port"),
    ("Select several nodes", "Ctrl/Shift+click, or drag a rubber band"),
    ("Delete the selection and its wires", "Delete"),
    ("Add an op at the view centre", "Double-click it in the palette"),
)
HINT_KEY = "hints/first_run_dismissed"


def action_title(name: str, window: QWidget | None = None) -> str:
    """What the action called ``name`` is called in the menus ("save_as" -> "Save As…")."""
    action = window.findChild(QAction, name) if window is not None else None
    if action is not None and action.text():
        return action.text().replace("&&", "\0").replace("&", "").replace("\0", "&")
    return name.replace("_", " ").capitalize()


def _on_real_keyboards(key: QKeySequence) -> bool:
    """False for the bindings Qt adds for vendor keys (F13+, the Sun Copy/Paste keys, media
    keys labelled "New" or "Save"): few keyboards have them, and they bury the real ones."""
    code = key[0].key().value if key.count() else 0
    return not (code >= Qt.Key.Key_F13.value and code not in _KEEP)


_KEEP = frozenset(k.value for k in (Qt.Key.Key_Space, Qt.Key.Key_Tab))


def keys_text(name: str) -> str:
    return ", ".join(k.toString(QKeySequence.SequenceFormat.NativeText)
                     for k in shortcuts.sequences(name) if _on_real_keyboards(k))


def _menu_titles(window: QWidget | None) -> dict[str, str]:
    """objectName -> title of the top menu that holds the action (File, Edit, …)."""
    titles: dict[str, str] = {}
    bar = window.menuBar() if isinstance(window, QMainWindow) else None
    menus = [a.menu() for a in bar.actions() if a.menu() is not None] if bar else []
    for menu in menus:
        title = menu.title().replace("&", "")
        stack = [menu]
        while stack:
            for action in stack.pop().actions():
                titles.setdefault(action.objectName(), title)
                if action.menu() is not None:
                    stack.append(action.menu())
    return titles


def shortcut_rows(window: QWidget | None = None) -> list[tuple[str, str, str]]:
    """(menu, what, keys) for every table binding, then every canvas gesture."""
    where = _menu_titles(window)
    rows = [(where.get(name, ""), action_title(name, window), keys_text(name))
            for name in shortcuts.SHORTCUTS if keys_text(name)]
    rows += [("Canvas", what, how) for what, how in GESTURES]
    return rows


class ShortcutsDialog(QDialog):
    """Help > Keyboard shortcuts: one searchable table."""

    def __init__(self, window: QWidget | None = None) -> None:
        super().__init__(window)
        self.setObjectName("shortcuts_dialog")
        self.setWindowTitle("Keyboard shortcuts")
        self.filter = QLineEdit(self)
        self.filter.setObjectName("shortcuts_filter")
        self.filter.setPlaceholderText("Search actions and keys…")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self._apply_filter)
        self.table = QTableWidget(0, 3, self)
        self.table.setObjectName("shortcuts_table")
        self.table.setHorizontalHeaderLabels(["", "Action", "Keys"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        for row, values in enumerate(shortcut_rows(window)):
            self.table.insertRow(row)
            for column, text in enumerate(values):
                self.table.setItem(row, column, QTableWidgetItem(text))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.filter)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        self.resize(620, 640)

    def _apply_filter(self, text: str) -> None:
        needle = text.strip().lower()
        for row in range(self.table.rowCount()):
            line = " ".join(self.table.item(row, c).text() for c in range(3)).lower()
            self.table.setRowHidden(row, bool(needle) and needle not in line)

    def visible_rows(self) -> list[tuple[str, str, str]]:
        return [tuple(self.table.item(r, c).text() for c in range(3))  # type: ignore[misc]
                for r in range(self.table.rowCount()) if not self.table.isRowHidden(r)]


def about_html() -> str:
    return (f"<h3>cgeditor {__version__}</h3>"
            "<p>Build computation graphs, run them forward and backward, and see every value "
            "and gradient. Type formulas in; get NumPy or PyTorch code and pictures out.</p>"
            f"<p>Python {platform.python_version()} · PySide6 {pyside_version} · "
            f"NumPy {numpy.__version__}</p><p>MIT licence.</p>")


class AboutDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("about_dialog")
        self.setWindowTitle("About cgeditor")
        label = QLabel(about_html(), self)
        label.setObjectName("about_text")
        label.setWordWrap(True)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(label)
        layout.addWidget(buttons)
        self.setMinimumWidth(420)


class FirstRunHint(QFrame):
    """A small banner over the top of the canvas; dismissing it is remembered in settings."""

    dismissed = Signal()

    def __init__(self, canvas: QWidget, settings: QSettings,
                 text: str = "Press <b>Forward (F5)</b>, then <b>Backward (F6)</b> to see "
                             "every value and gradient.") -> None:
        super().__init__(canvas)
        self.setObjectName("first_run_hint")
        self.settings = settings
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet(T.HINT_STYLE)
        self.label = QLabel(text, self)
        close = QPushButton("Got it", self)
        close.setObjectName("first_run_hint_close")
        close.setCursor(Qt.CursorShape.PointingHandCursor)
        close.clicked.connect(self.dismiss)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 6, 6, 6)
        layout.addWidget(self.label)
        layout.addWidget(close)
        canvas.installEventFilter(self)
        self.adjustSize()
        self._place()

    @staticmethod
    def was_dismissed(settings: QSettings) -> bool:
        return settings.value(HINT_KEY, False, type=bool)

    def dismiss(self) -> None:
        self.settings.setValue(HINT_KEY, True)
        self.hide()
        self.dismissed.emit()
        self.deleteLater()

    def _place(self) -> None:
        canvas = self.parentWidget()
        self.move(max(8, (canvas.width() - self.width()) // 2), 12)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.parentWidget() and event.type() == QEvent.Type.Resize:
            self._place()
        return False


def show_first_run_hint(canvas: QWidget, settings: QSettings) -> FirstRunHint | None:
    """The hint over ``canvas`` unless it was dismissed before."""
    if FirstRunHint.was_dismissed(settings):
        return None
    hint = FirstRunHint(canvas, settings)
    hint.show()
    hint.raise_()
    return hint
