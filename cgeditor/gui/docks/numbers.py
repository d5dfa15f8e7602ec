"""Every number of the selected node's value and gradient, as tables in the inspector: a
tensor's entries by row and column (the last axis across), copyable as tab-separated text
that a spreadsheet or numpy.loadtxt reads back."""

from __future__ import annotations

from typing import Any

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from cgeditor.gui.docks.follow import StaleNote
from cgeditor.gui.keep_together import WrapLabel
from cgeditor.model.number_text import format_as, format_full, needs_scientific, value_shape

Index = QModelIndex | QPersistentModelIndex
VISIBLE_ROWS = 6  # a table shows this many rows before it scrolls
DIGITS = 6  # significant digits a table's cell shows


def as_table(value: Any) -> np.ndarray:
    """``value`` as a 2-D float array: a scalar is 1×1, a vector one row, higher ranks stack
    every axis but the last."""
    arr = np.asarray(value, dtype=np.float64)
    if arr.ndim == 0:
        return arr.reshape(1, 1)
    if arr.ndim == 1:
        return arr.reshape(1, -1)
    return arr.reshape(-1, arr.shape[-1])


def to_tsv(value: Any) -> str:
    """Tab-separated rows of ``value``'s table, each number in its shortest round-trip form
    with an ASCII minus (what spreadsheets parse); −0.0 as 0.0, as every number is shown."""
    return "\n".join("\t".join(repr(float(x) + 0.0) for x in row) for row in as_table(value)) + "\n"


class ArrayModel(QAbstractTableModel):
    """A read-only table over a 2-D array; cells formatted when shown (big tensors): six
    significant digits in one notation for the whole table (chosen when the value is set),
    the shortest round-trip form in the tooltip."""

    def __init__(self) -> None:
        super().__init__()
        self.array = np.zeros((0, 0))
        self.scientific = False

    def set_value(self, value: Any) -> None:
        self.beginResetModel()
        self.array = np.zeros((0, 0)) if value is None else as_table(value)
        self.scientific = needs_scientific(self.array, DIGITS)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else self.array.shape[0]

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self.array.shape[1]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        if role == Qt.ItemDataRole.DisplayRole:  # 6 digits read; hover and TSV give them all
            return format_as(self.array[index.row(), index.column()], DIGITS, self.scientific)
        if role == Qt.ItemDataRole.ToolTipRole:
            return format_full(self.array[index.row(), index.column()])
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        return str(section) if role == Qt.ItemDataRole.DisplayRole else None


class NumberTable(QWidget):
    """A title ('∂J/∂W  (2, 2)'), the table, and a Copy as TSV button."""

    def __init__(self, kind: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.value: Any = None
        self.title = QLabel(self)
        self.title.setObjectName(f"{kind}_table_title")
        self.model = ArrayModel()
        self.view = QTableView(self)
        self.view.setObjectName(f"{kind}_table")
        self.view.setModel(self.model)
        self.view.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents)
        # Rows as tall as their text: the value and the gradient table of a small tensor
        # both fit under an input's form in a laptop's inspector.
        self.view.verticalHeader().setDefaultSectionSize(self.view.fontMetrics().height() + 6)
        self.copy = QPushButton("Copy as TSV", self)
        self.copy.setObjectName(f"{kind}_table_copy")
        self.copy.setToolTip("Every number, tab-separated, for a spreadsheet or numpy.loadtxt")
        self.copy.clicked.connect(self.copy_tsv)
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.copy)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.view)

    def show_value(self, title: str, value: Any) -> None:
        """Show ``value`` under ``title`` (hidden when None)."""
        self.value = value
        self.setVisible(value is not None)
        if value is None:
            self.model.set_value(None)
            return
        self.title.setText(f"{title}   {value_shape(value)}")
        self.model.set_value(value)
        rows = min(self.model.rowCount(), VISIBLE_ROWS)
        view = self.view
        view.resizeColumnsToContents()
        wide = view.verticalHeader().sizeHint().width() + view.horizontalHeader().length() \
            + 2 * view.frameWidth() > view.width()
        bar = view.horizontalScrollBar().sizeHint().height() if wide else 0  # not over a row
        view.setFixedHeight(view.horizontalHeader().height() + bar + 2 * view.frameWidth() + 2
                            + rows * view.verticalHeader().defaultSectionSize())

    def copy_tsv(self) -> None:
        if self.value is not None:
            QGuiApplication.clipboard().setText(to_tsv(self.value))


class NumbersPanel(QWidget):
    """The value table and the gradient table of one node."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.value_table = NumberTable("value", self)
        self.grad_table = NumberTable("grad", self)
        self.grad_note = WrapLabel(parent=self)  # a gradient not computed: "n/a" and why
        self.grad_note.setObjectName("grad_not_computed")
        self.stale_note = StaleNote("run again", self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stale_note)
        layout.addWidget(self.value_table)
        layout.addWidget(self.grad_table)
        layout.addWidget(self.grad_note)

    def show_numbers(self, name: str, label: str, value: Any, grad: Any,
                     not_computed: str = "", stale: bool = False) -> None:
        """``value`` and ``grad`` (None: that table hides) of node ``name``, the second
        table headed ``label`` ('∂J/∂name'; '∂name/∂w' for a forward-mode tangent); when the
        run computed no gradient, ``not_computed`` says why, under '∂J/∂name = n/a'.
        ``stale``: the run predates an edit, so the tables say so above them."""
        if stale:
            self.stale_note.mark()
        else:
            self.stale_note.clear()
        self.value_table.show_value(name, value)
        self.grad_table.show_value(label, grad)
        self.grad_note.setText(f"{label} = n/a: {not_computed}"
                               if not_computed else "")
        self.grad_note.setVisible(bool(not_computed))
        self.setVisible(value is not None or grad is not None or bool(not_computed))
