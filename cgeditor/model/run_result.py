"""What one run leaves behind: values, gradients, tangents and issues by node name
(RunResult), and what the editor shows of it (RunState)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from cgeditor.core.engine import Issue, Plan

if TYPE_CHECKING:
    from cgeditor.model.display import RunDisplay
    from cgeditor.model.explain import Explanation


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
    # Forward mode (a run with jvp): each node's tangent along the seeded direction by name
    # (∂v/∂w for w seeded with 1; None where a node has no value), the seeds by leaf name, and
    # non-finite tangents (kind "nonfinite_tangent"). Empty when forward mode was not asked.
    tangents: dict[str, Any] = field(default_factory=dict)
    jvp_seeds: dict[str, Any] = field(default_factory=dict)
    tangent_issues: dict[str, Issue] = field(default_factory=dict)

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

    def seeds_again(self) -> dict[str, Any]:
        """The forward-mode seeds to run this run's forward mode again with ({} without
        one): a seed of all ones as 1, so it still seeds every element after its leaf's
        value changed shape."""
        return {name: 1.0 if np.all(np.asarray(seed) == 1.0) else seed
                for name, seed in self.jvp_seeds.items()}

    @property
    def output_value(self) -> Any:
        """The output node's value (None if it was not computed)."""
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
            values=_renamed(self.values, to),
            grads=_renamed(self.grads, to), issues=_renamed(self.issues, to),
            tangents=_renamed(self.tangents, to), jvp_seeds=_renamed(self.jvp_seeds, to),
            tangent_issues=_renamed(self.tangent_issues, to))

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


def _renamed(by_name: Mapping[str, Any], to: Mapping[str, str]) -> dict[str, Any]:
    return {to.get(k, k): v for k, v in by_name.items()}


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
