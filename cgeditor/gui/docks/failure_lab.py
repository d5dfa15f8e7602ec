"""The Failure-mode lab dock: a list of cases, each a small graph that breaks in one step
the dock names; the diagnosis of whatever graph is open, from its last run or training, with
the numbers that broke; and Apply remedy, the one way the lab edits the document (one undo
step through the Editor).

Opening a case goes through File > Examples' path (an untitled copy, unsaved work asked
about first). The lab diagnoses only a current run: a stale one says to run again.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from html import escape as html_escape
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QVBoxLayout,
    QWidget,
)

from cgeditor.gui.docks.controls import fill_column, named_button, named_label
from cgeditor.gui.docks.follow import follow
from cgeditor.gui.keep_together import WrapLabel
from cgeditor.model.failure_cases import CASES, FailureCase, case_of, case_path
from cgeditor.model.failure_diagnose import KIND_TITLES, Diagnosis, diagnose, number
from cgeditor.model.failure_training import diagnose_training
from cgeditor.model.run_result import RunState

if TYPE_CHECKING:
    from PySide6.QtGui import QUndoCommand

    from cgeditor.gui.context import Context
    from cgeditor.gui.run_controller import RunController
    from cgeditor.model.failure_remedy import Remedy
    from cgeditor.model.graph import Graph

escape = partial(html_escape, quote=False)  # labels show rich text: ' stays itself

INTRO = ("Open a case, take its one step, and the lab names what broke, with the run's "
         "numbers, why, and the remedy; it diagnoses any graph you run or train.")
IDLE = "Run the graph (F5, F6) or train it (Ctrl+T): the lab names what breaks."
STALE = "The graph changed since the last run: run it again (F5, F6) to diagnose it."
HEALTHY = ("Nothing broke in this run: every number is finite, no ReLU is dead and the "
           "gradient neither vanishes nor explodes along the deepest path.")


class FailureLabPanel(QWidget):
    """The cases, the diagnosis of the window's graph and the Apply remedy button.
    ``open_case(path)`` opens a case's file as a new document (False when the user keeps
    the one open); ``set_lr(lr)`` sets the Training dock's learning rate."""

    remedied = Signal(str)  # the remedy's title, once applied
    wants_training = Signal()  # a case opened whose step is taken in the Training dock
    diagnosed = Signal()  # a failure is shown: the dock scrolls to it

    def __init__(self, ctx: Context, run: RunController, open_case: Callable[[str], bool],
                 set_lr: Callable[[float], None]) -> None:
        super().__init__()
        self.setObjectName("failure_lab_panel")
        self.ctx, self.run = ctx, run
        self._open_case, self._set_lr = open_case, set_lr
        self.found: list[Diagnosis] = []  # of the last current run
        self.trained: Diagnosis | None = None  # of the last training
        self._state: RunState | None = None
        self._applied = ""  # the title of the remedy just applied, till the next failure
        self._due = False  # a run published while the lab was hidden: diagnose on showing
        # the remedy's undo step and the run the lab made after it, made again when Ctrl+Z
        # takes the remedy back or Redo brings it back
        self._remedy_step: tuple[QUndoCommand, Callable[[], None]] | None = None
        self._build()
        run.published.connect(self._on_published)
        follow(ctx.document, self)
        self.cases.setCurrentRow(0)
        self._show_found()

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        intro = named_label("failure_intro")
        intro.setText(INTRO)
        self.cases = QListWidget()
        self.cases.setObjectName("failure_cases")
        self.cases.addItems([f"{k + 1}. {case.title}" for k, case in enumerate(CASES)])
        self.cases.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        rows = self.cases.sizeHintForRow(0) * len(CASES) + 2 * self.cases.frameWidth()
        self.cases.setFixedHeight(rows + 4)  # every case in view, no scrolling
        self.cases.currentRowChanged.connect(self._show_case)
        self.cases.itemActivated.connect(lambda _item: self.open_current())
        self.trigger = self._label("failure_trigger")
        self.case_text = self._label("failure_case_text")
        self.open_button = named_button("failure_open", "&Open case", self.open_current)
        heading = QLabel("Diagnosis of the open graph")
        font = QFont(heading.font())
        font.setBold(True)
        heading.setFont(font)
        self.diagnosis = self._label("failure_diagnosis")
        self.apply_button = named_button("failure_apply", "Appl&y remedy", self.apply_remedy)
        self.remedy_text = self._label("failure_remedy")
        row = QHBoxLayout()
        row.addWidget(self.open_button)
        row.addStretch(1)
        remedy_row = QHBoxLayout()
        remedy_row.addWidget(self.apply_button)
        remedy_row.addStretch(1)
        # What to do comes first; the case's own explanation, for reference, last.
        fill_column(layout, (intro, self.cases, self.trigger, row, heading, self.diagnosis,
                             remedy_row, self.remedy_text, self.case_text))

    def _label(self, name: str) -> WrapLabel:
        label = named_label(name)
        label.setTextFormat(Qt.TextFormat.RichText)  # escaped text: no guessing
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        return label

    # --- cases --------------------------------------------------------------------------
    @property
    def case(self) -> FailureCase:
        return CASES[max(self.cases.currentRow(), 0)]

    def _show_case(self, _row: int) -> None:
        case = self.case
        self.trigger.setText(f"<b>Try:</b> {escape(case.trigger)}")
        self.case_text.setText(
            f"<b>About this case.</b> You will see: {escape(case.shows)}"
            f"<br><b>Why:</b> {escape(case.why)}<br><b>Remedy:</b> {escape(case.remedy)}")

    def open_current(self) -> bool:
        """Open the selected case's graph as a new document (unsaved work asked about)."""
        case = self.case
        if not self._open_case(str(case_path(case.key))):
            return False
        self.ctx.status(f"Failure lab: {case.trigger}", 10000)
        if case.lr is not None:
            # Its rate is typed into the Training dock before training: Learn > Train
            # would train at once, at the case's converging rate.
            self.wants_training.emit()
        return True

    # --- the diagnosis ------------------------------------------------------------------
    def _on_published(self, state: RunState) -> None:
        if state.result is not None and self._state is not None and not state.stale \
                and state.result is self._state.result and not self._state.stale:
            return  # the same run again (a selection): already diagnosed
        self._state, self._due = state, True
        # Only for a lab in view (a tab behind another is covered, not hidden); else when
        # it comes into view (``in_view``): a run of 10k nodes costs 0.1 s to diagnose.
        if self.isVisible() and not self.visibleRegion().isEmpty():
            self._diagnose()

    def _diagnose(self) -> None:
        state, self._due = self._state, False
        self.found = [] if state is None or state.result is None or state.stale else \
            diagnose(self.ctx.graph, state.result)
        self._show_found()

    def in_view(self, shown: bool) -> None:
        """The lab's dock came into view (its tab raised, or shown): diagnose a run it
        missed."""
        if shown and self._due:
            self._diagnose()

    def training_ended(self, why: str, losses: list[float], lr: float,
                       final: float | None, optimizer: str = "sgd") -> None:
        """A training stopped (``why``, as TrainPanel.stopped says): a loss that grew (or
        broke) names a learning rate too large (``final``: the loss at the trained values,
        as the Training dock says it). One stopped by another document was of the graph
        before it: nothing to say of the new one."""
        if why == "document changed":
            return
        output = self.ctx.graph.nodes.get(self.ctx.graph.output or "")
        self.trained = diagnose_training(losses, lr, output.name if output else "J", final,
                                         optimizer)
        self._show_found()

    @property
    def shown(self) -> list[Diagnosis]:
        return self.found + ([self.trained] if self.trained is not None else [])

    def _show_found(self) -> None:
        state, shown = self._state, self.shown
        if shown:
            text = "<br><br>".join(_diagnosis_html(d) for d in shown)
        elif state is None or state.result is None:
            text = IDLE
        else:
            text = STALE if state.stale else HEALTHY
            if self._applied and not state.stale:
                text = (f"Applied “{escape(self._applied)}” (Ctrl+Z takes it back). "
                        f"{text}")
        if shown:
            self._applied = ""
        self.diagnosis.setText(text)
        remedy = self.remedy
        self.apply_button.setEnabled(remedy is not None)
        self.remedy_text.setText(escape(remedy.text) if remedy is not None else "")
        if shown:
            self.diagnosed.emit()

    @property
    def remedy(self) -> Remedy | None:
        """The first remedy of what is shown, the one Apply remedy applies."""
        return next((d.remedy for d in self.shown if d.remedy is not None), None)

    def apply_remedy(self) -> None:
        """Apply the first remedy shown: a graph edit as one undo step (then run again, so
        the lab shows what it fixed), or a learning rate set in the Training dock."""
        remedy = self.remedy
        if remedy is None:
            return
        if not remedy.edits_document:
            assert remedy.lr is not None
            self._set_lr(remedy.lr)
            self.trained = None
            self.ctx.log(f"Failure lab: learning rate set to {number(remedy.lr)} in the "
                         "Training dock; Ctrl+Z takes back the diverged steps, then train again")
            self._show_found()
            self.diagnosis.setText(f"Applied: {escape(remedy.text)} Then train again.")
            self.remedied.emit(remedy.title)
            return
        if self.ctx.editor.apply_remedy(remedy) is not None:
            return
        self._applied = remedy.title
        gradients = self._state is not None and self._state.result is not None \
            and bool(self._state.result.grads)
        rerun = self.run.backward if gradients else self.run.forward
        stack = self.ctx.document.undo_stack
        self._remedy_step = (stack.command(stack.index() - 1), rerun)
        rerun()
        self.remedied.emit(remedy.title)

    def _run_around_remedy(self) -> None:
        """Right before or after the remedy's step (Ctrl+Z, Redo): run as the lab ran to
        show the fix, so the canvas shows the break again (or the fix), not the other's
        numbers marked stale (J = 3.162e−5 at s = 0)."""
        if self._remedy_step is None:
            return
        step, rerun = self._remedy_step
        stack = self.ctx.document.undo_stack
        if step not in (stack.command(stack.index()), stack.command(stack.index() - 1)):
            self._remedy_step = None  # another edit took its place
        elif self.run.stale:
            rerun()

    # --- following the document ---------------------------------------------------------
    def document_replaced(self, graph: Graph) -> None:
        self._state, self.found, self.trained, self._applied = None, [], None, ""
        self._remedy_step = None
        case = case_of(graph)
        if case is not None:  # a case opened any way: its step and story, not another's
            self.cases.setCurrentRow(CASES.index(case))
        self._show_found()

    def graph_edited(self) -> None:
        """The run controller publishes the stale run (or the re-run) itself; a training
        diagnosis is of the parameters before this edit; Ctrl+Z would now take back this
        edit, not the remedy applied before it."""
        self._applied = ""
        if self._remedy_step is not None:  # after the undo's own run and stale marks
            QTimer.singleShot(0, self, self._run_around_remedy)
        if self.trained is not None and self.ctx.document.structural:
            self.trained = None
            self._show_found()


def _diagnosis_html(found: Diagnosis) -> str:
    return (f"<b>{escape(KIND_TITLES[found.kind])}</b> at {escape(found.node)}: "
            f"{escape(found.shows)}.<br><b>Why:</b> {escape(found.why)}")
