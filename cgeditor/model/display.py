"""What the canvas paints for a run: the per-node and per-wire display states (NodeDisplay,
WireDisplay) that the scene's items draw from, built from a run and a stepper; the number
text in them comes from number_text."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from cgeditor.core.ops import F64
from cgeditor.model.number_text import (
    NOT_COMPUTED,
    Heatmap,
    NumberGrid,
    format_full,
    grad_label,
    heatmap,
    needs_heatmap,
    number_grid,
    true_minus,
    value_text,
)
from cgeditor.model.wire_display import BLANK_WIRE, WireDisplay, WireDisplays

if TYPE_CHECKING:
    from cgeditor.model.run import RunResult
    from cgeditor.model.stepping import Stepper

__all__ = ["BLANK_NODE", "BLANK_WIRE", "NodeDisplay", "RunDisplay", "WireDisplay",
           "build_display", "idle_node"]

@dataclass(frozen=True)
class NodeDisplay:
    """Everything a node item paints about the run; a blank default means 'nothing to show'."""

    value_text: str = ""
    grad_value: str = ""  # '−4'
    grad_label: str = ""  # '∂J/∂w'
    # Forward mode: the seeded input, and the gradient row (and grad, grids) then holds the
    # node's tangent ∂node/∂seed, labelled '∂c/∂w' and painted in the tangent colour.
    tangent_of: str = ""
    order_badge: str = ""
    heatmap: Heatmap | None = None  # tensors past GRID_MAX elements or GRID_COLS columns
    grad_heatmap: Heatmap | None = None
    grid: NumberGrid | None = None  # smaller tensors: every number
    grad_grid: NumberGrid | None = None
    stale: bool = False  # results predate an edit: paint dimmed and marked "stale"
    error_text: str = ""  # non-empty: paint red, show in the tooltip
    origin: bool = False  # the first node where a non-finite number appeared
    dimmed: bool = False  # not reached yet while stepping
    current: bool = False  # the node the stepper is on
    highlighted: bool = False  # on a path the chain-rule explainer shows
    # The raw numbers, for the tooltip only: formatted on hover, not for every node per run.
    name: str = field(default="", compare=False, repr=False)
    output: str = field(default="", compare=False, repr=False)
    value: Any = field(default=None, compare=False, repr=False)
    grad: Any = field(default=None, compare=False, repr=False)
    note: str = field(default="", compare=False, repr=False)  # why the gradient is n/a

    @property
    def tooltip(self) -> str:
        """Full precision value and gradient, the error (origin first), and staleness."""
        tip = [f"{self.name} = {format_full(self.value)}"] if self.value is not None else []
        if self.tangent_of and self.grad is not None:
            tip.append(f"{self.grad_label} = {format_full(self.grad)} (forward mode from "
                       f"{self.tangent_of})")
        elif self.grad is not None:
            tip.append(f"∂{self.output}/∂{self.name} = {format_full(self.grad)}")
        elif self.grad_value == NOT_COMPUTED:
            tip.append(f"∂{self.output}/∂{self.name} = {NOT_COMPUTED}: {self.note}")
        if self.error_text:
            tip.append(("origin: the first non-finite number appeared here\n" if self.origin
                        else "") + self.error_text)
        if self.stale:
            tip.append("stale: the graph changed after this run")
        return "\n".join(tip)

    @property
    def grad_text(self) -> str:
        """'∂J/∂w = −4', or '' when no gradient is shown."""
        return f"{self.grad_label} = {self.grad_value}" if self.grad_value else ""

    def but(self, **changes: Any) -> NodeDisplay:
        """This state with the fields ``changes`` names set anew: what ``replace`` makes,
        without its call of __init__ per field (10^4 states marked stale per edit)."""
        made = object.__new__(NodeDisplay)
        made.__dict__.update(self.__dict__, **changes)
        return made

    @staticmethod
    def made(**fields: Any) -> NodeDisplay:
        """``NodeDisplay(**fields)`` (the rest at their defaults) without its call of
        __init__ per field: 10^4 states per run of a big graph."""
        return BLANK_NODE.but(**fields)


BLANK_NODE = NodeDisplay()


def idle_node(value: Any) -> NodeDisplay:
    """What an input or a constant shows without a run: its own value (numbers or heatmap)."""
    tensor = value is not None and np.ndim(value) > 0
    big = tensor and needs_heatmap(value)
    return NodeDisplay(value_text=value_text(value), heatmap=heatmap(value) if big else None,
                       grid=number_grid(value) if tensor else None, value=value)


@dataclass
class RunDisplay:
    """The whole picture: per node id and per wire (dst id, port). Missing keys are blank.

    ``wires`` is lazy (see WireDisplays): a wire's texts are formatted when someone shows
    them. ``lit_wires`` and ``dimmed`` are the few wires and nodes drawn differently."""

    nodes: dict[str, NodeDisplay] = field(default_factory=dict)
    wires: Mapping[tuple[str, str], WireDisplay] = field(default_factory=dict)
    phase: str = "idle"  # "idle", "forward", "backward", "done"
    current: str | None = None
    stale: bool = False
    lit_wires: frozenset[tuple[str, str]] = frozenset()  # highlighted: read now, or explained
    dimmed: frozenset[str] = frozenset()  # node ids not reached yet while stepping
    # The run's slots in the graph's execution order as it is now (a move can reorder ties
    # after the run): the order the badges number and the trace lists.
    rows: tuple[int, ...] = ()

    def node(self, node_id: str) -> NodeDisplay:
        return self.nodes.get(node_id, BLANK_NODE)

    def shown(self, node_id: str, idle: NodeDisplay, leaf: bool) -> NodeDisplay:
        """What node ``node_id`` shows of this picture; ``idle`` (what it shows with no
        run) if the run has nothing of it. An input or const of a stale run shows its value
        as it is now (``idle``: what the user typed since), not the run's copy."""
        shown = self.nodes.get(node_id)
        if shown is None:
            return idle
        if self.stale and leaf:
            return shown.but(value_text=idle.value_text, grid=idle.grid,
                             heatmap=idle.heatmap, value=idle.value)
        return shown

    def wire(self, dst: str, port: str) -> WireDisplay:
        return self.wires.get((dst, port), BLANK_WIRE)


