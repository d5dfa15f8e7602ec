"""A table whose columns fit its viewport: every column takes the width of its contents, and
when that is wider than the view, only the columns whose cells the tooltip repeats whole
(long values) give up width, down to a floor, so the short ones (a verdict, a method) are
never pushed out of sight behind the horizontal scrollbar."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QHeaderView, QTableWidget, QWidget

PAD = 8  # a cell's margins around its text and the elision, in pixels


class FittedTable(QTableWidget):
    """A read-only QTableWidget with ``labels`` as its columns. ``shrinkable`` are the
    indices of the columns that may narrow, never below the width of ``floor_text``; their
    cells are elided on one line, so a cell's tooltip must carry its whole text."""

    def __init__(self, labels: Sequence[str], shrinkable: Sequence[int], floor_text: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(0, len(labels), parent)
        self.shrinkable = tuple(shrinkable)
        self.floor = self.fontMetrics().horizontalAdvance(floor_text) + PAD
        self.setHorizontalHeaderLabels(list(labels))
        self.verticalHeader().setVisible(False)
        # a cell with a line break ("abs\nrel") gets its lines
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.setWordWrap(False)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)

    def fit_columns(self) -> None:
        """Columns to their contents; if they overflow the view, narrow the shrinkable ones
        equally (none below the floor, none wider than its contents)."""
        self.resizeColumnsToContents()
        header = self.horizontalHeader()
        natural = {col: header.sectionSize(col) for col in self.shrinkable}
        fixed = header.length() - sum(natural.values())
        room = self.viewport().width() - fixed
        if room >= sum(natural.values()) or not natural:
            return
        share = max(self.floor, room // len(natural))
        for col, width in natural.items():
            header.resizeSection(col, min(width, share))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.fit_columns()
