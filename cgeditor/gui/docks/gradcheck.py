"""The gradient check dock: backprop against central differences per input (one input per
timer tick, so the window stays responsive), nodes tinted by the result, and Nudge, which
moves one input by ε and sets the real new output beside the linear prediction J + ∂J/∂θ·ε.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from cgeditor.core.gradcheck import ATOL, BATCH_VALUES, RTOL, CheckRow, GradientCheck
from cgeditor.gui.docks.fitted_table import NUMBER_ROLE, FittedTable
from cgeditor.gui.docks.follow import StaleNote, follow
from cgeditor.gui.keep_together import WrapLabel
from cgeditor.model import collector
from cgeditor.model.errors import GraphError
from cgeditor.model.gradcheck import check_plan
from cgeditor.model.graph import Graph
from cgeditor.model.nudge import Nudge, nudge
from cgeditor.model.number_text import MINUS, cell_text, format_scalar, format_sci, true_minus
from cgeditor.model.run import labels_now

if TYPE_CHECKING:
    from cgeditor.gui.context import Context
    from cgeditor.gui.run_controller import RunController

RULE_TEXT = (f"Pass when |g − ĝ| ≤ {format_scalar(ATOL)} + {format_scalar(RTOL)}·|ĝ| "
             "(g backprop, ĝ numeric).")
NUDGE_HINT = "Select an input on the canvas, then press Nudge."
# The two errors share a column, one above the other: seven columns did not fit the dock.
COLUMNS = ("input", "backprop", "numeric", "abs error\nrel error", "result", "method")
PASS_COLOR, FAIL_COLOR = QColor(46, 160, 67, 70), QColor(215, 58, 73, 90)
KINK_COLOR = QColor(230, 170, 30, 80)  # a mismatch at a kink: explained, not a failure


def parse_eps(text: str, allow_negative: bool = False) -> float:
    """ε from a text field: a finite non-zero number (positive unless ``allow_negative``)."""
    try:
        value = float(text.strip().replace(MINUS, "-"))
    except ValueError:
        raise GraphError(f"ε must be a number, not {text.strip()!r}") from None
    if not math.isfinite(value) or value == 0 or (value < 0 and not allow_negative):
        raise GraphError(f"ε must be a {'non-zero' if allow_negative else 'positive'} "
                         f"finite number, not {text.strip()}")
    return value


def nudge_text(done: Nudge) -> str:
    return f"{done.text()}\n{done.gap_text()}"


def summary_text(rows: list[CheckRow], eps: float) -> str:
    """What a finished check found: the failures by name, or that all passed."""
    failed = [r.name for r in rows if r.failed]
    at = f"ε = {format_scalar(eps)}"
    if failed:
        text = (f"{len(failed)} of {len(rows)} failed ({', '.join(failed)}; {at}): "
                "backprop disagrees with finite differences.")
    elif all(r.passed for r in rows):
        text = f"All {len(rows)} passed ({at})."
    else:
        text = f"No failure ({at})."
    return text + notes_text(rows)


def partial_text(rows: list[CheckRow], total: int, eps: float) -> str:
    """What a check stopped by an edit found: how far it got, first, so its rows never
    read as a whole check, even once undo makes them current again."""
    failed = [r.name for r in rows if r.failed]
    found = (f"{len(failed)} failed ({names_text(failed)})" if failed
             else "none failed" if rows else "no row")
    return (f"Stopped after {len(rows)} of {total} inputs (ε = {format_scalar(eps)}): the "
            f"graph changed while checking; {found} so far. Press Check gradients to check "
            "them all.")


def verdict_cell(verdict: str) -> str:
    """'lost to\nrounding', 'not\ndifferentiable': on two lines, as the errors are, so the
    method column beside it stays in the dock's width."""
    first, _, last = verdict.rpartition(" ")
    return f"{first}\n{last}" if first else verdict


def notes_text(rows: list[CheckRow]) -> str:
    """Each note once, after the names of the rows it explains: a check of a large J may
    have a hundred rows lost to rounding for one reason."""
    named: dict[str, list[str]] = {}
    for r in rows:
        if r.note:
            named.setdefault(r.note, []).append(r.name)
    return "".join(f" {names_text(names)}: {true_minus(note)}." for note, names in named.items())


