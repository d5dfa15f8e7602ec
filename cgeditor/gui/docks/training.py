"""The training dock: learning rate, steps, optimizer, Train/Stop, a progress bar and a loss
curve. Training runs in timer slices of about 15 ms; the canvas shows the parameters as they
move, and the graph changes once, at the end or on Stop, as one undo step. An edit, Undo or
Redo, or closing the document meanwhile stops it first (``Document.settling``): its steps
so far become that undo step, under the edit, which wins. The curve wears the theme's
colours and follows View > Theme (``theme_switch.follow``).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QBoxLayout,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from cgeditor.gui import theme as T
from cgeditor.gui import theme_switch
from cgeditor.gui.commands import plural
from cgeditor.gui.docks.follow import StaleNote, follow
from cgeditor.gui.docks.plots import LossAxis, ShortPlot
from cgeditor.gui.keep_together import WrapLabel
from cgeditor.model.errors import GraphError
from cgeditor.model.graph import Graph
from cgeditor.model.kept_run import same_value
from cgeditor.model.number_text import true_minus, value_text
from cgeditor.model.train import LR_RANGE, MAX_STEPS, OPTIMIZERS, Trainer, suggested_settings

if TYPE_CHECKING:
    from cgeditor.gui.context import Context
    from cgeditor.gui.run_controller import RunController

HINT = "Mark inputs as trainable in the inspector, then press Train."
READY = "Press Train: gradient descent on {output} changes {names}."
NAMED = 4  # the trainable inputs the hint names
SLICE_SECONDS = 0.015  # work per timer tick: short enough that input and paints get through
SIDE_BY_SIDE_WIDTH = 600  # narrower than this, the controls go above the plot
CONTROLS_WIDTH = 320  # the controls' column beside the plot
QWIDGETSIZE_MAX = (1 << 24) - 1  # Qt's "no maximum"


class TrainPanel(QWidget):
    """Settings, Train/Stop, progress and the loss curve for the window's graph."""

    started = Signal()
    # why: "done", "stopped", "interrupted" (the graph was about to change), "diverged",
    # "document changed"
    stopped = Signal(str)

    def __init__(self, ctx: Context, run: RunController) -> None:
        super().__init__(ctx.window)
        self.ctx, self.run = ctx, run
        self.trainer: Trainer | None = None
        self.total = 0
        self.chunk = 1
        self.history: list[float] = []  # the losses of the last (or current) run
        self.trained_loss: float | None = None  # at the last run's trained values
        self._graph: Graph | None = None  # the graph being trained
        self._start: dict[str, object] = {}  # the parameters' values when Train was pressed
        self._prefilled: Graph | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._tick)
        self._build()
        self.prefill()
        follow(ctx.document, self)
        ctx.document.settling.connect(self.settle)

    def _build(self) -> None:
        # Controls beside the plot in a wide dock, above it in a narrow one (the right
        # column): squeezed beside them, the plot's step ticks print over each other.
        self._box = QBoxLayout(QBoxLayout.Direction.TopToBottom, self)
        self._controls = self._build_controls()
        self._box.addWidget(self._controls)
        self._box.addWidget(self._build_plot(), 1)

    def resizeEvent(self, event: QResizeEvent) -> None:
        wide = event.size().width() >= SIDE_BY_SIDE_WIDTH
        self._box.setDirection(QBoxLayout.Direction.LeftToRight if wide
                               else QBoxLayout.Direction.TopToBottom)
        # Narrow beside the plot only: above it, a capped width made the layout measure the
        # wrapped status at the dock's width, one line short, and squeeze the spin boxes.
        self._controls.setMaximumWidth(CONTROLS_WIDTH if wide else QWIDGETSIZE_MAX)
        super().resizeEvent(event)

    def _build_controls(self) -> QWidget:
        self.lr = RateSpinBox()
        self.lr.setObjectName("train_lr")
        self.lr.setDecimals(6)
        self.lr.setRange(*LR_RANGE)
        self.lr.setToolTip("Learning rate: how far each step moves against the gradient")
        self.steps = QSpinBox()
        self.steps.setObjectName("train_steps")
        self.steps.setRange(1, MAX_STEPS)
        self.optimizer = QComboBox()
        self.optimizer.setObjectName("train_optimizer")
        self.optimizer.addItems(OPTIMIZERS)
        self.optimizer.setToolTip("sgd: plain gradient descent; momentum (0.9); Adam")
        self.train_button = QPushButton("Train")
        self.train_button.setObjectName("train_start")
        self.train_button.clicked.connect(self.start)
        self.stop_button = QPushButton("Stop")
        self.stop_button.setObjectName("train_stop")
        self.stop_button.setEnabled(False)
        self.stop_button.clicked.connect(self.stop)
        self.progress = QProgressBar()
        self.progress.setObjectName("train_progress")
        self.status = WrapLabel(hint(self.ctx.graph))
        self.status.setObjectName("train_status")
        controls = QWidget()
        column = QVBoxLayout(controls)
        column.setContentsMargins(0, 0, 0, 0)
        form = QFormLayout()
        for label, field in (("Learning rate", self.lr), ("Steps", self.steps),
                             ("Optimizer", self.optimizer)):
            form.addRow(label, field)
        column.addLayout(form)
        buttons = QHBoxLayout()
        buttons.addWidget(self.train_button)
        buttons.addWidget(self.stop_button)
        column.addLayout(buttons)
        column.addWidget(self.progress)
        column.addWidget(self.status)
        self.stale_note = StaleNote("train again", controls)
        column.addWidget(self.stale_note)
        column.addStretch(1)
        return controls

    def _build_plot(self) -> pg.PlotWidget:
        self.plot = ShortPlot(background=None, axisItems={"left": LossAxis("left")})
        self.plot.setObjectName("train_plot")
        self.plot.setMinimumHeight(160)
        self.plot.setLabel("bottom", "step")
        self.plot.setLabel("left", "loss")
        self.plot.showGrid(x=True, y=True, alpha=0.25)
        self.plot.setDownsampling(auto=True, mode="peak")
        self.plot.setClipToView(True)
        self.plot.getAxis("left").enableAutoSIPrefix(False)  # "(x0.001)" beside a log axis
        self.curve = self.plot.plot([], [], name="loss")
        theme_switch.follow(self)
        self.restyle()
        return self.plot

    def restyle(self) -> None:
        """The plot in the current theme's colours (called again on every switch)."""
        T.style_plot(self.plot, {"loss": self.curve})

    # --- settings -----------------------------------------------------------------------
    def prefill(self, *_args: object) -> None:
        """Take the graph's suggested settings (meta["train"]) once per document."""
        graph = self.ctx.graph
        if graph is self._prefilled or self.running:
            return
        self._prefilled = graph
        settings = suggested_settings(graph.meta)  # validated as if typed in
        self.lr.setValue(settings["lr"])
        self.steps.setValue(settings["steps"])
        index = self.optimizer.findText(str(settings["optimizer"]))
        self.optimizer.setCurrentIndex(max(index, 0))

    # --- running ------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self._timer.isActive()

    def start(self) -> bool:
        """Begin training the window's graph; False (with the reason shown) if it cannot."""
        if self.running:
            return False
        graph = self.ctx.graph
        try:
            self.trainer = Trainer(graph, self.lr.value(), self.optimizer.currentText())
        except GraphError as exc:
            text = str(exc)  # some refusals already begin "cannot train …"
            self._say(text[:1].upper() + text[1:] if text.startswith("cannot train")
                      else f"Cannot train: {text}")
            return False
        self._graph, self.total, self.chunk = graph, self.steps.value(), 1
        self._start = {i: graph.nodes[i].value for i in self.trainer.ids}
        self.history = []
        self.curve.setData([], [])
        self.stale_note.fresh(graph)  # a training that applies nothing is of this graph
        self.progress.setRange(0, self.total)
        self.progress.setValue(0)
        self.train_button.setEnabled(False)
        self.stop_button.setEnabled(True)
        self.status.setText(f"Training {', '.join(self.trainer.names.values())}…")
        self.run.mark_stale(held=True)  # the nodes show the training's parameters
        self._timer.start()
        self.started.emit()
        return True

    def _tick(self) -> None:
        trainer = self.trainer
        if trainer is None:
            return
        start = time.perf_counter()
        trainer.step(min(self.chunk, self.total - len(trainer.losses)))
        elapsed = time.perf_counter() - start
        # Size the next slice so one tick takes about SLICE_SECONDS, growing at most 2× a tick.
        if elapsed > 0:
            self.chunk = max(1, min(self.chunk * 2, int(self.chunk * SLICE_SECONDS / elapsed)))
        self._show_progress()
        if trainer.done:
            self._end("diverged", f"{trainer.message or 'training stopped'}; the parameters "
                      "were left as they were", apply=False)
        elif len(trainer.losses) >= self.total:
            self._end("done", "")

    def _show_progress(self) -> None:
        trainer = self.trainer
        assert trainer is not None
        self.history = list(trainer.losses)
        losses = np.asarray(self.history)
        self.progress.setValue(len(losses))
        positive = bool(losses.size) and bool(np.all(losses[np.isfinite(losses)] > 0))
        self.plot.setLogMode(False, positive)  # a log axis shows a falling loss best
        finite = np.isfinite(losses)
        self.curve.setData(np.arange(1, len(losses) + 1)[finite], losses[finite])
        if losses.size:
            self.status.setText(f"step {len(losses)} of {self.total}: loss "
                                f"{value_text(losses[-1])}")
        self._show_parameters()

    def _show_parameters(self) -> None:
        """The canvas shows each parameter's current value (display only, no graph edit)."""
        scene = self.ctx.document.scene
        trainer = self.trainer
        if scene is None or trainer is None or scene.graph is not self._graph:
            return
        for node_id, value in zip(trainer.ids, trainer.params):
            item = scene.nodes.get(node_id)
            if item is not None:
                item.set_display(value_text=value_text(value))

    def stop(self) -> None:
        """Stop now and keep what was learned so far (one undo step)."""
        if self.running:
            self._end("stopped", "")

    def settle(self, cause: str) -> None:
        """The graph is about to change (``cause``: 'your edit', 'Undo', 'closing'): stop
        now, what was learned so far one undo step of its own before that change, which
        so lands on top of it (the user's value wins, Undo takes the steps back)."""
        if self.running:
            # Before Redo its steps are dropped: pushed, they would be a new undo step and
            # wipe the redo history the user asked for; Train again takes them again.
            self._end("interrupted", "", apply=cause != "Redo", cause=f"before {cause}")

    def _end(self, why: str, message: str, apply: bool = True, cause: str = "") -> None:
        """Stop; apply what was learned (unless ``apply`` is False) and say how it ended,
        here and in the messages."""
        self._timer.stop()
        self.train_button.setEnabled(True)
        self.stop_button.setEnabled(False)
        trainer, self.trainer = self.trainer, None
        self.trained_loss = trainer.current_loss() if trainer is not None else None
        # The trainer ran on the graph as Train found it: an edit meanwhile is not in the curve.
        untouched = self.stale_note.matches(self.ctx.graph)
        if trainer is not None and (apply or not message):
            applied = apply and self._apply(trainer, len(trainer.losses))
            if untouched:
                self.stale_note.fresh(self.ctx.graph)  # that edit was the training's own
            message = message or outcome(trainer, self.total, applied, cause,
                                         stopped=why != "done")
        if not untouched and why != "document changed":
            self.stale_note.mark()
        self._say(message, log=True)
        self._restore_canvas(why)  # after: the status line then shows the run's numbers
        self.stopped.emit(why)

    def _apply(self, trainer: Trainer, steps: int) -> bool:
        """Write the trained values as one undo step; refuse if the parameters are gone.
        A parameter whose value changed since Train keeps it: every edit stops training
        first (``settle``), so only a change past the editor could, and it wins too."""
        graph = self._graph
        if graph is None or graph is not self.ctx.graph or steps == 0:
            return False
        if any(graph.nodes.get(i) is None or not graph.nodes[i].is_input for i in trainer.ids):
            return False
        values = {i: value for i, value in trainer.final_values().items()
                  if same_value(graph.nodes[i].value, self._start[i])}
        if not values:
            return False
        self.ctx.editor.set_values(values, f"Train {plural(steps, 'step')}")
        return True

    # --- following the document -------------------------------------------------------
    def document_replaced(self, _graph: Graph) -> None:
        """Training of the old graph stops unapplied; its curve goes; the new graph's
        suggested settings come in."""
        if self.running:
            self._end("document changed", "Training stopped: another document was opened; "
                      "nothing was applied.", apply=False)
        else:
            self.status.setText(hint(self.ctx.graph))
        self.history = []
        self.curve.setData([], [])
        self.progress.reset()
        self.stale_note.clear()
        self.prefill()

    def graph_edited(self) -> None:
        """A finished run's curve and result describe the graph before this edit. While
        training, only an edit past the editor (which settles first) gets here: training
        stops then, keeping its steps for every parameter the edit left alone."""
        if self.running:
            self._end("interrupted", "", cause="as the graph was edited outside the editor")
        if self.history:
            self.stale_note.follow(self.ctx.graph)

    def _say(self, text: str, log: bool = False) -> None:
        # the trainer's and the engine's words, their numbers in the canvas's minus
        text = true_minus(text)
        self.status.setText(text)
        if log:
            self.ctx.log(text)

    def _restore_canvas(self, why: str) -> None:
        """The canvas shows a run of the graph as it is now: at the trained values (or the
        old ones when nothing was applied); after another document opened, its own state."""
        if why == "document changed":
            self.run.republish()
        else:
            self.run.show_current()


