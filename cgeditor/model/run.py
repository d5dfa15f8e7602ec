"""Compiling a Graph to an engine Plan and running it: forward, backward and, when asked,
forward mode (model/run_result.py holds what a run leaves behind).

Problems found before running (an unconnected port, a shape mismatch) are reported per node
by name; nodes that depend on them are skipped, the rest still run. A gradient that was not
computed is None, never a zero: backward runs only from a computed, scalar output, and the
result says once why it did not (``grad_note``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from cgeditor.core import shapes
from cgeditor.core.diagnose import shape_text
from cgeditor.core.engine import (
    Issue,
    Plan,
    Step,
    as_value,
    backward,
    compile_plan,
    forward,
)
from cgeditor.core.ops import F64
from cgeditor.core.tangents import Seeds
from cgeditor.core.tangents import jvp as tangent_pass
from cgeditor.model.errors import GraphError, NotALeafError
from cgeditor.model.run_result import RunResult, RunState, labels_now
from cgeditor.model.values import parse_value

if TYPE_CHECKING:
    from cgeditor.model.graph import Graph

__all__ = ["Compiled", "RunResult", "RunState", "compile_graph", "gradient_refusal",
           "infer_shapes", "labels_now", "pre_run_problems", "refuse_non_scalar",
           "refuse_unrunnable", "run_graph", "scalar_output_problem"]


def pre_run_problems(graph: Graph) -> dict[str, str]:
    """Per node id: what stops it running, found before anything runs."""
    problems = {}
    source_of = graph.source_of
    for node_id, node in graph.nodes.items():
        missing = [p for p in node.ports if source_of(node_id, p) is None]
        if missing:
            ports = ", ".join(missing)
            plural = "s" if len(missing) > 1 else ""
            problems[node_id] = f"input port{plural} {ports} of {node.name} not connected"
    return problems


@dataclass(frozen=True)
class Compiled:
    """The plan of one structure and the problems found before running it, kept on the
    Graph (``Graph.run_cache``) until a structural edit changes ``key``."""

    key: tuple[int, str | None]  # (structure_version, output id)
    problems: dict[str, str]  # node id -> why it cannot run
    plan: Plan


def _compiled(graph: Graph, out_id: str | None) -> Compiled:
    """The problems and plan of the current structure, kept until a structural edit.

    Leaf values are fed at run time, so editing a value (every Live re-run) recompiles
    nothing.
    """
    key = (graph.structure_version, out_id)
    cached = graph.run_cache
    if cached is None or cached.key != key:
        problems = pre_run_problems(graph)
        cached = Compiled(key, problems, compile_graph(graph, out_id, problems))
        graph.run_cache = cached
    return cached


def compile_graph(graph: Graph, output: str | None = None,
                  problems: Mapping[str, str] | None = None) -> Plan:
    """A Plan of the whole graph in execution order; ``output`` is a node id."""
    order = graph.order()
    slot = {node_id: i for i, node_id in enumerate(order)}
    problems = pre_run_problems(graph) if problems is None else problems
    steps = []
    nodes, source_of = graph.nodes, graph.source_of
    for node_id in order:
        node = nodes[node_id]
        if node_id in problems:  # compiled as an empty leaf: it and its dependants are skipped
            steps.append(Step(node.name, "input", (), {}, None))
            continue
        args = tuple([slot[source_of(node_id, p)] for p in node.ports])
        attrs = {k: v for k, v in node.attrs.items() if v is not None}
        steps.append(Step(node.name, node.op, args, attrs, node.value))
    out_id = output or graph.output
    return compile_plan(steps, slot[out_id] if out_id is not None else None)


def run_graph(graph: Graph, feeds: Mapping[str, Any] | None = None, output: str | None = None,
              with_backward: bool = True, jvp: Seeds | None = None) -> RunResult:
    """Forward then backward; ``output`` and the keys of ``feeds`` are node names.

    ``jvp``: also run forward mode from these seeds (a leaf's name, seeded with 1, or {leaf
    name: tangent}): the result's ``tangents`` are then each node's ∂v/∂(seed). Raises
    UnknownNodeError or NotALeafError for a seed on no node or on a computed one, and
    GraphError for a seed that is not a finite number or tensor of its leaf's shape.
    """
    out_id = graph.by_name(output).id if output else graph.output
    for name in feeds or {}:
        node = graph.by_name(name)
        if not node.is_leaf:
            raise NotALeafError(f"{name} is a {node.op} node: only inputs can be set")
    clean_feeds = {k: parse_value(v) for k, v in (feeds or {}).items()}
    seeds = _checked_seeds(graph, jvp) if jvp else None
    order = graph.order()
    if not order:
        return RunResult([], [], None, {}, {})
    compiled = _compiled(graph, out_id)
    problems, plan = compiled.problems, compiled.plan
    leaf_values = {n.name: n.value for n in graph.nodes.values()
                   if n.is_leaf and n.id not in problems}
    fwd = forward(plan, {**leaf_values, **clean_feeds})
    issues = dict(fwd.issues)
    position = {node_id: i for i, node_id in enumerate(order)} if problems else {}
    for node_id, message in problems.items():
        i = position[node_id]
        issues[i] = Issue(i, "error", message)
    grads, note = _gradients(plan, fwd.values, issues) if with_backward else \
        ([None] * len(order), None)
    result = _result(plan, order, fwd.values, grads, issues, with_backward, note)
    result.blocked = _blocked(graph, order, problems)
    result.problems = problems
    if seeds:
        _add_tangents(result, plan, fwd.values, seeds)
    return result


def _gradients(plan: Plan, values: list[Any], issues: dict[int, Issue]
               ) -> tuple[list[Any], str | None]:
    """The backward pass's gradients by slot (all None when refused) and the refusal's note;
    its issues join ``issues`` where a slot has none yet."""
    grads: list[Any] = [None] * len(values)
    note = gradient_refusal(plan, values, issues)
    if note is not None:
        return grads, note
    try:
        bwd = backward(plan, values)
    except MemoryError:  # a message on the output, never a crash that loses the document
        note = "gradients not computed: out of memory in the backward pass"
        issues.setdefault(plan.output, Issue(plan.output, "error", note))
        return grads, note
    for i, issue in bwd.issues.items():
        issues.setdefault(i, issue)
    return bwd.grads, None


def _checked_seeds(graph: Graph, jvp: Seeds) -> dict[str, Any]:
    """``jvp`` as {leaf name: parsed tangent}; the errors run_graph documents."""
    named = {jvp: 1.0} if isinstance(jvp, str) else dict(jvp)
    for name in named:
        node = graph.by_name(name)
        if not node.is_leaf:
            raise NotALeafError(f"cannot seed {name}: it is computed by {node.op}; forward "
                                "mode starts from an input or a const")
    try:
        return {name: parse_value(raw) for name, raw in named.items()}
    except ValueError as exc:
        raise GraphError(f"a forward-mode seed: {exc}") from None


def _add_tangents(result: RunResult, plan: Plan, values: Sequence[Any],
                  seeds: Mapping[str, Any]) -> None:
    """Forward mode on this run's values, by name into ``result``."""
    try:
        found = tangent_pass(plan, values, seeds)
    except ValueError as exc:  # a seed's shape that is not its leaf's
        raise GraphError(str(exc)) from None
    names = plan.names
    result.tangents = dict(zip(names, found.tangents))
    result.jvp_seeds = {names[i]: t for i, t in found.seeds.items()}
    result.tangent_issues = {names[i]: issue for i, issue in sorted(found.issues.items())}


