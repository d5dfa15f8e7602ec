"""What a non-finite value or gradient is blamed on, in words: the op whose rule made it.

A value is blamed on its own op at its inputs. A gradient sums one vjp term from each of
the node's consumers; it is blamed on the consumer whose own term is non-finite (at x = 0,
∂(√x + 3x)/∂x is inf through sqrt's rule, not mul's), and when every term is finite on their
sum overflowing.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import TYPE_CHECKING, Any

from cgeditor.core.diagnose import nonfinite_message, rule_inputs_text
from cgeditor.core.values import describe, finite, fit_like, quiet_ieee

if TYPE_CHECKING:
    from cgeditor.core.engine import Plan


def value_message(plan: Plan, values: Sequence[Any], i: int) -> str:
    """Why slot ``i``'s value is non-finite: a leaf set so, or its op at its inputs."""
    step, spec = plan.steps[i], plan.specs[i]
    if spec.is_leaf:
        return f"{step.name} is set to {describe(values[i])}"
    return nonfinite_message(spec, spec.inputs, [values[j] for j in step.args], values[i],
                             dict(step.attrs))


def grad_message(plan: Plan, values: Sequence[Any], grads: Sequence[Any], i: int) -> str:
    """Why slot ``i``'s gradient is non-finite: the rule of the first consumer backward
    visits (fixed by the wiring, not by the canvas's ties) whose own term is non-finite
    though its gradient is finite; else the sum of finite terms overflowing."""
    text, rank = f"gradient of {plan.steps[i].name} is {describe(grads[i])}", plan.down_rank
    fed = [k for k in sorted((k for k in plan.consumers[i] if k in rank),
                             key=rank.__getitem__)
           if grads[k] is not None and finite(grads[k])]
    terms = [(k, vjp_term(plan, values, grads, k, i)) for k in fed]
    for k, term in terms:
        if term is not None and not finite(term):
            return _rule_text(plan, values, grads, text, k, i)
    if len(terms) > 1 and all(term is not None for _k, term in terms):
        return (f"{text}: each of its {len(terms)} uses gives a finite gradient and their sum "
                "overflowed: scale the inputs down")
    return _rule_text(plan, values, grads, text, fed[0], i) if fed else text


def _rule_text(plan: Plan, values: Sequence[Any], grads: Sequence[Any], text: str, k: int,
               i: int) -> str:
    spec, inputs = plan.specs[k], [values[j] for j in plan.steps[k].args]
    return f"{text}, from the rule of {spec.name} {rule_inputs_text(spec.inputs, inputs, grads[i])}"


def vjp_term(plan: Plan, values: Sequence[Any], grads: Sequence[Any], k: int, i: int) -> Any:
    """Consumer ``k``'s vjp term for its input slot ``i`` (summed over the ports ``i`` feeds,
    fitted to ``i``'s shape), or None when the rule cannot be asked again."""
    step, spec = plan.steps[k], plan.specs[k]
    vjp = partial(spec.vjp, **step.attrs) if step.attrs else spec.vjp
    try:
        with quiet_ieee():
            parts = vjp(grads[k], values[k], *[values[j] for j in step.args])
            found = [fit_like(part, values[i]) for j, part in zip(step.args, parts) if j == i]
            return sum(found[1:], found[0]) if found else None
    except Exception:  # the message must not fail where the run did not
        return None
