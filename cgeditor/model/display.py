"""What the canvas paints for a run: compact number text, tensor thumbnails, and the per-node
and per-wire display states (NodeDisplay, WireDisplay) that the scene's items draw from.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from cgeditor.core.ops import F64
from cgeditor.model.derivatives import wire_locals, wire_parts

if TYPE_CHECKING:
    from cgeditor.model.run import RunResult
    from cgeditor.model.stepping import Stepper

MINUS = "\u2212"  # the true minus sign, used for every number this module formats
GRID = 8  # thumbnails show at most GRID × GRID cells


def _minus(text: str) -> str:
    return text.replace("-", MINUS)


def format_scalar(x: Any) -> str:
    """4 significant digits, scientific notation when needed: '2', '−4', '1.235e+07', 'nan'."""
    x = float(x)  # formatting a Python float is several times faster than a numpy scalar
    if x == 0:
        return "0"  # also folds −0
    text = f"{x:.4g}"
    return text.replace("-", MINUS) if "-" in text else text


def format_full(value: Any) -> str:
    """Full precision (shortest round-trip repr), for tooltips; tensors in full as nested lists."""
    if value is None:
        return ""
    if np.ndim(value) == 0:
        x = float(value)
        return _minus("0" if x == 0 else (str(int(x)) if x.is_integer() and abs(x) < 1e16
                                          else repr(x)))
    with np.printoptions(precision=17, threshold=200, floatmode="unique"):
        return _minus(np.array2string(np.asarray(value), separator=", "))


def shape_text(value: Any) -> str:
    """'2×3' for a 2-by-3 tensor, 'scalar' for a 0-d value."""
    shape = np.shape(value)
    return "×".join(str(n) for n in shape) if shape else "scalar"


@dataclass(frozen=True)
class Heatmap:
    """A small normalised grid a painter can draw: cells in [0, 1] (row-major), plus a mask of
    cells holding a non-finite number (painted in the error colour)."""

    shape_text: str
    min_text: str
    max_text: str
    rows: int
    cols: int
    cells: tuple[float, ...]
    nonfinite: tuple[bool, ...]


def heatmap(value: Any, grid: int = GRID) -> Heatmap:
    """Thumbnail of a tensor: at most grid×grid cells sampled evenly; 1-d tensors are one row."""
    arr = np.asarray(value, dtype=np.float64)
    flat2d = arr.reshape(1, -1) if arr.ndim == 1 else arr.reshape(-1, arr.shape[-1])
    rows = np.linspace(0, flat2d.shape[0] - 1, min(grid, flat2d.shape[0])).round().astype(int)
    cols = np.linspace(0, flat2d.shape[1] - 1, min(grid, flat2d.shape[1])).round().astype(int)
    sample = flat2d[np.ix_(rows, cols)]
    finite = np.isfinite(arr)
    if finite.any():
        lo, hi = float(arr[finite].min()), float(arr[finite].max())
    else:
        lo = hi = math.nan
    span = hi - lo
    with np.errstate(all="ignore"):
        norm = (sample - lo) / span if span > 0 else np.full(sample.shape, 0.5)
    bad = ~np.isfinite(sample)
    norm = np.where(bad, 0.0, np.clip(norm, 0.0, 1.0))
    return Heatmap(shape_text(arr), format_scalar(lo), format_scalar(hi),
                   len(rows), len(cols), tuple(norm.ravel().tolist()),
                   tuple(bad.ravel().tolist()))


def value_text(value: Any) -> str:
    """One short line for a node: '−4', or '2×3 [−1, 5]' for a tensor."""
    if value is None:
        return ""
    if value.__class__ is F64 or np.ndim(value) == 0:
        return format_scalar(value)
    arr = np.asarray(value)
    if arr.size == 0:
        return f"{shape_text(arr)} (empty)"
    finite = arr[np.isfinite(arr)]
    if finite.size == 0:
        return f"{shape_text(arr)} non-finite"
    return (f"{shape_text(arr)} [{format_scalar(finite.min())}, {format_scalar(finite.max())}]"
            + ("" if finite.size == arr.size else " nan/inf"))


def grad_label(output_name: str) -> str:
    """'∂J/∂·' for an output named J."""
    return f"∂{output_name}/∂·"


def grad_text(grad: Any, output_name: str) -> str:
    """'∂J/∂· = −4': the gradient line, labelled with the output's name."""
    if grad is None:
        return ""
    return f"{grad_label(output_name)} = {value_text(grad)}"


