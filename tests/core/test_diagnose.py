"""Messages that explain and say how to fix: shape errors in the user's words, the first bad
element of a tensor, domain problems and overflow with a remedy, and gradient checks at
kinks that say the point is not differentiable instead of failing."""

from __future__ import annotations

import numpy as np
import pytest

from cgeditor.core.engine import Step, compile_plan, forward
from cgeditor.core.gradcheck import check_gradients
from cgeditor.core.ops import F64


def run_op(op: str, *inputs, names: tuple[str, ...] = ("A", "B"), **attrs):
    """The message at ``op`` applied to leaves named ``names``."""
    steps = [Step(n, "input", value=np.asarray(v, dtype=float) if np.ndim(v) else F64(v))
             for n, v in zip(names, inputs)]
    steps.append(Step("out", op, tuple(range(len(inputs))), attrs))
    plan = compile_plan(steps)
    issue = forward(plan).issues[len(inputs)]
    return issue.kind, issue.message


@pytest.mark.parametrize(("a", "b", "message"), [
    ((2, 3), (2, 3), "matmul needs A's columns (3) to equal B's rows (2): A has shape (2, 3) "
                     "and B has shape (2, 3); transpose B or reshape it"),
    ((3, 2), (3, 4), "matmul needs A's columns (2) to equal B's rows (3): A has shape (3, 2) "
                     "and B has shape (3, 4); transpose A or reshape it"),
    ((3,), (2, 4), "matmul needs A's length (3) to equal B's rows (2): A has shape (3,) and B "
                   "has shape (2, 4); reshape A or B so that these sizes match"),
    ((3, 2, 2), (3,), "matmul needs A's columns (2) to equal B's length (3): A has shape "
                      "(3, 2, 2) and B has shape (3,); reshape A or B so that these sizes match"),
    ((3, 2, 2), (4, 2, 2), "matmul's batch dimensions do not broadcast: A stacks matrices "
                           "in shape (3,) and B in shape (4,); make them equal, or 1 on one side"),
    ((), (2, 2), "matmul needs vectors or matrices, but A is a scalar: use * to multiply by a "
                 "number"),
])
def test_matmul_shape_errors_in_the_users_words(a, b, message) -> None:
    kind, text = run_op("matmul", np.ones(a) if a else 2.0, np.ones(b))
    assert kind == "error" and text == message
    assert "gufunc" not in text and "core dimension" not in text


def test_broadcast_error_names_the_sizes_that_clash() -> None:
    kind, text = run_op("mul", np.ones((2, 3)), np.ones(4), names=("u", "v"))
    assert kind == "error"
    assert text == ("mul needs shapes that broadcast: u has shape (2, 3) and v has shape (4,) "
                    "(sizes 3 and 4 differ in the same place); elementwise ops pair the sizes "
                    "from the right and each pair must be equal or 1: reshape or transpose one "
                    "of them")


def test_axis_out_of_range_says_which_axes_exist() -> None:
    _, text = run_op("sum", np.ones(3), names=("x",), axis=2)
    assert text.endswith("x has 1 dimension, so choose an axis from -1 to 0 (or leave it empty)")


@pytest.mark.parametrize(("op", "inputs", "message"), [
    ("log", (-1.0,), "log at x = -1 gives nan: log needs x > 0; add a small ε (log(x + 1e-9)) "
                     "or clamp x above 0"),
    ("sqrt", (-4.0,), "sqrt at x = -4 gives nan: sqrt needs x ≥ 0; clamp x at 0 first (relu), "
                      "or take the square root of x² + ε for a magnitude"),
    ("div", (0.0, 0.0), "div at a = 0, b = 0 gives nan: division by zero (b = 0); add a small "
                        "ε to the denominator (a / (b + 1e-9)) or keep b away from 0"),
    ("pow", (0.0, -1.0), "pow at a = 0, b = -1 gives inf: a ** b needs a > 0 for a fractional "
                         "power and a ≠ 0 for a negative one; clamp a above 0 or add a small ε "
                         "to it"),
    ("mul", (1e308, 10.0), "mul at a = 1e308, b = 10 gives inf: overflow: 1e308 × 10 is larger "
                           "than the largest float (1.8e308); scale the inputs down (normalise "
                           "them) or clamp them"),
    ("square", (1e200,), "square at x = 1e200 gives inf: overflow: square(1e200) is larger than "
                         "the largest float (1.8e308); scale the inputs down (normalise them) or "
                         "clamp them"),
])
def test_domain_and_overflow_in_plain_words_with_a_remedy(op, inputs, message) -> None:
    names = ("x",) if len(inputs) == 1 else ("a", "b")
    kind, text = run_op(op, *inputs, names=names)
    assert kind == "nonfinite" and text == message


def test_powc_domain_uses_its_exponent() -> None:
    _, text = run_op("powc", -8.0, names=("x",), exponent=0.5)
    assert text.startswith("powc at x = -8 gives nan: x ** n needs x > 0 for a fractional n")


def test_tensor_message_names_the_first_bad_index_and_its_inputs() -> None:
    _, text = run_op("div", [[1.0, 2.0], [3.0, 4.0]], [5.0, 0.0], names=("a", "b"))
    assert text == ("div gives inf at index [0, 1] (2 of 4 elements non-finite), where a = 2, "
                    "b = 0: division by zero (b = 0); add a small ε to the denominator "
                    "(a / (b + 1e-9)) or keep b away from 0")