def names_text(names: list[str], shown: int = 6) -> str:
    more = len(names) - shown
    return ", ".join(names[:shown]) + (f" and {more} more" if more > 0 else "")


# --- the panel ---------------------------------------------------------------------------------
class GradcheckPanel(QWidget):
    """ε, which inputs, Check; the table; and Nudge for the selected input."""

    finished = Signal(bool)  # all passed
    showing = Signal()  # a check or a nudge is about to show gradients (practice ends)

    def __init__(self, ctx: Context, run: RunController) -> None:
        super().__init__(ctx.window)
        self.ctx, self.run = ctx, run
        self.rows: list[CheckRow] = []
        self._ids: list[str] = []  # the node each row checks (or will), in order
        self._names: list[str] = []  # what they were called then
        self._summed = False  # the summary speaks of the rows (a check ran to its end)
        self._nudged: tuple[str, Nudge] | None = None  # the node nudged and what it gave
        self.tints: dict[str, bool] = {}  # node id -> passed, while the check is current
        self._tinted: Graph | None = None  # the graph whose nodes ``tints`` names
        self._pending: list[str] = []
        self._check: GradientCheck | None = None
        self._eps = 1e-6
        self._timer = QTimer(self)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._check_next)
        self._build()
        # A run repaints every node: put the check's marks back on top.
        run.published.connect(self.apply_tints)
        follow(ctx.document, self)

    def _build(self) -> None:
        self.eps = QLineEdit("1e-6")
        self.eps.setObjectName("gradcheck_eps")
        self.eps.setToolTip("Step of the central difference (J(θ+ε) − J(θ−ε)) / 2ε")
        self.which = QComboBox()
        self.which.setObjectName("gradcheck_which")
        self.which.addItems(["all inputs", "trainable inputs only"])
        self.check_button = QPushButton("Check gradients")
        self.check_button.setObjectName("gradcheck_run")
        self.check_button.clicked.connect(self.start_check)
        top = QHBoxLayout()
        top.addWidget(QLabel("ε"))
        top.addWidget(self.eps)
        top.addWidget(self.which)
        top.addWidget(self.check_button)
        # The value columns give up width first at the dock's width: their tooltips carry
        # the values whole, while the verdict and the method must stay in view.
        self.table = FittedTable(COLUMNS, shrinkable=(1, 2), floor_text=f"{MINUS}0.028…")
        self.table.setObjectName("gradcheck_table")
        self.table.horizontalHeader().setMaximumSectionSize(220)  # tensors: the tooltip has all
        self.summary = QLabel(RULE_TEXT)
        self.summary.setObjectName("gradcheck_summary")
        self.summary.setWordWrap(True)
        self.eps.setMinimumWidth(80)
        self.table.setMinimumHeight(120)
        column = QVBoxLayout()
        column.addLayout(top)
        column.addWidget(self.table, 1)
        column.addWidget(self.summary)
        self.stale_note = StaleNote("press Check gradients again", self)
        column.addWidget(self.stale_note)
        # The dock shares the right column with the inspector: the nudge box under the
        # table, so the column stays narrow enough to leave the canvas most of the window.
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)  # the table's columns need the width
        layout.addLayout(column, 3)
        layout.addWidget(self._build_nudge(), 2)

    def _build_nudge(self) -> QGroupBox:
        box = QGroupBox("Nudge an input")
        self.nudge_eps = QLineEdit("0.001")
        self.nudge_eps.setObjectName("nudge_eps")
        self.nudge_eps.setMinimumWidth(80)
        self.nudge_button = QPushButton("Nudge selected input")
        self.nudge_button.setObjectName("nudge_run")
        self.nudge_button.setToolTip("Run forward with the selected input moved by ε and "
                                     "compare the output with J + ∂J/∂θ·ε (the graph is kept)")
        self.nudge_button.clicked.connect(self.nudge_selected)
        self.nudge_result = WrapLabel(NUDGE_HINT)
        self.nudge_result.setObjectName("nudge_result")
        self.nudge_result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form = QFormLayout(box)
        row = QHBoxLayout()
        row.addWidget(self.nudge_eps)
        row.addWidget(self.nudge_button)
        form.addRow("ε", row)
        form.addRow(self.nudge_result)
        self.nudge_stale = StaleNote("nudge again", box)
        form.addRow(self.nudge_stale)
        return box

    # --- checking -----------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self._timer.isActive()

    def start_check(self) -> bool:
        """Validate, then check one input per tick; False (with a message) if it cannot."""
        try:
            eps = parse_eps(self.eps.text())
        except GraphError as exc:  # quotes the typed text as typed
            self.summary.setText(f"Not checked: {exc}")
            return False
        try:
            plan, names = check_plan(self.ctx.graph, self.which.currentIndex() == 1)
        except GraphError as exc:  # the engine's words, numbers in the canvas's minus
            self.summary.setText(f"Not checked: {true_minus(str(exc))}")
            return False
        self.showing.emit()
        self._clear_tints()
        # The passes at the inputs' values, once: each tick then only moves its inputs.
        with collector.paused():  # as each tick: 10^4 values, none in a cycle
            check = GradientCheck(plan, eps=eps)
        self._check, self._eps, self._pending = check, eps, names
        graph = self.ctx.graph
        self._ids, self._summed = [graph.by_name(name).id for name in names], False
        self._names = list(names)
        self.rows = []
        self.table.setRowCount(0)
        self.stale_note.fresh(graph)
        self.summary.setText(f"Checking {len(names)} input(s)…")
        self.check_button.setEnabled(False)
        self._timer.start()
        return True

    def _check_next(self) -> None:
        """The next inputs' rows: as many as one batched pass takes when every input is a
        number moved in columns side by side, else one (two passes over the graph)."""
        check = self._check
        if check is None:
            return
        per_tick = max(1, BATCH_VALUES // (2 * len(check.plan.steps))) if check.columns else 1
        names, self._pending = self._pending[:per_tick], self._pending[per_tick:]
        with collector.paused():  # a pass's 10^4 values would set off walks of the heap
            rows = check.rows(names)
        for row in rows:
            self.rows.append(row)
            self._add_row(row)
        self.table.fit_columns()  # once a tick: it sizes every row so far (a row each: n²)
        if not self._pending:
            self._finish()

    def _add_row(self, row: CheckRow) -> None:
        k = self.table.rowCount()
        self.table.insertRow(k)
        cells = (row.name, cell_text(row.backprop), cell_text(row.numeric),
                 f"{format_sci(row.abs_error)}\n{format_sci(row.rel_error)}",
                 verdict_cell(row.verdict), row.method)
        color = PASS_COLOR if row.passed else KINK_COLOR if row.note else FAIL_COLOR
        # the values whole (their cells are elided)
        tip = f"backprop {cells[1]}\nnumeric {cells[2]}"
        for col, text in enumerate(cells):
            item = QTableWidgetItem(text)
            value = (row.backprop, row.numeric)[col - 1] if col in (1, 2) else None
            if value is not None and getattr(value, "shape", ()) == ():  # narrowed: rounded
                item.setData(NUMBER_ROLE, float(value))
            item.setBackground(color)
            item.setToolTip(f"{tip}\n{true_minus(row.note)}" if row.note else tip)
            self.table.setItem(k, col, item)

    def _finish(self) -> None:
        text = summary_text(self.rows, self._eps)
        self._stop(text)
        self._summed = True
        self._tint()
        self.ctx.log(f"Gradient check: {text}")
        self.finished.emit(not any(r.failed for r in self.rows))

    def _stop(self, text: str) -> None:
        self._timer.stop()
        self._pending, self._check = [], None
        self.summary.setText(text)
        self.check_button.setEnabled(True)

    # --- tinting nodes ------------------------------------------------------------------
    def _tint(self) -> None:
        """Mark the checked inputs on the canvas by their result (a kink is neither)."""
        graph = self.ctx.graph
        self.tints = {node_id: row.passed for node_id, row in zip(self._ids, self.rows)
                      if node_id in graph.nodes and not row.note}
        self._tinted = graph
        self.apply_tints()

    def apply_tints(self, *_args: object) -> None:
        """Outline passed inputs, mark failed ones as errors; re-applied after each repaint
        of the run display, and dropped at the first edit of the graph."""
        scene = self.ctx.document.scene
        # An opened file's first run is published before this dock hears of the new
        # document: marks by node id would land on its nodes that share the old ids.
        if scene is None or self._tinted is not self.ctx.graph:
            return
        for node_id, passed in self.tints.items():
            item = scene.nodes.get(node_id)
            if item is None:
                continue
            if passed:
                item.set_display(highlighted=True)
            else:
                item.set_display(error_text="gradient check failed: backprop ≠ numeric")

    def _clear_tints(self) -> None:
        if not self.tints:
            return
        self.tints = {}
        self.run.republish()  # the run's own picture again

    # --- following the document -------------------------------------------------------
    def document_replaced(self, _graph: Graph) -> None:
        """Nothing of the old graph stays: no check running, no rows, no nudge, no marks."""
        self._stop(RULE_TEXT)
        self.rows, self._ids, self._nudged = [], [], None
        self.table.setRowCount(0)
        self.tints = {}  # the old scene went with its document
        self.nudge_result.setText(NUDGE_HINT)
        self.stale_note.clear()
        self.nudge_stale.clear()

    def graph_edited(self) -> None:
        """The rows and the nudge were computed before this edit: marked stale; a check
        still running stops (its plan is of the graph before the edit)."""
        if self.running:
            self._stop(partial_text(self.rows, len(self._ids), self._eps))
        self._clear_tints()
        graph = self.ctx.graph
        self._follow_names()
        if self.rows and self.stale_note.follow(graph) and self._summed:
            self._tint()  # back to the graph checked: its marks are true again
        if self.nudge_result.text() != NUDGE_HINT:
            self.nudge_stale.follow(graph)

    def _follow_names(self) -> None:
        """The rows, the summary and the nudge call their nodes what the graph does now,
        'y (deleted)' for one deleted whose name another node took (as the trace does)."""
        names = {i: node.name for i, node in self.ctx.graph.nodes.items()}
        count = len(self.rows)
        labels = labels_now(self._ids[:count], self._names[:count], names)
        if labels != [row.name for row in self.rows]:
            self.rows = [replace(row, name=label) for row, label in zip(self.rows, labels)]
            for k, label in enumerate(labels):
                self.table.item(k, 0).setText(label)
            self.table.fit_columns()  # 'y (deleted)' or a longer rename: read whole
            self.summary.setText(summary_text(self.rows, self._eps) if self._summed
                                 else partial_text(self.rows, len(self._ids), self._eps))
        if self._nudged is not None:
            node_id, done = self._nudged
            label = labels_now([node_id], [done.name], names)[0]
            self.nudge_result.setText(nudge_text(replace(done, name=label)))

    # --- nudge --------------------------------------------------------------------------
    def nudge_selected(self) -> Nudge | None:
        """Nudge the one selected input; the result (or why not) in the panel."""
        self.nudge_stale.clear()  # whatever it says next is about the graph as it is
        self._nudged = None
        scene = self.ctx.document.scene
        ids = scene.selected_ids() if scene is not None else []
        graph = self.ctx.graph
        leaves = [i for i in ids if graph.nodes[i].is_leaf]
        if len(ids) != 1 or not leaves:
            self.nudge_result.setText("Select exactly one input node on the canvas first.")
            return None
        try:
            eps = parse_eps(self.nudge_eps.text(), allow_negative=True)
        except GraphError as exc:  # quotes the typed text as typed
            self.nudge_result.setText(f"Not nudged: {exc}")
            return None
        try:
            result = nudge(graph, leaves[0], eps)
        except GraphError as exc:  # the engine's words, numbers in the canvas's minus
            self.nudge_result.setText(f"Not nudged: {true_minus(str(exc))}")
            return None
        self.showing.emit()
        self._nudged = (leaves[0], result)
        self.nudge_stale.fresh(graph)
        self.nudge_result.setText(nudge_text(result))
        return result
