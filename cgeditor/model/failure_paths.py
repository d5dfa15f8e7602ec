"""The gradient along the longest path from an input to the output, step by step: how the
failure-mode lab tells a vanishing or exploding gradient, and shows the factor of each step.
No Qt here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from cgeditor.model.graph import Graph
    from cgeditor.model.run_result import RunResult


@dataclass(frozen=True)
class GradPath:
    """The path ``names`` from input ``leaf`` to the output; ``factors`` gives, for each op
    on it, |∂J/∂(its input on the path)| / |∂J/∂(it)|: how much that step scales the
    gradient (the largest |element|, for tensors). ``ratio`` is |∂J/∂leaf| / |∂J/∂J|."""

    leaf: str
    names: tuple[str, ...]
    factors: tuple[tuple[str, float], ...]
    grad: Any
    ratio: float
    top: float  # |∂J/∂J|: 1, unless a seed other than 1 was given


def _size(g: Any) -> float:
    """A gradient's size: its largest |element| (a norm's squares could overflow)."""
    if isinstance(g, float):  # a scalar (numpy's float64 too): no reduction, ~1 µs
        return abs(g)
    return float(np.max(np.abs(g), initial=0.0))


def steepest_path(graph: Graph, run: RunResult) -> GradPath | None:
    """The longest path (in ops) from an input to the output, from the input that is
    trainable (then read by one op) first among the deepest; None when the run has no
    gradients or the output depends on no input."""
    plan = run.plan
    if plan is None or not run.grads:
        return None
    out = plan.output
    depth = {out: 0}
    for i in range(out - 1, -1, -1):
        ahead = [depth[c] for c in plan.consumers[i] if c in depth]
        if ahead:
            depth[i] = max(ahead) + 1
    leaves = [i for i in depth if plan.steps[i].op == "input"]
    if not leaves:
        return None

    def rank(i: int) -> tuple[int, bool, int, int]:
        node = graph.by_name(plan.steps[i].name)
        return (-depth[i], not node.trainable, len(plan.consumers[i]), i)

    path = [min(leaves, key=rank)]
    while path[-1] != out:
        here = depth[path[-1]]
        path.append(next(c for c in plan.consumers[path[-1]] if depth.get(c) == here - 1))
    names = tuple(plan.steps[i].name for i in path)
    sizes = [_size(run.grads[n]) if run.grads.get(n) is not None else 0.0 for n in names]
    factors = tuple((names[k + 1], sizes[k] / sizes[k + 1] if sizes[k + 1] else 0.0)
                    for k in range(len(names) - 1))
    top = sizes[-1]
    return GradPath(names[0], names, factors, run.grads[names[0]],
                    sizes[0] / top if top else 0.0, top)
