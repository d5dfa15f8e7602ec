"""The failure-mode lab's model: each case, triggered as its dock text says, is diagnosed by
name with the run's numbers, and its remedy fixes the run."""

from __future__ import annotations

import math

import numpy as np
import pytest

from cgeditor.model import files
from cgeditor.model.examples import CATALOGUE, load_example
from cgeditor.model.failure_cases import BY_KEY, CASES, case_path, load_case
from cgeditor.model.failure_diagnose import diagnose, factors_text
from cgeditor.model.failure_remedy import EPS, apply
from cgeditor.model.failure_training import diagnose_training
from cgeditor.model.graph import Graph
from cgeditor.model.train import apply_values, train


def triggered(key: str, **values: object) -> Graph:
    graph = load_case(key)
    for name, value in (values or BY_KEY[key].values).items():
        graph.set_value(graph.by_name(name).id, value)
    return graph


def only(graph: Graph):
    found = diagnose(graph, graph.run())
    assert len(found) == 1, [d.kind for d in found]
    return found[0]


def test_every_case_is_bundled_as_built_and_loads_through_the_loader() -> None:
    def parts(graph: Graph) -> tuple:
        nodes = [(n.name, n.op, files.node_data(n).get("value"), n.trainable)
                 for n in graph.nodes.values()]
        return nodes, sorted((graph.node(s).name, graph.node(d).name, p)
                             for s, d, p in graph.edge_triples()), graph.meta

    for case in CASES:  # only the places differ: the canvas arranged the files
        assert parts(files.load(case_path(case.key))) == parts(case.build())


@pytest.mark.parametrize("key", [c.key for c in CASES if c.values])
def test_a_case_is_healthy_until_triggered(key: str) -> None:
    graph = load_case(key)
    assert diagnose(graph, graph.run()) == []


@pytest.mark.parametrize("name", sorted(CATALOGUE))
def test_the_bundled_examples_are_healthy(name: str) -> None:
    graph = load_example(name)
    assert diagnose(graph, graph.run()) == []


def test_log_of_zero_names_log_and_the_guard_fixes_it() -> None:
    graph = triggered("log_zero")
    found = only(graph)
    assert (found.kind, found.node) == ("log_domain", "log1")
    assert found.shows.startswith("J = inf; the first non-finite value is log1: log at x = 0")
    assert "smallest p is 0" in found.why
    assert found.remedy.text.endswith("so its input never reaches 0.")  # log has one
    apply(graph, found.remedy)
    run = graph.run()
    assert run.values["J"] == pytest.approx(-math.log(EPS))
    assert diagnose(graph, run) == []


def test_log_of_a_negative_number_is_nan_and_clamped() -> None:
    graph = triggered("log_zero", p=-1.0)
    found = only(graph)
    assert found.shows.startswith("J = nan") and "smallest p is −1" in found.why
    assert found.remedy.title == "Use log(maximum(p, ε))"
    apply(graph, found.remedy)
    assert graph.run().values["J"] == pytest.approx(-math.log(EPS))


def test_division_by_zero_and_zero_over_zero() -> None:
    graph = triggered("div_zero")
    found = only(graph)
    assert (found.kind, found.node) == ("div_zero", "q")
    assert found.shows.startswith("J = inf") and "div at a = 1, b = 0" in found.shows
    # J = q · q: both its inputs carry the inf, in the plural (the Messages dock's line)
    assert graph.run().issues["J"].message.endswith(
        "gives inf: its inputs a, b are already non-finite (see the origin)")
    assert found.remedy.text.endswith("so its input b never reaches 0.")  # b, not a
    nan = triggered("div_zero", a=0.0, b=0.0)
    found = only(nan)
    assert found.shows.startswith("J = nan") and "(here 0 / 0)" in found.why
    apply(nan, found.remedy)
    run = nan.run()
    assert run.values["J"] == 0.0 and run.grads["a"] == 0.0
    apply(graph, only(graph).remedy)
    assert graph.run().values["J"] == pytest.approx((1 / EPS) ** 2)


def test_an_overflowing_quotient_is_not_called_a_division_by_zero() -> None:
    # 1e308 / 0.5 is inf with a denominator far from 0: + ε would change nothing
    for b in (0.5, [0.5, 0.0, 2.0], [0.5, 2.0]):
        graph = triggered("div_zero", a=1e308, b=b)
        found = only(graph)
        zero = 0.0 in np.atleast_1d(b)
        assert (found.kind, found.node) == ("div_zero" if zero else "nonfinite", "q"), b
        if not zero:
            assert "overflow: 1e308 ÷ 0.5" in found.shows


