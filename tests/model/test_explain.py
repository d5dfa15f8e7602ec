"""The chain-rule explainer: factors along each path, path counts, sums equal backprop."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cgeditor.model.explain import (
    MAX_PATHS,
    MAX_SHOWN_FACTORS,
    TENSOR_NOTE,
    count_text,
    explain,
)
from cgeditor.model.files import load
from cgeditor.model.graph import Graph
from cgeditor.model.number_text import MINUS, format_scalar
from cgeditor.paths import seed_example
from tests.graphs import chain, doubling_chain, fan_out


def test_seed_w_factors_and_text():
    graph = load(seed_example())
    result = graph.run()
    exp = explain(result, graph.by_name("w").id)
    assert exp.count_total == 1 and exp.shown == 1
    path = exp.paths[0]
    assert path.factors == [0.5, 4.0, 1.0, 1.0, -2.0]
    assert path.labels == ["∂J/∂sq", "∂sq/∂d", "∂d/∂a", "∂a/∂c", "∂c/∂w"]
    assert path.product == exp.gradient == -4.0
    m = MINUS
    assert exp.text == (f"∂J/∂w = ∂J/∂sq · ∂sq/∂d · ∂d/∂a · ∂a/∂c · ∂c/∂w = "
                        f"0.5 · 4 · 1 · 1 · ({m}2) = {m}4")
    names = [graph.nodes[n].name for n in path.nodes]
    assert names == ["w", "c", "a", "d", "sq", "J"]
    assert exp.wire_keys() == {(graph.by_name(d).id, p) for d, p in
                               [("c", "a"), ("a", "a"), ("d", "a"), ("sq", "x"), ("J", "b")]}


def test_fan_out_x_times_x_plus_x_has_three_paths_summing_to_2x_plus_1():
    graph = fan_out(3.0)
    x = graph.by_name("x")
    exp = explain(graph.run(), x.id)
    assert exp.count_total == 3
    assert [p.product for p in exp.paths] == [3.0, 3.0, 1.0]
    assert exp.total == exp.gradient == 7.0
    assert [e.port for e in exp.paths[0].edges] == ["a", "a"]
    assert [e.port for e in exp.paths[1].edges] == ["b", "a"]
    assert "∂m/∂x[a]" in exp.text and "∂m/∂x[b]" in exp.text
    assert "∂f/∂x = sum over 3 paths = 3 + 3 + 1 = 7" in exp.text


def test_many_paths_show_the_first_ones_and_the_count():
    result = doubling_chain(10, 1.1).run()
    exp = explain(result, result.ids[0], max_paths=3)
    assert exp.count_total == 2 ** 10 and exp.shown == 3
    assert "showing 3 of 1024 paths" in exp.text
    assert np.isclose(exp.gradient, 1024 * 1.1 ** 1023)


@settings(max_examples=30, deadline=None)
@given(st.floats(-5, 5, allow_nan=False))
def test_sum_over_paths_equals_backprop(x_value):
    graph = fan_out(x_value)
    x = graph.by_name("x")
    graph.add_node("sin", "s", x=300)
    graph.add_node("mul", "out", x=400)
    f, s, out = graph.by_name("f").id, graph.by_name("s").id, graph.by_name("out").id
    graph.connect(f, s, "x")
    graph.connect(s, out, "a")
    graph.connect(x.id, out, "b")
    result = graph.run()
    exp = explain(result, x.id, max_paths=100)
    assert exp.count_total == exp.shown == 4
    assert np.isclose(exp.total, exp.gradient, rtol=1e-12, atol=1e-12)


def test_tensor_path_uses_vjps_and_still_sums_to_the_gradient():
    graph = Graph()
    x = graph.add_node("input", "x", value=[[1.0, 2.0], [3.0, 4.0]])
    q = graph.add_node("square", "q", x=100)
    m = graph.add_node("mul", "m", x=200)
    s = graph.add_node("sum", "s", x=300)
    graph.connect(x.id, q.id, "x")
    graph.connect(q.id, m.id, "a")
    graph.connect(x.id, m.id, "b")
    graph.connect(m.id, s.id, "x")
    result = graph.run()
    exp = explain(result, x.id)
    assert exp.tensor and TENSOR_NOTE in exp.text
    assert all(p.factors is None for p in exp.paths)
    np.testing.assert_allclose(exp.total, exp.gradient)
    np.testing.assert_allclose(exp.gradient, 3 * np.array([[1.0, 4.0], [9.0, 16.0]]))


def test_output_itself_and_unrelated_nodes():
    graph = load(seed_example())
    extra = graph.add_node("input", "z", value=1.0, y=900)
    result = graph.run()
    j = graph.by_name("J").id
    assert explain(result, j).text == "∂J/∂J = 1 (the output itself)"
    lone = explain(result, extra.id)
    assert lone.count_total == 0 and lone.text == "J does not depend on z: ∂J/∂z = 0"
    assert explain(result, "nope").text.startswith("no run result")


def test_a_path_count_of_thousands_of_digits_is_written_in_scientific_notation():
    graph = doubling_chain(14_400, 1.0)  # 2**14400 paths: str() of it raises ValueError
    result = graph.run()
    exp = explain(result, graph.by_name("x0").id)
    assert exp.count_total == 2 ** 14_400 and exp.shown == MAX_PATHS
    assert exp.count_text == "≈ 6.79e4334"
    lines = exp.text.splitlines()
    assert lines[0] == "showing 5 of ≈ 6.79e4334 paths"
    assert len(lines) == 2 + MAX_PATHS and len(exp.text) < 5_000
    first = lines[2]
    assert first.startswith("path 1: ∂x14400/∂x14399[a] · ∂x14399/∂x14398[a] · ")
    assert f"· … ({14_400 - MAX_SHOWN_FACTORS} more) … ·" in first and first.endswith(" = 1")
    assert len(exp.paths[0].nodes) == 14_401  # the whole path is still there to highlight


def test_a_long_chain_is_summarised_with_its_ends_and_every_node_highlighted():
    graph, _nodes = chain(*[("sin", f"s{k}") for k in range(1, 3001)], start=0.5)
    result = graph.run()
    exp = explain(result, graph.by_name("x").id)
    assert exp.count_total == 1 and len(exp.node_ids()) == 3001
    factors = exp.paths[0].factors
    assert np.isclose(np.prod(factors), result.grads["x"])
    half = MAX_SHOWN_FACTORS // 2
    shown = " · ".join(format_scalar(f) for f in factors[:half])
    assert exp.text.startswith("∂s3000/∂x = ∂s3000/∂s2999 · ") and shown in exp.text
    assert len(exp.text) < 1_000


@pytest.mark.parametrize("n, text", [(0, "0"), (999_999_999_999_999, "999999999999999"),
                                     (10 ** 15, "≈ 1e15"), (2 ** 64, "≈ 1.84e19"),
                                     (10 ** 400 - 1, "≈ 1e400"),
                                     (314 * 10 ** 5000, "≈ 3.14e5002")],
                         ids=lambda v: v if isinstance(v, str) else "n")
def test_count_text(n: int, text: str) -> None:
    assert count_text(n) == text


def test_explaining_one_node_after_another_reads_as_each_alone():
    """The paths of a plan are read once and kept with it: each node's explanation, asked
    after others of the same run, is what a fresh run of the graph explains."""
    graph = load(seed_example())
    result = graph.run()
    order = list(result.ids)
    kept = [explain(result, node_id) for node_id in order + order[::-1]]
    for exp in kept:
        fresh = explain(graph.run(), exp.node)
        assert (exp.text, exp.count_total, exp.gradient) == \
            (fresh.text, fresh.count_total, fresh.gradient)
        assert [p.nodes for p in exp.paths] == [p.nodes for p in fresh.paths]
