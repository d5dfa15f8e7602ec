"""Running a Graph: the seed example by name, problems found before running, shape inference."""

from __future__ import annotations

import numpy as np
import pytest

from cgeditor.model.graph import Graph
from cgeditor.model.run import compile_graph, infer_shapes, pre_run_problems, run_graph
from tests.graphs import chain, seed_graph

# Inputs stacked at x = 0 (they run in name order) and each op further right, ``half`` last.
RUN_LAYOUT = {"w": (0, 0), "x": (0, 50), "b": (0, 100), "y": (0, 150), "c": (100, 0),
              "a": (150, 0), "d": (200, 0), "sq": (250, 0), "half": (300, 0), "J": (350, 0)}


def test_seed_example_by_name() -> None:
    result = seed_graph(RUN_LAYOUT).run()
    assert result.ok and result.output == "J"
    assert result.order == ["b", "w", "x", "y", "c", "a", "d", "sq", "half", "J"]  # x ties: by name
    assert {k: result.values[k] for k in "cadJ"} == {"c": -4.0, "a": 4.0, "d": 2.0, "J": 2.0}
    expected = {"d": 2.0, "a": 2.0, "c": 2.0, "b": 2.0, "y": -2.0, "w": -4.0, "x": 4.0}
    assert {k: result.grads[k] for k in expected} == expected
    assert all(type(v) is np.float64 for v in result.values.values())
    assert result.output_value == 2.0


def test_feed_nudges_w() -> None:
    assert seed_graph(RUN_LAYOUT).run({"w": 2.001}).output_value == pytest.approx(1.996, abs=1e-5)


def test_unconnected_port_is_named_before_running_and_dependants_skipped() -> None:
    g = seed_graph(RUN_LAYOUT)
    g.disconnect(g.by_name("a").id, "b")
    problems = pre_run_problems(g)
    assert problems == {g.by_name("a").id: "input port b of a not connected"}
    result = g.run()
    assert result.issues["a"].kind == "error"
    assert result.issues["a"].message == "input port b of a not connected"
    for name in ("d", "sq", "J"):
        assert result.issues[name].kind == "skipped"
        assert result.values[name] is None
    assert result.values["c"] == -4.0  # the branch that does not depend on a still ran
    assert "c" not in result.issues


def test_both_missing_ports_are_listed() -> None:
    g = Graph()
    m = g.add_node("mul", "m")
    assert pre_run_problems(g) == {m.id: "input ports a, b of m not connected"}


def test_non_finite_origin_is_named_by_node() -> None:
    g, _nodes = chain(("log", "lg"), ("neg", "ng"), start=0.0, step=1)
    result = g.run()
    assert result.origin() == "lg"
    assert result.issues["lg"].message == ("log at x = 0 gives -inf: log needs x > 0; add a small "
                                           "ε (log(x + 1e-9)) or clamp x above 0")
    assert result.issues["ng"].kind == "nonfinite" and not result.issues["ng"].origin
    # x's gradient 1/0 is non-finite too, but only because lg's value already was
    assert result.issues["x"].kind == "nonfinite_grad"


def test_run_without_backward_and_empty_graph() -> None:
    result = run_graph(seed_graph(RUN_LAYOUT), with_backward=False)
    assert result.grads == {} and result.output_value == 2.0
    empty = Graph().run()
    assert empty.order == [] and empty.output is None


def test_compile_graph_follows_graph_order() -> None:
    g = seed_graph(RUN_LAYOUT)
    plan = compile_graph(g)
    assert list(plan.names) == g.names(g.order())
    assert plan.names[plan.output] == "J"
    assert plan.steps[plan.index["sq"]].attrs == {"exponent": 2.0}


