"""No number where none was computed: a failed forward pass or a tensor output leaves every
gradient None (never a zero) with the reason said once, and whatever differentiates the
output (backward, gradient check, training, cost counting) refuses a tensor output."""

from __future__ import annotations

import numpy as np
import pytest

import cgeditor
from cgeditor.model.cost import count
from cgeditor.model.errors import GraphError
from cgeditor.model.formula import from_formula
from cgeditor.model.gradcheck import gradient_rows
from cgeditor.model.graph import Graph
from cgeditor.model.train import Trainer, TrainingError

MISMATCH = "C = A @ B; J = sum(C)"


def mismatched() -> Graph:
    return from_formula(MISMATCH, A=np.ones((2, 3)), B=np.ones((2, 3)))


def test_shape_mismatch_leaves_every_gradient_none_and_says_why_once() -> None:
    result = mismatched().run()
    assert result.grads == {"A": None, "B": None, "C": None, "J": None}
    assert result.grad_note == ("gradients not computed: the output J has no value because C "
                                "could not run")
    assert not result.ok
    np.testing.assert_array_equal(result.values["A"], np.ones((2, 3)))  # forward values stay
    name, issue = result.root_cause()
    assert name == "C" and issue.kind == "error"


def test_open_port_keeps_the_real_op_and_wiring_of_the_blocked_node() -> None:
    g = Graph()
    w = g.add_node("input", "w", value=2.0)
    m = g.add_node("mul", "m", x=1)
    g.connect(w.id, m.id, "a")
    result = g.run()
    assert result.grads == {"w": None, "m": None}
    assert result.grad_note == ("gradients not computed: the output m has no value because m "
                                "could not run")
    slot = result.order.index("m")
    assert result.plan.steps[slot].op == "input"  # the engine's empty stand-in …
    assert result.op_of(slot) == "mul"  # … is not what the result reports
    assert result.blocked == {slot: ("mul", "a=w, b=(open)")}
    assert result.op_of(result.order.index("w")) == "input"


def test_a_failed_side_branch_has_no_gradient_but_unreached_nodes_have_a_true_zero() -> None:
    g = from_formula("J = w*x; C = A @ B; k = 3*x", w=2.0, x=5.0, A=np.ones((2, 3)),
                     B=np.ones((2, 3)))
    g.set_output(g.by_name("J").id)
    result = g.run()
    assert result.grad_note is None
    assert result.grads["w"] == 5.0 and result.grads["x"] == 2.0
    assert result.grads["C"] is None  # it never ran
    assert result.grads["k"] == 0.0  # ran, and J does not depend on it: a real zero
    np.testing.assert_array_equal(result.grads["A"], np.zeros((2, 3)))


def test_tensor_output_is_not_silently_summed() -> None:
    g = from_formula("h = tanh(w*x)", w=np.array([1.0, 2.0]), x=np.array([3.0, 4.0]))
    result = g.run()
    np.testing.assert_allclose(result.values["h"], np.tanh([3.0, 8.0]))
    assert set(result.grads) == {"w", "x", "mul1", "h"}
    assert all(g is None for g in result.grads.values())
    assert result.grad_note == (
        "gradients not computed: the output h has shape (2,), but gradients need a scalar "
        "output (a single number); add J = sum(h) (or J = mean(h)) and make it the output")
    assert not result.issues  # nothing is wrong with any node: only backward is refused


def test_a_one_element_output_is_a_single_number() -> None:
    result = from_formula("h = w*x", w=np.array([[2.0]]), x=3.0).run()
    assert result.grad_note is None and result.ok
    assert result.grads["x"] == 2.0


def test_forward_only_run_has_no_gradients_and_no_note() -> None:
    result = mismatched().run(backward=False)
    assert result.grads == {} and result.grad_note is None


def test_api_gives_none_for_gradients_not_computed() -> None:
    graph = cgeditor.from_formula(MISMATCH, A=np.ones((2, 3)), B=np.ones((2, 3)))
    result: cgeditor.RunResult = graph.run()
    assert result.grads["A"] is None and result.grads["J"] is None


VECTOR = "h = tanh(w*x)"


def vector_graph() -> Graph:
    g = from_formula(VECTOR, w=np.array([1.0, 2.0]), x=np.array([3.0, 4.0]))
    g.nodes[g.by_name("w").id].trainable = True
    return g


@pytest.mark.parametrize(("doing", "call"), [
    ("check gradients", gradient_rows),
    ("train", Trainer),
    ("count gradient costs", count),
])
def test_every_differentiating_tool_refuses_a_tensor_output(doing, call) -> None:
    with pytest.raises(GraphError) as info:
        call(vector_graph())
    assert str(info.value) == (
        f"cannot {doing}: the output h has shape (2,), but gradients need a scalar output "
        "(a single number); add J = sum(h) (or J = mean(h)) and make it the output")


def test_trainer_refusal_is_a_training_error() -> None:
    with pytest.raises(TrainingError, match="shape \\(2,\\)"):
        Trainer(vector_graph())


def test_summed_output_trains_and_checks() -> None:
    g = from_formula("h = tanh(w*x); J = sum(h)", w=np.array([1.0, 2.0]),
                     x=np.array([3.0, 4.0]))
    g.nodes[g.by_name("w").id].trainable = True
    assert all(row.passed for row in gradient_rows(g))
    trainer = Trainer(g, lr=0.1)
    assert trainer.step(1) == [pytest.approx(float(np.sum(np.tanh([3.0, 8.0]))))]


def test_display_says_na_after_a_forward_only_display_of_the_same_numbers() -> None:
    """Node states are reused when their numbers are unchanged: a forward-only run and a
    refused backward have the same (absent) gradients, but only the second says n/a."""
    from cgeditor.model.display import build_display

    g = mismatched()
    a = g.by_name("A").id
    assert build_display(g.run(backward=False)).node(a).grad_text == ""
    shown = build_display(g.run()).node(a)
    assert shown.grad_text == "∂J/∂A = n/a"
    assert "∂J/∂A = n/a: gradients not computed: the output J has no value because C could " \
           "not run" in shown.tooltip
    assert build_display(g.run(backward=False)).node(a).grad_text == ""


def test_chain_rule_explanation_is_na_with_the_reason() -> None:
    from cgeditor.model.explain import explain

    result = vector_graph().run()
    text = explain(result, result.ids[result.order.index("w")]).text
    assert text.startswith("∂h/∂w = n/a: gradients not computed: the output h has shape (2,)")
