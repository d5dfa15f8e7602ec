"""Display formatting and per-node/per-wire display states for the seed example."""

import re

import numpy as np
import pytest

from cgeditor.model.display import NodeDisplay, build_display
from cgeditor.model.files import load
from cgeditor.model.graph import Graph
from cgeditor.model.number_text import (
    MINUS,
    format_full,
    format_scalar,
    grad_text,
    heatmap,
    value_text,
)
from cgeditor.model.stepping import Stepper
from cgeditor.paths import seed_example
from tests.graphs import chain, open_port, seed_run


@pytest.mark.parametrize(("x", "text"), [
    (2.0, "2"), (-4.0, f"{MINUS}4"), (0.00123456, "0.001235"), (12345678.0, "1.235e7"),
    (float("nan"), "nan"), (float("-inf"), f"{MINUS}inf"), (-0.0, "0"), (0.5, "0.5"),
    (1e-9, f"1e{MINUS}9"),
])
def test_scalars_are_compact_with_true_minus(x, text):
    assert format_scalar(np.float64(x)) == text


def test_full_precision_for_tooltips():
    assert format_full(np.float64(0.1 + 0.2)) == "0.30000000000000004"
    assert format_full(np.float64(-3.0)) == f"{MINUS}3"
    assert format_full(np.array([1.5, -2.0])) == f"[ 1.5, {MINUS}2. ]"


def test_tensor_text_and_heatmap():
    arr = np.arange(6, dtype=float).reshape(2, 3) - 1
    assert value_text(arr) == f"(2, 3) [{MINUS}1, 4]"
    hm = heatmap(arr)
    assert (hm.rows, hm.cols, hm.shape_text) == (2, 3, "(2, 3)")
    # A vector's length must not read as its value: '= 3' and '← 3' looked like the number 3.
    assert value_text(np.array([1.0, -2.0, 0.5])) == f"(3,) [{MINUS}2, 1]"
    assert value_text(np.array(4.0)) == "4"
    assert hm.cells[0] == 0.0 and hm.cells[-1] == 1.0
    assert not any(hm.nonfinite)


def test_heatmap_is_bounded_and_marks_nonfinite():
    big = np.ones((100, 50))
    big[0, 0] = np.nan
    hm = heatmap(big)
    assert (hm.rows, hm.cols) == (8, 8)
    assert hm.nonfinite[0] and sum(hm.nonfinite) == 1
    assert all(0.0 <= c <= 1.0 for c in hm.cells)
    assert "nan/inf" in value_text(big)


def test_grad_text_names_the_output():
    assert grad_text(np.float64(-4.0), "J", "w") == f"∂J/∂w = {MINUS}4"
    assert grad_text(None, "J", "w") == ""


def test_seed_display_values_gradients_and_badges():
    graph, result = seed_run()
    state = build_display(result)
    by_name = {graph.nodes[i].name: d for i, d in state.nodes.items()}
    assert [by_name[n].value_text for n in ("c", "a", "d", "J")] == [f"{MINUS}4", "4", "2", "2"]
    assert by_name["w"].grad_text == f"∂J/∂w = {MINUS}4"
    assert by_name["d"].grad_text == "∂J/∂d = 2"
    badges = [state.node(i).order_badge for i in result.ids]
    assert badges == [str(k) for k in range(1, len(result.ids) + 1)]
    assert "w = 2" in by_name["w"].tooltip and f"∂J/∂w = {MINUS}4" in by_name["w"].tooltip


def test_seed_wires_show_flowing_gradient_and_local_derivative():
    graph, result = seed_run()
    state = build_display(result)
    c = graph.by_name("c").id
    wire = state.wire(c, "a")  # w → c.a
    assert wire.grad_text == f"∂J/∂w += {MINUS}4"
    assert wire.local_text == f"∂c/∂w = {MINUS}2"


def test_forward_only_run_shows_no_gradients():
    graph = load(seed_example())
    state = build_display(graph.run(backward=False))
    assert all(d.grad_text == "" for d in state.nodes.values())
    assert all(w.grad_text == "" for w in state.wires.values())
    assert state.node(graph.by_name("J").id).value_text == "2"


def test_stale_marks_every_node():
    _graph, result = seed_run()
    state = build_display(result, stale=True)
    assert state.stale and all(d.stale for d in state.nodes.values())
    assert all("stale" in d.tooltip for d in state.nodes.values())