def scalar_output_problem(name: str, value: Any) -> str | None:
    """Why ``value``, the output named ``name``, cannot seed backward, or None if it can.

    Backward differentiates one number: like torch, a tensor output is refused rather than
    silently summed. The message names the shape and the fix (a sum or mean node)."""
    if value is None or np.size(value) == 1:
        return None
    total = "J" if name != "J" else "L"
    return (f"the output {name} has shape {shape_text(np.shape(value))}, but gradients need a "
            f"scalar output (a single number); add {total} = sum({name}) (or {total} = "
            f"mean({name})) and make it the output")


def refuse_unrunnable(graph: Graph, doing: str, error: type[GraphError] = GraphError
                      ) -> dict[str, str]:
    """Raise ``error`` 'cannot <doing> yet: …' naming the first thing pre_run_problems finds
    (an open port), or 'cannot <doing>: the graph is empty': what gradient checks, cost
    counts, training, export and nudging say.
    The problems found (none), for compile_graph not to look again."""
    if not graph.nodes:  # nothing to run: no output to index
        raise error(f"cannot {doing}: the graph is empty")
    problems = pre_run_problems(graph)
    if problems:
        raise error(f"cannot {doing} yet: {next(iter(problems.values()))}")
    return problems


def refuse_non_scalar(plan: Plan, values: Sequence[Any], doing: str,
                      error: type[GraphError] = GraphError) -> None:
    """Raise ``error`` 'cannot <doing>: …' when the computed output is not a scalar:
    backward, gradient checks, training and nudging all differentiate one number."""
    problem = scalar_output_problem(plan.steps[plan.output].name, values[plan.output])
    if problem:
        raise error(f"cannot {doing}: {problem}")


