"""The questions practice mode asks of a finished run: each single-number step's value in
execution order, then each gradient in reverse, with what arrives from downstream. Each knows
its answer, is worded when first read (prompt, hints, the slips known mistakes give), and says
nothing of the steps it leaves out beyond naming them in ``notes``.
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
from cgeditor.model.number_text import grad_label, value_text
from cgeditor.model.practice_text import (
    back_rule,
    chain_term,
    operand,
    step_expression,
    written,
)
from cgeditor.model.run import RunResult
from cgeditor.model.stepping import BACKWARD, FORWARD

SMALL = 6  # a single number made from a tensor of at most this many elements is asked

Slip = tuple[Any, str]  # a wrong number a known mistake gives, and what to say about it
Texts = tuple[str, tuple[str, ...], tuple[Slip, ...]]  # a question's prompt, hints, slips


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
    def slips(self) -> tuple[Slip, ...]:
        """Wrong numbers that known mistakes give (the sign, a factor left out, one use of
        several), each with what to say when the student gives it."""
        return self._texts[2]

    @property
    def answer_text(self) -> str:
        return f"{self.label} = {value_text(self.answer)}"


def _sign(answer: Any) -> tuple[Slip, ...]:
    return ((-answer, "check the sign"),) if answer != 0 else ()


def _scalar(value: Any) -> bool:
    # float64 first: np.ndim per slot was most of listing 10^4 questions
    return value.__class__ is F64 or (value is not None and np.ndim(value) == 0)


class QuestionBuilder:
    """A run's questions and the notes on what practice shows without asking (``build``)."""

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
        """The questions, forward then backward, and the notes naming what is not asked."""
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
            notes.append("Gradients of constants are shown, not asked, when their turn "
                         "comes: nothing trains them.")
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
        return (f"{step.name} = {expression} with {given}. What is {step.name}?", (hint,),
                _sign(values[i]))

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
        terms = [chain_term(plan, j, k, self.out) for j, k in uses]
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
        return (f"{arriving}. {ask}", (self._rules(uses, name), f"{label} = {numbers}"),
                _sign(grads[i]) + self._slips(uses, name))

    def _slips(self, uses: list[tuple[int, int]], name: str) -> tuple[Slip, ...]:
        """A factor of the chain rule left out, or one use of several taken for all."""
        if len(uses) > 1:
            return tuple((self.grads[j] * self.locals(j)[k],
                          f"that is what {self.plan.steps[j].name} alone sends back; {name} is "
                          f"used {len(uses)} times, so add what every use sends back")
                         for j, k in uses)
        (j, k), = uses
        upstream, local = self.grads[j], self.locals(j)[k]
        step = self.plan.steps[j].name
        arrives = grad_label(self.out, step)
        return ((local, f"that is the local derivative ∂{step}/∂{name} alone; multiply it by "
                        f"what arrives, {arrives} = {value_text(upstream)}"),
                (upstream, f"that is {arrives} as it arrives; multiply it by the local "
                           f"derivative ∂{step}/∂{name}"))

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
