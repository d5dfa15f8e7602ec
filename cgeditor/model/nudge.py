"""Nudge: move one input by ε in a real forward run and set the output it gives beside the
linear prediction J + ∂J/∂θ·ε (the lesson's check by nudging). Pure numbers, no Qt."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from cgeditor.core.engine import backward, forward
from cgeditor.core.gradcheck import output_of
from cgeditor.model.errors import GraphError
from cgeditor.model.graph import Graph
from cgeditor.model.number_text import MINUS, format_scalar
from cgeditor.model.run import compile_graph, refuse_unrunnable, scalar_output_problem


def num(x: float) -> str:
    """Up to 10 significant digits with a true minus sign: 1.996002, −4, 0.001."""
    return format_scalar(x, digits=10)


@dataclass(frozen=True)
class Nudge:
    """The output before and after moving one input by ε, and the linear prediction."""

    name: str
    before: Any  # the input's value
    eps: float
    output: float  # J
    nudged_output: float  # J after the nudge, from a real forward pass
    slope: float  # Σ ∂J/∂θ (the directional derivative along "every element + ε")

    @property
    def predicted(self) -> float:
        return self.output + self.slope * self.eps

    def text(self) -> str:
        """'w → 2.001, J = 1.996002, predicted 2 − 4·0.001 = 1.996'."""
        if np.ndim(self.before) == 0:
            moved = f"{self.name} → {num(float(self.before) + self.eps)}"
        else:
            moved = f"{self.name} → {self.name} + {num(self.eps)} (every element)"
        sign = MINUS if self.slope < 0 else "+"
        eps = num(self.eps) if self.eps > 0 else f"({num(self.eps)})"
        return (f"{moved}, J = {num(self.nudged_output)}, predicted {num(self.output)} {sign} "
                f"{num(abs(self.slope))}·{eps} = {num(self.predicted)}")

    def gap_text(self) -> str:
        gap = format_scalar(self.nudged_output - self.predicted, digits=3)
        return (f"actual − predicted = {gap}: the curvature term, which shrinks like ε² "
                "(halve ε and it quarters)")


def nudge(graph: Graph, node_id: str, eps: float) -> Nudge:
    """Move input ``node_id`` by ``eps`` in a real forward run; the graph is left untouched."""
    node = graph.node(node_id)
    if not node.is_leaf:
        raise GraphError(f"{node.name} is a {node.op} node: select an input to nudge")
    refuse_unrunnable(graph, "run")
    plan = compile_graph(graph)
    fwd = forward(plan)
    if fwd.values[plan.output] is None:
        raise GraphError("the output could not be computed; press Forward to see why")
    problem = scalar_output_problem(plan.steps[plan.output].name, fwd.values[plan.output])
    if problem:  # shown as "Not nudged: <problem>"
        raise GraphError(problem)
    grad = backward(plan, fwd.values).grads[plan.index[node.name]]
    slope = float(np.sum(grad)) if grad is not None else 0.0
    before = np.asarray(node.value, dtype=np.float64)
    after = output_of(plan, {node.name: before + eps})
    return Nudge(node.name, node.value, eps, output_of(plan, {}), after, slope)
