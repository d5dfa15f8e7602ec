"""Op counts of backprop against finite differences: exact on the seed example and the wide
sum of products, and equal to what the engine actually evaluates."""

from __future__ import annotations

import numpy as np
import pytest

from cgeditor.model.cost import (
    count,
    counted_evaluations,
    measure,
    scaling_table,
    wide_sum_of_products,
)
from cgeditor.model.errors import GraphError
from cgeditor.model.examples import build_example
from cgeditor.model.formula import from_formula
from cgeditor.model.graph import Graph


def test_seed_counts_are_exact() -> None:
    cost = count(build_example("seed"))
    assert (cost.ops, cost.params) == (5, 4)  # c, a, d, sq, J; w, x, b, y
    assert (cost.backprop_forward, cost.backprop_backward, cost.backprop) == (5, 5, 10)
    assert cost.finite_diff == 2 * 4 * 5 == 40
    assert cost.ratio == 4.0


def test_counts_match_what_the_engine_evaluates() -> None:
    assert counted_evaluations(build_example("seed")) == (5, 5, 40)
    assert counted_evaluations(wide_sum_of_products(10)) == (19, 19, 2 * 10 * 19)


@pytest.mark.parametrize("p", [1, 10, 100, 1000])
def test_wide_sum_of_products_counts(p: int) -> None:
    graph = wide_sum_of_products(p)
    cost = count(graph)
    n = 2 * p - 1  # p products and p − 1 additions
    assert (cost.ops, cost.params, cost.backprop) == (n, p, 2 * n)
    assert cost.finite_diff == 2 * p * n
    assert cost.ratio == p  # O(n·p) against O(n): the whole point


def test_wide_graph_computes_the_dot_product_and_its_gradient() -> None:
    graph = wide_sum_of_products(7)
    w = np.array([graph.by_name(f"w{i}").value for i in range(1, 8)])
    x = np.array([graph.by_name(f"x{i}").value for i in range(1, 8)])
    result = graph.run()
    assert result.output == "J"
    assert result.output_value == pytest.approx(float(w @ x))
    assert [result.grads[f"w{i}"] for i in range(1, 8)] == pytest.approx(x.tolist())


def test_only_nodes_the_output_reaches_cost_a_vjp() -> None:
    graph = from_formula("a = w * x; b = exp(w); J = a + 1", w=0.5, x=2.0)
    graph.set_output(graph.by_name("J").id)
    cost = count(graph, ["w"])
    assert cost.params == 1
    assert (cost.backprop_forward, cost.backprop_backward) == (3, 2)  # exp(w) is not reached
    assert counted_evaluations(graph, ["w"]) == (3, 2, 2 * 1 * 3)


def test_tensor_inputs_count_each_element_as_a_parameter() -> None:
    cost = count(build_example("matrix"))
    assert cost.params == 6 + 3 + 2  # W (2×3), x (3,), b (2,)


def test_measure_times_both_and_a_budget_estimates_the_rest() -> None:
    cost = measure(wide_sum_of_products(50), repeat=2)
    assert cost.backprop_seconds > 0 and cost.finite_diff_seconds > 0
    assert not cost.estimated and cost.time_ratio is not None
    capped = measure(wide_sum_of_products(50), repeat=1, budget=0.0)
    assert capped.estimated and capped.finite_diff_seconds > 0


def test_scaling_table_rows_follow_p() -> None:
    rows = scaling_table([10, 20, 40], timed=False)
    assert [r.params for r in rows] == [10, 20, 40]
    assert [r.ratio for r in rows] == [10, 20, 40]


@pytest.mark.parametrize("entry", [count, measure, counted_evaluations])
def test_an_empty_graph_is_refused_by_name(entry) -> None:
    # Learn > Cost of Gradients on a new document: the output to count from does not exist
    with pytest.raises(GraphError, match=r"^cannot count: the graph is empty$"):
        entry(Graph())
