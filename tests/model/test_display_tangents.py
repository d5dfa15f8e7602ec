"""What nodes and wires show of a forward-mode run: tangents in the gradient row, labelled
∂node/∂seed, revealed with the values while stepping, never mistaken for a gradient of the
same number from the run before."""

from __future__ import annotations

import numpy as np

from cgeditor.model.display import build_display
from cgeditor.model.graph import Graph
from cgeditor.model.number_text import MINUS, status_text
from cgeditor.model.stepping import Stepper
from tests.graphs import seed_graph


def _shown(graph: Graph, display, name: str):
    return display.node(graph.by_name(name).id)


def test_tangents_take_the_gradient_row_labelled_by_the_seed() -> None:
    graph = seed_graph()
    display = build_display(graph.run(backward=False, jvp="w"))
    c = _shown(graph, display, "c")
    assert (c.grad_text, c.tangent_of, c.value_text) == (f"∂c/∂w = {MINUS}2", "w", f"{MINUS}4")
    assert _shown(graph, display, "J").grad_text == f"∂J/∂w = {MINUS}4"
    assert not display.wires[(graph.by_name("c").id, "a")].grad_text  # no gradient parts


def test_a_tangent_equal_to_the_last_gradient_is_still_labelled_as_a_tangent() -> None:
    graph = seed_graph()
    before = _shown(graph, build_display(graph.run()), "c")
    assert before.grad_text == "∂J/∂c = 2"
    after = _shown(graph, build_display(graph.run(backward=False, jvp="x")), "c")
    assert after.grad_text == "∂c/∂x = 2" and after.tangent_of == "x"  # ∂c/∂x = w = 2


def test_a_run_with_both_shows_the_tangents_it_was_asked_for() -> None:
    graph = seed_graph()
    display = build_display(graph.run(jvp="b"))  # backward too, as Graph.run does by default
    assert _shown(graph, display, "a").grad_text == "∂a/∂b = 1"


def test_while_stepping_a_tangent_appears_with_its_value() -> None:
    graph = seed_graph()
    result = graph.run(backward=False, jvp="w")
    stepper = Stepper(result)
    stepper.step()
    stepper.step()
    display = build_display(result, stepper)
    shown = [result.order[i] for i in sorted(stepper.values_revealed)]
    hidden = [n for n in result.order if n not in shown]
    assert all(_shown(graph, display, n).grad_text for n in shown)
    assert not any(_shown(graph, display, n).grad_text for n in hidden)


def test_a_non_finite_tangent_is_the_nodes_error_and_the_status_names_it() -> None:
    graph = Graph()
    x = graph.add_node("input", "x", value=0.0)
    r = graph.add_node("sqrt", "r", x=100)
    graph.connect(x.id, r.id, "x")
    result = graph.run(backward=False, jvp="x")
    shown = _shown(graph, build_display(result), "r")
    assert shown.origin and shown.error_text.startswith("tangent of r is inf")
    assert status_text(result).startswith("r: non-finite tangent: tangent of r is inf")


def test_a_tensor_tangent_gets_a_number_grid() -> None:
    graph = Graph()
    v = graph.add_node("input", "v", value=[1.0, 2.0])
    e = graph.add_node("square", "s", x=100)
    graph.connect(v.id, e.id, "x")
    shown = _shown(graph, build_display(graph.run(backward=False, jvp="v")), "s")
    assert shown.grad_label == "∂s/∂v" and shown.grad_grid is not None
    np.testing.assert_array_equal(shown.grad, [2.0, 4.0])
