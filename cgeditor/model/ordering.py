"""The ordering exercise, "put the steps of the flow in the order they must run": the graph's
forward steps ('c = w · x') and backward steps ('∂J/∂c = ∂J/∂a · ∂a/∂c', a fan-out's sum) as
cards, shuffled; ``check`` accepts every order that could run and says for each misplaced card,
in one sentence, what it needs that comes later. Qt-free: the Ordering dock shows the cards.

A card needs the cards that make what it reads: a forward step its operation inputs, a
gradient the gradients of the steps that use its value (the output's seed ∂J/∂J = 1 is given),
and in the whole flow every backward step needs the whole forward pass before it.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from cgeditor.core.diagnose import shape_text
from cgeditor.core.engine import Plan
from cgeditor.model.graph import Graph
from cgeditor.model.number_text import grad_label
from cgeditor.model.practice_text import chain_term, step_expression
from cgeditor.model.run import (
    compile_graph,
    infer_shapes,
    pre_run_problems,
    scalar_output_problem,
)
from cgeditor.model.stepping import BACKWARD, FORWARD

WHOLE = "whole"  # the third level beside FORWARD and BACKWARD: both passes
LEVELS: dict[str, str] = {FORWARD: "Forward pass", BACKWARD: "Backward pass",
                          WHOLE: "Whole flow"}
MAX_CARDS = 14  # more cards than this are no longer read and ordered by hand
TRIES = 100  # shuffles tried for one that does not already run in order

Shape = tuple[int, ...]


class OrderingRefused(ValueError):
    """The exercise cannot be set on this graph; the message says why and what to do."""


@dataclass(frozen=True)
class Card:
    """One step of the flow: its words, the node it belongs to and the cards it needs."""

    key: str  # 'f3' or 'b3': phase and plan slot, unique within one exercise
    phase: str  # FORWARD or BACKWARD
    index: int  # the node's slot in the plan
    node_id: str
    label: str  # 'c' or '∂J/∂c': what the step makes
    formula: str  # 'c = w · x', '∂J/∂c = ∂J/∂a · ∂a/∂c'
    needs: tuple[str, ...]  # keys of the cards this one reads from
    shape: str = ""  # what it makes, where the step touches a tensor: '(4, 2)', 'scalar'
    sums: int = 0  # a gradient summed over this many uses (fan-out); 0 for one use
    # The wires (target id, port) the step reads along: a value's inputs, or the uses a
    # gradient comes back from.
    wires: tuple[tuple[str, str], ...] = ()

    @property
    def text(self) -> str:
        """The card as shown: its formula, and the shape it makes where that helps."""
        return f"{self.formula}   → {self.shape}" if self.shape else self.formula


@dataclass(frozen=True)
class Verdict:
    """What one check found: the reason per misplaced card key (empty when the order runs)."""

    misplaced: dict[str, str]
    total: int

    @property
    def right(self) -> bool:
        return not self.misplaced

    @property
    def placed(self) -> int:
        """Cards whose needs all come before them."""
        return self.total - len(self.misplaced)


def _and(names: Sequence[str]) -> str:
    """'c', 'c and b', 'c, b and d'."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


