"""What the failure-mode lab says is true: a ReLU is called dead only where J would fall if
its output rose (a hinge past its margin is a satisfied loss, not a dead unit), on the lab's
cases, the examples and random graphs; and every number the lab prints is written as the
canvas writes it (the true minus U+2212, the short exponent)."""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from cgeditor.model.failure_cases import BY_KEY, CASES, load_case
from cgeditor.model.failure_diagnose import Diagnosis, diagnose
from cgeditor.model.failure_training import diagnose_training
from cgeditor.model.formula import from_formula
from cgeditor.model.graph import Graph
from cgeditor.model.number_text import MINUS, true_minus
from cgeditor.model.train import train
from tests.core.test_compiled_random import TOTAL, random_plan
from tests.model.test_moves_keep_bits_random import built

HINGES = {  # past the margin (y·f ≥ 1): J = 0 or only its other terms are left
    "J itself": ("f = w * x; J = relu(1 - y * f)", {"w": 2.0, "x": 1.0, "y": 1.0}),
    "at the margin": ("f = w * x; J = relu(1 - y * f)", {"w": 1.0, "x": 1.0, "y": 1.0}),
    "a mean": ("f = w * x; J = mean(relu(1 - y * f))",
               {"w": 2.0, "x": [1.0, 2.0], "y": [1.0, 1.0]}),
    "a term of a sum": ("f = w * x; h = relu(1 - y * f); J = 3 * h + (w - 1) ** 2",
                        {"w": 2.0, "x": 1.0, "y": 1.0}),
    # the loss wants h lower, and a ReLU already gives its lowest: raising b would raise J
    "a unit J wants off": ("z = w * x + b; h = relu(z); J = (h + 3) ** 2",
                           {"w": 2.0, "x": 1.0, "b": -3.0}),
}


def rerun_with(graph: Graph, relu: str, nudge: float) -> float:
    """J with ``relu``'s output raised by ``nudge`` (a new input in its place): what
    gradient descent could reach if the ReLU let the gradient through."""
    copy = graph.copy()
    node = copy.by_name(relu)
    h = copy.run().values[relu]
    probe = copy.add_node("input", "probe", value=np.asarray(h, dtype=float) + nudge)
    for edge in list(copy.out_edges(node.id)):
        copy.disconnect(edge.dst, edge.port)
        copy.connect(probe.id, edge.dst, edge.port)
    if copy.output == node.id:
        copy.set_output(probe.id)
    return float(np.sum(copy.run().values[copy.nodes[copy.output].name]))


@pytest.mark.parametrize("name", sorted(HINGES))
def test_a_met_margin_or_a_unit_the_loss_wants_off_is_not_a_dead_relu(name: str) -> None:
    formula, values = HINGES[name]
    graph = from_formula(formula, **values)
    run = graph.run()
    relu = next(n.name for n in graph.nodes.values() if n.op == "relu")
    assert np.all(np.asarray(run.values[relu]) == 0)  # the ReLU is off, as in a dead one
    assert rerun_with(graph, relu, 1e-3) > float(np.sum(run.values["J"]))  # J would rise
    assert diagnose(graph, run) == []


def test_the_dead_relu_case_is_one_where_j_would_fall_if_h_rose() -> None:
    graph = load_case("dead_relu")
    graph.set_value(graph.by_name("b").id, -3.0)
    run = graph.run()
    assert rerun_with(graph, "h", 1e-3) < run.values["J"]  # (0.001 − 3)² < 9
    found = diagnose(graph, run)
    assert [(d.kind, d.node) for d in found] == [("dead_relu", "h")]
    assert found[0].shows.endswith("arrives at it (J would fall if h rose)")


