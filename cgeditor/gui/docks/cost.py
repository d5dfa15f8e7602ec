"""The cost-of-gradients dock: op evaluations and measured seconds for every gradient by
backprop (n forward + n backward) against finite differences (2·p·n) on the user's graph, and
"Scale it": the wide sum-of-products graph for p = 10, 100, 1,000, plotted log-log.
Timing runs on a worker thread (with a budget), polled by a timer, so the window stays live.
The plot wears the theme's colours and follows View > Theme (``theme_switch.follow``).
"""

from __future__ import annotations

import gc
import math
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

import pyqtgraph as pg
from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from cgeditor.gui import theme as T
from cgeditor.gui import theme_switch
from cgeditor.gui.docks.follow import StaleNote, follow
from cgeditor.gui.docks.plots import ShortPlot, legend_above
from cgeditor.model.cost import Cost, count, measure, scaling_table
from cgeditor.model.errors import GraphError
from cgeditor.model.number_text import true_minus

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from cgeditor.gui.context import Context
    from cgeditor.model.graph import Graph

MEASURE_BUDGET = 1.0  # seconds of finite differences on the user's graph before estimating
SCALE_BUDGET = 0.4  # per graph of the scaling run (three graphs)
SCALE_PS = (10, 100, 1000)
EMPTY_DECADES = (1, 7)  # ops run for those p: backprop ~10^1.6..10^3.6, finite diffs to ~10^6.6
POLL_MS = 40
PLOT_MIN_HEIGHT = 200  # two decades, their labels and the legend row above them


