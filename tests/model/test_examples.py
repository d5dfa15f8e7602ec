"""Every bundled example loads, runs cleanly, passes the gradient check and matches the code
that builds it; the XOR network trains below 0.01 headlessly from its saved weights."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from cgeditor.core.gradcheck import check_gradients
from cgeditor.model import files
from cgeditor.model.examples import CATALOGUE, build_example, load_example, write_examples
from cgeditor.model.train import train
from cgeditor.paths import examples_dir

GENERATED = [name for name, entry in CATALOGUE.items() if entry.build is not None]


def test_the_catalogue_lists_every_bundled_file_with_a_title_and_one_line() -> None:
    on_disk = {p.name for p in examples_dir().glob("*.cgraph")}
    assert on_disk == {e.file for e in CATALOGUE.values()}
    for entry in CATALOGUE.values():
        assert entry.title.strip() and entry.description.strip()
        assert "\n" not in entry.description


@pytest.mark.parametrize("name", list(CATALOGUE))
def test_example_loads_runs_and_passes_the_gradient_check(name: str) -> None:
    graph = load_example(name)
    result = graph.run()
    assert result.ok, result.issues
    assert np.ndim(result.output_value) == 0, "examples end in a scalar"
    assert graph.meta.get("title")
    rows = check_gradients(graph.compile())
    assert rows
    failed = [(r.name, r.abs_error) for r in rows if not r.passed]
    assert not failed


@pytest.mark.parametrize("name", GENERATED)
def test_bundled_file_is_what_the_builder_makes(name: str) -> None:
    # Catches a hand edit, or a builder change without `python -m cgeditor.model.examples`.
    # Positions are the canvas's: `python -m cgeditor.gui.canvas.arrange` spaces the nodes
    # by the sizes their items take, which only the GUI knows.
    path = examples_dir() / CATALOGUE[name].file
    assert unplaced(path.read_text(encoding="utf-8")) == unplaced(files.dumps(build_example(name)))


def unplaced(text: str) -> dict:
    data = json.loads(text)
    for node in data["nodes"]:
        node.pop("x"), node.pop("y")
    return data


def test_regenerating_is_deterministic(tmp_path: Path) -> None:
    first = {p.name: p.read_bytes() for p in write_examples(tmp_path)}
    second = {p.name: p.read_bytes() for p in write_examples(tmp_path)}
    assert first == second
    assert "seed.cgraph" not in first, "seed.cgraph is kept by hand"


@pytest.mark.parametrize("name", [n for n in GENERATED if "train" in CATALOGUE[n].build().meta])
def test_trainable_examples_mark_parameters_and_suggest_settings(name: str) -> None:
    graph = load_example(name)
    assert any(n.trainable for n in graph.nodes.values())
    settings = graph.meta["train"]
    result = train(graph, settings["steps"], settings["lr"], settings["optimizer"])
    assert result.message is None
    assert result.losses[-1] < result.losses[0]


def test_xor_trains_below_001_from_the_saved_weights() -> None:
    graph = load_example("xor")
    result = train(graph, 2000, lr=1.0)
    assert result.losses[0] > 0.2
    assert result.losses[-1] < 0.01
    predictions = graph.run(feeds={graph.nodes[i].name: v for i, v in result.params.items()})
    assert np.round(predictions.values["p"]).tolist() == [0.0, 1.0, 1.0, 0.0]


def test_seed_fit_loss_decreases_towards_the_least_squares_line() -> None:
    graph = load_example("seed_fit")
    result = train(graph, 300, lr=0.05)
    assert all(b <= a for a, b in zip(result.losses, result.losses[1:]))
    x = graph.by_name("x").value
    y = graph.by_name("y").value
    w_best, b_best = np.polyfit(x, y, 1)
    params = {result.names[i]: v for i, v in result.params.items()}
    assert params["w"] == pytest.approx(w_best, abs=1e-3)
    assert params["b"] == pytest.approx(b_best, abs=1e-3)


def test_fanout_gradient_sums_every_path() -> None:
    result = load_example("fanout").run()
    assert result.grads["x"] == pytest.approx(2 * 3.0 + 2.0 + 1.0)


def test_neuron_matches_the_cs231n_numbers() -> None:
    result = load_example("neuron").run()
    assert result.output_value == pytest.approx(0.7310585786300049)
    assert result.grads["w1"] == pytest.approx(-0.19661193324148185)
    assert result.grads["x2"] == pytest.approx(-0.5898357997244456)
