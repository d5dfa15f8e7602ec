"""Reading a student's typed answers (never with eval) and writing steps and rules."""

import pytest

from cgeditor.model.practice_text import AnswerError, is_right, parse_answer, readable
from tests.graphs import seed_run


@pytest.mark.parametrize("text, number", [
    ("-4", -4.0), ("−4", -4.0), (" − 4 ", -4.0), ("–4", -4.0), ("+2", 2.0), ("4e-3", 0.004),
    ("4e−3", 0.004), ("4E3", 4000.0), (".5", 0.5), ("2.", 2.0), ("1/2", 0.5),
    ("-3/4", -0.75), ("1 / 4", 0.25), ("1e-3/2", 0.0005), ("0", 0.0),
])
def test_numbers_and_fractions_are_read(text, number):
    assert parse_answer(text) == number


@pytest.mark.parametrize("text, words", [
    ("", "nothing typed"), ("   ", "nothing typed"), ("abc", "is not a number"),
    ("nan", "is not a number"), ("inf", "is not a number"), ("1/0", "divides by zero"),
    ("0,5", "with a point"), ("2*3", "is not a number"), ("1/2/3", "is not a number"),
    ("__import__('os').system('true')", "is not a number"), ("1e999", "too large"),
    ("4 4", "is not a number"), ("--4", "is not a number"),
])
def test_anything_else_is_refused_with_what_to_type(text, words):
    with pytest.raises(AnswerError, match=words):
        parse_answer(text)


@pytest.mark.parametrize("text, words", [
    ("x" * 30_000, "is not a number"), ("1" * 400, "too large"), ("1" * 5_000 + "/0", "by zero"),
])
def test_a_long_answer_is_quoted_by_its_start_only(text, words):
    """A field holds 32767 characters: the message quotes the first 40 of them, not all."""
    with pytest.raises(AnswerError, match=words) as caught:
        parse_answer(text)
    assert str(caught.value).startswith(repr(text[:40]) + "…")
    assert len(str(caught.value)) < 150


def test_spaces_inside_a_number_are_refused_not_joined():
    # '4 4' must not become 44: only spaces around signs and the fraction bar go.
    with pytest.raises(AnswerError):
        parse_answer("4 4")


def test_right_means_within_a_tenth_of_a_percent():
    assert is_right(-4.0, -4.0)
    assert is_right(2.002, 2.0) and not is_right(2.003, 2.0)
    assert is_right(0.0, 0.0) and not is_right(1e-6, 0.0)
    assert is_right(0.1966, 0.19661193324148185)  # what the canvas shows, typed back


def test_templates_read_as_math():
    assert readable("np.exp({x})".format(x="z")) == "exp(z)"
    assert readable("a * b - c ** 2") == "a · b − c^2"


def test_rules_come_from_the_registry_templates():
    from cgeditor.model.practice_text import back_rule, step_expression
    _graph, result = seed_run()
    plan = result.plan
    c = result.order.index("c")
    assert step_expression(plan, c) == "w · x"
    assert back_rule(plan, c, 0, "∂J/∂c") == "∂J/∂c · x"
    assert back_rule(plan, c, 1, "∂J/∂c") == "∂J/∂c · w"
    sq = result.order.index("sq")
    assert back_rule(plan, sq, 0, "∂J/∂sq") is None  # a helper call: its number is shown


def test_a_step_reads_as_its_op_where_its_template_calls_numpy_by_another_name():
    """step is numpy's heaviside and matrix_transpose its swapaxes: the cards and questions
    say step(z) and matrix_transpose(m), as the palette and formulas do; maximum and mean
    (relu's and mse's templates) are ops themselves and stay."""
    from cgeditor.model.formula import from_formula
    from cgeditor.model.practice_text import step_expression
    graph = from_formula("z = w * x; h = relu(z); s = step(z); m = h * s; "
                         "J = sum(matrix_transpose(m))", w=[[1.0, -2.0], [3.0, 0.0]], x=1.0)
    result = graph.run()
    shown = {name: step_expression(result.plan, i) for i, name in enumerate(result.order)}
    assert shown["s"] == "step(z)" and shown["matrix_transpose1"] == "matrix_transpose(m)"
    assert shown["h"] == "maximum(z, 0.0)" and shown["m"] == "h · s"
