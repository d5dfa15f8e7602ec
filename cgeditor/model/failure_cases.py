"""The failure-mode lab's cases: a small graph each (bundled in resources/failures, read
through the same loader as every file), the one step that triggers the failure, what the
editor then shows, why, and the remedy. ``diagnose`` (failure_diagnose.py) finds the
failure on whatever graph is open; the cases are where to try it.

``python -m cgeditor.model.examples`` rewrites resources/failures/*.cgraph with the examples;
``python -m cgeditor.gui.canvas.arrange`` then places the nodes of every case but the two
chains (vanishing, exploding), which ``build`` lays out in rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cgeditor.model import files
from cgeditor.model.formula import from_formula
from cgeditor.model.graph import Graph
from cgeditor.paths import resource

ROW_PITCH = (260.0, 150.0)  # a cell: the widest node (mul1, 176) and the gap the editor keeps (76)
ROW_LENGTH = 4  # cells a row: 1040 units, a laptop's canvas wide at a readable zoom


@dataclass(frozen=True)
class FailureCase:
    """One case. ``trigger`` is the step to take, as the dock says it; ``values`` (node
    name -> value) and ``lr`` are that step's numbers (None: the graph fails as it opens,
    or it is trained); ``kind`` is what the diagnosis then names."""

    key: str
    title: str
    trigger: str
    shows: str
    why: str
    remedy: str
    kind: str
    formula: str
    start: dict[str, Any]
    values: dict[str, Any] = field(default_factory=dict)
    lr: float | None = None
    trainable: tuple[str, ...] = ()
    train: dict[str, Any] | None = None
    rows: bool = False  # a long chain: laid out in rows read like text (see _in_rows)

    @property
    def file(self) -> str:
        return f"{self.key}.cgraph"

    def build(self) -> Graph:
        """A fresh graph of this case, as it opens (before the trigger)."""
        graph = from_formula(self.formula, **self.start)
        for name in self.trainable:
            graph.set_trainable(graph.by_name(name).id, True)
        graph.meta.update(title=f"Failure lab: {self.title}", description=self.trigger)
        if self.train:
            graph.meta["train"] = dict(self.train)
        if self.rows:
            _in_rows(graph)
        return graph


def _in_rows(graph: Graph) -> None:
    """The inputs down the first column, the chain after them in rows of ROW_LENGTH read
    left to right, top to bottom: the layered layout would fold a chain this long into
    bands whose columns interleave, and the order of the layers would be lost."""
    dx, dy = ROW_PITCH
    leaves = [n for n in graph.order() if graph.nodes[n].is_leaf]
    free = [(r, c) for r in range(len(graph.nodes)) for c in range(ROW_LENGTH)
            if c or r >= len(leaves)]
    for row, node_id in enumerate(leaves):
        graph.move_node(node_id, 0.0, row * dy)
    chain = [n for n in graph.order() if not graph.nodes[n].is_leaf]
    for (row, column), node_id in zip(free, chain):
        graph.move_node(node_id, column * dx, row * dy)


def _chain(op: str, first: str, layers: int) -> str:
    """'h1 = op(first); h2 = op(h1); …; J = op(h15)', ``layers`` ops in all."""
    names = [f"h{k}" for k in range(1, layers)] + ["J"]
    inputs = [first, *names[:-1]]
    return "; ".join(f"{n} = {op.format(x)}" for n, x in zip(names, inputs))


CASES: tuple[FailureCase, ...] = (
    FailureCase(
        "log_zero", "log of 0 or of a negative number",
        "Set p to 0 in the Inspector (then try −1), press F5.",
        "J = inf (nan for −1); log1 is named as the first non-finite value.",
        "log(x) → −∞ as x → 0 and is undefined for x < 0; every node after it inherits it.",
        "Feed log p + ε (or maximum(p, ε) for a negative p).",
        "log_domain", "J = -log(p)", {"p": 0.5}, {"p": 0.0}),
    FailureCase(
        "div_zero", "division by zero, and 0/0",
        "Set b to 0 in the Inspector, press F5 (then set a to 0 too: 0/0).",
        "J = inf (nan for 0/0); q, the div, is the first non-finite value.",
        "a/0 is ±inf and 0/0 is nan; the gradient −a/b² is infinite at b = 0 too.",
        "Divide by b + ε.",
        "div_zero", "q = a / b; J = q * q", {"a": 1.0, "b": 2.0}, {"b": 0.0}),
    FailureCase(
        "softmax_overflow", "exp overflow in a naive softmax",
        "Set z to [1000, 2, 3] in the Inspector, press F5.",
        "J = nan; e = exp(z) is the first non-finite value (exp(1000) overflows).",
        "exp overflows float64 above 709.78; exp(z)/sum(exp(z)) then divides inf by inf.",
        "Replace the naive log(exp(z)/sum(exp(z))) by log_softmax(z), which subtracts "
        "max(z) first.",
        "exp_overflow", "e = exp(z); P = e / sum(e); J = -sum(y * log(P))",
        {"z": [1.0, 2.0, 3.0], "y": [0.0, 0.0, 1.0]}, {"z": [1000.0, 2.0, 3.0]}),
    FailureCase(
        "vanishing", "vanishing gradients through 16 sigmoids",
        "Press F6 (Backward) and click w.",
        "∂J/∂w ≈ 3e−11, and the factor of every step (≈ ×0.22 a sigmoid).",
        "Each sigmoid multiplies the gradient by σ′ ≤ 0.25: 0.25^16 ≈ 2.3e−10 at most.",
        "Swap the sigmoids for ReLU (derivative 1 for a positive input).",
        "vanishing", _chain("sigmoid({})", "w * x", 16), {"w": 1.0, "x": 1.0},
        trainable=("w",), rows=True),
    FailureCase(
        "exploding", "exploding gradients through 8 multiplications",
        "Set a to 3 in the Inspector, press F6.",
        "∂J/∂x = 3^8 = 6561, ×3 at every step.",
        "Each mul by a multiplies the gradient by a: 8 layers give a^8.",
        "Set a back to a gain of 1 (or clip the gradient).",
        "exploding", _chain("a * {}", "x", 8), {"a": 1.0, "x": 1.0}, {"a": 3.0}, rows=True),
    FailureCase(
        "dead_relu", "a dead ReLU",
        "Set b to −3 in the Inspector, press F6.",
        "z = −1 ≤ 0, h = 0, and ∂J/∂w = ∂J/∂b = 0 exactly.",
        "relu′(z) = 0 for z ≤ 0: no gradient reaches w or b, so they can never learn.",
        "Raise b until z > 0.",
        "dead_relu", "z = w * x + b; h = relu(z); J = (h - y) ** 2",
        {"w": 2.0, "x": 1.0, "b": 0.5, "y": 3.0}, {"b": -3.0}, trainable=("w", "b")),
    FailureCase(
        "learning_rate", "a learning rate too large",
        "Set the learning rate to 0.35 in the Training dock (it opens with this case), "
        "press Train (Ctrl+T).",
        "J grows every step (×1.9) instead of falling.",
        "Past 2/λ (λ the loss's curvature) each step overshoots the minimum further.",
        "Train at a learning rate below 2/λ (the lab suggests one).",
        "diverging", "d = w * x + b - y; J = mean(d ** 2)",
        {"x": [-1.0, 0.0, 1.0, 2.0, 3.0], "y": [-4.1, -0.8, 2.1, 4.9, 8.2], "w": 2.0,
         "b": 8.0}, lr=0.35, trainable=("w", "b"),
        train={"lr": 0.05, "steps": 100, "optimizer": "sgd"}),
    FailureCase(
        "sqrt_zero", "sqrt at 0: an infinite derivative",
        "Set y to 3 in the Inspector (so d = 0), press F6.",
        "J = 0 is fine, but ∂J/∂x and ∂J/∂y are nan: sqrt's derivative is infinite at 0.",
        "√x has the derivative 1/(2√x) = inf at 0, and inf · 0 = nan on the way back.",
        "Take sqrt(d² + ε).",
        "sqrt_zero", "d = x - y; s = d * d; J = sqrt(s)", {"x": 3.0, "y": 1.0}, {"y": 3.0}),
)

BY_KEY: dict[str, FailureCase] = {case.key: case for case in CASES}


def case_of(graph: Graph) -> FailureCase | None:
    """The case ``graph`` was opened from (by the title its file carries), if any."""
    title = graph.meta.get("title")
    return next((case for case in CASES if title == f"Failure lab: {case.title}"), None)


def failures_dir() -> Path:
    return resource("failures")


def case_path(key: str) -> Path:
    """Where case ``key``'s graph is bundled; KeyError for an unknown case."""
    return failures_dir() / BY_KEY[key].file


def load_case(key: str) -> Graph:
    """Case ``key``'s graph as bundled, through the loader every file goes through."""
    return files.load(case_path(key))


def write_cases(folder: Path | None = None) -> list[Path]:
    """(Re)write every case's file (``python -m cgeditor.model.examples`` does, with the
    examples); returns the paths written."""
    from cgeditor.model.examples import write_built  # the writer the examples use

    return write_built({case.file: case.build for case in CASES},
                       failures_dir() if folder is None else folder)