def test_stepping_reveals_and_dims():
    _graph, result = seed_run()
    stepper = Stepper(result)
    for _ in range(3):
        stepper.step()
    state = build_display(result, stepper)
    first, third, last = result.ids[0], result.ids[2], result.ids[-1]
    assert state.node(first).value_text and not state.node(first).dimmed
    assert state.node(third).current and not state.node(first).current
    assert state.node(last).value_text == "" and state.node(last).dimmed
    assert all(d.grad_text == "" for d in state.nodes.values())
    assert state.phase == "forward" and state.current == third


def test_nan_origin_is_marked_in_the_display():
    graph, (x, lg, ex) = chain(("log", "lg"), ("exp", "ex"), start=-1.0)
    state = build_display(graph.run())
    assert state.node(lg.id).origin and state.node(lg.id).error_text
    assert state.node(ex.id).error_text and not state.node(ex.id).origin
    assert "origin" in state.node(lg.id).tooltip
    assert state.node(x.id).error_text.startswith("gradient of x is nan")


def test_unconnected_port_is_an_error_on_its_node():
    graph, m = open_port()
    state = build_display(graph.run())
    assert "b of m not connected" in state.node(m.id).error_text


def test_a_rerun_with_equal_numbers_reuses_node_states_and_an_edit_replaces_them():
    graph, result = seed_run()
    first = build_display(result)
    again = build_display(graph.run())
    assert all(again.nodes[i] is first.nodes[i] for i in result.ids)  # nothing to repaint
    graph.set_value(graph.by_name("w").id, 3.0)
    edited = build_display(graph.run())
    c, b = graph.by_name("c").id, graph.by_name("b").id
    assert edited.node(c).value_text == f"{MINUS}6" and edited.node(c) is not again.node(c)
    assert edited.node(b).value_text == "8"  # b's numbers: b = 8 either way
    stale = build_display(graph.run(), stale=True)
    assert stale.node(b).stale and stale.node(b).value_text == "8"


def test_wire_states_cover_every_wire_and_tensor_wires_name_their_jacobian():
    graph = Graph()
    x = graph.add_node("input", "x", value=[1.0, 2.0])
    e = graph.add_node("exp", "e", x=100)
    s = graph.add_node("sum", "s", x=200)
    graph.connect(x.id, e.id, "x")
    graph.connect(e.id, s.id, "x")
    state = build_display(graph.run())
    assert set(state.wires) == {(e.id, "x"), (s.id, "x")} and len(state.wires) == 2
    into_e = state.wire(e.id, "x")
    assert into_e.jacobian and "Jacobian" in into_e.local_text
    assert into_e.grad_value.startswith("(2,) [")  # the vjp's shape and range still show
    assert state.wire("nope", "x").grad_text == ""


def test_a_finished_stepper_reveals_what_stepping_to_the_end_reveals():
    graph, result = seed_run()
    walked, jumped = Stepper(result), Stepper(result)
    while walked.step() is not None:
        pass
    jumped.run_to_end()
    assert jumped.done and jumped.visited() == walked.visited()
    assert (jumped.values_revealed, jumped.grads_revealed, jumped.wires_revealed) == \
        (walked.values_revealed, walked.grads_revealed, walked.wires_revealed)
    assert build_display(result, jumped).wire(graph.by_name("c").id, "a").local_text == \
        f"∂c/∂w = {MINUS}2"


def test_run_summary_names_the_output_and_each_inputs_gradient():
    from cgeditor.model.number_text import run_summary
    graph = load(seed_example())
    assert run_summary(graph.run(backward=True)) == (
        f"J = 2 · ∂J/∂w = {MINUS}4, ∂J/∂x = 4, ∂J/∂b = 2, ∂J/∂y = {MINUS}2")
    assert run_summary(graph.run(backward=False)) == "J = 2"
    short = run_summary(graph.run(backward=True), width=30)
    assert short == f"J = 2 · ∂J/∂w = {MINUS}4, ∂J/∂x = 4, …"


def test_cli_tensors_use_one_notation_and_the_short_exponent():
    from cgeditor.model.formatting import format_cell as cli_cell
    from cgeditor.model.formatting import format_error
    text = cli_cell(np.array([1e-9, 2.5, -3.0]))
    assert text == "(3,) [1e-9, 2.5e0, -3e0]"  # ASCII minus: what scripts parse
    assert [float(t) for t in text.split("[")[1].rstrip("]").split(", ")] == [1e-9, 2.5, -3.0]
    assert cli_cell(np.array([0.5, -4.0])) == "(2,) [0.5, -4]"
    assert format_error(2.345e-10) == "2.35e-10" and format_error(0.0) == "0"



