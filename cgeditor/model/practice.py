"""Practice mode, "predict before you reveal": a finished run becomes questions, each scalar
step's value in execution order and then each gradient in reverse, that a student answers one
at a time. A wrong answer earns a hint, Reveal gives the answer, and the score counts the
answers right at the first try. Qt-free: the Practice dock shows ``display()`` on the canvas.

The questions (practice_questions.py) are about single numbers only; the other steps are shown
when their turn comes, as are the inputs, the constants and the output's seed ∂J/∂J = 1.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from cgeditor.core.engine import Plan
from cgeditor.model.display import RunDisplay, build_display
from cgeditor.model.number_text import grad_label, status_text, value_text
from cgeditor.model.practice_questions import Question, QuestionBuilder
from cgeditor.model.practice_text import (
    AnswerError,
    is_close,
    is_right,
    parse_answer,
)
from cgeditor.model.run import RunResult
from cgeditor.model.stepping import BACKWARD, FORWARD, Stepper

HIDDEN = "?"  # what a node shows where a number not yet answered would be
FIRST, LATER, REVEALED = "first try", "after a hint", "revealed"


class PracticeRefused(ValueError):
    """Practice cannot start on this run; the message says why and what to do."""


@dataclass(frozen=True)
class Verdict:
    """What an answer earned: right or not, and the line to show (a hint when wrong)."""

    right: bool
    message: str
    counted: bool = True  # False when nothing readable was typed: no try is used up


def refusal(result: RunResult | None) -> str | None:
    """Why practice cannot start on ``result`` (None when it can): nothing ran, or the run
    has a problem to fix first."""
    if result is None or result.plan is None or not result.ids:
        return "nothing to practise: the graph is empty"
    if result.problems or result.issues:
        return f"practice needs a graph that runs; fix this first: {status_text(result)}"
    return None


class Practice:
    """The questions of one run and the student's way through them."""

    def __init__(self, result: RunResult) -> None:
        """Raises PracticeRefused when the run cannot be practised (see ``refusal``)."""
        why = refusal(result)
        if why is not None:
            raise PracticeRefused(why)
        self.result = result
        self.questions, self.notes = QuestionBuilder(result).build()
        if not self.questions:
            raise PracticeRefused("nothing to practise: practice asks about steps that make "
                                  "a single number from single numbers, and this graph has "
                                  "none" + (" (its steps involve tensors)" if self.notes else ""))
        self.stepper = Stepper(result)
        self._events = {event: k for k, event in enumerate(self.stepper.events)}
        self._leaves = {i for i, spec in enumerate(result.plan.specs) if spec.is_leaf}
        self.position = 0
        self.tries = 0  # wrong answers to the current question
        self.hinted = 0  # hints given for it
        self.outcomes: list[str] = []  # FIRST, LATER or REVEALED per question answered
        self._place()

    @property
    def current(self) -> Question | None:
        """The question being asked; None once all are answered."""
        return self.questions[self.position] if self.position < len(self.questions) else None

    @property
    def done(self) -> bool:
        return self.current is None

    def answer(self, text: str) -> Verdict:
        """Check ``text`` against the current question; right moves on to the next one."""
        question = self.current
        if question is None:
            return Verdict(False, "Practice is over: " + self.score_text(), counted=False)
        try:
            guess = parse_answer(text)
        except AnswerError as exc:
            why = str(exc)
            return Verdict(False, why[:1].upper() + why[1:], counted=False)
        if is_right(guess, question.answer):
            self._advance(FIRST if self.tries == 0 else LATER)
            return Verdict(True, f"Right: {question.answer_text}")
        self.tries += 1
        if is_close(guess, question.answer):
            return Verdict(False, f"{value_text(guess)} is close, but not within 0.1 %: "
                                  "give more digits.")
        for number, why in question.slips:
            if is_right(guess, number):
                return Verdict(False, f"Not {value_text(guess)}: {why}.")
        self.hinted += 1  # a slip named is no hint: the rule still comes first
        hint = question.hints[min(self.hinted, len(question.hints)) - 1]
        return Verdict(False, f"Not {value_text(guess)}. Hint: {hint}")

    def reveal(self) -> str:
        """Give the current question's answer and move on; the line saying it."""
        question = self.current
        if question is None:
            return ""
        self._advance(REVEALED)
        return f"Revealed: {question.answer_text}"

    def score_text(self) -> str:
        """'9 of 13 right at the first try, 2 after a hint, 2 revealed'."""
        counts = {kind: self.outcomes.count(kind) for kind in (FIRST, LATER, REVEALED)}
        text = f"{counts[FIRST]} of {len(self.outcomes)} right at the first try"
        extra = [f"{counts[kind]} {kind}" for kind in (LATER, REVEALED) if counts[kind]]
        return ", ".join([text, *extra])

    def display(self, order: list[str] | None = None) -> RunDisplay:
        """What the canvas shows: the numbers answered so far, '?' for those still to come,
        the asked node marked current and the wires its question reads lit. ``order`` is
        the graph's execution order now (for the badges)."""
        shown = build_display(self.result, self.stepper, order=order)
        question = self.current
        if question is None:
            return shown
        nodes = dict(shown.nodes)
        result, stepper = self.result, self.stepper
        backward = question.phase == BACKWARD
        out = result.output or "J"
        for i, node_id in enumerate(result.ids):
            changes: dict[str, str] = {}
            if i not in stepper.values_revealed and i not in self._leaves:
                changes["value_text"] = HIDDEN
            if backward and result.raw_grads[i] is not None and i not in stepper.grads_revealed:
                changes.update(grad_value=HIDDEN, grad_label=grad_label(out, result.order[i]))
            if changes:
                nodes[node_id] = nodes[node_id].but(**changes)
        # The asked node is where the eye should go: drawn current, not dimmed with the rest.
        nodes[question.node_id] = nodes[question.node_id].but(dimmed=False)
        lit = _uses_keys(result, question.index) if backward else shown.lit_wires
        return replace(shown, nodes=nodes, lit_wires=lit,
                       dimmed=shown.dimmed - {question.node_id})

    def _advance(self, outcome: str) -> None:
        self.outcomes.append(outcome)
        self.position += 1
        self.tries = self.hinted = 0
        self._place()

    def _place(self) -> None:
        """Reveal what comes before the current question (and everything once done)."""
        question = self.current
        if question is None:
            self.stepper.run_to_end()
            return
        position = self._events[(question.phase, question.index)]
        before = self.stepper.events[:position]
        values = self._leaves | {i for phase, i in before if phase == FORWARD}
        grads = {i for phase, i in before if phase == BACKWARD}
        steps, parts = self.result.plan.steps, self.stepper.parts
        # A wire's gradient is the answer to its source's question: shown once that is.
        wires = {(j, k) for j in grads for k, src in enumerate(steps[j].args)
                 if src in grads and (j, k) in parts}
        self.stepper.place(position, values, grads, wires)


def _uses_keys(result: RunResult, i: int) -> frozenset[tuple[str, str]]:
    """The wires (target id, port) along which slot ``i``'s value is used."""
    plan = result.plan
    return frozenset((result.ids[j], plan.specs[j].inputs[k])
                     for j, k in _uses(plan, i))


def _uses(plan: Plan, i: int) -> list[tuple[int, int]]:
    return [(j, k) for j in plan.consumers[i]
            for k, src in enumerate(plan.steps[j].args) if src == i]
