"""A non-finite gradient is blamed on the consumer whose own vjp term is non-finite (not on
whichever consumer backward visits first), and on the sum when every term is finite: on
scalars and tensors, on the careful loop and the compiled code alike."""

from __future__ import annotations

import numpy as np
import pytest

from cgeditor.core.engine import Step, backward, compile_plan, forward
from cgeditor.core.ops import F64


def grad_issue(steps: list[Step], compiled: bool, slot: int = 0) -> str:
    plan = compile_plan(steps)
    issues = backward(plan, forward(plan).values, compiled=compiled).issues
    return issues[slot].message


@pytest.mark.parametrize("compiled", [False, True])
@pytest.mark.parametrize("first", ["mul", "log"])
def test_the_consumer_whose_own_term_is_infinite_is_named(compiled: bool, first: str) -> None:
    """J = 3·x + log(x) at x = 0: ∂J/∂x = 3 + 1/0; the 3 of mul's rule is finite."""
    uses = {"mul": Step("m", "mul", (1, 0)), "log": Step("l", "log", (0,))}
    other = "log" if first == "mul" else "mul"
    steps = [Step("x", "input", value=F64(0.0)), Step("c", "const", value=F64(3.0)),
             uses[first], uses[other], Step("J", "add", (2, 3))]
    message = grad_issue(steps, compiled)
    assert message.startswith("gradient of x is inf, from the rule of log at x = 0")


@pytest.mark.parametrize("compiled", [False, True])
def test_finite_terms_whose_sum_overflows_are_named_so(compiled: bool) -> None:
    """J = k·x + k·x with k = 1e308: each term of ∂J/∂x is 1e308, their sum inf."""
    steps = [Step("x", "input", value=F64(1.0)), Step("k", "const", value=F64(1e308)),
             Step("a", "mul", (1, 0)), Step("b", "mul", (1, 0)), Step("J", "add", (2, 3))]
    message = grad_issue(steps, compiled)
    assert message == ("gradient of x is inf: each of its 2 uses gives a finite gradient "
                       "and their sum overflowed: scale the inputs down")


@pytest.mark.parametrize("compiled", [False, True])
def test_one_consumer_fed_twice_is_blamed_for_its_summed_term(compiled: bool) -> None:
    """J = x·x at x = 1e308 (its value is inf too): the mul's two terms, x and x, sum to inf."""
    steps = [Step("x", "input", value=F64(1e308)), Step("J", "mul", (0, 0))]
    assert grad_issue(steps, compiled).startswith("gradient of x is inf, from the rule of mul")


@pytest.mark.parametrize("compiled", [False, True])
def test_a_tensor_gradient_names_the_rule_at_its_first_bad_element(compiled: bool) -> None:
    """J = sum(x + sqrt(x)) at x = [1, 0]: the add's term is [1, 1], sqrt's [0.5, inf]."""
    steps = [Step("x", "input", value=np.array([1.0, 0.0])), Step("a", "sqrt", (0,)),
             Step("s", "add", (0, 1)), Step("J", "sum", (2,))]
    message = grad_issue(steps, compiled)
    assert message.startswith("gradient of x is inf at index [1] (1 of 2 elements non-finite)")
    assert "from the rule of sqrt where x = 0" in message
