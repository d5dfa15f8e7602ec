"""A list of cards the user puts in order: dragged with the mouse (the held card moves under
the pointer as it goes, so where it lands is always on screen) or moved one place at a time
from the keyboard (``move_current``, bound by the window to the shortcut table's keys).

Qt's own drag and drop is not used: it runs a drag loop of its own whose drop position is
only drawn as a thin line, and it cannot be driven by plain mouse events.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QAbstractItemView, QApplication, QListView, QListWidget, QWidget


class CardList(QListWidget):
    """Cards in a column, word-wrapped; ``moved`` says a card changed place (its new row)."""

    moved = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ordering_cards")
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setDragDropMode(QAbstractItemView.DragDropMode.NoDragDrop)
        self.setWordWrap(True)  # a fan-out's sum is longer than the column is wide
        self.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setUniformItemSizes(False)
        self.setSpacing(2)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._held: int | None = None  # the row pressed, while the button is down
        self._press = QPoint()
        self._dragging = False

    def move_current(self, step: int) -> bool:
        """Move the selected card ``step`` places (−1 up, +1 down); False at an end."""
        row = self.currentRow()
        return row >= 0 and self._move(row, row + step)

    def _move(self, row: int, to: int) -> bool:
        if not (0 <= to < self.count()) or to == row:
            return False
        item = self.takeItem(row)
        self.insertItem(to, item)
        self.setCurrentRow(to)
        self.moved.emit(to)
        return True

    def mousePressEvent(self, event: QMouseEvent) -> None:
        super().mousePressEvent(event)  # selects the card pressed
        item = self.itemAt(event.position().toPoint())
        if event.button() == Qt.MouseButton.LeftButton and item is not None:
            self._held, self._press = self.row(item), event.position().toPoint()
            self._dragging = False

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._held is None:
            super().mouseMoveEvent(event)
            return
        pos = event.position().toPoint()
        if not self._dragging:
            far = (pos - self._press).manhattanLength() >= QApplication.startDragDistance()
            if not far:
                return
            self._dragging = True
            self.setCursor(Qt.CursorShape.ClosedHandCursor)
        to = self._row_at(pos.y())
        if self._move(self._held, to):
            self._held = to
        self.scrollToItem(self.item(self._held))

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        self._held = None
        if self._dragging:
            self._dragging = False
            self.unsetCursor()
            return
        super().mouseReleaseEvent(event)

    def _row_at(self, y: int) -> int:
        """The row under viewport height ``y``: the first above the cards, the last below."""
        for row in range(self.count()):  # a dozen cards: no search needed
            if y <= self.visualItemRect(self.item(row)).bottom() + self.spacing():
                return row
        return self.count() - 1
