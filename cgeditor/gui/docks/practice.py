"""The Practice dock, "predict before you reveal": the canvas hides the run's numbers ('?')
and the dock asks for them one node at a time, values in execution order and then gradients
in reverse; Enter checks the typed answer, a wrong one earns a hint, Reveal gives it.

Practice never edits the document: it runs the graph aside (no ``evaluated``, so no other
dock or the status line shows an answer), paints the canvas without the undo stack, and stops
with a message when the graph changes or a run shows every answer.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from cgeditor.gui import theme as T
from cgeditor.gui import theme_switch
from cgeditor.gui.canvas.run_paint import paint_run
from cgeditor.gui.docks.controls import fill_column, named_button, named_label
from cgeditor.gui.docks.follow import follow
from cgeditor.model.kept_run import RunSource
from cgeditor.model.practice import Practice, PracticeRefused
from cgeditor.model.practice_text import ANSWER_HELP, REL_TOL
from cgeditor.model.run import RunState, run_graph
from cgeditor.model.stepping import FORWARD

if TYPE_CHECKING:
    from cgeditor.gui.context import Context
    from cgeditor.gui.run_controller import RunController
    from cgeditor.model.graph import Graph

INTRO = ("Predict every number before you see it: the values in execution order, then the "
         "gradients from the output back. Press Start (or Ctrl+P) to start on this graph.")
RULE = (f"An answer is right within {REL_TOL:.1%} of the run's number; {ANSWER_HELP}.")
EDITED = ("The graph changed, so practice stopped; press Start (or Ctrl+P) to practise on "
          "it again.")
RAN = ("A run shows every answer, so practice stopped; press Start (or Ctrl+P) to practise "
       "again.")
REPLACED = "A new document: practice stopped; press Start (or Ctrl+P) to practise on it."
STOPPED = "Practice stopped; press Start (or Ctrl+P) to practise again."
CLOSED = "Practice stopped as its panel closed; press Ctrl+P to practise again."
OTHER_STARTED = ("Practice stopped: the ordering exercise started (one exercise at a time); "
                 "press Start (or Ctrl+P) to practise again.")


class PracticePanel(QWidget):
    """The practice questions of one window and the canvas picture while practising."""

    changed = Signal(bool)  # practice started (True) or stopped

    def __init__(self, ctx: Context, run: RunController) -> None:
        super().__init__()
        self.setObjectName("practice_panel")
        self.ctx, self.run = ctx, run
        self.practice: Practice | None = None
        self._source: RunSource | None = None  # the graph as practice ran it
        self._graph: Graph | None = None  # the document's graph it was asked of
        self._said: tuple[str, bool | None] = ("", None)  # the feedback line, for restyle
        self._build()
        run.published.connect(self._on_published)
        follow(ctx.document, self)
        theme_switch.follow(self)
        self._show_idle(INTRO)

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        self.progress = named_label("practice_progress")
        self.prompt = named_label("practice_prompt")
        font = QFont(self.prompt.font())
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.prompt.setFont(font)
        self.prompt.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.answer_field = QLineEdit()
        self.answer_field.setObjectName("practice_answer")
        self.answer_field.setPlaceholderText("your answer, then Enter")
        self.answer_field.setMinimumWidth(150)
        self.answer_field.returnPressed.connect(self.check)
        self.check_button = named_button("practice_check", "&Check", self.check)
        self.reveal_button = named_button("practice_reveal", "Reve&al", self.reveal)
        row = QHBoxLayout()
        row.addWidget(self.answer_field, 1)
        row.addWidget(self.check_button)
        row.addWidget(self.reveal_button)
        self.feedback = named_label("practice_feedback")
        self.notes = named_label("practice_notes")
        self.start_button = named_button("practice_start", "&Start", self.start)
        self.stop_button = named_button("practice_stop", "S&top", self.stop)
        controls = QHBoxLayout()
        controls.addWidget(self.start_button)
        controls.addWidget(self.stop_button)
        controls.addStretch(1)
        rule = named_label("practice_rule")
        rule.setText(RULE)
        fill_column(layout, (self.progress, self.prompt, row, self.feedback, controls,
                             self.notes, rule))

    @property
    def active(self) -> bool:
        return self.practice is not None

    # --- starting and stopping ----------------------------------------------------------
    def start(self) -> bool:
        """Practise on the graph as it is now (again from the first question when already
        practising); False, with the reason shown, when it cannot be practised."""
        graph = self.ctx.graph
        try:
            practice = Practice(run_graph(graph, None, None, True))
        except PracticeRefused as exc:
            why = str(exc)[0].upper() + str(exc)[1:]  # a sentence in the dock and status
            if self._end(why):
                self.run.republish()  # no '?' of the practice before stays
            else:
                self.changed.emit(False)  # the action that asked is unchecked again
            self.ctx.status(why, 8000)
            return False
        self.practice, self._source, self._graph = practice, RunSource.of(graph), graph
        self.run.reset()  # no other dock, label or status line keeps an answer on screen
        self.notes.setText(" ".join(practice.notes))
        self.feedback.setText("")
        self._show_question()
        self.answer_field.setFocus()  # from Ctrl+P or the Start button: typing answers
        self.changed.emit(True)
        self.ctx.status("Practice: predict each number, then press Enter", 8000)
        return True

    def stop(self, why: str = STOPPED) -> None:
        """Leave practice: the canvas shows the run's own picture again."""
        why = self._scored(why)
        if self._end(why):
            self.run.republish()
            self.ctx.status(why, 8000)
            self.ctx.view.setFocus()  # not the next widget along from a disabled Stop

    def _scored(self, why: str) -> str:
        """``why``, and the score so far when anything was answered."""
        practice = self.practice
        if practice is not None and practice.outcomes:
            return f"{why} Score: {practice.score_text()}."
        return why

    def _end(self, why: str) -> bool:
        """Forget the practice and show ``why``; whether one was running."""
        was = self.practice is not None
        self.practice, self._source, self._graph = None, None, None
        self._show_idle(why)
        if was:
            self.changed.emit(False)
        return was

    # --- answering ----------------------------------------------------------------------
    def check(self) -> None:
        """Check what is typed against the current question (Enter in the field)."""
        practice = self.practice
        if practice is None or practice.done:
            return
        verdict = practice.answer(self.answer_field.text())
        self._say(verdict.message, good=verdict.right)
        if verdict.right:
            self._show_question()
        else:
            self.answer_field.selectAll()  # typing again replaces the wrong answer
        self.answer_field.setFocus()

    def reveal(self) -> None:
        """Give the current answer and go on to the next question."""
        practice = self.practice
        if practice is None or practice.done:
            return
        self._say(practice.reveal(), good=None)
        self._show_question()
        self.answer_field.setFocus()

    # --- showing ------------------------------------------------------------------------
    def _show_question(self) -> None:
        practice = self.practice
        assert practice is not None
        question = practice.current
        total = len(practice.questions)
        asking = question is not None
        if asking:
            phase = "forward pass" if question.phase == FORWARD else "backward pass"
            self.progress.setText(f"Question {practice.position + 1} of {total} · {phase}")
            self.prompt.setText(unbroken(question.prompt))
        else:
            self.ctx.log(f"Practice done: {practice.score_text()}")
            self.progress.setText(f"Done: {total} questions")
            self.prompt.setText(f"Score: {practice.score_text()}. Every number is shown now; "
                                "press Start again (or Ctrl+P) to practise "
                                "again, or Stop.")
        self.answer_field.clear()
        for widget in (self.answer_field, self.check_button, self.reveal_button):
            widget.setEnabled(asking)
        self.stop_button.setEnabled(True)
        self.start_button.setText("&Start again")
        if not asking:  # the answer field goes grey: Space now starts again
            self.start_button.setFocus()
        self._paint()
        if question is not None:  # the green-framed node asked about on screen, not below the fold
            self.ctx.view.reveal_nodes([question.node_id])

    def _show_idle(self, text: str) -> None:
        self.progress.setText("")
        self.prompt.setText(text)
        self.feedback.setText("")
        self.answer_field.clear()
        for widget in (self.answer_field, self.check_button, self.reveal_button,
                       self.stop_button):
            widget.setEnabled(False)
        self.start_button.setText("&Start")
        self.notes.setText("")

    def _say(self, text: str, good: bool | None) -> None:
        self._said = (text, good)
        pal = T.current()
        color = {True: pal.port_ok, False: pal.error, None: pal.value_text}[good]
        # escaped: the line quotes what was typed ('x<y'), which is text, not markup
        line = escape(unbroken(text), quote=False)
        self.feedback.setText(f"<span style='color:{color.name()}'>{line}</span>")

    def restyle(self) -> None:
        """View > Theme: the feedback line in the new palette's colours."""
        if self.feedback.text():
            self._say(*self._said)

    def _paint(self) -> None:
        """The practice picture on the canvas: straight onto the items, never through the
        editor (a grown node makes no room and no undo step: practice edits nothing).
        Only on the graph it was asked of: a new document's first picture is published
        before the dock hears of the replacement, and the old answers, keyed by node id,
        would land on the new graph's nodes."""
        practice, scene, graph = self.practice, self.ctx.document.scene, self.ctx.graph
        if practice is None or scene is None or graph is not self._graph \
                or scene.graph is not graph:
            return
        paint_run(scene, practice.display(graph.order()), graph)

    def _on_published(self, state: RunState) -> None:
        """The run controller repainted the canvas (a selection, a reset): paint over it
        again; a run of its own shows every answer, so practice ends."""
        if self.practice is None:
            return
        if state.result is None:
            self._paint()
            return
        why = self._scored(EDITED if not self._matches(self.ctx.graph) else RAN)
        self._end(why)  # the run has painted its own picture already
        self.ctx.status(why, 8000)

    def _matches(self, graph: Graph) -> bool:
        return self._source is not None and self._source.matches(graph)

    # --- following the document ---------------------------------------------------------
    def document_replaced(self, _graph: Graph) -> None:
        self._end(self._scored(REPLACED) if self.practice is not None else INTRO)

    def graph_edited(self) -> None:
        """Any edit ends practice: its questions were asked of the graph before it."""
        if self.practice is not None and not self._matches(self.ctx.graph):
            self.stop(EDITED)


WORD_JOINER = "\u2060"


def unbroken(text: str) -> str:
    """``text`` with a word joiner after each '/' of a derivative: a wrapped line may break
    after a slash, and '∂J/' over '∂c' reads as two things (the joiner is invisible)."""
    return text.replace("/∂", f"/{WORD_JOINER}∂")