class Ordering:
    """The cards of one graph at one level, a shuffled start, and the attempts made."""

    def __init__(self, plan: Plan, ids: Sequence[str], shapes: Sequence[Shape | None],
                 level: str, seed: int = 0) -> None:
        """``ids`` are the plan's node ids by slot and ``shapes`` its inferred shapes.
        Raises OrderingRefused when the level has no cards or more than MAX_CARDS."""
        if level not in LEVELS:
            raise ValueError(f"unknown level {level!r}: one of {', '.join(LEVELS)}")
        self.plan, self.ids, self.shapes, self.level = plan, list(ids), list(shapes), level
        self.out = plan.steps[plan.output].name
        forward = self._forward_cards() if level != BACKWARD else []
        backward = self._backward_cards(forward) if level != FORWARD else []
        self.cards: list[Card] = forward + backward  # one order that runs: the editor's
        self._refuse_size()
        self.by_key = {card.key: card for card in self.cards}
        self.start = self._shuffled(seed)
        self.attempts = 0
        self.solved = False

    # --- the cards ------------------------------------------------------------------------
    def _forward_cards(self) -> list[Card]:
        plan = self.plan
        return [Card(f"f{i}", FORWARD, i, self.ids[i], step.name,
                     f"{step.name} = {step_expression(plan, i)}",
                     tuple(f"f{j}" for j in dict.fromkeys(step.args)
                           if not plan.specs[j].is_leaf), self._shape(i, step.args),
                     wires=tuple((self.ids[i], port) for port in plan.specs[i].inputs))
                for i, step in enumerate(plan.steps) if not plan.specs[i].is_leaf]

    def _backward_cards(self, forward: list[Card]) -> list[Card]:
        """One card per gradient backprop computes and trains with: every step the output
        reads and every input, not the output's seed nor a constant's gradient."""
        plan, out = self.plan, self.plan.output
        reached = plan.read_by(out)
        whole = tuple(card.key for card in forward)
        cards = []
        for i in plan.down:  # the backward pass's own order: every use before the value
            spec = plan.specs[i]
            if i == out or (spec.is_leaf and not spec.is_input):
                continue
            uses = [(j, k) for j in plan.consumers[i] if j in reached
                    for k, src in enumerate(plan.steps[j].args) if src == i]
            label = grad_label(self.out, plan.steps[i].name)
            terms = " + ".join(chain_term(plan, j, k, self.out) for j, k in uses)
            needs = tuple(f"b{j}" for j in dict.fromkeys(j for j, _ in uses) if j != out)
            cards.append(Card(f"b{i}", BACKWARD, i, self.ids[i], label, f"{label} = {terms}",
                              whole + needs, self._shape(i, [j for j, _ in uses]),
                              len(uses) if len(uses) > 1 else 0,
                              tuple((self.ids[j], plan.specs[j].inputs[k]) for j, k in uses)))
        return cards

    def _shape(self, i: int, others: Sequence[int]) -> str:
        """The shape slot ``i``'s step makes (a gradient has its value's shape) when it or
        one of ``others`` (the inputs it reads, or the uses a gradient comes back from) is
        a tensor; '' when all are scalars, where a shape would say nothing."""
        if not self.shapes[i] and all(not self.shapes[j] for j in others):
            return ""
        return shape_text(self.shapes[i] or ())

    def _refuse_size(self) -> None:
        count = len(self.cards)
        if not count:
            raise OrderingRefused("nothing to order: this graph has no "
                                  f"{'operation' if self.level == FORWARD else 'gradient'} "
                                  "steps; connect some operations first")
        if count > MAX_CARDS:
            raise OrderingRefused(
                f"the {LEVELS[self.level].lower()} of this graph has {count} steps, more than "
                f"{MAX_CARDS} to order by hand; try another level or a smaller graph, such "
                "as the seed example (File > Examples…)")

    def _shuffled(self, seed: int) -> list[str]:
        """The cards in a seeded random order that does not already run, where one exists
        (a single card, or cards that need nothing of each other, always run)."""
        keys = [card.key for card in self.cards]
        rng = random.Random(seed)
        for _ in range(TRIES):
            order = rng.sample(keys, len(keys))
            if not self.check(order).right:
                return order
        backwards = keys[::-1]  # the editor's order reversed breaks every dependency there is
        return backwards if not self.check(backwards).right else order

    # --- checking -------------------------------------------------------------------------
    def check(self, order: Sequence[str]) -> Verdict:
        """Whether the cards in ``order`` (their keys, each once) could run in it: every
        card comes after every card it needs. Any such order is right, not only the
        editor's. Raises ValueError when ``order`` is not the exercise's cards."""
        if sorted(order) != sorted(self.by_key):
            raise ValueError("the order must hold every card of the exercise exactly once")
        place = {key: n for n, key in enumerate(order)}
        misplaced = {}
        for key in order:
            reason = self._reason(self.by_key[key], place)
            if reason:
                misplaced[key] = reason
        return Verdict(misplaced, len(order))

    def submit(self, order: Sequence[str]) -> Verdict:
        """``check``, counted as an attempt (until the first right one)."""
        verdict = self.check(order)
        if not self.solved:
            self.attempts += 1
            self.solved = verdict.right
        return verdict

    def _reason(self, card: Card, place: dict[str, int]) -> str:
        """Why ``card`` cannot run where it is, in one sentence; '' when it can."""
        later = [self.by_key[key] for key in card.needs if place[key] > place[card.key]]
        if not later:
            return ""
        forward = [need.label for need in later if need.phase == FORWARD]
        if card.phase == BACKWARD and forward:
            verb = "comes" if len(forward) == 1 else "come"
            return (f"{card.label} is a backward step, so it runs after the whole forward "
                    f"pass, but {_and(forward)} {verb} later")
        names = [need.label for need in later]
        which = "which comes" if len(names) == 1 else "which come"
        if card.sums:
            name = self.plan.steps[card.index].name
            return (f"{card.label} sums what every use of {name} sends back ({name} is used "
                    f"{card.sums} times), and needs {_and(names)}, {which} later")
        return f"{card.formula} needs {_and(names)}, {which} later"

    def score_text(self) -> str:
        """'Right at the first attempt', 'Right after 3 attempts' or '2 attempts so far'."""
        if self.solved:
            return ("Right at the first attempt" if self.attempts == 1
                    else f"Right after {self.attempts} attempts")
        if not self.attempts:
            return "No attempt yet"
        return f"{self.attempts} attempt{'s' if self.attempts > 1 else ''} so far"


def ordering_of(graph: Graph, level: str, seed: int = 0) -> Ordering:
    """The ordering exercise of ``graph`` as it is now at ``level`` (FORWARD, BACKWARD or
    WHOLE). Raises OrderingRefused, saying what to do, for an empty graph, one that cannot
    run (an open port, a shape mismatch), gradients of a tensor output, or too many cards."""
    if not graph.nodes:
        raise OrderingRefused("nothing to order: the graph is empty")
    if sum(not node.is_leaf for node in graph.nodes.values()) > 2 * MAX_CARDS:
        # refused before anything is compiled: a big graph is far past any level's limit
        raise OrderingRefused(f"this graph has more than {2 * MAX_CARDS} steps, too many "
                              "to order by hand; open a smaller one, such as the seed "
                              "example (File > Examples…)")
    problems = pre_run_problems(graph)
    if problems:
        raise OrderingRefused(f"the exercise needs a graph that runs; fix this first: "
                              f"{next(iter(problems.values()))}")
    plan = compile_graph(graph, None, problems)
    found, errors = infer_shapes(graph)
    if errors:
        why = next(iter(errors.values()))
        raise OrderingRefused(f"the exercise needs a graph that runs; fix this first: {why}")
    shapes = [found.get(step.name) for step in plan.steps]
    out = plan.steps[plan.output]
    problem = scalar_output_problem(out.name, np.broadcast_to(0.0, shapes[plan.output] or ()))
    if level != FORWARD and problem:
        raise OrderingRefused(f"no backward steps to order: {problem}")
    return Ordering(plan, graph.order(), shapes, level, seed)
