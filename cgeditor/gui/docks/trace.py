"""The trace dock: the run as a table (step, node, op, inputs, value, gradient) in execution
order; selecting a row selects the node and vice versa; Copy puts it on the clipboard as TSV.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QAction,
    QFont,
    QFontMetrics,
    QGuiApplication,
    QKeySequence,
)
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QVBoxLayout, QWidget

from cgeditor.gui.docks.follow import StaleNote
from cgeditor.model.display import RunDisplay
from cgeditor.model.run import RunResult, RunState

COLUMNS = ("step", "node", "op", "inputs", "value", "gradient")
NOT_RUN = "not run"
OPEN_ROWS = 6  # the Trace opens this many rows tall (a step, its inputs and what follows)
COMPACT_ROWS = 3  # and keeps at least this many when a Learn dock takes the room back
ROW_PAD = 8  # a row's height beyond its text's
CELL_PAD = 14  # a cell's margins beyond its text's width
Index = QModelIndex | QPersistentModelIndex


def trace_rows(result: RunResult | None, display: RunDisplay) -> list[tuple[str, ...]]:
    """One row per node in execution order; values and gradients only where revealed."""
    if result is None or result.plan is None:
        return []
    return [trace_row(result, display, i) for i in _slots(result, display)]


def _slots(result: RunResult, display: RunDisplay) -> tuple[int, ...]:
    """The run's slots in the order the canvas numbers them (the graph's, after a move)."""
    return display.rows or tuple(range(len(result.ids)))


def trace_row(result: RunResult, display: RunDisplay, i: int) -> tuple[str, ...]:
    """A node that could not run shows its real op and wiring (not the engine's empty
    stand-in) and "not run" for its value; the gradient is what the canvas shows ("n/a" when
    none was computed)."""
    plan = result.plan
    assert plan is not None
    step, shown = plan.steps[i], display.node(result.ids[i])
    if i in result.blocked:
        inputs = result.blocked[i][1]
    else:
        inputs = ", ".join(f"{port}={plan.steps[j].name}"
                           for port, j in zip(plan.specs[i].inputs, step.args))
    value = shown.value_text
    if not value and shown.error_text and result.raw_values[i] is None:
        value = NOT_RUN
    return (shown.order_badge or "–", step.name, result.op_of(i), inputs, value,
            shown.grad_value)


class TraceModel(QAbstractTableModel):
    """The run's rows, formatted only when the view asks for them: a Live re-run on 1,000
    nodes then costs the few rows on screen, not a thousand formatted rows."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self._run: tuple[RunResult, RunDisplay] | None = None
        self._rows: dict[int, tuple[str, ...]] = {}
        self._slots: tuple[int, ...] = ()  # row -> the run's slot
        self.current_row: int | None = None

    def set_run(self, result: RunResult | None, display: RunDisplay) -> None:
        self.beginResetModel()
        has_rows = result is not None and result.plan is not None
        self._run = (result, display) if has_rows else None
        self._slots = _slots(result, display) if has_rows and result is not None else ()
        self.ids = [result.ids[i] for i in self._slots] if result is not None else []
        current = display.current if has_rows else None
        # The row of the node the stepper is on, if stepping (found once, not per cell).
        self.current_row = self.ids.index(current) if current in self.ids else None
        self._rows = {}
        self.endResetModel()

    def row(self, i: int) -> tuple[str, ...]:
        text = self._rows.get(i)
        if text is None and self._run is not None:
            text = self._rows[i] = trace_row(*self._run, self._slots[i])
        return text or ()

    @property
    def rows(self) -> list[tuple[str, ...]]:
        return [self.row(i) for i in range(len(self.ids))]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.ids)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self.row(index.row())[index.column()]
        if role == Qt.ItemDataRole.FontRole and index.row() == self.current_row:
            font = QFont()
            font.setBold(True)  # the step the canvas outlines
            return font
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section]
        return None

    def as_text(self) -> str:
        """The table with a header line, tab-separated."""
        return "\n".join("\t".join(row) for row in [COLUMNS, *self.rows])


