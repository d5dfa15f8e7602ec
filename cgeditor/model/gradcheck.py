"""A graph's gradient check: which inputs it covers and the compiled plan it runs on, shared
by ``cgeditor gradcheck`` and the gradient-check dock (core/gradcheck.py does the numerics)."""

from __future__ import annotations

from cgeditor.core.engine import Plan, describe, forward, is_finite
from cgeditor.core.gradcheck import CheckRow, check_gradients
from cgeditor.model import collector
from cgeditor.model.errors import GraphError
from cgeditor.model.graph import Graph
from cgeditor.model.run import compile_graph, refuse_non_scalar, refuse_unrunnable


def check_plan(graph: Graph, trainable_only: bool = False) -> tuple[Plan, list[str]]:
    """The compiled graph and the input names a gradient check covers (every input, or the
    trainable ones); GraphError with the reason when it cannot run or has nothing to check."""
    if not graph.nodes:
        raise GraphError("the graph has no nodes to check")
    problems = refuse_unrunnable(graph, "check")
    names = [n.name for n in graph.nodes.values()
             if n.is_input and (n.trainable or not trainable_only)]
    if not names:
        which = "trainable inputs" if trainable_only else "inputs"
        raise GraphError(f"the graph has no {which} to check")
    plan = compile_graph(graph, None, problems)
    fwd = forward(plan)
    if fwd.values[plan.output] is None:
        first = next(iter(sorted(fwd.issues.items())))[1]
        raise GraphError(f"the output could not be computed: {first.message}")
    refuse_non_scalar(plan, fwd.values, "check gradients")
    if not is_finite(fwd.values[plan.output]):  # no slope to compare at a nan or inf output
        origin = next((issue.message for issue in fwd.issues.values() if issue.origin), "")
        what = describe(fwd.values[plan.output]) + (f" ({origin})" if origin else "")
        raise GraphError(f"cannot check gradients: the output is {what}")
    return plan, names


def gradient_rows(graph: Graph, eps: float = 1e-6, trainable_only: bool = False) -> list[CheckRow]:
    """Backprop against central differences for each input checked by ``check_plan``."""
    plan, names = check_plan(graph, trainable_only)
    # 2p passes allocate 10^4 values each: in an editor's big heap, the full collections
    # their count sets off walked it for nothing (none of them is in a cycle).
    with collector.paused():
        return check_gradients(plan, names=names, eps=eps)