def seconds_text(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    if seconds < 1e-3:
        return f"{seconds * 1e6:.0f} µs"
    if seconds < 1:
        return f"{seconds * 1e3:.1f} ms"
    return f"{seconds:.2f} s"


def ratio_text(ratio: float | None) -> str:
    return "—" if ratio is None or ratio != ratio else f"{ratio:,.1f}×"


class CostPanel(QWidget):
    """Counts and times on the window's graph, and the scaling plot."""

    measured = Signal(object)  # Cost with seconds
    scaled = Signal(list)  # list[Cost]

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx.window)
        self.ctx = ctx
        self.cost: Cost | None = None
        self._measuring: Graph | None = None  # the document whose timing is on the worker
        self.table: list[Cost] = []
        self.curves: dict[str, pg.PlotDataItem] = {}  # theme role -> curve, for restyle()
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cgeditor-cost")
        self._jobs: list[tuple[Future, Callable[[Any], None]]] = []
        self._poll = QTimer(self)
        self._poll.setInterval(POLL_MS)
        self._poll.timeout.connect(self._collect)
        self._build()
        follow(ctx.document, self)
        # Python's cyclic GC runs in whichever thread happens to allocate: in the worker it
        # would destroy dead Qt widgets off the GUI thread (and deadlock in shiboken waiting
        # for the GIL). So pending garbage is collected here first, and automatic collection
        # pauses while a job runs.
        self._gc = {"paused": False}
        pool, gc_state = self._pool, self._gc  # not self: the slot runs mid-destruction
        self.destroyed.connect(lambda *_: (pool.shutdown(wait=False, cancel_futures=True),
                                           _resume_gc(gc_state)))

    def _build(self) -> None:
        # The dock shares the right column with the inspector: numbers above the plot, so
        # the column stays narrow enough to leave the canvas most of a laptop window.
        # The numbers take the lines their wrapped text needs; the plot gets the rest.
        layout = QVBoxLayout(self)
        layout.addWidget(self._build_numbers(), 0)
        layout.addWidget(self._build_plot(), 1)

    def _build_numbers(self) -> QWidget:
        self.count_button = QPushButton("Count and time this graph")
        self.count_button.setObjectName("cost_run")
        self.count_button.clicked.connect(self.start_measure)
        self.scale_button = QPushButton("Scale it: p = 10, 100, 1,000")
        self.scale_button.setObjectName("cost_scale")
        self.scale_button.setToolTip("Grow J = Σ w_i·x_i and compare both ways of getting "
                                     "every gradient as p grows")
        self.scale_button.clicked.connect(self.start_scale)
        buttons = QHBoxLayout()
        buttons.addWidget(self.count_button)
        buttons.addWidget(self.scale_button)
        self.sizes = QLabel("")
        self.sizes.setObjectName("cost_sizes")
        self.sizes.setWordWrap(True)
        self.note = QLabel("")
        self.note.setObjectName("cost_note")
        self.note.setWordWrap(True)
        numbers = QWidget()
        numbers.setMaximumWidth(520)
        column = QVBoxLayout(numbers)
        column.setContentsMargins(0, 0, 0, 0)
        column.addLayout(buttons)
        column.addWidget(self.sizes)
        column.addLayout(self._build_grid())
        column.addWidget(self.note)
        self.stale_note = StaleNote("press Count and time again", numbers)
        column.addWidget(self.stale_note)
        column.addStretch(1)
        return numbers

    def _build_grid(self) -> QGridLayout:
        """Rows: op evaluations, time; columns: backprop, finite differences, ratio."""
        grid = QGridLayout()
        self.cells: dict[str, QLabel] = {}
        for col, head in enumerate(("", "backprop", "finite differences", "ratio")):
            grid.addWidget(QLabel(f"<b>{head}</b>"), 0, col)
        for row, (key, head) in enumerate((("evals", "op evaluations"), ("time", "time")), 1):
            grid.addWidget(QLabel(head), row, 0)
            for col, which in enumerate(("bp", "fd", "ratio"), 1):
                cell = QLabel("—")
                cell.setObjectName(f"cost_{key}_{which}")
                self.cells[f"{key}_{which}"] = cell
                grid.addWidget(cell, row, col)
        return grid

    def _build_plot(self) -> pg.PlotWidget:
        self.plot = ShortPlot(background=None)
        self.plot.setObjectName("cost_plot")
        # Tall enough to read two decades and the legend; a short dock scrolls instead.
        self.plot.setMinimumHeight(PLOT_MIN_HEIGHT)
        self.plot.setLogMode(True, True)
        self.plot.showGrid(x=True, y=True, alpha=0.25)
        self.plot.setLabel("bottom", "p (parameters)")
        # Short enough to stand beside a plot squeezed under the numbers (a rotated label
        # longer than its axis is cut); the tooltip says the rest.
        self.plot.setLabel("left", "ops run")
        self.plot.getAxis("left").label.setToolTip(
            "Primitive op evaluations to get every gradient, against the number of "
            "parameters p (both axes logarithmic)")
        legend_above(self.plot)  # a legend inside the frame covered the p = 10 points
        self.plot.getAxis("left").enableAutoSIPrefix(False)
        # The empty frame spans what Scale it will plot, in whole decades (log axes are in
        # log10 units): pyqtgraph's default one decade labels 2…9, and 8 and 9 collide.
        self._label_p(SCALE_PS)
        self.plot.setXRange(math.log10(SCALE_PS[0]), math.log10(SCALE_PS[-1]), padding=0.1)
        self.plot.setYRange(*EMPTY_DECADES)
        theme_switch.follow(self)
        self.restyle()
        return self.plot

    def _label_p(self, ps: Iterable[int]) -> None:
        # Name just the measured p (minor labels collide); log axes are in log10 units.
        self.plot.getAxis("bottom").setTicks([[(math.log10(p), f"{p:,}") for p in ps], []])

    def restyle(self) -> None:
        """The plot in the current theme's colours (called again on every switch)."""
        T.style_plot(self.plot, self.curves)

    # --- the user's graph ---------------------------------------------------------------
    @property
    def busy(self) -> bool:
        return bool(self._jobs)

    def start_measure(self) -> bool:
        """Exact counts now; the timing on the worker (on a copy of the graph)."""
        graph = self.ctx.graph
        try:
            cost = count(graph)
        except GraphError as exc:
            self.note.setText(f"Not counted: {true_minus(str(exc))}")
            return False
        self.show_cost(cost)
        self.stale_note.fresh(graph)
        self.note.setText("Timing both on this machine…")
        self.count_button.setEnabled(False)
        self._measuring = graph
        copy = graph.copy()  # the worker never sees the live graph
        self._submit(lambda: measure(copy, budget=MEASURE_BUDGET), self._measured)
        return True

    def show_cost(self, cost: Cost) -> None:
        self.cost = cost
        self.sizes.setText(
            f"n = {cost.ops} ops, p = {cost.params} input scalar(s). Backprop: one forward "
            f"pass ({cost.backprop_forward}) + one backward pass ({cost.backprop_backward}). "
            f"Finite differences: 2·p forward passes = 2·{cost.params}·{cost.ops}.")
        self.cells["evals_bp"].setText(f"{cost.backprop:,}")
        self.cells["evals_fd"].setText(f"{cost.finite_diff:,}")
        self.cells["evals_ratio"].setText(ratio_text(cost.ratio))
        estimated = " (estimated)" if cost.estimated else ""
        self.cells["time_bp"].setText(seconds_text(cost.backprop_seconds))
        self.cells["time_fd"].setText(seconds_text(cost.finite_diff_seconds) + estimated)
        self.cells["time_ratio"].setText(ratio_text(cost.time_ratio))

    def _measured(self, cost: Cost) -> None:
        self.count_button.setEnabled(True)
        if self._measuring is not self.ctx.graph:
            return  # timed for a document that was replaced meanwhile
        self.show_cost(cost)
        self.note.setText(
            "Finite-difference time estimated from the passes that fit in "
            f"{MEASURE_BUDGET:g} s." if cost.estimated else
            "Both measured on this machine (backprop: best of 5 runs).")
        self.measured.emit(cost)

    # --- following the document -------------------------------------------------------
    def document_replaced(self, _graph: Graph) -> None:
        """The counts and times were of the old graph: back to empty cells."""
        self.cost = None
        self.sizes.setText("")
        self.note.setText("")
        for cell in self.cells.values():
            cell.setText("—")
        self.stale_note.clear()

    def graph_edited(self) -> None:
        if self.cost is not None:
            self.stale_note.follow(self.ctx.graph)

    # --- scaling ------------------------------------------------------------------------
    def start_scale(self) -> bool:
        if not self.scale_button.isEnabled():
            return False
        self.scale_button.setEnabled(False)
        self.note.setText("Growing J = Σ w_i·x_i for p = 10, 100, 1,000 and timing both…")
        self._submit(lambda: scaling_table(SCALE_PS, budget=SCALE_BUDGET), self._scaled)
        return True

    def _scaled(self, table: list[Cost]) -> None:
        self.scale_button.setEnabled(True)
        self.table = table
        self.plot.clear()
        ps = [c.params for c in table]
        self._label_p(ps)
        self.plot.enableAutoRange()
        self.curves = {  # coloured by restyle(), from the theme
            "backprop": self.plot.plot(ps, [c.backprop for c in table], symbol="o",
                                       name="backprop: n + n"),
            "finite_diff": self.plot.plot(ps, [c.finite_diff for c in table], symbol="s",
                                          name="finite differences: 2·p·n")}
        self.restyle()
        lines = [f"p = {c.params:,}: backprop {c.backprop:,} evals, "
                 f"{seconds_text(c.backprop_seconds)}; finite differences "
                 f"{c.finite_diff:,} evals, {seconds_text(c.finite_diff_seconds)}"
                 f"{' (estimated)' if c.estimated else ''}; {ratio_text(c.time_ratio)} "
                 "slower" for c in table]
        self.note.setText("\n".join(lines))
        self.scaled.emit(table)

    # --- the worker ---------------------------------------------------------------------
    def _submit(self, job: Callable[[], Any], done: Callable[[Any], None]) -> None:
        if not self._jobs and gc.isenabled():
            gc.collect()
            gc.disable()
            self._gc["paused"] = True
        self._jobs.append((self._pool.submit(job), done))
        self._poll.start()

    def _collect(self) -> None:
        """Hand finished work to the GUI thread; failures become a note, never a crash."""
        for job in [j for j in self._jobs if j[0].done()]:
            self._jobs.remove(job)
            future, done = job
            try:
                result = future.result()
            except Exception as exc:  # a bug must not take the editor down
                self.count_button.setEnabled(True)
                self.scale_button.setEnabled(True)
                self.note.setText(f"Could not finish: {true_minus(str(exc))}")
                continue
            done(result)
        if not self._jobs:
            self._poll.stop()
            _resume_gc(self._gc)


def _resume_gc(state: dict[str, bool]) -> None:
    if state["paused"]:
        state["paused"] = False
        gc.enable()