def test_reduction_of_a_bad_tensor_points_back_to_the_origin() -> None:
    steps = [Step("x", "input", value=np.array([1.0, 0.0])), Step("l", "log", (0,)),
             Step("s", "sum", (1,))]
    issues = forward(compile_plan(steps)).issues
    assert issues[1].origin and "where x = 0" in issues[1].message
    assert issues[2].message == ("sum at x = a tensor of shape (2,) gives -inf: its input x "
                                 "is already non-finite (see the origin)")


# --- gradient checks at kinks ------------------------------------------------------------------
def kink_plan(op: str, *values: float, then_scale: bool = False):
    steps = [Step(n, "input", value=F64(v)) for n, v in zip("ab", values)]
    steps.append(Step("k", op, tuple(range(len(values)))))
    if then_scale:
        steps += [Step("three", "const", value=F64(3.0)), Step("J", "mul", (len(values),
                                                                           len(values) + 1))]
    return compile_plan(steps)


@pytest.mark.parametrize(("op", "values", "leaf", "doc"), [
    ("relu", (0.0,), "a", "relu is not differentiable at x = 0; cgeditor uses the subgradient "
                          "0 there (as torch)"),
    ("pow", (-2.0, 3.0), "b", "a ** b has no derivative in b where a ≤ 0 (a negative base has a "
                              "real power only at integer b); cgeditor uses the subgradient 0 "
                              "there, the limit at a = 0"),
    ("pow", (0.0, 0.0), "b", "a ** b has no derivative in b where a ≤ 0"),
])
def test_mismatch_at_a_kink_is_not_differentiable_not_fail(op, values, leaf, doc) -> None:
    row = next(r for r in check_gradients(kink_plan(op, *values, then_scale=True))
               if r.name == leaf)
    assert not row.passed and not row.failed
    assert row.verdict == "not differentiable"
    assert row.note.startswith(f"not differentiable here (at k): {doc}")


def test_tied_max_agrees_with_its_half_subgradient_and_passes() -> None:
    rows = check_gradients(kink_plan("maximum", 1.0, 1.0))
    assert [(r.backprop, r.verdict, r.note) for r in rows] == [(0.5, "pass", "")] * 2


def test_a_real_mismatch_away_from_kinks_is_still_a_failure(monkeypatch) -> None:
    import dataclasses

    from cgeditor.core import ops
    wrong = dataclasses.replace(ops.REGISTRY["relu"], vjp=lambda g, out, x: (2 * g * (x > 0),))
    monkeypatch.setitem(ops.REGISTRY, "relu", wrong)
    row = check_gradients(kink_plan("relu", 1.5))[0]
    assert row.failed and row.verdict == "FAIL" and row.note == ""


def test_infinite_estimate_never_passes() -> None:
    """|g − inf| ≤ rtol·inf held for any g: an infinite slope is no agreement."""
    row = check_gradients(kink_plan("pow", 0.0, 0.0))[1]
    assert row.numeric == -np.inf and not row.passed


def test_non_finite_gradient_names_the_rule_its_inputs_and_a_remedy() -> None:
    from cgeditor.core.engine import backward

    steps = [Step("x", "input", value=np.array([4.0, 0.0])), Step("r", "sqrt", (0,)),
             Step("J", "sum", (1,))]
    plan = compile_plan(steps)
    issue = backward(plan, forward(plan).values).issues[0]
    assert issue.message == (
        "gradient of x is inf at index [1] (1 of 2 elements non-finite), from the rule of sqrt "
        "where x = 0: its derivative there is infinite or undefined, or the product "
        "overflowed: keep the inputs away from this point (add a small ε) or scale them down")


def test_messages_write_small_numbers_in_the_short_exponent_style() -> None:
    kind, text = run_op("log", -1.5e-9, names=("x",))
    assert kind == "nonfinite" and text.startswith("log at x = -1.5e-9 gives nan")
    kind, text = run_op("div", 2.5e-7, 0.0, names=("a", "b"))
    assert text.startswith("div at a = 2.5e-7, b = 0 gives inf")


def test_each_leaf_is_noted_at_the_first_kink_on_its_own_way_to_the_output() -> None:
    """One check of several leaves reads the paths once: a kink on a branch that never
    reaches J (dead) and a kink the leaf does not reach are no reason; the first kink the
    leaf passes on its way to J is."""
    steps = [Step("a", "input", value=F64(0.0)), Step("b", "input", value=F64(0.0)),
             Step("c", "input", value=F64(2.0)),
             Step("dead", "relu", (0,)),  # reads a at its kink, but J never reads it
             Step("r", "relu", (0,)), Step("q", "mul", (4, 2)),
             Step("s", "relu", (1,)), Step("t", "add", (5, 6)),
             Step("three", "const", value=F64(3.0)), Step("J", "mul", (7, 8))]
    rows = {row.name: row for row in check_gradients(compile_plan(steps))}
    assert rows["a"].note.startswith("not differentiable here (at r): relu")
    assert rows["b"].note.startswith("not differentiable here (at s): relu")
    assert rows["c"].passed and rows["c"].note == ""