# --- building the picture from a run --------------------------------------------------------


def build_display(result: RunResult | None, stepper: Stepper | None = None, stale: bool = False,
                  highlight: Iterable[str] = (),
                  highlight_wires: Iterable[tuple[str, str]] = (),
                  order: Sequence[str] | None = None) -> RunDisplay:
    """The display state of ``result`` as the stepper has revealed it (all of it without one).

    ``highlight`` / ``highlight_wires`` are node ids and (dst id, port) keys to emphasise,
    such as the paths the chain-rule explainer shows. ``order`` is the graph's execution
    order now (node ids; the run's own when None): the order badges number nodes by it, so
    they stay true after a move reorders ties. Node states of the previous call whose
    numbers and marks are unchanged are reused as they are: no formatting, and a painter can
    skip them by identity (a Live re-run after moving a node changes no number at all)."""
    if result is None or result.plan is None:
        return RunDisplay()
    view = Revealed(result, stepper)
    marked = set(highlight)
    old = _previous_nodes
    out = result.output or "J"
    rows, badges = _current_order(result.ids, order)
    texts: dict[Any, str] = {}
    nodes = {node_id: _node_display(result, view, i, out, (badges[i], stale, node_id in marked),
                                    old.get(node_id), texts)
             for i, node_id in enumerate(result.ids)}
    wires = WireDisplays(result, view, set(highlight_wires))
    dimmed = frozenset(k for k, d in nodes.items() if d.dimmed) if view.stepping else frozenset()
    _previous_nodes.clear()
    _previous_nodes.update(nodes)
    phase = "done" if stepper is None else stepper.phase
    current = None if stepper is None else stepper.current_id
    return RunDisplay(nodes, wires, phase, current, stale, wires.lit, dimmed, rows)


def _current_order(ids: list[str], order: Sequence[str] | None
                   ) -> tuple[tuple[int, ...], list[str]]:
    """The run's slots in ``order`` (slots of nodes it lacks last, in run order) and each
    slot's badge: its 1-based place among the run's nodes in ``order``, '' for a node no
    longer in the graph. Nodes added since the run take no place: they have no step yet."""
    ran = set(ids)
    order = None if order is None else [node_id for node_id in order if node_id in ran]
    if order is None or order == ids:
        return tuple(range(len(ids))), [str(i + 1) for i in range(len(ids))]
    place = {node_id: k for k, node_id in enumerate(order)}
    missing = len(order)
    rows = sorted(range(len(ids)), key=lambda i: (place.get(ids[i], missing), i))
    badges = [str(place[n] + 1) if n in place else "" for n in ids]
    return tuple(rows), badges


# The node states of the last build: reusing one needs equal numbers and marks, so whichever
# graph or window built them, a reused state is exactly what a fresh one would be.
_previous_nodes: dict[str, NodeDisplay] = {}


class Revealed:
    """What may be shown: everything after a full run, only the revealed part while stepping."""

    def __init__(self, result: RunResult, stepper: Stepper | None) -> None:
        # A finished stepper has revealed everything: the same fast path as no stepper.
        self.stepper = stepper if stepper is not None and not stepper.done else None
        # Forward mode: tangents, not gradients, take the gradient row (and no wire shows
        # a gradient's part), revealed with the values
        self.seed = ", ".join(result.jvp_seeds)
        self.has_grads = bool(result.grads) and not self.seed
        self.current = None if stepper is None else stepper.current
        self.reads = set() if stepper is None else set(stepper.reads())
        self.backward = stepper is not None and stepper.phase == "backward"
        self.stepping = self.stepper is not None and self.stepper.phase != "idle"

    def value(self, i: int) -> bool:
        return self.stepper is None or i in self.stepper.values_revealed

    def grad(self, i: int) -> bool:
        return self.has_grads and (self.stepper is None or i in self.stepper.grads_revealed)

    def wire(self, key: tuple[int, int]) -> bool:
        return self.has_grads and (self.stepper is None or key in self.stepper.wires_revealed)

    def dimmed(self, i: int) -> bool:
        if not self.stepping:
            return False
        return not (self.grad(i) if self.backward else self.value(i))


