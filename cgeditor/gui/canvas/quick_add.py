"""Quick add: a search popup at the cursor (Tab or typing on the canvas); Enter adds the op.

Ops whose name starts with the text come first, then those that merely contain it.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPoint, Qt, Signal
from PySide6.QtGui import QGuiApplication, QKeyEvent
from PySide6.QtWidgets import QFrame, QLineEdit, QListWidget, QListWidgetItem, QVBoxLayout

from cgeditor.core.ops import REGISTRY
from cgeditor.gui.docks.palette import OP_ROLE, matches, op_label, swatch


def ranked_ops(text: str) -> list[str]:
    """Op names matching ``text``, best first (prefix of the name, then anywhere)."""
    text = text.strip().lower()
    hits = [s for s in REGISTRY.values() if matches(s, text)]
    return [s.name for s in sorted(hits, key=lambda s: (not s.name.startswith(text),
                                                        not s.symbol.lower().startswith(text)))]


class QuickAdd(QFrame):
    """A frameless popup: a search field over a list. ``chosen`` carries the op name."""

    chosen = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Popup)
        self.setObjectName("quick_add")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.field = QLineEdit(self)
        self.field.setPlaceholderText("Add op…")
        self.list = QListWidget(self)
        self.list.setMinimumHeight(220)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.field)
        layout.addWidget(self.list)
        self.resize(240, 280)
        self.field.textChanged.connect(self.refill)
        self.field.installEventFilter(self)
        self.list.itemActivated.connect(self._choose_item)
        self.list.itemClicked.connect(self._choose_item)

    def popup(self, text: str, at: QPoint) -> None:
        """Show the search at global point ``at`` with ``text`` typed, kept on the screen."""
        self.field.setText(text)
        self.refill(text)
        self.move(self._on_screen(at))
        self.show()
        self.field.setFocus()

    def _on_screen(self, at: QPoint) -> QPoint:
        # Near the canvas's bottom or right edge the list would hang off the screen: it
        # opens above or left of the cursor instead, as far as the screen's free area allows.
        screen = QGuiApplication.screenAt(at) or self.screen()
        room = screen.availableGeometry()
        x, y = at.x(), at.y()
        if x + self.width() > room.right() + 1:
            x = at.x() - self.width()
        if y + self.height() > room.bottom() + 1:
            y = at.y() - self.height()
        x = max(room.left(), min(x, room.right() + 1 - self.width()))
        y = max(room.top(), min(y, room.bottom() + 1 - self.height()))
        return QPoint(x, y)

    def refill(self, text: str) -> None:
        self.list.clear()
        for name in ranked_ops(text):
            spec = REGISTRY[name]
            item = QListWidgetItem(swatch(spec.category), op_label(spec))
            item.setData(OP_ROLE, name)
            item.setToolTip(spec.doc)
            self.list.addItem(item)
        if self.list.count():
            self.list.setCurrentRow(0)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Up/Down move through the list while typing continues in the field.
        if watched is self.field and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            key = event.key()
            if key in (Qt.Key.Key_Down, Qt.Key.Key_Up):
                step = 1 if key == Qt.Key.Key_Down else -1
                row = max(0, min(self.list.count() - 1, self.list.currentRow() + step))
                self.list.setCurrentRow(row)
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.accept_current()
                return True
        return super().eventFilter(watched, event)

    def accept_current(self) -> None:
        item = self.list.currentItem()
        if item is not None:
            self._choose_item(item)

    def _choose_item(self, item: QListWidgetItem) -> None:
        self.hide()
        self.chosen.emit(item.data(OP_ROLE))
