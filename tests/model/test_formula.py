"""from_formula: the whitelist, the seed example's numbers, naming rules; to_formula round trips."""

from __future__ import annotations

import re
from itertools import combinations

import numpy as np
import pytest

from cgeditor.model.errors import FormulaError, GraphError, NotALeafError, UnknownNodeError
from cgeditor.model.formula import from_formula
from cgeditor.model.formula_text import to_formula
from cgeditor.model.layout import (
    LAPTOP_ROOM,
    NOMINAL_CORNER,
    apply_layout,
    fit_layout,
    nominal_sizes,
    readable_layout,
)
from cgeditor.model.room import _overlap

SEED = "c = w*x; a = c + b; d = a - y; J = 0.5*d**2"
SEED_VALUES = {"w": 2, "x": -2, "b": 8, "y": 2}


def names(graph):
    return {n.name: n for n in graph.nodes.values()}


def test_seed_forward_and_backward():
    graph = from_formula(SEED, **SEED_VALUES)
    result = graph.run()
    assert result.output == "J"
    expected_values = {"c": -4, "a": 4, "d": 2, "J": 2}
    expected_grads = {"d": 2, "a": 2, "c": 2, "b": 2, "y": -2, "w": -4, "x": 4}
    for name, value in expected_values.items():
        assert result.values[name] == pytest.approx(value)
    for name, grad in expected_grads.items():
        assert result.grads[name] == pytest.approx(grad)
    assert graph.run(feeds={"w": 2.001}).output_value == pytest.approx(1.996, abs=5e-4)


def test_seed_structure_and_generated_names():
    graph = from_formula(SEED, **SEED_VALUES)
    nodes = names(graph)
    assert {n: nodes[n].op for n in ("w", "x", "b", "y")} == dict.fromkeys("wxby", "input")
    assert [nodes[n].op for n in ("c", "a", "d", "J")] == ["mul", "add", "sub", "mul"]
    assert nodes["powc1"].op == "powc" and nodes["powc1"].attrs == {"exponent": 2.0}
    assert nodes["const1"].op == "const" and nodes["const1"].value == 0.5
    assert graph.explicit_output == nodes["J"].id


def test_newlines_semicolons_and_bare_expression():
    graph = from_formula("z = w1*x1 + w2*x2 + b\n\ntanh(z)", w1=1, x1=2, w2=3, x2=4, b=-14)
    result = graph.run()
    assert graph.nodes[graph.output].op == "tanh"
    assert result.output_value == pytest.approx(0.0)
    generated = sorted(n for n in names(graph) if n[-1].isdigit() and n[:-1] in ("mul", "add"))
    assert generated == ["add1", "mul1", "mul2"]  # z took the outer add's name


def test_unset_inputs_default_to_zero_and_literals_become_consts():
    graph = from_formula("y = 3*x - -2")
    nodes = names(graph)
    assert nodes["x"].value == 0.0
    consts = sorted(float(n.value) for n in nodes.values() if n.op == "const")
    assert consts == [-2.0, 3.0]  # a negative literal is one const, not neg(const)
    assert graph.run().output_value == 2.0


def test_power_by_literal_is_powc_and_by_node_is_pow():
    graph = from_formula("p = x ** -1; q = x ** k", x=2, k=3)
    nodes = names(graph)
    assert nodes["p"].op == "powc" and nodes["p"].attrs["exponent"] == -1.0
    assert nodes["q"].op == "pow"
    result = graph.run(output="q")
    assert result.grads["k"] == pytest.approx(8 * np.log(2))


def test_unary_minus_and_plus():
    graph = from_formula("y = -x + +x", x=5)
    assert sorted(n.op for n in graph.nodes.values()) == ["add", "input", "neg"]
    assert graph.run().output_value == 0.0


def test_shadowing_gives_the_newest_node_the_name():
    graph = from_formula("c = a + 1; c = c * 2; c", a=1)
    nodes = names(graph)
    assert nodes["c"].op == "mul" and nodes["c1"].op == "add"
    assert graph.nodes[graph.output].name == "c"
    assert graph.run().output_value == 4.0


def test_shadowing_an_input_renames_the_input_but_keeps_its_value():
    graph = from_formula("x = x + 1", x=3)
    nodes = names(graph)
    assert nodes["x"].op == "add" and nodes["x1"].op == "input" and nodes["x1"].value == 3
    assert graph.run().output_value == 4.0


def test_augmented_assignment_means_reassignment():
    graph = from_formula("c = a * 2; c += 1", a=2)
    assert graph.run().output_value == 5.0


def test_user_name_that_looks_generated_takes_precedence():
    graph = from_formula("y = a*b + mul1", a=2, b=3, mul1=10)
    nodes = names(graph)
    assert nodes["mul1"].op == "input"
    assert graph.run().output_value == 16.0


