"""What a wire paints for a run (WireDisplay), and the lazy map of them per wire that
build_display hands the canvas (WireDisplays): only the wires in view are ever formatted."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from cgeditor.model.derivatives import wire_locals, wire_parts
from cgeditor.model.number_text import local_text, value_text

if TYPE_CHECKING:
    from cgeditor.model.display import Revealed
    from cgeditor.model.run_result import RunResult


@dataclass(frozen=True)
class WireDisplay:
    """What a wire (keyed by its target node id and port) paints during and after backward."""

    grad_text: str = ""  # the gradient flowing back along the wire: '∂J/∂w += −4'
    grad_value: str = ""  # just its number, for a compact canvas label: '−4'
    local_text: str = ""  # the local derivative of the target w.r.t. this input
    jacobian: bool = False  # the local derivative is a Jacobian: local_text only names it
    highlighted: bool = False  # read by the current node, or on an explained path
    current: bool = False


BLANK_WIRE = WireDisplay()


class WireDisplays(Mapping[tuple[str, str], WireDisplay]):
    """Per wire (dst id, port): its WireDisplay, formatted on first access and kept.

    A per-wire vjp and two formatted numbers for every wire cost more than the run itself at
    1,000 nodes, and only the wires in view ever get a label."""

    def __init__(self, result: RunResult, view: Revealed,
                 marked: set[tuple[str, str]]) -> None:
        self._result, self._view, self._marked = result, view, marked
        plan = result.plan
        assert plan is not None
        self._index: dict[str, int] | None = None  # node id → step, made on first lookup
        if view.stepper is not None:  # the stepper's maps: computed once per run
            self._parts, self._locals = view.stepper.parts, view.stepper.locals
        elif view.has_grads:
            self._parts = wire_parts(plan, result.raw_values, result.raw_grads)
            self._locals = wire_locals(plan, result.raw_values)
        else:
            self._parts, self._locals = {}, {}
        self._reading = {(result.ids[i], plan.specs[i].inputs[k]) for i, k in view.reads}
        self.lit = frozenset(self._reading | {key for key in marked if key in self})
        self._cache: dict[tuple[str, str], WireDisplay] = {}
        self._len: int | None = None

    def _locate(self, key: object) -> tuple[int, int] | None:
        if not isinstance(key, tuple) or len(key) != 2:
            return None
        if self._index is None:
            self._index = {node_id: i for i, node_id in enumerate(self._result.ids)}
        i = self._index.get(key[0])
        if i is None:
            return None
        step, inputs = self._result.plan.steps[i], self._result.plan.specs[i].inputs
        k = inputs.index(key[1]) if key[1] in inputs else -1
        return (i, k) if 0 <= k < len(step.args) else None

    def __contains__(self, key: object) -> bool:
        return self._locate(key) is not None

    def __getitem__(self, key: tuple[str, str]) -> WireDisplay:
        shown = self._cache.get(key)
        if shown is None:
            where = self._locate(key)
            if where is None:
                raise KeyError(key)
            shown = self._cache[key] = self._display(key, *where)
        return shown

    def __iter__(self) -> Iterator[tuple[str, str]]:
        plan, ids = self._result.plan, self._result.ids
        for i, step in enumerate(plan.steps):
            inputs = plan.specs[i].inputs
            yield from ((ids[i], inputs[k]) for k in range(len(step.args)))

    def __len__(self) -> int:
        if self._len is None:  # `if display.wires:` asks on every paint; the plan is fixed
            self._len = sum(len(step.args) for step in self._result.plan.steps)
        return self._len

    def _display(self, key: tuple[str, str], i: int, k: int) -> WireDisplay:
        result, plan = self._result, self._result.plan
        step, src = plan.steps[i], plan.steps[plan.steps[i].args[k]].name
        lit = key in self.lit
        if not self._view.wire((i, k)):
            return WireDisplay(highlighted=lit, current=key in self._reading)
        part = self._parts.get((i, k))
        repeated = step.args.count(step.args[k]) > 1
        local = local_text(self._locals.get((i, k)), step.name, src,
                           plan.specs[i].inputs[k] if repeated else None)
        jacobian = not local and np.ndim(result.raw_values[i]) > 0
        if jacobian:
            local = f"∂{step.name}/∂{src}: Jacobian (vjp shown)"
        out = result.output or "J"
        return WireDisplay(
            grad_text=f"∂{out}/∂{src} += {value_text(part)}" if part is not None else "",
            grad_value=value_text(part) if part is not None else "",
            local_text=local, jacobian=jacobian, highlighted=lit,
            current=key in self._reading)

