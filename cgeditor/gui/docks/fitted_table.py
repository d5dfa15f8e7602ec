"""A table whose columns fit its viewport: every column takes the width of its contents, and
when that is wider than the view, only the columns whose cells the tooltip repeats whole
(long values) give up width, down to a floor, so the short ones (a verdict, a method) are
never pushed out of sight behind the horizontal scrollbar."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFontMetrics, QResizeEvent
from PySide6.QtWidgets import (
    QHeaderView,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableWidget,
    QWidget,
)

from cgeditor.model.number_text import format_cells

PAD = 8  # a cell's margins around its text and the elision, in pixels
NUMBER_ROLE = Qt.ItemDataRole.UserRole  # a cell's number (float), when it shows one


def fitted_number(value: float, room: float, metrics: QFontMetrics) -> str:
    """``value`` in the most significant digits whose text fits ``room`` pixels."""
    text = ""
    for chars in range(10, 2, -1):
        text = format_cells([value], chars)[0]
        if metrics.horizontalAdvance(text) <= room:
            break
    return text


class NumberFit(QStyledItemDelegate):
    """Paints a narrowed cell's number rounded to fit ('−0.0093'), not cut ('−0.009…')."""

    def initStyleOption(self, option: QStyleOptionViewItem,
                        index: QModelIndex | QPersistentModelIndex) -> None:
        super().initStyleOption(option, index)
        value = index.data(NUMBER_ROLE)
        room = option.rect.width() - PAD
        if value is not None and option.fontMetrics.horizontalAdvance(option.text) > room:
            option.text = fitted_number(float(value), room, option.fontMetrics)


class FittedTable(QTableWidget):
    """A read-only QTableWidget with ``labels`` as its columns. ``shrinkable`` are the
    indices of the columns that may narrow, never below the width of ``floor_text``; their
    cells are elided on one line, so a cell's tooltip must carry its whole text (a cell
    whose NUMBER_ROLE holds its number is rounded to fit instead)."""

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
        self._numbers = NumberFit(self)
        for col in self.shrinkable:
            self.setItemDelegateForColumn(col, self._numbers)

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
