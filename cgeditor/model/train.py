"""Training a graph's trainable inputs by gradient descent (plain, momentum or Adam).

The graph is compiled once; each step feeds the current parameters, runs forward and backward
and updates them. ``Trainer.step(n)`` runs in slices so a GUI can stay responsive; nothing is
written into the graph until the caller applies ``final_values()`` (one undo step).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from cgeditor.core.engine import as_value, backward, describe, forward
from cgeditor.model.errors import GraphError
from cgeditor.model.formatting import format_number
from cgeditor.model.graph import Graph
from cgeditor.model.run import compile_graph, refuse_non_scalar, refuse_unrunnable

OPTIMIZERS = ("sgd", "momentum", "adam")
# What a person may type, and what a file may suggest (meta["train"]): one set of bounds.
MAX_STEPS = 1_000_000
LR_RANGE = (1e-6, 1e3)
DEFAULT_SETTINGS: dict[str, Any] = {"lr": 0.1, "steps": 200, "optimizer": "sgd"}


class TrainingError(GraphError):
    """Training cannot start: no trainable inputs, an unknown optimizer, an open port."""


def check_settings(steps: Any, lr: Any, optimizer: Any) -> tuple[int, float, str]:
    """(steps, lr, optimizer) validated as user input, whether typed or suggested by a file:
    TrainingError naming the first unusable one (10**18 steps, lr 1e300, a list, …)."""
    if isinstance(steps, bool) or not isinstance(steps, (int, float, np.integer, np.floating)) \
            or not (1 <= steps <= MAX_STEPS) or int(steps) != steps:
        raise TrainingError(f"steps must be a whole number from 1 to {MAX_STEPS:,}, "
                            f"not {_short(steps)}")
    low, high = LR_RANGE
    if isinstance(lr, bool) or not isinstance(lr, (int, float, np.integer, np.floating)) \
            or not (low <= lr <= high):
        raise TrainingError(f"the learning rate must be a number from {format_number(low)} to "
                            f"{format_number(high)}, "
                            f"not {_short(lr)}")
    if optimizer not in OPTIMIZERS:
        raise TrainingError(f"unknown optimizer {_short(optimizer)} (choose from "
                            f"{', '.join(OPTIMIZERS)})")
    return int(steps), float(lr), str(optimizer)


def suggested_settings(meta: Mapping[str, Any]) -> dict[str, Any]:
    """The graph's meta["train"] over DEFAULT_SETTINGS, each unusable suggestion replaced by
    its default (a file's suggestion is never trusted more than a typed value)."""
    suggested = meta.get("train")
    settings = dict(DEFAULT_SETTINGS)
    if not isinstance(suggested, Mapping):
        return settings
    for key in DEFAULT_SETTINGS:
        trial = {**DEFAULT_SETTINGS, key: suggested.get(key, DEFAULT_SETTINGS[key])}
        try:
            check_settings(trial["steps"], trial["lr"], trial["optimizer"])
        except TrainingError:
            continue
        settings[key] = trial[key]
    steps, lr, optimizer = check_settings(settings["steps"], settings["lr"],
                                          settings["optimizer"])
    return {"steps": steps, "lr": lr, "optimizer": optimizer}


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


@dataclass
class TrainResult:
    """Losses per step (before that step's update) and the parameters after the last one."""

    losses: list[float]
    params: dict[str, Any]  # by node id
    steps: int
    message: str | None = None  # why training stopped early, if it did
    names: dict[str, str] = field(default_factory=dict)  # node id -> name

    @property
    def final_loss(self) -> float | None:
        return self.losses[-1] if self.losses else None


class Trainer:
    """Gradient descent on ``graph``'s trainable inputs, minimising its scalar output (a
    tensor output is refused, not summed). Stops on a non-finite loss or gradient."""

    def __init__(self, graph: Graph, lr: float = 0.1, optimizer: str = "sgd",
                 momentum: float = 0.9, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8) -> None:
        if optimizer not in OPTIMIZERS:
            raise TrainingError(f"unknown optimizer {optimizer!r} (choose from "
                                f"{', '.join(OPTIMIZERS)})")
        if not (math.isfinite(lr) and lr > 0):
            raise TrainingError(f"the learning rate must be a positive number, not {lr}")
        refuse_unrunnable(graph, "train", TrainingError)
        self.ids = [n.id for n in graph.nodes.values() if n.trainable]
        if not self.ids:
            raise TrainingError("no trainable inputs: mark at least one input as trainable")
        self.names = {i: graph.nodes[i].name for i in self.ids}
        self.plan = compile_graph(graph)
        refuse_non_scalar(self.plan, forward(self.plan).values, "train", TrainingError)
        self.slots = [self.plan.index[self.names[i]] for i in self.ids]
        self.params = [as_value(np.array(graph.nodes[i].value, dtype=np.float64))
                       for i in self.ids]
        self.lr, self.optimizer, self.momentum, self.betas, self.eps = (
            float(lr), optimizer, momentum, betas, eps)
        self._state: list[dict[str, Any]] = [{} for _ in self.ids]
        self.losses: list[float] = []
        self.message: str | None = None

    @property
    def done(self) -> bool:
        """True once training has stopped for good (a non-finite loss or gradient, no
        memory left)."""
        return self.message is not None

    def step(self, n: int = 1) -> list[float]:
        """Run up to ``n`` steps; returns their losses (fewer if training had to stop)."""
        start = len(self.losses)
        for _ in range(n):
            if self.done:
                break
            step = len(self.losses) + 1
            try:
                grads = self._loss_and_grads()
                if grads is not None:
                    self._update(grads)
            except MemoryError:  # stop with a message; the graph itself is untouched
                self.message = (f"stopped at step {step}: out of memory (the graph's values "
                                "and gradients do not fit)")
        return self.losses[start:]

    def _feeds(self) -> dict[str, Any]:
        return {self.names[i]: p for i, p in zip(self.ids, self.params)}

    def current_loss(self) -> float | None:
        """The loss at the parameters as they are now, after the last update (the losses
        list holds each step's loss before its update); None when it cannot be computed."""
        out = forward(self.plan, self._feeds()).values[self.plan.output]
        return None if out is None else float(np.sum(out))

    def _loss_and_grads(self) -> list[Any] | None:
        fwd = forward(self.plan, self._feeds())
        out = fwd.values[self.plan.output]
        step = len(self.losses) + 1
        if out is None:
            first = next(iter(sorted(fwd.issues.items())))[1]
            self.message = f"step {step}: the output could not be computed: {first.message}"
            return None
        loss = float(np.sum(out))  # size 1: the scalar itself
        self.losses.append(loss)
        if not math.isfinite(loss):
            origin = [iss.message for iss in fwd.issues.values() if iss.origin]
            where = f" (first at {origin[0]})" if origin else ""
            self.message = (f"stopped at step {step}: the loss became {describe(loss)}{where}; "
                            "try a smaller learning rate")
            return None
        bwd = backward(self.plan, fwd.values)
        grads = [bwd.grads[k] if bwd.grads[k] is not None else np.zeros_like(p)
                 for k, p in zip(self.slots, self.params)]
        bad = [self.names[i] for i, g in zip(self.ids, grads) if not np.isfinite(g).all()]
        if bad:
            self.message = (f"stopped at step {step}: the gradient of {', '.join(bad)} is not "
                            "finite; try a smaller learning rate")
            return None
        return grads

    def _update(self, grads: list[Any]) -> None:
        t = len(self.losses)
        for k, g in enumerate(grads):
            state = self._state[k]
            if self.optimizer == "sgd":
                change = g
            elif self.optimizer == "momentum":
                state["v"] = self.momentum * state.get("v", 0.0) + g
                change = state["v"]
            else:  # Adam, with bias correction
                b1, b2 = self.betas
                state["m"] = b1 * state.get("m", 0.0) + (1 - b1) * g
                state["v"] = b2 * state.get("v", 0.0) + (1 - b2) * g * g
                m_hat, v_hat = state["m"] / (1 - b1 ** t), state["v"] / (1 - b2 ** t)
                change = m_hat / (np.sqrt(v_hat) + self.eps)
            self.params[k] = as_value(self.params[k] - self.lr * change)

    def final_values(self) -> dict[str, Any]:
        """Trained parameter values by node id, ready for graph.set_value (one undo step)."""
        return {i: p.copy() for i, p in zip(self.ids, self.params)}

    def result(self) -> TrainResult:
        return TrainResult(list(self.losses), self.final_values(), len(self.losses),
                           self.message, dict(self.names))


def train(graph: Graph, steps: int, lr: float = 0.1, optimizer: str = "sgd",
          callback: Callable[[int, float], None] | None = None,
          should_stop: Callable[[], bool] | None = None, **options: Any) -> TrainResult:
    """Train for ``steps`` steps without touching ``graph``; ``callback(step, loss)`` after
    each, ``should_stop()`` before each. Apply the result with ``apply_values``."""
    trainer = Trainer(graph, lr, optimizer, **options)
    for k in range(steps):
        if trainer.done or (should_stop is not None and should_stop()):
            break
        losses = trainer.step(1)
        if callback is not None and losses:
            callback(k + 1, losses[-1])
    return trainer.result()


def apply_values(graph: Graph, values: Mapping[str, Any]) -> None:
    """Write trained values (by node id) into the graph."""
    for node_id, value in values.items():
        graph.set_value(node_id, value)
