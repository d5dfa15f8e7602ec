"""Compiling a Graph to an engine Plan, running it, and the derived RunResult.

Problems found before running (an unconnected port, a shape mismatch) are reported per node
by name; nodes that depend on them are skipped, the rest still run. A gradient that was not
computed is None, never a zero: backward runs only from a computed, scalar output, and the
result says once why it did not (``grad_note``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
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
from cgeditor.model.errors import GraphError, NotALeafError
from cgeditor.model.values import parse_value

if TYPE_CHECKING:
    from cgeditor.model.display import RunDisplay
    from cgeditor.model.explain import Explanation
    from cgeditor.model.graph import Graph


@dataclass
class RunResult:
    """Values, gradients and issues of one run, by node name, in execution order."""

    order: list[str]  # node names
    ids: list[str]  # node ids, same order
    output: str | None  # output node name
    values: dict[str, Any]
    grads: dict[str, Any]
    issues: dict[str, Issue] = field(default_factory=dict)
    plan: Plan | None = None
    raw_values: list[Any] = field(default_factory=list)
    raw_grads: list[Any] = field(default_factory=list)
    # Why no gradient was computed (an output without a value, or not a scalar); None when
    # backward ran or was not asked for. Every gradient is then None.
    grad_note: str | None = None
    # Nodes that could not even be compiled (an open port), by execution slot: their real op
    # and wiring, since the plan holds an empty leaf in their place.
    blocked: Mapping[int, tuple[str, str]] = field(default_factory=dict)
    # What stopped nodes running, found before the run (an open port), by node id.
    problems: Mapping[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """No issue at any node, and gradients computed whenever they were asked for."""
        return not self.issues and self.grad_note is None

    @property
    def needs_scalar(self) -> bool:
        """Backward was refused because the output is a tensor (a sum or mean would fix it)."""
        value = self.output_value
        return self.grad_note is not None and value is not None and np.size(value) != 1

    def op_of(self, i: int) -> str:
        """The real op of the node in execution slot ``i`` (not the stand-in of a blocked one)."""
        if i in self.blocked:
            return self.blocked[i][0]
        return self.plan.steps[i].op if self.plan is not None else ""

    def root_cause(self) -> tuple[str, Issue] | None:
        """The first node, in execution order, that failed by itself (not merely skipped
        because an input had no value): the place to fix. One the output reads comes
        first: a node failed elsewhere is not why the output has no value."""
        plan = self.plan
        read = plan.read_by(plan.output) if plan is not None and self.issues else set()
        for among in (read, None):
            for kind in ("error", "skipped"):
                for name, issue in self.issues.items():
                    if issue.kind == kind and (among is None or issue.index in among):
                        return name, issue
        return None

    def _repr_html_(self) -> str:
        """The run as an HTML table, which Jupyter shows (model/notebook.py)."""
        from cgeditor.model.notebook import run_html  # notebook.py reads layout, which reads graph
        return run_html(self)

    @property
    def output_value(self) -> Any:
        return self.values.get(self.output) if self.output else None

    def renamed(self, names: Mapping[str, str]) -> RunResult:
        """This run with its nodes called by ``names`` (node id -> current name; ids not in
        it keep their names, unless a node given took one: 'y (deleted)' then): after a
        rename every label a kept run shows ('∂L/∂w') uses the names the graph has now, and
        every name still belongs to one node (results are looked up by name). The numbers
        are untouched; ``self`` when no name changes."""
        new = labels_now(self.ids, self.order, names)
        if new == self.order:
            return self
        to = {old: name for old, name in zip(self.order, new) if old != name}
        plan = self.plan
        if plan is not None:  # only the renamed steps are copied (10k copies took 0.5 s)
            steps = tuple(step if step.name not in to else replace(step, name=to[step.name])
                          for step in plan.steps)
            plan = replace(plan, steps=steps, index={s.name: i for i, s in enumerate(steps)},
                           cache={})
        return replace(
            self, order=new, plan=plan,
            output=to.get(self.output, self.output) if self.output else self.output,
            values={to.get(k, k): v for k, v in self.values.items()},
            grads={to.get(k, k): v for k, v in self.grads.items()},
            issues={to.get(k, k): v for k, v in self.issues.items()})

    def origin(self) -> str | None:
        """Name of the node where the first non-finite number appeared, if any. The forward
        pass comes first: a gradient that blew up because a value did is not the origin.
        Of two origins (branches that fail apart) the first in the wiring's order, as
        backward visits it, not the execution order's: a move reorders that order's ties
        and must not name another node while the run stands."""
        for kind in ("nonfinite", "nonfinite_grad"):
            found = [name for name, issue in self.issues.items()
                     if issue.origin and issue.kind == kind]
            if found:
                rank = self._wiring_rank(forward=kind == "nonfinite")
                return min(found, key=lambda name: (rank.get(name, len(rank)), name))
        return None

    def _wiring_rank(self, forward: bool) -> dict[str, int]:
        """Node name -> its place in the order backward visits the nodes the output reads
        (reversed for the forward pass: the deepest input of the first port first)."""
        plan = self.plan
        if plan is None:
            return {}
        down = plan.down[::-1] if forward else plan.down
        return {plan.steps[i].name: k for k, i in enumerate(down)}


def labels_now(ids: Sequence[str], labels: Sequence[str], names: Mapping[str, str]) -> list[str]:
    """What to call nodes ``ids``, labelled ``labels`` when something was computed of them,
    now: ``names`` maps each id in the graph to its name (every node's, so that a node added
    since is seen taking a name); a node gone keeps its label unless a node has taken that
    name since: 'y (deleted)' then. Every dock that lists the
    nodes of a stale result labels them so, as the canvas does."""
    given = set(names.values())
    new = [names.get(node_id, label) for node_id, label in zip(ids, labels)]
    used = set(new)
    for k, (node_id, label) in enumerate(zip(ids, new)):
        if node_id not in names and label in given:  # a deleted node's name, taken since
            new[k] = _deleted_name(label, used)
    return new


def _deleted_name(name: str, used: set[str]) -> str:
    """'y (deleted)' for a deleted node whose name y another node took, 'y (deleted 2)' if a
    node deleted before it is called so: not an identifier, so no node can take it; it joins
    ``used``."""
    label, k = f"{name} (deleted)", 1
    while label in used:
        k += 1
        label = f"{name} (deleted {k})"
    used.add(label)
    return label


@dataclass(frozen=True)
class RunState:
    """What the editor shows of its last run, published once per change to everything that
    shows it (canvas, trace, chain rule, inspector, Learn docks): the result (None once
    cleared), what each node and wire shows, whether an edit has made it stale, and the
    selected node with its chain-rule explanation."""

    result: RunResult | None
    display: RunDisplay
    stale: bool = False
    selected: str | None = None  # node id
    explanation: Explanation | None = None

    @property
    def selected_name(self) -> str:
        result, node_id = self.result, self.selected
        if result is None or node_id is None or node_id not in result.ids:
            return ""
        return result.order[result.ids.index(node_id)]


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
              with_backward: bool = True) -> RunResult:
    """Forward then backward; ``output`` and the keys of ``feeds`` are node names."""
    out_id = graph.by_name(output).id if output else graph.output
    for name in feeds or {}:
        node = graph.by_name(name)
        if not node.is_leaf:
            raise NotALeafError(f"{name} is a {node.op} node: only inputs can be set")
    clean_feeds = {k: parse_value(v) for k, v in (feeds or {}).items()}
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
    grads: list[Any] = [None] * len(order)
    note = gradient_refusal(plan, fwd.values, issues) if with_backward else None
    if with_backward and note is None:
        try:
            bwd = backward(plan, fwd.values)
        except MemoryError:  # a message on the output, never a crash that loses the document
            note = "gradients not computed: out of memory in the backward pass"
            issues.setdefault(plan.output, Issue(plan.output, "error", note))
        else:
            grads = bwd.grads
            for i, issue in bwd.issues.items():
                issues.setdefault(i, issue)
    result = _result(plan, order, fwd.values, grads, issues, with_backward, note)
    result.blocked = _blocked(graph, order, problems)
    result.problems = problems
    return result


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
    (an open port): what gradient checks, cost counts, training, export and nudging say.
    The problems found (none), for compile_graph not to look again."""
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
