"""The Trainer: updates match the optimizer formulas, slices equal one run, the graph is only
touched by apply_values, and a non-finite loss stops training with a reason."""

from __future__ import annotations

import numpy as np
import pytest

from cgeditor.model.examples import build_example
from cgeditor.model.formula import from_formula
from cgeditor.model.train import Trainer, TrainingError, apply_values, train


def quadratic(w: float = 3.0):
    """J = (w − 1)²: dJ/dw = 2(w − 1), minimum at w = 1."""
    graph = from_formula("d = w - 1; J = d ** 2", w=w)
    graph.set_trainable(graph.by_name("w").id, True)
    return graph


def test_one_sgd_step_is_w_minus_lr_times_gradient() -> None:
    trainer = Trainer(quadratic(3.0), lr=0.1)
    assert trainer.step(1) == [4.0]
    (w,) = trainer.final_values().values()
    assert w == pytest.approx(3.0 - 0.1 * 4.0)


def test_current_loss_is_the_loss_after_the_last_update() -> None:
    """losses[k] is step k's loss before its update; current_loss is J at the trained w."""
    trainer = Trainer(quadratic(3.0), lr=0.1)
    trainer.step(2)
    (w,) = trainer.final_values().values()
    assert trainer.losses[-1] == pytest.approx((3.0 - 0.4 - 1) ** 2)  # w after one step
    assert trainer.current_loss() == pytest.approx((w - 1) ** 2)


def test_momentum_accumulates_velocity() -> None:
    trainer = Trainer(quadratic(3.0), lr=0.1, optimizer="momentum", momentum=0.9)
    trainer.step(2)
    w1 = 3.0 - 0.1 * 4.0
    v2 = 0.9 * 4.0 + 2 * (w1 - 1)
    assert next(iter(trainer.final_values().values())) == pytest.approx(w1 - 0.1 * v2)


def test_adam_first_step_moves_by_lr() -> None:
    # Bias-corrected Adam's first step is lr · g / |g| whatever the gradient's size.
    trainer = Trainer(quadratic(3.0), lr=0.01, optimizer="adam")
    trainer.step(1)
    assert next(iter(trainer.final_values().values())) == pytest.approx(2.99, abs=1e-9)


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
def test_every_optimizer_fits_the_seed_model(optimizer: str) -> None:
    lr = {"sgd": 0.05, "momentum": 0.01, "adam": 0.2}[optimizer]
    result = train(build_example("seed_fit"), 800, lr, optimizer)
    assert result.message is None
    assert result.losses[-1] < 0.05 < result.losses[0]


def test_running_in_slices_equals_one_run() -> None:
    graph = build_example("xor")
    whole = train(graph, 60, lr=1.0, optimizer="adam")
    trainer = Trainer(graph, lr=1.0, optimizer="adam")
    for size in (1, 7, 20, 32):
        trainer.step(size)
    sliced = trainer.result()
    assert sliced.losses == whole.losses
    for node_id, value in whole.params.items():
        np.testing.assert_array_equal(sliced.params[node_id], value)


def test_training_leaves_the_graph_alone_until_values_are_applied() -> None:
    graph = quadratic(3.0)
    w = graph.by_name("w")
    changes = []
    graph.value_changed.connect(changes.append)
    result = train(graph, 200, lr=0.1)
    assert w.value == 3.0 and not changes
    apply_values(graph, result.params)
    assert w.value == pytest.approx(1.0, abs=1e-9)
    assert changes == [w]
    assert np.ndim(w.value) == 0


def test_callback_and_should_stop() -> None:
    seen: list[tuple[int, float]] = []
    result = train(quadratic(), 100, lr=0.1, callback=lambda k, loss: seen.append((k, loss)),
                   should_stop=lambda: len(seen) >= 5)
    assert [k for k, _ in seen] == [1, 2, 3, 4, 5]
    assert result.steps == 5 and result.message is None
    assert [loss for _, loss in seen] == result.losses


def test_a_diverging_run_stops_on_the_first_non_finite_loss_with_a_reason() -> None:
    graph = from_formula("J = exp(w * w)", w=2.0)
    graph.set_trainable(graph.by_name("w").id, True)
    trainer = Trainer(graph, lr=10.0)
    trainer.step(50)
    assert trainer.done
    assert "smaller learning rate" in trainer.message
    assert not np.isfinite(trainer.losses[-1])
    assert all(np.isfinite(trainer.losses[:-1]))
    assert np.isfinite(next(iter(trainer.final_values().values())))  # last good parameters
    assert trainer.step(5) == []


def test_batch_mean_loss_trains_tensor_parameters() -> None:
    graph = build_example("softmax")
    result = train(graph, 200, lr=0.5)
    assert result.losses[-1] < 0.5 * result.losses[0]
    W = next(v for i, v in result.params.items() if result.names[i] == "W")
    assert W.shape == (2, 3)


def test_refusals_name_the_problem() -> None:
    with pytest.raises(TrainingError, match="trainable"):
        Trainer(from_formula("J = w * w", w=1.0))
    with pytest.raises(TrainingError, match="optimizer"):
        Trainer(quadratic(), optimizer="lbfgs")
    with pytest.raises(TrainingError, match="learning rate"):
        Trainer(quadratic(), lr=-1.0)