def test_tensors_and_attrs():
    graph = from_formula("s = sum(W @ x, axis=0)", W=[[1, 2], [3, 4]], x=[[1], [1]])
    result = graph.run()
    np.testing.assert_array_equal(result.values["s"], [10.0])
    np.testing.assert_array_equal(result.grads["x"], [[4.0], [6.0]])
    assert names(graph)["s"].attrs == {"axis": 0}


def test_list_literals_become_const_tensors():
    graph = from_formula("y = mean([[1, 2], [3, -4]] * x)", x=2)
    const = next(n for n in graph.nodes.values() if n.op == "const")
    np.testing.assert_array_equal(const.value, [[1, 2], [3, -4]])
    assert graph.run().output_value == 1.0


def test_attr_none_and_default():
    graph = from_formula("y = sum(x, axis=None)", x=[1, 2])
    assert names(graph)["y"].attrs == {"axis": None}


@pytest.mark.parametrize(("text", "reason", "column"), [
    ("y = np.tanh(x)", "attribute access", 5),
    ("y = x.T", "attribute access", 5),
    ("y = lambda: 1", "lambda", 5),
    ("y = a < b", "comparisons", 5),
    ("y = x[0]", "subscripts", 5),
    ("y = 'hi' * x", "strings", 5),
    ("y = tanh(*xs)", "starred", 10),
    ("y = foo(x)", "unknown function 'foo'", 5),
    ("y = tanh(x, z)", "tanh takes 1 input (x), got 2", 5),
    ("y = add(x)", "add takes 2 inputs (a, b), got 1", 5),
    ("y = tanh(x, axis=0)", "tanh has no attribute 'axis'", 13),
    ("y = sum(x, axis=q)", "axis= takes a number", 17),
    ("y = sum(x, **k)", "'**' arguments", 12),
    ("y = a // b", "operator // is not supported", 5),
    ("y = ~a", "operator ~ is not supported", 5),
    ("y = x if x else 1", "conditional", 5),
    ("y = (a, b)", "tuples", 5),
    ("y = [1, x]", "tensor elements must be numbers", 9),
    ("y = [[1, 2], [3]]", "same length", 5),
    ("y = True * x", "True is not a number", 5),
    ("y = 2j * x", "complex", 5),
    ("y = x", "'y = x' would only give x a second name", 5),
    ("import os", "only assignments", 1),
    ("a, b = x", "assign to a plain name", 1),
    ("y = z = x*2", "one name at a time", 5),
    ("x*2; y = 3", "only the last statement may be a bare expression", 1),
    ("np = x * 2", "reserved", 1),
    ("y = 1e400 * x", "finite", 5),
    ("y = w*(x +", "syntax error", 7),
    ("", "empty", 1),
    ("  # only a comment", "empty", 1),
])
def test_refusals_name_the_column(text, reason, column):
    with pytest.raises(FormulaError) as info:
        from_formula(text)
    assert reason in info.value.reason
    assert info.value.column == column
    assert info.value.line == 1


def test_error_line_and_unicode_column():
    with pytest.raises(FormulaError) as info:
        from_formula("a = x*2\nβ = a + 'oops'")
    assert (info.value.line, info.value.column) == (2, 9)
    assert "line 2, column 9" in str(info.value)


def test_unknown_value_keyword_is_named():
    with pytest.raises(UnknownNodeError, match=r"'z' is not an input.*its inputs: w, x"):
        from_formula("y = w*x", w=1, z=2)
    with pytest.raises(NotALeafError, match="y is computed"):
        from_formula("y = w*x", y=1)


def test_bad_value_is_refused_at_the_input():
    with pytest.raises(FormulaError, match="value for x") as info:
        from_formula("y = 2*x", x="abc")
    assert info.value.column == 7


def test_deep_nesting_is_an_error_not_a_crash():
    with pytest.raises(FormulaError):
        from_formula("y = " + "-" * 5000 + "x")
    with pytest.raises(FormulaError):
        from_formula("y = " + "(" * 500 + "x" + ")" * 500)


def test_layout_is_tidy_left_to_right():
    graph = from_formula(SEED, **SEED_VALUES)
    apply_layout(graph, readable_layout(graph, room=(10_000.0, 10_000.0)))  # one band
    x = {n.name: n.x for n in graph.nodes.values()}
    assert x["w"] == x["x"] < x["c"] < x["a"] < x["d"] < x["J"]
    assert x["b"] == x["c"] and x["y"] == x["a"]
    assert max(x.values()) == x["J"]


