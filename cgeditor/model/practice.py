"""Practice mode, "predict before you reveal": a finished run becomes questions, each scalar
step's value in execution order and then each gradient in reverse, that a student answers one
at a time. A wrong answer earns a hint, Reveal gives the answer, and the score counts the
answers right at the first try. Qt-free: the Practice dock shows ``display()`` on the canvas.

Practice asks about single numbers only (made from single numbers or from a tensor of at most
SMALL elements, written out in the question): the other steps are shown when their turn comes
(``notes`` says which), as are the inputs, the constants and the output's seed ∂J/∂J = 1.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

import numpy as np

from cgeditor.core.engine import Plan
from cgeditor.core.ops import F64
from cgeditor.model.derivatives import locals_of
from cgeditor.model.display import RunDisplay, build_display
from cgeditor.model.number_text import grad_label, status_text, value_text
from cgeditor.model.practice_text import (
    AnswerError,
    back_rule,
    is_close,
    is_right,
    operand,
    parse_answer,
    step_expression,
    written,
)
from cgeditor.model.run import RunResult
from cgeditor.model.stepping import BACKWARD, FORWARD, Stepper

HIDDEN = "?"  # what a node shows where a number not yet answered would be
SMALL = 6  # a single number made from a tensor of at most this many elements is asked
FIRST, LATER, REVEALED = "first try", "after a hint", "revealed"


class PracticeRefused(ValueError):
    """Practice cannot start on this run; the message says why and what to do."""


Texts = tuple[str, tuple[str, ...]]  # a question's prompt and hints


@dataclass(frozen=True)
class Question:
    """One number to predict: node ``node_id``'s value (forward) or gradient (backward).

    Its words are written when first read: a graph of 10^4 nodes asks 2·10^4 questions,
    and a student reads a few of them at a time."""

    phase: str  # FORWARD or BACKWARD
    index: int  # the node's slot in the run's plan
    node_id: str
    label: str  # 'c' or '∂J/∂c'
    answer: Any  # the run's number (a float64 scalar)
    write: Callable[[], Texts] = field(compare=False, repr=False)
    lead: str = ""  # said before the prompt ('Backward pass, …')

    @cached_property
    def _texts(self) -> Texts:
        return self.write()

    @property
    def prompt(self) -> str:
        """'c = w · x with w = 2, x = −2. What is c?'"""
        return self.lead + self._texts[0]

    @property
    def hints(self) -> tuple[str, ...]:
        """One per wrong try, the last repeated: the rule, then the numbers."""
        return self._texts[1]

    @property
    def answer_text(self) -> str:
        return f"{self.label} = {value_text(self.answer)}"


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
        self.questions, self.notes = _Questions(result).build()
        if not self.questions:
            raise PracticeRefused("nothing to practise: practice asks about steps that make "
                                  "a single number from single numbers, and this graph has "
                                  "none" + (" (its steps involve tensors)" if self.notes else ""))
        self.stepper = Stepper(result)
        self._events = {event: k for k, event in enumerate(self.stepper.events)}
        self._leaves = {i for i, spec in enumerate(result.plan.specs) if spec.is_leaf}
        self.position = 0
        self.tries = 0  # wrong answers to the current question
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
            return Verdict(False, str(exc).capitalize(), counted=False)
        if is_right(guess, question.answer):
            self._advance(FIRST if self.tries == 0 else LATER)
            return Verdict(True, f"Right: {question.answer_text}")
        self.tries += 1
        if is_close(guess, question.answer):
            return Verdict(False, f"{value_text(guess)} is close, but not within 0.1 %: "
                                  "give more digits.")
        hint = question.hints[min(self.tries, len(question.hints)) - 1]
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
        self.tries = 0
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
    return [(j, k) for j in range(i + 1, len(plan.steps))
            for k, src in enumerate(plan.steps[j].args) if src == i]


def _scalar(value: Any) -> bool:
    # float64 first: np.ndim per slot was most of listing 10^4 questions
    return value.__class__ is F64 or (value is not None and np.ndim(value) == 0)


class _Questions:
    """Builds a run's questions and the notes on what it shows without asking."""

    def __init__(self, result: RunResult) -> None:
        self.result = result
        self.plan: Plan = result.plan
        self.values = result.raw_values
        self.grads = result.raw_grads or [None] * len(result.ids)
        self.out = result.output or "J"
        self.users: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for j, step in enumerate(self.plan.steps):
            for k, src in enumerate(step.args):
                self.users[src].append((j, k))
        self.tensors: list[str] = []
        self.scalar = [_scalar(value) for value in self.values]
        self._locals: dict[int, tuple[Any, ...] | None] = {}

    def locals(self, j: int) -> tuple[Any, ...] | None:
        """Step ``j``'s local derivatives (a vjp each: computed once, asked per input)."""
        if j not in self._locals:
            self._locals[j] = locals_of(self.plan, self.values, j)
        return self._locals[j]

    def build(self) -> tuple[list[Question], list[str]]:
        plan, n = self.plan, len(self.result.ids)
        questions = [q for i in range(n) if (q := self._forward(i)) is not None]
        backward = [q for i in reversed(range(n)) if (q := self._backward(i)) is not None]
        if backward:
            seed = "Backward pass, from the output back to the inputs. "
            backward[0] = replace(backward[0], lead=seed)
        notes = []
        if self.tensors:
            names = ", ".join(dict.fromkeys(self.tensors))
            notes.append(f"Practice asks about single numbers; these steps involve tensors "
                         f"and are shown, not asked, when their turn comes: {names}.")
        if self.result.grad_note:
            notes.append(f"No gradient questions: {self.result.grad_note}.")
        if any(spec.is_leaf and not spec.is_input and self.grads[i] is not None
               for i, spec in enumerate(plan.specs)):
            notes.append("Gradients of constants are shown, not asked: nothing trains them.")
        return questions + backward, notes

    def _forward(self, i: int) -> Question | None:
        plan, values = self.plan, self.values
        step, spec = plan.steps[i], plan.specs[i]
        if spec.is_leaf:
            return None
        scalar = self.scalar
        # a tensor the question can write out whole, as its node shows it, may be read
        if not (scalar[i] and all(scalar[j] or np.size(values[j]) <= SMALL
                                  for j in step.args)):
            self.tensors.append(step.name)
            return None
        return Question(FORWARD, i, self.result.ids[i], step.name, values[i],
                        lambda: self._forward_texts(i))

    def _forward_texts(self, i: int) -> Texts:
        plan, values = self.plan, self.values
        step, spec = plan.steps[i], plan.specs[i]
        given = ", ".join(f"{plan.steps[j].name} = {written(values[j])}"
                          for j in dict.fromkeys(step.args))
        expression = step_expression(plan, i)
        filled = step_expression(plan, i, [operand(values[j]) for j in step.args])
        hint = f"{step.name} = {expression} = {filled}"
        if "(" in spec.template and spec.doc:  # a function call: say what it computes
            hint += f"; {spec.name} is {spec.doc[0].lower()}{spec.doc[1:]}"
        return f"{step.name} = {expression} with {given}. What is {step.name}?", (hint,)

    def _backward(self, i: int) -> Question | None:
        plan, grads = self.plan, self.grads
        spec, name = plan.specs[i], plan.steps[i].name
        if grads[i] is None or i == plan.output or (spec.is_leaf and not spec.is_input):
            return None
        uses = [(j, k) for j, k in self.users[i] if grads[j] is not None]
        # A scalar's use by a step with a scalar value has a scalar local derivative (and
        # every gradient has its value's shape).
        if not self.scalar[i] or not all(self.scalar[j] for j, _ in uses):
            self.tensors.append(name)
            return None
        return Question(BACKWARD, i, self.result.ids[i], grad_label(self.out, name), grads[i],
                        lambda: self._backward_texts(i, uses))

    def _backward_texts(self, i: int, uses: list[tuple[int, int]]) -> Texts:
        plan, grads, name = self.plan, self.grads, self.plan.steps[i].name
        label = grad_label(self.out, name)
        terms = [self._term(j, k, name) for j, k in uses]
        arriving = "; ".join(dict.fromkeys(
            f"{grad_label(self.out, plan.steps[j].name)} = {value_text(grads[j])} arrives "
            f"from {plan.steps[j].name} = {step_expression(plan, j)}" for j, _ in uses))
        if len(uses) == 1:
            ask = f"What is {label} = {terms[0]}?"
        else:
            ask = (f"{name} is used {len(uses)} times, so its gradient is a sum: "
                   f"what is {label} = {' + '.join(terms)}?")
        numbers = " + ".join(f"{operand(grads[j])} · {operand(self.locals(j)[k])}"
                             for j, k in uses)
        return f"{arriving}. {ask}", (self._rules(uses, name), f"{label} = {numbers}")

    def _term(self, j: int, k: int, name: str) -> str:
        """'∂J/∂a · ∂a/∂c' (with the port when the step reads ``name`` on several)."""
        step = self.plan.steps[j]
        port = f"[{self.plan.specs[j].inputs[k]}]" if step.args.count(step.args[k]) > 1 else ""
        # The output's own local derivative would read as the answer's label: spell it.
        target = f"({step_expression(self.plan, j)})" if j == self.plan.output else step.name
        return f"{grad_label(self.out, step.name)} · ∂{target}/∂{name}{port}"

    def _rules(self, uses: list[tuple[int, int]], name: str) -> str:
        """Each use's rule ('a = c + b sends back ∂J/∂a to c'), or its local derivative's
        number where the rule is a helper call; a step reading ``name`` on several ports
        says what it sends back on each ('… to x on port a, … on port b')."""
        lines = []
        for j, k in uses:
            step, upstream = self.plan.steps[j], grad_label(self.out, self.plan.steps[j].name)
            port = self.plan.specs[j].inputs[k] if step.args.count(step.args[k]) > 1 else ""
            rule = back_rule(self.plan, j, k, upstream)
            if rule is None:
                local = f"∂{step.name}/∂{name}"
                rule = f"{local} · {upstream} ({local} = {value_text(self.locals(j)[k])} here)"
            lines.append((j, f"{rule} on port {port}" if port else rule))
        said = []
        for j in dict.fromkeys(j for j, _ in lines):
            step = self.plan.steps[j]
            sent = ", ".join(rule for i, rule in lines if i == j)
            said.append(f"{step.name} = {step_expression(self.plan, j)} sends back {sent} "
                        f"to {name}")
        return "; ".join(said)
