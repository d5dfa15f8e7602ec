"""The bundled example graphs, built with the scripting API, and the gallery's catalogue.

``python -m cgeditor.model.examples`` rewrites resources/examples/*.cgraph deterministically
(all but seed.cgraph, which is kept by hand as the one every user tries first), and the
failure lab's resources/failures/*.cgraph; then ``python -m cgeditor.gui.canvas.arrange
resources/examples/*.cgraph resources/failures/*.cgraph`` places their nodes by
the sizes the canvas gives them, which only the GUI knows.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cgeditor.model import files
from cgeditor.model.formula import from_formula
from cgeditor.model.graph import Graph
from cgeditor.paths import examples_dir


@dataclass(frozen=True)
class Example:
    """One gallery entry: its file, title and one line; ``build`` is None for hand-kept files."""

    file: str
    title: str
    description: str
    build: Callable[[], Graph] | None = None


def _make(formula: str, values: dict[str, Any], trainable: tuple[str, ...], title: str,
          description: str, train: dict[str, Any] | None = None) -> Graph:
    graph = from_formula(formula, **values)
    for name in trainable:
        graph.set_trainable(graph.by_name(name).id, True)
    graph.meta.update(title=title, description=description)
    if train:  # settings the gallery's Train button starts from
        graph.meta["train"] = dict(train)
    return graph


def _entry(file: str, title: str, description: str, formula: str, values: dict[str, Any],
           trainable: tuple[str, ...] = (), train: dict[str, Any] | None = None) -> Example:
    def build() -> Graph:
        return _make(formula, values, trainable, title, description, train)
    return Example(file, title, description, build)


XOR_X = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]
# Two classes that no line separates (the last point sits between the first two), so the
# best weights are finite; four points, so the graph and every number on its nodes fit a
# laptop's canvas at a readable zoom.
LOGISTIC_X = [[1.0, 1.5], [2.0, 0.5], [-1.0, -0.5], [1.5, 1.0]]
LOGISTIC_T = [1.0, 1.0, 0.0, 0.0]

_ENTRIES = [
    Example("seed.cgraph", "Seed: J = ½(w·x + b − y)²",
            "The worked example: press Forward, then Backward, and check ∂J/∂w = −4."),
    _entry("neuron.cgraph", "A single sigmoid neuron",
           "f = σ(w1·x1 + w2·x2 + b), the neuron of the CS231n backprop notes: f ≈ 0.73.",
           "z = w1*x1 + w2*x2 + b; f = sigmoid(z)",
           {"w1": 2.0, "x1": -1.0, "w2": -3.0, "x2": -2.0, "b": -3.0}, ("w1", "w2", "b")),
    _entry("logistic_regression.cgraph", "Logistic regression on 4 points",
           "p = σ(X·w + b) with a mean binary cross-entropy built from log, mul and mean.",
           "z = X @ w + b; p = sigmoid(z); ll = t * log(p) + (1 - t) * log(1 - p); "
           "J = -mean(ll)",
           {"X": LOGISTIC_X, "t": LOGISTIC_T, "w": [0.1, -0.2], "b": 0.0}, ("w", "b"),
           {"lr": 0.5, "steps": 500, "optimizer": "sgd"}),
    _entry("xor.cgraph", "A 2-2-1 network that learns XOR",
           "tanh hidden layer, sigmoid output, mean squared error over the four XOR points.",
           "h = tanh(X @ W1 + b1); p = sigmoid(h @ W2 + b2); J = mean((p - T) ** 2)",
           {"X": XOR_X, "T": [0.0, 1.0, 1.0, 0.0], "W1": [[0.13, -0.13], [0.64, 0.1]],
            "b1": [-0.27, 0.18], "W2": [1.3, 0.95], "b2": 0.0}, ("W1", "b1", "W2", "b2"),
           {"lr": 1.0, "steps": 2000, "optimizer": "sgd"}),
    _entry("softmax.cgraph", "Softmax with cross-entropy",
           "Three classes, a batch of four: J = −mean Σ Y·log softmax(X·W + b).",
           "Z = X @ W + b; P = softmax(Z); J = -mean(sum(Y * log(P), axis=1))",
           {"X": [[1.0, 0.5], [-0.5, 1.0], [-1.0, -0.5], [0.5, -1.0]],
            "W": [[0.2, -0.1, 0.0], [0.1, 0.3, -0.2]], "b": [0.0, 0.1, -0.1],
            "Y": [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [0.0, 0.0, 1.0]]},
           ("W", "b"), {"lr": 0.5, "steps": 300, "optimizer": "sgd"}),
    _entry("matrix.cgraph", "A matrix layer: y = W·x + b",
           "Tensors: W has shape (2, 3), x has shape (3,); J = ½ Σ y², so ∂J/∂W = y xᵀ.",
           "y = W @ x + b; J = 0.5 * sum(y ** 2)",
           {"W": [[1.0, -0.5, 0.25], [0.5, 2.0, -1.0]], "x": [1.0, 2.0, -1.0],
            "b": [0.5, -0.5]}, ("W", "b")),
    _entry("fanout.cgraph", "Fan-out: gradients add up",
           "x feeds four ports: ∂f/∂x = 2x + y + 1 = 9 sums every path.",
           "xx = x * x; xy = x * y; f = xx + xy + x", {"x": 3.0, "y": 2.0}),
    _entry("seed_fit.cgraph", "Fit w and b of the seed model",
           "The seed's w·x + b fitted to five points: J = mean((w·x + b − y)²).",
           "d = w * x + b - y; J = mean(d ** 2)",
           {"x": [-1.0, 0.0, 1.0, 2.0, 3.0], "y": [-4.1, -0.8, 2.1, 4.9, 8.2], "w": 2.0,
            "b": 8.0}, ("w", "b"), {"lr": 0.05, "steps": 300, "optimizer": "sgd"}),
]

CATALOGUE: dict[str, Example] = {e.file.removesuffix(".cgraph"): e for e in _ENTRIES}


def build_example(name: str) -> Graph:
    """A fresh Graph of example ``name`` (the seed, kept by hand, is read from its file)."""
    entry = CATALOGUE[name]
    if entry.build is None:
        return files.load(examples_dir() / entry.file)
    return entry.build()


def load_example(name: str) -> Graph:
    """Example ``name`` as bundled, read from resources/examples."""
    return files.load(examples_dir() / CATALOGUE[name].file)


def write_built(builds: Mapping[str, Callable[[], Graph]], folder: Path) -> list[Path]:
    """Save each graph ``builds`` makes under its file name in ``folder`` (made if need
    be); the paths written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for file, build in builds.items():
        files.save(build(), folder / file)
        written.append(folder / file)
    return written


def write_examples(folder: Path | None = None) -> list[Path]:
    """(Re)write every generated example file; returns the paths written."""
    return write_built({e.file: e.build for e in CATALOGUE.values() if e.build is not None},
                       examples_dir() if folder is None else folder)


def main() -> int:
    from cgeditor.model.failure_cases import write_cases  # it builds on this module

    for path in [*write_examples(), *write_cases()]:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
