"""The gradient graph on stacks of matrices: matmul over every mix of 1-d, 2-d and batched
operands of tests/data/torch_refs.json gives the engine's and torch's gradients, or is refused
by name where its vjp would need an axis put inside a stack of 4 axes or more; reductions and
normalisations along an inner axis of a 3-d tensor, and matrix_transpose, give the engine's
gradients."""

from __future__ import annotations

import numpy as np
import pytest

from cgeditor.model.errors import GradientGraphError
from cgeditor.model.formula import from_formula
from cgeditor.model.gradient_graph import gradient_graph
from tests.model.test_gradient_graph import assert_gradients_match
from tests.model.test_gradient_graph_kinks import case_graph
from tests.torch_refs import RefCase, assert_matches, load

GRID = load("matmul_grid")


def _needs_a_middle_axis(case: RefCase) -> bool:
    """Where the registry's ops cannot write matmul's vjp: a vector times a stack of more
    than 3 axes (g spread along an axis inside it), or a stack of more than 3 axes that was
    broadcast along batch axes of size 1 that do not lead it (summed, then spread back
    inside it)."""
    a, b = (np.shape(x) for x in case.inputs)
    if len(a) == 1:
        return len(b) > 3
    if len(b) == 1:
        return False
    batch = np.broadcast_shapes(a[:-2], b[:-2])
    for shape in (a, b):
        own = (1,) * (len(batch) - len(shape[:-2])) + shape[:-2]
        stretched = {k for k, n in enumerate(own) if n == 1 and batch[k] > 1}
        if len(shape) > 3 and stretched != set(range(len(stretched))):
            return True
    return False


@pytest.mark.parametrize("case", GRID, ids=[c.id for c in GRID])
def test_matmul_of_every_operand_shape_gives_torchs_gradients_or_is_refused(case) -> None:
    graph = case_graph("matmul", case.inputs, {}, case.weight)
    if _needs_a_middle_axis(case):
        with pytest.raises(GradientGraphError, match="f is a matmul node, and its vjp for "):
            gradient_graph(graph)
        return
    values = gradient_graph(graph).run().values
    engine = graph.run().grads
    for k, want in enumerate(case.expected):
        got = values[f"dJ_dx{k}"]
        np.testing.assert_allclose(got, engine[f"x{k}"], rtol=1e-12, atol=1e-15)
        assert_matches(got, want, f"{case.id}: x{k}")


def test_most_matmul_shapes_are_written_batched_ones_included() -> None:
    written = [c for c in GRID if not _needs_a_middle_axis(c)]
    batched = [c for c in written if max(np.ndim(x) for x in c.inputs) > 2]
    assert len(written) >= 45 and len(batched) >= 40


RNG = np.random.default_rng(9)


@pytest.mark.parametrize(("formula", "shapes"), [
    ("J = sum(sum(A, axis=1) * W)", {"A": (2, 4, 3), "W": (2, 3)}),
    ("J = sum(mean(A, axis=2) * W)", {"A": (2, 4, 3), "W": (2, 4)}),
    ("J = sum(mean(A, axis=-1) * W)", {"A": (2, 2, 3, 2), "W": (2, 2, 3)}),
    ("J = sum(softmax(A, axis=1) * W)", {"A": (2, 4, 3), "W": (2, 4, 3)}),
    ("J = sum(log_softmax(A) * W)", {"A": (2, 4, 3), "W": (2, 4, 3)}),
    ("J = cross_entropy(A, W)", {"A": (2, 4, 3), "W": (2, 4, 3)}),
    ("J = sum(matrix_transpose(A) * W)", {"A": (2, 4, 3), "W": (2, 3, 4)}),
    ("J = sum(tanh(matrix_transpose(A) @ B) * W)", {"A": (2, 4, 3), "B": (4, 2),
                                                     "W": (2, 3, 2)}),
])
def test_inner_axes_of_3d_tensors_give_the_engines_gradients(formula, shapes) -> None:
    values = {name: RNG.normal(size=shape) for name, shape in shapes.items()}
    assert_gradients_match(from_formula(formula, **values))


def test_a_batched_matmuls_second_derivative_is_the_engines_backward() -> None:
    """J = Σ tanh(A @ B) over a stack: the gradient graph of ∂J/∂B summed gives backward's."""
    graph = from_formula("J = sum(tanh(A @ B))", A=RNG.normal(size=(3, 2, 4)),
                         B=RNG.normal(size=(4, 2)))
    grads = gradient_graph(graph)
    total = grads.add_node("sum", "sB")
    grads.connect(grads.by_name("dJ_dB").id, total.id, "x")
    grads.set_output(total.id)
    again = gradient_graph(grads).run().values
    np.testing.assert_allclose(again["dsB_dA"], grads.run().grads["A"], rtol=1e-12)
    assert np.abs(again["dsB_dA"]).max() > 0.1