def test_infer_shapes_reports_mismatch_per_node() -> None:
    g = Graph()
    u = g.add_node("input", "u", value=[1.0, 2.0])
    v = g.add_node("input", "v", value=[1.0, 2.0, 3.0])
    bad = g.add_node("add", "bad", x=1)
    after = g.add_node("exp", "after", x=2)
    good = g.add_node("matmul", "good", x=1)
    g.connect(u.id, bad.id, "a")
    g.connect(v.id, bad.id, "b")
    g.connect(bad.id, after.id, "x")
    g.connect(v.id, good.id, "a")
    g.connect(v.id, good.id, "b")
    shapes, errors = infer_shapes(g)
    assert set(errors) == {"bad"}
    assert errors["bad"].startswith("add needs shapes that broadcast: u has shape (2,) and v has "
                                    "shape (3,) (sizes 2 "
                                    "and 3 differ in the same place)")
    assert shapes["u"] == (2,) and shapes["good"] == () and "after" not in shapes


def test_infer_shapes_includes_unconnected_ports() -> None:
    g = Graph()
    g.add_node("input", "x", value=[[1.0, 2.0]])
    g.add_node("tanh", "t")
    shapes, errors = infer_shapes(g)
    assert errors == {"t": "input port x of t not connected"}
    assert shapes["x"] == (1, 2)
    assert infer_shapes(Graph()) == ({}, {})


def test_value_edits_reuse_the_compiled_plan_and_still_give_fresh_numbers():
    from cgeditor.model.formula import from_formula

    g = from_formula("c = w*x; J = c + b", w=2, x=3, b=1)
    first = g.run()
    assert first.values["J"] == 7
    g.set_value(g.by_name("w").id, 5)
    second = g.run()
    assert second.plan is first.plan  # a value edit recompiles nothing
    assert second.values["J"] == 16 and second.grads["w"] == 3
    g.connect(g.by_name("w").id, g.add_node("neg", "m").id, "x")
    third = g.run(output="J")
    assert third.plan is not first.plan  # a structural edit does
    assert third.values["J"] == 16


def test_a_run_renamed_keeps_its_numbers_under_the_current_names():
    graph = seed_graph()
    result = graph.run(backward=True)
    assert result.renamed({}) is result
    graph.rename_node(graph.by_name("J").id, "L")
    graph.rename_node(graph.by_name("w").id, "weight")
    renamed = result.renamed({i: graph.nodes[i].name for i in result.ids})
    assert renamed.output == "L" and "weight" in renamed.order and "w" not in renamed.order
    assert renamed.grads["weight"] == result.grads["w"] == -4.0
    assert renamed.values["L"] == result.values["J"] == 2.0
    assert renamed.plan.steps[renamed.plan.index["weight"]].op == "input"
    assert result.output == "J" and "w" in result.grads  # the original is untouched


def test_a_run_renamed_after_a_node_took_a_deleted_nodes_name_keeps_each_nodes_numbers():
    """Delete y, then rename w to y: the kept run must show w's gradient and issues under
    'y', never those of the deleted node that had the name."""
    from cgeditor.model.display import build_display

    graph = seed_graph()
    result = graph.run(backward=True)
    w, y = graph.by_name("w").id, graph.by_name("y").id
    graph.remove_node(y)
    graph.rename_node(w, "y")
    renamed = result.renamed({i: graph.nodes[i].name for i in result.ids if i in graph.nodes})
    assert renamed.grads["y"] == result.grads["w"] == -4.0
    assert renamed.values["y"] == result.values["w"] == 2.0
    assert renamed.plan.steps[renamed.plan.index["y"]].name == "y"
    assert renamed.order.count("y") == 1 and len(set(renamed.order)) == len(renamed.order)
    gone = renamed.order[result.ids.index(y)]  # the deleted node keeps its numbers too
    assert renamed.grads[gone] == result.grads["y"] == -2.0
    shown = build_display(renamed).node(w)
    assert shown.grad_text == "∂J/∂y = −4" and shown.value_text == "2"