def local_text(local: Any, target: str, source: str, port: str | None = None) -> str:
    """'∂c/∂w = −2' (with '[port]' when one source feeds several ports of the target)."""
    if local is None:
        return ""
    suffix = f"[{port}]" if port else ""
    return f"∂{target}/∂{source}{suffix} = {value_text(local)}"


@dataclass(frozen=True)
class NodeDisplay:
    """Everything a node item paints about the run; a blank default means 'nothing to show'."""

    value_text: str = ""
    grad_value: str = ""  # '−4'
    grad_label: str = ""  # '∂J/∂·'
    order_badge: str = ""
    heatmap: Heatmap | None = None
    grad_heatmap: Heatmap | None = None
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

    @property
    def tooltip(self) -> str:
        """Full precision value and gradient, the error (origin first), and staleness."""
        tip = [f"{self.name} = {format_full(self.value)}"] if self.value is not None else []
        if self.grad is not None:
            tip.append(f"∂{self.output}/∂{self.name} = {format_full(self.grad)}")
        if self.error_text:
            tip.append(("origin: the first non-finite number appeared here\n" if self.origin
                        else "") + self.error_text)
        if self.stale:
            tip.append("stale: the graph changed after this run")
        return "\n".join(tip)

    @property
    def grad_text(self) -> str:
        """'∂J/∂· = −4', or '' when no gradient is shown."""
        return f"{self.grad_label} = {self.grad_value}" if self.grad_value else ""


@dataclass(frozen=True)
class WireDisplay:
    """What a wire (keyed by its target node id and port) paints during and after backward."""

    grad_text: str = ""  # the gradient flowing back along the wire: '∂J/∂w += −4'
    grad_value: str = ""  # just its number, for a compact canvas label: '−4'
    local_text: str = ""  # the local derivative of the target w.r.t. this input
    highlighted: bool = False  # read by the current node, or on an explained path
    current: bool = False


BLANK_NODE = NodeDisplay()
BLANK_WIRE = WireDisplay()


@dataclass
class RunDisplay:
    """The whole picture: per node id and per wire (dst id, port). Missing keys are blank."""

    nodes: dict[str, NodeDisplay] = field(default_factory=dict)
    wires: dict[tuple[str, str], WireDisplay] = field(default_factory=dict)
    phase: str = "idle"  # "idle", "forward", "backward", "done"
    current: str | None = None
    stale: bool = False

    def node(self, node_id: str) -> NodeDisplay:
        return self.nodes.get(node_id, BLANK_NODE)

    def wire(self, dst: str, port: str) -> WireDisplay:
        return self.wires.get((dst, port), BLANK_WIRE)


# --- building the picture from a run --------------------------------------------------------


def build_display(result: RunResult | None, stepper: Stepper | None = None, stale: bool = False,
                  highlight: Iterable[str] = (),
                  highlight_wires: Iterable[tuple[str, str]] = ()) -> RunDisplay:
    """The display state of ``result`` as the stepper has revealed it (all of it without one).

    ``highlight`` / ``highlight_wires`` are node ids and (dst id, port) keys to emphasise,
    such as the paths the chain-rule explainer shows."""
    if result is None or result.plan is None:
        return RunDisplay()
    view = _Revealed(result, stepper)
    marked = set(highlight)
    nodes = {result.ids[i]: _node_display(result, view, i, stale, result.ids[i] in marked)
             for i in range(len(result.ids))}
    wires = _wire_displays(result, view, set(highlight_wires))
    phase = "done" if stepper is None else stepper.phase
    current = None if stepper is None else stepper.current_id
    return RunDisplay(nodes, wires, phase, current, stale)