def test_a_dead_unit_beside_a_met_margin_is_named_alone() -> None:
    graph = from_formula("z = w * x + b; h = relu(z); m = relu(1 - h); J = (h - 3) ** 2 + m",
                         w=2.0, x=1.0, b=-3.0)
    found = diagnose(graph, graph.run())
    assert [(d.kind, d.node) for d in found] == [("dead_relu", "h")]


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(seed=st.integers(0, 2**32 - 1), margin=st.floats(0.0, 5.0), mean=st.booleans())
def test_a_hinge_past_its_margin_on_a_random_graph_is_healthy(seed: int, margin: float,
                                                                mean: bool) -> None:
    graph, _ids = built(random_plan(seed, 8, False, TOTAL), np.random.default_rng(seed))
    f = graph.nodes[graph.output]
    value = graph.run().values[f.name]
    assume(value is not None and bool(np.all(np.isfinite(value))))
    # J = relu(c − f) with c at most min(f): every element past its margin
    c = graph.add_node("const", "c", value=float(np.min(value)) - margin)
    gap = graph.add_node("sub", "gap")
    hinge = graph.add_node("relu", "hinge")
    graph.connect(c.id, gap.id, "a")
    graph.connect(f.id, gap.id, "b")
    graph.connect(gap.id, hinge.id, "x")
    out = hinge
    if mean or np.ndim(value):
        out = graph.add_node("mean", "J")
        graph.connect(hinge.id, out.id, "x")
    graph.set_output(out.id)
    run = graph.run()
    assume(run.ok)
    assert float(run.values[graph.nodes[out.id].name]) == 0.0
    assert diagnose(graph, run) == []


# --- numbers as the canvas writes them -------------------------------------------------------
ASCII_SIGN = re.compile(r"(?<![\w.)\]])-(?=\.?\d|inf\b)|(?<=\de)-(?=\d)")
VARIANTS = [(case.key, case.values) for case in CASES if case.values] + [
    ("log_zero", {"p": -1.0}), ("div_zero", {"a": 0.0, "b": 0.0}),
    ("exploding", {"a": -3.0}), ("vanishing", {})]  # as each case's trigger says


def lab_texts(found: Diagnosis) -> list[str]:
    remedy = found.remedy
    return [found.shows, found.why] + ([remedy.title, remedy.text] if remedy else [])


def all_lab_texts() -> list[str]:
    texts = [t for case in CASES for t in (case.title, case.trigger, case.shows, case.why,
                                           case.remedy)]
    for key, values in VARIANTS:
        graph = load_case(key)
        for name, value in values.items():
            graph.set_value(graph.by_name(name).id, value)
        found = diagnose(graph, graph.run())
        assert found, key
        texts += [t for d in found for t in lab_texts(d)]
    graph, case = load_case("learning_rate"), BY_KEY["learning_rate"]
    for optimizer in ("sgd", "adam"):
        trained = diagnose_training(train(graph, 100, case.lr).losses, case.lr, "J", None,
                                    optimizer)
        assert trained is not None
        texts += lab_texts(trained)
    return texts


def test_every_number_the_lab_prints_has_the_true_minus() -> None:
    texts = all_lab_texts()
    assert [t for t in texts if ASCII_SIGN.search(t)] == []
    joined = "\n".join(texts)
    # the negative numbers of the cases are there, written as the canvas writes them
    for shown in (f"z = {MINUS}1 ≤ 0", f"∂J/∂h = {MINUS}6", f"Set b = {MINUS}1",
                  f"Set a = {MINUS}1", f"gives {MINUS}inf", f"smallest p is {MINUS}1",
                  f"3.58474e{MINUS}11", f"ε = 1e{MINUS}9"):
        assert shown in joined


def test_true_minus_changes_signs_and_exponents_only() -> None:
    assert true_minus("log at x = -1 gives nan; [-0.5, 2]; -inf; 1e-09; a - b; "
                      "float64-safe; x-1; (-.5)") == (
        f"log at x = {MINUS}1 gives nan; [{MINUS}0.5, 2]; {MINUS}inf; 1e{MINUS}09; a - b; "
        f"float64-safe; x-1; ({MINUS}.5)")
