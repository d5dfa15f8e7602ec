"""Step through a finished run one node at a time: the forward sweep in execution order
(revealing values), then the backward sweep in reverse (revealing gradients and, per wire,
the gradient flowing back along it). Qt-free; the GUI asks it what is revealed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cgeditor.model.derivatives import wire_locals, wire_parts
from cgeditor.model.run import RunResult

IDLE, FORWARD, BACKWARD, DONE = "idle", "forward", "backward", "done"


class Stepper:
    """A cursor over one RunResult; step() moves it, reset() goes back to the start."""

    def __init__(self, result: RunResult) -> None:
        self.result = result
        n = len(result.ids)
        grads = result.raw_grads or [None] * n
        # Only nodes the output depends on get a gradient, so only they take a backward step.
        self._backward = [i for i in reversed(range(n)) if grads[i] is not None]
        self.events: list[tuple[str, int]] = (
            [(FORWARD, i) for i in range(n)] + [(BACKWARD, i) for i in self._backward])
        plan = result.plan
        wired = plan is not None and bool(result.grads)
        # Per wire: the gradient flowing back along it, and the target's local derivative;
        # lazy maps, so only the wires someone looks at cost a vjp.
        self.parts: Mapping[tuple[int, int], Any] = (
            wire_parts(plan, result.raw_values, grads) if wired else {})
        self.locals: Mapping[tuple[int, int], Any] = (
            wire_locals(plan, result.raw_values) if wired else {})
        self.reset()

    def reset(self) -> None:
        self.position = -1
        self.phase = IDLE
        self.values_revealed: set[int] = set()
        self.grads_revealed: set[int] = set()
        self.wires_revealed: set[tuple[int, int]] = set()

    @property
    def current(self) -> int | None:
        """Plan index of the node the cursor is on (None before the start and when done)."""
        if self.phase in (IDLE, DONE):
            return None
        return self.events[self.position][1]

    @property
    def current_id(self) -> str | None:
        i = self.current
        return None if i is None else self.result.ids[i]

    @property
    def done(self) -> bool:
        return self.phase == DONE

    def step(self) -> str | None:
        """Reveal the next node; returns its id, or None once both sweeps are finished."""
        if self.phase == DONE:
            return None
        self.position += 1
        if self.position >= len(self.events):
            self.phase = DONE
            return None
        self.phase, i = self.events[self.position]
        if self.phase == FORWARD:
            self.values_revealed.add(i)
        else:
            self.grads_revealed.add(i)
            self.wires_revealed.update(key for key in self.reads() if key in self.parts)
        return self.result.ids[i]

    def place(self, position: int, values: set[int], grads: set[int],
              wires: set[tuple[int, int]]) -> None:
        """Put the cursor on event ``position`` with exactly these slots and wires revealed:
        practice mode reveals what the student has answered, not every step passed."""
        self.position = position
        self.phase = self.events[position][0]
        self.values_revealed, self.grads_revealed = values, grads
        self.wires_revealed = wires

    def run_to_end(self) -> None:
        """Reveal everything at once (what step() until done would reveal, without the walk:
        a Live re-run of 1,000 nodes must not pay 2,000 steps)."""
        if self.phase == DONE:
            return
        backward, plan = self._backward, self.result.plan
        self.values_revealed = set(range(len(self.result.ids)))
        self.grads_revealed = set(backward)
        if plan is not None and bool(self.result.grads):
            # A step sends gradients back iff it and all its inputs have values: the parts'
            # own test, without a call per step (usually nothing is missing).
            missing = {j for j, v in enumerate(self.result.raw_values) if v is None}
            self.wires_revealed = {
                (i, k) for i in backward
                if not missing or (i not in missing and missing.isdisjoint(plan.steps[i].args))
                for k in range(len(plan.steps[i].args))}
        self.position, self.phase = len(self.events), DONE

    def reads(self) -> list[tuple[int, int]]:
        """(step, input index) of the wires the current node reads (or sends gradients along)."""
        i = self.current
        if i is None or self.result.plan is None:
            return []
        return [(i, k) for k in range(len(self.result.plan.steps[i].args))]

    def visited(self) -> list[str]:
        """Ids in the order the cursor has visited them so far (forward, then backward)."""
        return [self.result.ids[i] for _, i in self.events[:self.position + 1]]
