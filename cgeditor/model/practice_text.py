"""The words of practice mode: a step written with its inputs' names ('c = w · x'), the
rule a step sends gradients back by ('∂J/∂c · x'), and the answers a student types, parsed
without eval ('−4', '-4', '4e-3', '1/2') and checked against the run's number.

Everything here reads the op registry's templates, so a new op gets its prompts for free.
"""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np

from cgeditor.core.engine import Plan
from cgeditor.core.ops import REGISTRY
from cgeditor.model.number_text import MINUS, format_scalar, grad_label, value_text

REL_TOL = 1e-3  # an answer within 0.1 % of the run's number is right
ABS_TOL = 1e-9  # ... and one this close to a zero answer
CLOSE_TOL = 1e-2  # a wrong answer this near is called close: more digits, not a new method
# Helper calls of export templates ('powc_grad(…)') read badly as a rule; plain numpy
# functions read as their names ('exp(x)').
_HELPER = re.compile(r"\b(?!np\.)[a-z_]+_[a-z_]+\(")
# A template that is one call of a numpy function no op is called ('heaviside(z, 0.0)',
# 'swapaxes(y, −1, −2)'): the step reads as its op's call, as the palette and formulas name it.
_CALL = re.compile(r"(\w+)\(")
_NUMBER = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?"
_ANSWER = re.compile(rf"({_NUMBER})(?:/({_NUMBER}))?", re.IGNORECASE)
# Every dash a keyboard or a copied label may give for a minus sign.
_DASHES = str.maketrans({MINUS: "-", "\u2013": "-", "\u2012": "-", "\ufe63": "-",
                         "\uff0d": "-"})
ANSWER_HELP = "type a number such as −4, 0.5, 4e−3 or 1/2"  # either minus is taken
QUOTED = 40  # characters of a typed answer a message quotes back (a field holds 32767)


class AnswerError(ValueError):
    """What a student typed is not a number practice can read; the message says why."""


def parse_answer(text: str) -> float:
    """The number in ``text``: a decimal ('-4', '−4', '.5', '4e-3') or a fraction of two
    ('1/2', '-3/4'), spaces allowed around signs and the bar. Raises AnswerError (with
    what to type instead) for anything else, including nan, inf and division by zero."""
    said = _quoted(text)
    # Spaces may sit around a sign or the fraction bar, never inside a number ('4 4').
    compact = re.sub(r"\s*([/+-])\s*", r"\1", text.translate(_DASHES).strip())
    if not compact:
        raise AnswerError(f"nothing typed: {ANSWER_HELP}")
    match = _ANSWER.fullmatch(compact)
    if match is None:
        if re.fullmatch(r"[+-]?\d+,\d+", compact):
            raise AnswerError(f"{said}: write decimals with a point (0.5)")
        raise AnswerError(f"{said} is not a number: {ANSWER_HELP}")
    top = float(match.group(1))
    bottom = float(match.group(2)) if match.group(2) is not None else 1.0
    if bottom == 0:
        raise AnswerError(f"{said} divides by zero")
    number = top / bottom
    if not math.isfinite(number):
        raise AnswerError(f"{said} is too large to be an answer here")
    return number


def _quoted(text: str) -> str:
    """What was typed, quoted as a message repeats it: at most QUOTED characters of it."""
    text = text.strip()
    return repr(text) if len(text) <= QUOTED else repr(text[:QUOTED]) + "…"


def is_right(guess: float, answer: Any) -> bool:
    """``guess`` matches the run's ``answer`` to 0.1 % (or reads as the same number at the
    precision the canvas shows it)."""
    target = float(answer)
    return math.isclose(guess, target, rel_tol=REL_TOL, abs_tol=ABS_TOL) \
        or format_scalar(guess) == format_scalar(target)


def is_close(guess: float, answer: Any) -> bool:
    """``guess`` is off by less than 1 %: rounded too early, not wrong in its method."""
    return math.isclose(guess, float(answer), rel_tol=CLOSE_TOL)


def written(value: Any) -> str:
    """A value with every number in it: '−4', or a small tensor as '[6.25, 0.25]'."""
    if np.ndim(value) == 0:
        return value_text(value)
    return "[" + ", ".join(written(part) for part in value) + "]"


def operand(value: Any) -> str:
    """A value as it stands inside an expression: a negative number in parentheses."""
    text = written(value)
    return f"({text})" if text.startswith(MINUS) else text


def readable(code: str) -> str:
    """An export template made readable: 'np.exp(x)' → 'exp(x)', 'a * b' → 'a · b'."""
    text = code.replace("np.", "").replace(", axis=None", "").replace(" ** ", "^")
    text = text.replace(" * ", " · ")
    return text.replace(" - ", f" {MINUS} ").replace("-", MINUS)


def step_expression(plan: Plan, i: int, names: list[str] | None = None) -> str:
    """Step ``i`` of ``plan`` written with its inputs (their names, or ``names`` in port
    order): 'w · x', 'exp(z)', 'd^2'."""
    step, spec = plan.steps[i], plan.specs[i]
    args = names if names is not None else [plan.steps[j].name for j in step.args]
    fields = dict(zip(spec.inputs, args))
    fields.update({key: _attr(value) for key, value in step.attrs.items()})
    try:
        text = readable(spec.template.format(**fields))
    except (KeyError, IndexError, ValueError):  # a template naming what the step lacks
        text = ""
    called = _CALL.match(text)
    if not text or (called is not None and called.group(1) not in REGISTRY):
        return f"{spec.name}({', '.join(args)})"
    return text


def chain_term(plan: Plan, j: int, k: int, out: str) -> str:
    """What step ``j`` sends back along its input ``k``, as a chain-rule factor pair:
    '∂J/∂a · ∂a/∂c' (with the port, '∂xx/∂x[a]', when the step reads that input on
    several ports). ``out`` is the output's name."""
    step = plan.steps[j]
    name = plan.steps[step.args[k]].name
    port = f"[{plan.specs[j].inputs[k]}]" if step.args.count(step.args[k]) > 1 else ""
    # The output's own local derivative would read as the gradient's label: spell it.
    target = f"({step_expression(plan, j)})" if j == plan.output else step.name
    return f"{grad_label(out, step.name)} · ∂{target}/∂{name}{port}"


def _attr(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def back_rule(plan: Plan, i: int, k: int, upstream: str) -> str | None:
    """What step ``i`` sends back to its input ``k``, in words of its registry rule with
    ``upstream`` for the gradient arriving ('∂J/∂c · x'); None when the rule is a helper
    call that reads worse than its number."""
    step, spec = plan.steps[i], plan.specs[i]
    if k >= len(spec.vjp_template):
        return None
    fields = {port: plan.steps[j].name for port, j in zip(spec.inputs, step.args)}
    fields.update({key: _attr(value) for key, value in step.attrs.items()})
    fields.update(g=upstream, out=step.name)
    try:
        rule = spec.vjp_template[k].format(**fields)
    except (KeyError, IndexError, ValueError):
        return None
    return None if _HELPER.search(rule) else readable(rule)