def _same(a: Any, b: Any) -> bool:
    """Whether two run numbers would display identically (nan equals nan here)."""
    if a is b:
        return True
    if a is None or b is None:
        return False
    if a.__class__ is F64 and b.__class__ is F64:
        return bool(a == b or (a != a and b != b))
    return np.shape(a) == np.shape(b) and bool(np.array_equal(a, b, equal_nan=True))


def _text(texts: dict[Any, str], value: Any) -> str:
    """``value_text(value)``, a float64 formatted once per distinct number in ``texts``
    (a run's sums and gradients repeat: 0, 1, a layer's common value)."""
    if value.__class__ is not F64:
        return value_text(value)
    text = texts.get(value)  # -0.0 finds 0.0: both read '0'; a nan finds only itself
    if text is None:
        text = texts[value] = value_text(value)
    return text


def _node_display(result: RunResult, view: Revealed, i: int, out: str,
                  marks: tuple[str, bool, bool], old: NodeDisplay | None,
                  texts: dict[Any, str]) -> NodeDisplay:
    """``marks``: the order badge, stale, highlighted; ``texts``: numbers formatted so far."""
    name, seed = result.order[i], view.seed
    dimmed = False if view.stepper is None else view.dimmed(i)
    value, grad, missing, issue = _shown(result, view, i, name)
    # the engine's words, its numbers in the canvas's minus (true_minus: only numbers change)
    error, origin = (true_minus(issue.message), bool(issue.origin)) if issue is not None \
        else ("", False)
    state = (*marks, error, origin, dimmed, i == view.current)
    if old is not None and old.name == name and old.output == out \
            and old.tangent_of == seed and _same(old.value, value) and _same(old.grad, grad) \
            and (old.grad_value == NOT_COMPUTED) == missing:
        # Same numbers: keep the formatted texts and heatmaps, and the very object if the
        # marks match too (the painter then skips the item).
        if state == (old.order_badge, old.stale, old.highlighted, old.error_text, old.origin,
                     old.dimmed, old.current):
            return old
        return old.but(**dict(zip(_STATE_FIELDS, state)))
    tensor = value is not None and value.__class__ is not F64 and np.ndim(value) > 0
    big = tensor and needs_heatmap(value)
    # ∂J/∂w for a gradient; ∂w's consumer c over the seed, ∂c/∂w, for a tangent
    label = grad_label(name, seed) if seed else grad_label(out, name)
    return NodeDisplay.made(
        value_text=_text(texts, value),
        grad_value=NOT_COMPUTED if missing else _text(texts, grad),
        grad_label=label if grad is not None or missing else "", tangent_of=seed,
        note=_missing_note(result, i) if missing else "",
        heatmap=heatmap(value) if big else None,
        grad_heatmap=heatmap(grad) if big and grad is not None else None,
        grid=number_grid(value) if tensor else None,
        grad_grid=number_grid(grad) if tensor and grad is not None else None,
        name=name, output=out, value=value, grad=grad, **dict(zip(_STATE_FIELDS, state)))


def _shown(result: RunResult, view: Revealed, i: int, name: str) -> tuple[Any, Any, bool, Any]:
    """What node ``i`` shows now: its value, the gradient row's number (its gradient, or in
    forward mode its tangent), whether that number is missing (backward ran or was refused
    without one: 'n/a'), and the issue shown on it (None when none is revealed yet)."""
    if view.stepper is None:  # all revealed (10^4 nodes per run): no question per node
        see_value, see_grad = True, view.has_grads
    else:
        see_value, see_grad = view.value(i), view.grad(i)
    value = result.raw_values[i] if see_value else None
    issue = result.issues.get(name)
    if view.seed:
        number, missing = (result.tangents.get(name) if see_value else None), False
        issue = issue or result.tangent_issues.get(name)
    else:
        number = result.grads.get(name) if see_grad else None
        missing = number is None and see_grad
    if issue is not None and not (see_grad if issue.kind == "nonfinite_grad"
                                  else see_value or issue.kind == "error"):
        issue = None
    return value, number, missing, issue


def _missing_note(result: RunResult, i: int) -> str:
    """Why node ``i`` has no gradient: the run's one reason, else the node did not run."""
    if result.grad_note:
        return result.grad_note
    return "not computed: this node did not run" if result.raw_values[i] is None else \
        "not computed"


# The marks of a node state, in the order _node_display compares them.
_STATE_FIELDS = ("order_badge", "stale", "highlighted", "error_text", "origin", "dimmed",
                 "current")