class _Revealed:
    """What may be shown: everything after a full run, only the revealed part while stepping."""

    def __init__(self, result: RunResult, stepper: Stepper | None) -> None:
        self.stepper = stepper
        self.has_grads = bool(result.grads)
        self.current = None if stepper is None else stepper.current
        self.reads = set() if stepper is None else set(stepper.reads())
        self.backward = stepper is not None and stepper.phase == "backward"

    def value(self, i: int) -> bool:
        return self.stepper is None or i in self.stepper.values_revealed

    def grad(self, i: int) -> bool:
        return self.has_grads and (self.stepper is None or i in self.stepper.grads_revealed)

    def wire(self, key: tuple[int, int]) -> bool:
        return self.has_grads and (self.stepper is None or key in self.stepper.wires_revealed)

    def dimmed(self, i: int) -> bool:
        if self.stepper is None or self.stepper.phase in ("idle", "done"):
            return False
        return not (self.grad(i) if self.backward else self.value(i))


def _node_display(result: RunResult, view: _Revealed, i: int, stale: bool,
                  highlighted: bool) -> NodeDisplay:
    name = result.order[i]
    out = result.output or "J"
    value = result.raw_values[i] if view.value(i) else None
    grad = result.grads.get(name) if view.grad(i) else None
    issue = result.issues.get(name)
    show_issue = issue is not None and (view.grad(i) if issue.kind == "nonfinite_grad"
                                        else view.value(i) or issue.kind == "error")
    error = issue.message if show_issue else ""
    origin = bool(show_issue and issue.origin)
    tensor = value is not None and np.ndim(value) > 0
    return NodeDisplay(
        value_text=value_text(value), grad_value=value_text(grad),
        grad_label=grad_label(out) if grad is not None else "",
        order_badge=str(i + 1),
        heatmap=heatmap(value) if tensor and np.size(value) else None,
        grad_heatmap=heatmap(grad) if tensor and grad is not None and np.size(grad) else None,
        stale=stale, error_text=error, origin=origin, dimmed=view.dimmed(i),
        current=i == view.current, highlighted=highlighted,
        name=name, output=out, value=value, grad=grad)


def _wire_displays(result: RunResult, view: _Revealed,
                   marked: set[tuple[str, str]]) -> dict[tuple[str, str], WireDisplay]:
    plan, values = result.plan, result.raw_values
    if view.stepper is not None:  # computed once per run, not once per repaint
        parts, locals_ = view.stepper.parts, view.stepper.locals
    elif view.has_grads:
        parts, locals_ = wire_parts(plan, values, result.raw_grads), wire_locals(plan, values)
    else:
        parts, locals_ = {}, {}
    out = result.output or "J"
    wires = {}
    for i, step in enumerate(plan.steps):
        ports = plan.specs[i].inputs
        for k, j in enumerate(step.args):
            key = (result.ids[i], ports[k])
            src = plan.steps[j].name
            shown = view.wire((i, k))
            part = parts.get((i, k)) if shown else None
            repeated = step.args.count(j) > 1
            local = local_text(locals_.get((i, k)), step.name, src,
                               ports[k] if repeated else None) if shown else ""
            if shown and not local and np.ndim(values[i]) > 0:
                local = f"∂{step.name}/∂{src}: Jacobian (vjp shown)"
            reading = (i, k) in view.reads
            wires[key] = WireDisplay(
                grad_text=f"∂{out}/∂{src} += {value_text(part)}" if part is not None else "",
                grad_value=value_text(part) if part is not None else "",
                local_text=local, highlighted=reading or key in marked, current=reading)
    return wires