def _zero_formatters() -> dict[str, tuple]:
    """Every formatter a number reaches users through, by name, and whether it takes tensors:
    one rule for −0.0 in all of them."""
    from cgeditor.core.diagnose import number
    from cgeditor.model import formatting
    from cgeditor.model.number_text import format_cells, format_sci
    from cgeditor.model.values import format_value
    return {"format_scalar": (format_scalar, False), "format_full": (format_full, True),
            "value_text": (value_text, True), "format_sci": (format_sci, False),
            "format_cells": (lambda v: " ".join(format_cells(v)), True),
            "format_value": (format_value, True),
            "format_number": (formatting.format_number, False),
            "format_error": (formatting.format_error, False),
            "format_cell": (formatting.format_cell, True), "diagnose.number": (number, False)}


_ZERO_CASES = [(name, value) for name, (_, tensors) in sorted(_zero_formatters().items())
               for value in ([-0.0, [-0.0, 1.5], [[-0.0, 0.0], [2.0, -3.0]]] if tensors
                             else [-0.0])]


@pytest.mark.parametrize(("name", "value"), _ZERO_CASES)
def test_every_formatter_writes_minus_zero_as_zero(name, value):
    fmt = _zero_formatters()[name][0]
    signed = np.array(value, dtype=np.float64)
    text = fmt(signed[()] if signed.ndim == 0 else signed)
    assert not re.search(f"[-{MINUS}]0(?![.]?0*[1-9])", text), text
    unsigned = signed + 0.0  # the same numbers with every zero positive
    assert text == fmt(unsigned[()] if unsigned.ndim == 0 else unsigned)


def test_a_state_changed_by_but_is_what_replace_makes():
    """``but`` (the fast copy the 10k-node paths use) equals dataclasses.replace: every
    field, equality and the tooltip, and leaves the original as it was."""
    import dataclasses

    shown = build_display(seed_run()[1]).nodes
    for state in shown.values():
        before = dict(vars(state))
        for changes in ({"stale": True}, {"order_badge": "9", "highlighted": True},
                        {"value_text": "7", "value": np.float64(7.0), "grid": None}):
            made = state.but(**changes)
            want = dataclasses.replace(state, **changes)
            assert made == want and made.tooltip == want.tooltip
            assert {f.name: getattr(made, f.name) for f in dataclasses.fields(made)} == \
                {f.name: getattr(want, f.name) for f in dataclasses.fields(want)}
            assert made is not state and vars(state) == before


def test_made_is_the_constructor_and_repeated_numbers_read_as_each_alone():
    """States are built with NodeDisplay.made and each distinct number formatted once per
    build: every text is still value_text of that node's own number (-0.0, nan, repeats)."""
    import dataclasses

    fields = {"value_text": "1", "grad_value": "2", "name": "x", "value": np.float64(1.0),
              "stale": True, "order_badge": "3"}
    assert dataclasses.asdict(NodeDisplay.made(**fields)) == \
        dataclasses.asdict(NodeDisplay(**fields))
    graph = Graph()
    zero = graph.add_node("input", "z", value=0.0)
    below = graph.add_node("input", "q", value=-1.0)
    nan = graph.add_node("log", "l")  # log(−1): nan
    graph.connect(below.id, nan.id, "x")
    previous = zero.id
    for k, op in enumerate(["neg", "neg", "exp", "neg", "abs"]):
        node = graph.add_node(op, f"u{k}")
        graph.connect(previous, node.id, "x")
        previous = node.id
    both = graph.add_node("mul", "m")
    graph.connect(previous, both.id, "a")
    graph.connect(nan.id, both.id, "b")
    total = graph.add_node("add", "J")
    graph.connect(both.id, total.id, "a")
    graph.connect(previous, total.id, "b")
    from cgeditor.model.run import run_graph

    result = run_graph(graph)
    shown = build_display(result).nodes
    assert np.signbit(result.values["u0"]) and result.values["u1"] == 0.0
    for node_id, state in shown.items():
        name = graph.nodes[node_id].name
        assert state.value_text == value_text(result.values[name])
        assert state.grad_value == value_text(result.grads[name])
    assert {shown[zero.id].value_text, shown[nan.id].value_text} == {"0", "nan"}