class TraceWidget(QWidget):
    """The table view plus its Copy action; node_selected(id) when the user picks a row."""

    node_selected = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("trace_widget")
        self.model = TraceModel()
        self.table = QTableView(self)
        self.table.setObjectName("trace_table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        # One line a row, as tall as the text wants: more steps in the strip, and a long
        # cell ('a=a, b=y (deleted)') widens its column (fit_columns) instead of wrapping
        # out of its row.
        self.table.setWordWrap(False)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + ROW_PAD)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.selectionModel().selectionChanged.connect(self._on_selection)
        self.table.verticalScrollBar().valueChanged.connect(lambda _v: self.fit_columns())
        self.table.viewport().installEventFilter(self)
        self.copy_action = QAction("Copy trace", self)
        self.copy_action.setObjectName("copy_trace")
        self.copy_action.setToolTip("Copy the trace as tab-separated text")
        self.copy_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Copy))
        self.copy_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.copy_action.triggered.connect(self.copy)
        self.addAction(self.copy_action)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.table.addAction(self.copy_action)
        self.stale_note = StaleNote("press Forward or Backward again", self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stale_note)
        layout.addWidget(self.table)
        self._quiet = False

    def opening_height(self) -> int:
        """How tall the Trace opens (dock_layout): its header and OPEN_ROWS rows, plus a
        line for the stale note (shown or not: an edit shows it without resizing the
        strip), so that a step's neighbourhood reads without dragging."""
        table = self.table
        note = (self.fontMetrics().lineSpacing() + 2 * self.stale_note.margin()
                + max(0, self.layout().spacing()))
        return (note + table.horizontalHeader().sizeHint().height() + 2 * table.frameWidth()
                + OPEN_ROWS * self._row_height())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # The table's viewport grew (the strip, or the stale note went): rows came into view.
        if event.type() == QEvent.Type.Resize and watched is self.table.viewport():
            self.fit_columns()
        return False

    def compact_height(self) -> int:
        """The least the Trace keeps when the strip gives room back (a Learn dock opening):
        its header and COMPACT_ROWS rows, plus the stale note while shown."""
        return self.opening_height() - (OPEN_ROWS - COMPACT_ROWS) * self._row_height()

    def _row_height(self) -> int:
        return self.table.verticalHeader().defaultSectionSize()

    def fit_columns(self, fresh: bool = False) -> None:
        """Widen every column but the last (which stretches) to the texts of the rows in
        view, bold for the step being shown; ``fresh``: to them alone (a new run), else
        never narrower than now (scrolling). Only rows on screen are formatted."""
        table, model = self.table, self.model
        first = max(0, table.rowAt(0))
        last = table.rowAt(table.viewport().height() - 1)
        last = model.rowCount() - 1 if last < 0 else last
        rows = [model.row(r) for r in range(first, last + 1)]
        font = QFont(table.font())
        font.setBold(True)
        metrics, header = QFontMetrics(font), table.horizontalHeader()
        for col in range(len(COLUMNS) - 1):
            want = max([header.sectionSizeFromContents(col).width(),
                        *(metrics.horizontalAdvance(row[col]) + CELL_PAD for row in rows)])
            if fresh or want > header.sectionSize(col):
                header.resizeSection(col, want)

    def show_run(self, result: RunResult | None, display: RunDisplay) -> None:
        selected = self.selected_id()
        self._quiet = True  # a refresh is not the user picking a row
        self.model.set_run(result, display)
        if selected is not None:
            self.select_node(selected)
        self._quiet = False
        self.fit_columns(fresh=True)

    def show_state(self, state: RunState) -> None:
        """Follow the published run: its rows, the selected node's row, the stale mark."""
        self.show_run(state.result, state.display)
        self.select_node(state.selected)
        current = self.model.current_row
        if current is not None and state.selected is None:  # follow the step being shown
            self.table.scrollTo(self.model.index(current, 0),
                                QAbstractItemView.ScrollHint.PositionAtCenter)
        if state.stale:
            self.stale_note.mark()
        else:
            self.stale_note.clear()

    def selected_id(self) -> str | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.ids[rows[0].row()] if rows else None

    def select_node(self, node_id: str | None) -> None:
        """Select the row of ``node_id`` (or none) without emitting node_selected."""
        quiet, self._quiet = self._quiet, True
        try:
            if node_id in self.model.ids:
                row = self.model.ids.index(node_id)
                self.table.selectRow(row)
                self.table.scrollTo(self.model.index(row, 0))
            else:
                self.table.clearSelection()
        finally:
            self._quiet = quiet

    def copy(self) -> str:
        text = self.model.as_text()
        QGuiApplication.clipboard().setText(text)
        return text

    def _on_selection(self, *_args: Any) -> None:
        if self._quiet:
            return
        node_id = self.selected_id()
        if node_id is not None:
            self.node_selected.emit(node_id)