def gradient_refusal(plan: Plan, values: Sequence[Any], issues: Mapping[int, Issue]) -> str | None:
    """Why backward cannot run on these forward ``values`` (said once), or None if it can."""
    out = plan.output
    name = plan.steps[out].name
    if values[out] is None:
        read = plan.read_by(out)  # an unwired node elsewhere is no reason
        cause = next((plan.steps[i].name for i, issue in sorted(issues.items())
                      if issue.kind == "error" and i in read), name)
        return (f"gradients not computed: the output {name} has no value because {cause} "
                "could not run")
    problem = scalar_output_problem(name, values[out])
    return f"gradients not computed: {problem}" if problem else None


def _blocked(graph: Graph, order: list[str], problems: Mapping[str, str]
             ) -> dict[int, tuple[str, str]]:
    """Real op and wiring ('a=c, b=(open)') of each node compiled as an empty stand-in."""
    if not problems:  # the usual case, on every Live re-run: no walk over the order
        return {}
    blocked = {}
    for i, node_id in enumerate(order):
        if node_id in problems:
            node = graph.nodes[node_id]
            wiring = []
            for port in node.ports:
                src = graph.source_of(node_id, port)
                wiring.append(f"{port}={graph.nodes[src].name if src else '(open)'}")
            blocked[i] = (node.op, ", ".join(wiring))
    return blocked


_ZERO = F64(0.0)


def _result(plan: Plan, order: list[str], values: list, grads: list,
            issues: dict[int, Issue], with_backward: bool, note: str | None) -> RunResult:
    """Gradients by name: {} when backward was not asked for, all None when it was refused."""
    names = plan.names
    grad_by_name: dict[str, Any] = {}
    if with_backward:
        for i, name in enumerate(names):
            g = grads[i]
            if g is None and note is None and values[i] is not None:
                # Backward ran and never reached it (half of some big graphs): a number's
                # zero without numpy's zeros_like, ~10 µs a node.
                value = values[i]
                g = _ZERO if value.__class__ is F64 else as_value(np.zeros_like(value))
            grad_by_name[name] = g
    return RunResult(
        order=list(names), ids=order, output=names[plan.output],
        values=dict(zip(names, values)), grads=grad_by_name,
        issues={names[i]: issue for i, issue in sorted(issues.items())},
        plan=plan, raw_values=values, raw_grads=grads, grad_note=note)


def infer_shapes(graph: Graph) -> tuple[dict[str, tuple], dict[str, str]]:
    """Shapes by node name, and per-node errors (unconnected ports, shape mismatches, results
    over the size limits), inferred from the leaves' shapes without computing anything."""
    if not graph.nodes:
        return {}, {}
    problems = pre_run_problems(graph)
    plan = compile_graph(graph, None, problems)
    report = shapes.infer(plan, [s.value if not s.args else None for s in plan.steps])
    errors = {graph.nodes[i].name: m for i, m in problems.items()}
    for i, message in sorted({**report.mismatches, **report.too_large}.items()):
        errors.setdefault(plan.steps[i].name, message)
    found = {s.name: shape for s, shape in zip(plan.steps, report.shapes) if shape is not None}
    return found, errors