@pytest.mark.parametrize(("text", "values"), [
    (SEED, SEED_VALUES),
    ("z = w1*x1 + w2*x2 + b\ntanh(z)", {"w1": 2, "x1": 1.5, "w2": -0.25, "x2": 2, "b": 0.1}),
    ("p = x ** -1.5 + 2 ** x; q = pow(x, 3) - neg(2) - (-x) ** 2; r = p / (q - x) ** 3",
     {"x": 1.25}),
    ("s = sum(softmax(W @ v, axis=0) * v, axis=0) + mean(v)",
     {"W": [[1, 2], [3, 4]], "v": [[0.5], [-1.0]]}),
    ("c = a + 1; c = c * c; d = exp(-c) * c", {"a": 0.2}),
    ("y = 3", {}),
    ("x", {"x": 4}),
])
def test_to_formula_round_trips_values_and_gradients(text, values):
    first = from_formula(text, **values)
    inputs = {n.name: n.value for n in first.nodes.values() if n.op == "input"}
    second = from_formula(to_formula(first), **inputs)
    r1, r2 = first.run(), second.run()
    assert r1.output == r2.output
    ops = {n.name: n.op for n in first.nodes.values()}
    compared = {n for n in r2.order if n in ops and not re.fullmatch(ops[n] + r"\d+", n)}
    compared.add(r1.output)
    for name in compared:
        np.testing.assert_allclose(r2.values[name], r1.values[name], rtol=1e-15)
        np.testing.assert_allclose(r2.grads[name], r1.grads[name], rtol=1e-15)
    assert to_formula(second) == to_formula(first)


def test_to_formula_reads_like_the_seed():
    graph = from_formula(SEED, **SEED_VALUES)
    assert to_formula(graph) == "c = w * x\na = c + b\nd = a - y\nJ = 0.5 * d ** 2"


def test_to_formula_refuses_an_unconnected_port():
    graph = from_formula("y = a + b")
    graph.disconnect(graph.by_name("y").id, "b")
    with pytest.raises(GraphError, match=r"y\.b is not connected"):
        to_formula(graph)


def test_long_formulas_build_as_deep_as_python_parses():
    graph = from_formula("y = x" + " + x" * 1500, x=2)
    assert len(graph) == 1501
    assert graph.run().output_value == 3002.0
    assert sorted(n.name for n in graph.nodes.values())[:3] == ["add1", "add10", "add100"]


@pytest.mark.parametrize(("text", "message"), [
    ("ｗ = w*x", "'ｗ' is not a valid name: Python reads it as 'w'; type it in plain letters "
                "(line 1, column 1)"),
    ("c = w*x\nJ = ℌ + c", "'ℌ' is not a valid name: Python reads it as 'H'; type it in plain "
                          "letters (line 2, column 5)"),
])
def test_names_python_would_read_as_others_are_refused(text: str, message: str) -> None:
    with pytest.raises(FormulaError) as info:
        from_formula(text)
    assert str(info.value) == message


def test_accented_names_that_python_keeps_are_fine() -> None:
    assert "é" in {n.name for n in from_formula("é = x*2").nodes.values()}


def test_a_literal_beyond_float64_is_refused_as_typed() -> None:
    with pytest.raises(FormulaError) as info:
        from_formula("J = x * 1e309")
    assert str(info.value) == ("1e309 is not a finite number: values must be finite numbers "
                               "between -1.8e308 and 1.8e308 (no nan or inf) (line 1, column 9)")


CHAIN = "; ".join(f"h{k} = tanh(w{k}*{'x' if k == 1 else f'h{k - 1}'} + b{k})"
                  for k in range(1, 6)) + "; J = 0.5*(h5 - y)**2"


def test_a_long_formula_folds_to_fit_a_laptop_window():
    graph = from_formula(CHAIN)
    assert len(graph) >= 30
    sizes = nominal_sizes(graph)
    dx, dy = NOMINAL_CORNER
    rects = {n: (node.x - dx, node.y - dy, *sizes[n]) for n, node in graph.nodes.items()}
    width = max(r[0] + r[2] for r in rects.values()) - min(r[0] for r in rects.values())
    height = max(r[1] + r[3] for r in rects.values()) - min(r[1] for r in rects.values())
    scale = min(LAPTOP_ROOM[0] / width, LAPTOP_ROOM[1] / height)
    one_band = fit_layout(graph, sizes)  # unfolded: the long block it opened as before
    long = max(x + sizes[n][0] for n, (x, _y) in one_band.items()) - \
        min(x for x, _y in one_band.values())
    assert LAPTOP_ROOM[0] / long < 0.4 < 0.9 < scale  # shown near the readable zoom, whole
    assert not [p for p in combinations(rects, 2) if _overlap(rects[p[0]], rects[p[1]])]