def test_naive_softmax_overflows_and_log_softmax_replaces_it() -> None:
    graph = triggered("softmax_overflow")
    found = only(graph)
    assert (found.kind, found.node) == ("exp_overflow", "e")
    assert found.shows.startswith("J = nan") and "exp(1000)" in found.shows
    assert "reaches 1000" in found.why
    apply(graph, found.remedy)
    assert {"e", "sum1", "P", "log1"}.isdisjoint(n.name for n in graph.nodes.values())
    run = graph.run()
    z = np.array([1000.0, 2.0, 3.0])
    assert run.values["J"] == pytest.approx(np.log(np.sum(np.exp(z - z.max()))) + 1000 - 3)
    assert np.allclose(run.grads["z"], np.exp(z - z.max()) / np.exp(z - z.max()).sum()
                       - [0, 0, 1])
    assert diagnose(graph, run) == []


def test_sixteen_sigmoids_vanish_by_their_own_factors() -> None:
    graph = load_case("vanishing")
    found = only(graph)
    assert (found.kind, found.node) == ("vanishing", "w")
    h, factors = 1.0, []
    for _ in range(16):  # σ′(z) = σ(z)(1 − σ(z)) at each layer's input
        s = 1 / (1 + math.exp(-h))
        factors.append(s * (1 - s))
        h = s
    grad = math.prod(factors)  # times x = 1 at mul1
    assert graph.run().grads["w"] == pytest.approx(grad)
    assert grad < 1e-10
    assert [f for _n, f in found.factors[1:]] == pytest.approx(factors)
    assert found.shows.startswith(f"∂J/∂w = {grad:.6g}".replace("-", "\u2212"))
    assert "16 sigmoids → at most 0.25^16 = 2.32831e−10" in found.why
    apply(graph, found.remedy)
    assert [n.op for n in graph.nodes.values()].count("relu") == 16
    assert graph.by_name("J").id == graph.output
    run = graph.run()
    assert run.grads["w"] == 1.0 and diagnose(graph, run) == []


def test_multiplying_by_three_eight_times_explodes() -> None:
    graph = triggered("exploding")
    found = only(graph)
    assert (found.kind, found.node) == ("exploding", "x")
    assert graph.run().grads["x"] == 3.0 ** 8
    assert [f for _n, f in found.factors] == [3.0] * 8
    assert found.shows.startswith("∂J/∂x = 6561:") and "×3 at h1–J (8 steps)" in found.shows
    assert "8 steps of about ×3 give 3^8 = 6561" in found.why
    assert found.remedy.title == "Set a = 1"  # the value it sets, not '±1'
    apply(graph, found.remedy)
    assert graph.by_name("a").value == 1.0
    assert graph.run().grads["x"] == 1.0
    negative = only(triggered("exploding", a=-3.0))  # the sign is kept
    assert negative.remedy.title == "Set a = −1" and "(its sign kept)" in negative.remedy.text


def test_a_dead_relu_stops_the_gradient_exactly() -> None:
    graph = triggered("dead_relu")
    found = only(graph)
    assert (found.kind, found.node) == ("dead_relu", "h")
    run = graph.run()
    assert run.grads["w"] == 0.0 and run.grads["b"] == 0.0 and run.grads["h"] == -6.0
    assert found.shows.startswith("h's input z = −1 ≤ 0")
    assert "∂J/∂w = ∂J/∂x = ∂J/∂b = 0 exactly" in found.shows
    assert "∂J/∂h = −6 arrives" in found.shows
    apply(graph, found.remedy)
    assert graph.by_name("b").value == -1.0
    run = graph.run()
    assert run.values["z"] == 1.0 and run.grads["w"] == -4.0  # 2(h − y)·x = 2(1 − 3)
    assert diagnose(graph, run) == []


def test_a_learning_rate_past_two_over_lambda_diverges() -> None:
    graph = load_case("learning_rate")
    case = BY_KEY["learning_rate"]
    result = train(graph, 100, case.lr)
    found = diagnose_training(result.losses, case.lr)
    assert found is not None and found.kind == "diverging"
    x = np.array(graph.by_name("x").value)
    hessian = 2 * np.array([[np.mean(x * x), np.mean(x)], [np.mean(x), 1.0]])
    top = max(np.linalg.eigvalsh(hessian))
    growth = (1 - case.lr * top) ** 2
    assert f"×{growth:.3g} a step" in found.shows
    assert f"λ ≈ {top:.3g}," in found.why
    assert found.remedy.lr == 0.1 and not found.remedy.edits_document
    assert diagnose_training(train(graph, 100, found.remedy.lr).losses, 0.1) is None
    fine = train(graph, 100, 0.05)
    assert diagnose_training(fine.losses, 0.05) is None