def test_two_deleted_nodes_that_lost_one_name_in_turn_keep_apart_in_a_renamed_run():
    """w deleted, x renamed w, x deleted, b renamed w: both deleted nodes had the name w when
    it was taken; each keeps its own numbers under a name of its own."""
    graph = seed_graph()
    result = graph.run(backward=True)
    w, x, b = (graph.by_name(n).id for n in "wxb")

    def follow(run):
        return run.renamed({i: graph.nodes[i].name for i in run.ids if i in graph.nodes})

    graph.remove_node(w)
    graph.rename_node(x, "w")
    result2 = follow(result)
    graph.remove_node(x)
    graph.rename_node(b, "w")
    renamed = follow(result2)
    assert len(set(renamed.order)) == len(renamed.order)
    for node_id, name in zip(result.ids, result.order):
        now = renamed.order[renamed.ids.index(node_id)]
        assert renamed.grads[now] == result.grads[name] and renamed.values[now] == \
            result.values[name]
    assert renamed.order[renamed.ids.index(b)] == "w" and renamed.grads["w"] == 2.0


def test_nodes_the_output_never_reads_get_a_zero_gradient_of_their_own_shape() -> None:
    """A side branch J does not read: backward never reaches it, so its gradient is a zero
    of its value's shape (a float64 number, or an array), not None and not the output's."""
    graph = Graph()
    x = graph.add_node("input", "x", value=2.0)
    v = graph.add_node("input", "v", value=[1.0, -2.0, 3.0])
    side = graph.add_node("tanh", "side")
    vside = graph.add_node("exp", "vside")
    total = graph.add_node("square", "J")
    graph.connect(x.id, side.id, "x")
    graph.connect(v.id, vside.id, "x")
    graph.connect(x.id, total.id, "x")
    graph.set_output(total.id)
    result = graph.run()
    assert result.grads["x"] == 4.0
    grad = result.grads["side"]
    assert type(grad) is np.float64 and grad == 0.0 and not np.signbit(grad)
    for name in ("v", "vside"):
        grad = result.grads[name]
        assert isinstance(grad, np.ndarray) and grad.shape == (3,) and not grad.any()


def test_no_gradient_note_names_a_cause_the_output_reads() -> None:
    """An unwired node run before the output, that the output does not read, is no reason
    the output has no value: the note names the output's own open port."""
    graph = Graph()
    other = graph.add_node("neg", "sq", x=0.0)
    out = graph.add_node("mul", "c", x=100.0)
    graph.add_node("input", "x", x=200.0, value=1.0)
    graph.set_output(out.id)
    result = graph.run()
    assert result.order.index(other.name) < result.order.index("c")
    assert result.grad_note == ("gradients not computed: the output c has no value because "
                                "c could not run")
    wired = graph.add_node("input", "v", x=-100.0, value=2.0)
    graph.connect(wired.id, out.id, "a")
    graph.connect(graph.by_name("x").id, out.id, "b")
    graph.disconnect(out.id, "b")
    graph.connect(other.id, out.id, "b")  # now it does read sq, which cannot run
    assert graph.run().grad_note.endswith("because sq could not run")


def test_the_status_names_the_cause_the_output_reads_first() -> None:
    """An unwired node elsewhere that runs first is not why the output has no gradients:
    the status line names the output's own cause, as the note does."""
    from cgeditor.model.number_text import status_text

    graph = Graph()
    graph.add_node("neg", "sq", x=0.0)
    out = graph.add_node("mul", "c", x=100.0)
    graph.set_output(out.id)
    result = graph.run()
    assert status_text(result) == ("c could not run: input ports a, b of c not connected "
                                   "(so no gradients)")
    alone = Graph()
    alone.add_node("neg", "sq", x=0.0)
    good = alone.add_node("input", "v", x=100.0, value=1.0)
    alone.set_output(good.id)  # the output runs: the failed node is still news
    assert status_text(alone.run()).startswith("sq could not run: input port x")
