"""Forward mode's rule per op: the Jacobian-vector product (jvp), derived from the op's own
forward or vjp wherever one of them already says it, so the two modes cannot disagree.

A jvp rule maps the inputs' tangents to the output's tangent: ``rule(tangents, out, *xs,
**attrs)``. A tangent is None where it is zero (the input does not depend on the seed); the
engine calls a rule only when some tangent is not None, and fits the result to the output's
shape (a tangent broadcast like the value it belongs to). Kinks follow the vjps' subgradient
convention, as the rules are the vjps' own factors: relu'(0) = abs'(0) = 0, and a max/min
tie gives the mean of the two tangents.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from cgeditor.core.ops.spec import F64, OpSpec

Rule = Callable[..., Any]
_ZERO = F64(0.0)


def source(spec: OpSpec) -> str:
    """Where ``spec``'s jvp comes from: one of spec.JVP_SOURCES, or "rule" for an explicit
    one; ValueError for a leaf (its tangent is a seed, not a rule's result)."""
    if spec.is_leaf:
        raise ValueError(f"{spec.name} is a leaf: its tangent is seeded, not computed")
    if spec.jvp_from:
        return spec.jvp_from
    return "rule" if spec.jvp is not None else "vjp"


def jvp_rule(spec: OpSpec) -> Rule:
    """The rule ``(tangents, out, *xs, **attrs) -> tangent`` for ``spec`` (see the module
    docstring); ValueError for a leaf."""
    kind = source(spec)
    if kind == "rule":
        return spec.jvp  # type: ignore[return-value]
    return _MAKERS[kind](spec)


def _from_forward(spec: OpSpec) -> Rule:
    """A linear op: its jvp is the op itself, applied to the tangents (zero where None)."""
    forward = spec.forward

    def rule(tangents: tuple, out: Any, *xs: Any, **attrs: Any) -> Any:
        return forward(*[_ZERO if t is None else t for t in tangents], **attrs)
    return rule


def _bilinear(spec: OpSpec) -> Rule:
    """A bilinear op f(a, b): f(tₐ, b) + f(a, t_b), one tangent substituted at a time."""
    forward = spec.forward

    def rule(tangents: tuple, out: Any, *xs: Any, **attrs: Any) -> Any:
        total = None
        for k, t in enumerate(tangents):
            if t is not None:
                term = forward(*xs[:k], t, *xs[k + 1:], **attrs)
                total = term if total is None else total + term
        return total
    return rule


def _from_vjp(spec: OpSpec) -> Rule:
    """A Jacobian symmetric per input (diagonal, for an elementwise op once the input is
    broadcast to the output's shape): the vjp's term for input k, given that input's tangent
    broadcast to the output's shape as its upstream gradient, is the jvp's term for it."""
    vjp = spec.vjp

    def rule(tangents: tuple, out: Any, *xs: Any, **attrs: Any) -> Any:
        shape, total = np.shape(out), None
        for k, t in enumerate(tangents):
            if t is not None:
                g = t if np.shape(t) == shape else np.broadcast_to(t, shape)
                term = vjp(g, out, *xs, **attrs)[k]
                total = term if total is None else total + term
        return total
    return rule


def _from_gradient(spec: OpSpec) -> Rule:
    """A scalar-valued op: its jvp is Σₖ ⟨∂out/∂xₖ, tₖ⟩, the gradient (the vjp of 1) dotted
    with each tangent. A gradient left in a broadcast shape meets the tangent broadcast to it,
    which sums the same products as summing the gradient back first."""
    vjp = spec.vjp

    def rule(tangents: tuple, out: Any, *xs: Any, **attrs: Any) -> Any:
        parts = vjp(F64(1.0), out, *xs, **attrs)
        return F64(sum(np.sum(part * t) for part, t in zip(parts, tangents) if t is not None))
    return rule


_MAKERS: dict[str, Callable[[OpSpec], Rule]] = {
    "forward": _from_forward, "bilinear": _bilinear, "vjp": _from_vjp,
    "gradient": _from_gradient,
}