def test_a_loss_that_jumps_and_settles_again_is_not_diverging() -> None:
    # the seed example trained to its minimum (J ≈ 1e-30), then with Adam, whose first
    # steps are lr-sized whatever the gradient: J jumps to ~1e-3 and settles near 1e-16
    graph = load_example("seed")
    apply_values(graph, train(graph, 300, 0.05).params)
    losses = train(graph, 300, 0.05, "adam").losses
    assert losses[-1] > 1e6 * losses[0] and max(losses) > 1e6 * losses[-1]
    assert diagnose_training(losses, 0.05) is None
    assert diagnose_training([1.0, 1e3, 20.0], 0.1) is None
    assert diagnose_training([1.0, 1e3, 200.0], 0.1) is not None  # still near its peak


def test_a_diverged_training_names_the_loss_at_its_trained_values() -> None:
    """Each step's loss is taken before its update: the loss reached is the one after the
    last update (what the canvas shows), not the last of ``losses``."""
    losses = [1.0, 4.0, 16.0, 64.0]
    found = diagnose_training(losses, 1.0, final=256.0)
    assert found.shows == "J grew from 1 to 256 after 4 steps (×4 a step)"
    assert diagnose_training(losses, 1.0).shows == "J grew from 1 to 64 in 4 steps (×4 a step)"


def test_a_training_that_becomes_infinite_is_diverging() -> None:
    found = diagnose_training([1.0, 100.0, 1e4, math.inf], 3.0)
    assert found.shows.endswith("(×100 a step), then became inf")
    assert found.remedy.lr == 0.2  # λ = (1 + √100)/3 = 3.67: 1/λ = 0.27, 1-2-5 below it


def test_sqrt_at_zero_has_an_infinite_derivative() -> None:
    graph = triggered("sqrt_zero")
    found = only(graph)
    assert (found.kind, found.node) == ("sqrt_zero", "J")
    run = graph.run()
    assert run.values["J"] == 0.0 and math.isnan(run.grads["x"])
    assert run.grads["s"] == math.inf
    apply(graph, found.remedy)
    run = graph.run()
    assert run.values["J"] == pytest.approx(math.sqrt(EPS)) and run.grads["x"] == 0.0


def test_factors_say_a_run_of_equal_steps_once() -> None:
    text = factors_text([("m", 1.0), ("h1", 0.1966), ("h2", 0.2247), ("h3", 0.22471)])
    assert text == "×1 at m, ×0.197 at h1, ×0.225 at h2–h3 (2 steps)"


def test_one_tiny_step_is_not_a_vanishing_gradient() -> None:
    graph = load_example("softmax")  # a tiny X makes ∂J/∂W tiny in one step, the matmul
    graph.set_value(graph.by_name("X").id, np.full((4, 2), 1e-300))
    run = graph.run()
    assert np.max(np.abs(run.grads["W"])) < 1e-200
    assert diagnose(graph, run) == []


def test_a_run_of_nodes_since_renamed_is_not_diagnosed() -> None:
    graph = triggered("log_zero")
    run = graph.run()
    graph.rename_node(graph.by_name("p").id, "q")
    assert diagnose(graph, run) == []
    assert only(graph).kind == "log_domain"


def test_a_long_varied_path_names_its_first_and_last_steps() -> None:
    factors = [(f"h{k}", 0.1 + k / 100) for k in range(1, 40)]
    text = factors_text(factors)
    assert text.startswith("×0.11 at h1, ×0.12 at h2,") and "×0.16 at h6, …, ×0.47" in text
    assert text.endswith("×0.47 at h37, ×0.48 at h38, ×0.49 at h39")
    assert text.count("×") == 9


def test_an_overflowing_sqrt_gradient_away_from_zero_is_not_sqrt_at_zero() -> None:
    from cgeditor.model.formula import from_formula

    graph = from_formula("r = sqrt(s); J = r * big", s=1e-20, big=1e300)
    run = graph.run()
    assert run.grads["s"] == math.inf and run.values["s"] > 0  # 1e300 / (2 · 1e-10)
    found = only(graph)
    assert found.kind == "nonfinite" and found.remedy is None


def test_a_diverged_momentum_or_adam_run_is_offered_no_rate_from_sgd_curvature() -> None:
    """2/λ bounds plain gradient descent's rate only (momentum at lr = 1 diverges on a case
    whose 2/λ is 0.29, but so does it at rates sgd survives; Adam's steps are about lr
    whatever the gradient): neither gets a λ or a rate read off the growth."""
    graph = load_case("learning_rate")
    momentum = train(graph, 100, 1.0, "momentum").losses
    for optimizer, losses, lr in (("momentum", momentum, 1.0),
                                  ("adam", [1.0, 10.0, 100.0, 1e3], 0.5)):
        found = diagnose_training(losses, lr, optimizer=optimizer)
        assert found is not None and found.kind == "diverging"
        assert "λ" not in found.why
        assert f"With {optimizer} a step is not lr · gradient" in found.why
        assert found.remedy.lr == pytest.approx(lr / 10)
        sgd = diagnose_training(losses, lr)  # the same losses read as sgd's: a λ, about 1/λ
        assert sgd is not None and "λ ≈" in sgd.why