# What became of a training's steps when it stopped before the graph changed, by the cause.
KEPT = {"before Undo": "; Undo takes those steps back (Redo puts them back)",
        "before your edit": "; those steps are one undo step, under your edit"}
DROPPED = {"before Redo": "; nothing applied, so Redo keeps its history (Train again for "
                          "those steps)"}


def hint(graph: Graph) -> str:
    """What to do before training ``graph``: mark inputs trainable, or (a graph that has
    some, as the examples and the failure lab's cases do) press Train, naming them."""
    names = [n.name for n in graph.nodes.values() if n.is_input and n.trainable]
    output = graph.nodes.get(graph.output or "")
    if not names or output is None:
        return HINT
    listed = ", ".join(names[:NAMED]) + (", …" if len(names) > NAMED else "")
    return READY.format(output=output.name, names=listed)


def outcome(trainer: Trainer, total: int, applied: bool, cause: str = "",
            stopped: bool = True) -> str:
    """How a training run ended, for the panel and the messages: which parameters, how many
    steps of ``total`` when it stopped early (and why: ``cause``, 'before Undo' when the
    graph was about to change), the loss before the first step and at the trained values
    (what a run shows)."""
    names, losses = ", ".join(trainer.names.values()), trainer.losses
    if not stopped:
        head = f"Trained {names} for {plural(len(losses), 'step')}"
    else:
        why = f", {cause}" if cause else ""
        of = f"{len(losses):,} of {total:,} step{'' if total == 1 else 's'}"
        head = f"Stopped training {names} after {of}{why}"
    final = trainer.current_loss()
    after = "n/a" if final is None else value_text(final)
    loss = f"loss {value_text(losses[0])} → {after}" if losses else "no step"
    if not applied:
        tail = DROPPED.get(cause, " (the graph changed meanwhile; nothing applied)") \
            if losses else ""
    else:
        tail = KEPT.get(cause, "; those steps are one undo step") if cause else ""
    return f"{head}: {loss}{tail}"


class RateSpinBox(QDoubleSpinBox):
    """A learning rate as people write it: '1', '0.05', '0.000001', not '1.000000' (six
    decimals are kept for the smallest rates, trailing zeros are not shown)."""

    def textFromValue(self, value: float) -> str:
        text = f"{value:.{self.decimals()}f}"
        return text.rstrip("0").rstrip(".") if "." in text else text
