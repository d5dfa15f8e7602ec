"""The leaves (input, const) and the arithmetic ops: declarations for the registry."""

from __future__ import annotations

import operator
from typing import Any

import numpy as np

from cgeditor.core.ops.spec import AttrSpec, OpSpec, register
from cgeditor.core.rules import (
    pow_grad_base,
    pow_grad_exponent,
    powc_grad,
    select_grad,
    zero_grad,
)
from cgeditor.core.shapes import broadcast_shape, same_shape


def _leaf_forward(*_xs: Any, **_attrs: Any) -> Any:
    raise RuntimeError("leaf values come from the graph, not from a forward rule")


def _leaf_vjp(g: Any, out: Any) -> tuple:
    return ()


# --- leaves -------------------------------------------------------------------------------
register(OpSpec("input", (), _leaf_forward, _leaf_vjp, "in", "Leaves", feedable=True,
                template="{value}", doc="A value you set or feed: data or a trainable parameter."))
register(OpSpec("const", (), _leaf_forward, _leaf_vjp, "c", "Leaves",
                template="{value}", doc="A fixed number or tensor."))

# --- arithmetic ---------------------------------------------------------------------------
register(OpSpec("add", ("a", "b"), operator.add, lambda g, out, a, b: (g, g), "+",
                "Arithmetic", infix="+", template="{a} + {b}", vjp_template=("{g}", "{g}"),
                shape=broadcast_shape, jvp_from="forward",
                doc="a + b, elementwise."))
register(OpSpec("sub", ("a", "b"), operator.sub, lambda g, out, a, b: (g, -g), "−",
                "Arithmetic", infix="-", template="{a} - {b}", vjp_template=("{g}", "-{g}"),
                shape=broadcast_shape, jvp_from="forward",
                doc="a − b, elementwise."))
register(OpSpec("mul", ("a", "b"), operator.mul, lambda g, out, a, b: (g * b, g * a), "×",
                "Arithmetic", infix="*", template="{a} * {b}",
                vjp_template=("{g} * {b}", "{g} * {a}"),
                shape=broadcast_shape, jvp_from="bilinear",
                doc="a · b, elementwise."))
register(OpSpec("div", ("a", "b"), operator.truediv,
                lambda g, out, a, b: (g / b, -g * (out / b)), "÷", "Arithmetic",
                infix="/", template="{a} / {b}",
                shape=broadcast_shape,
                vjp_template=("{g} / {b}", "-{g} * ({out} / {b})"), doc="a / b, elementwise.",
                domain=lambda a, b: b == 0,
                domain_doc="division by zero (b = 0); add a small ε to the denominator "
                           "(a / (b + 1e-9)) or keep b away from 0"))
register(OpSpec("neg", ("x",), operator.neg, lambda g, out, x: (-g,), "−x", "Arithmetic",
                shape=same_shape, jvp_from="forward",
                template="-{x}", vjp_template=("-{g}",), doc="−x."))


register(OpSpec("pow", ("a", "b"), operator.pow,
                lambda g, out, a, b: (pow_grad_base(g, a, b), pow_grad_exponent(g, out, a, b)),
                "aᵇ", "Arithmetic", infix="**", template="{a} ** {b}",
                torch_template="real_pow({a}, {b})",
                vjp_template=("pow_grad_base({g}, {a}, {b})",
                              "pow_grad_exponent({g}, {out}, {a}, {b})"),
                shape=broadcast_shape,
                doc="a to the power b (both differentiable; ∂/∂b taken as 0 where a < 0).",
                domain=lambda a, b: ((a < 0) & (b != np.round(b))) | ((a == 0) & (b < 0)),
                domain_doc="a ** b needs a > 0 for a fractional power and a ≠ 0 for a negative "
                           "one; clamp a above 0 or add a small ε to it",
                kink=lambda a, b: ("b",) if np.any(a <= 0) else (),
                kink_doc="a ** b has no derivative in b where a ≤ 0 (a negative base has a "
                         "real power only at integer b); cgeditor uses the subgradient 0 "
                         "there, the limit at a = 0"))
register(OpSpec("powc", ("x",), lambda x, exponent=2.0: x ** exponent,
                lambda g, out, x, exponent=2.0: (powc_grad(g, x, exponent),),
                "xⁿ", "Arithmetic",
                attrs=(AttrSpec("exponent", "float", 2.0, "the constant power n"),),
                template="{x} ** {exponent}",
                vjp_template=("powc_grad({g}, {x}, {exponent})",),
                shape=same_shape,
                doc="x to a constant power n.",
                domain=lambda x, exponent=2.0: ((x < 0) & (exponent != round(exponent)))
                | ((x == 0) & (exponent < 0)),
                domain_doc="x ** n needs x > 0 for a fractional n and x ≠ 0 for a negative "
                           "one; clamp x above 0 or add a small ε to it"))
register(OpSpec("square", ("x",), lambda x: x * x, lambda g, out, x: (g * (2.0 * x),), "x²",
                "Arithmetic", template="{x} ** 2", vjp_template=("{g} * (2.0 * {x})",),
                shape=same_shape,
                doc="x², elementwise."))


def _selection(name: str, short: str, lost: str, word: str) -> OpSpec:
    """maximum or minimum: an input loses where ``{it} lost {other}`` (< for max, > for min),
    and a tie splits the gradient half and half."""
    fn = getattr(np, name)
    if lost == "<":
        def vjp(g: Any, out: Any, a: Any, b: Any) -> tuple:
            return select_grad(g, a < b, a == b), select_grad(g, b < a, a == b)
    else:
        def vjp(g: Any, out: Any, a: Any, b: Any) -> tuple:
            return select_grad(g, a > b, a == b), select_grad(g, b > a, a == b)
    return OpSpec(name, ("a", "b"), fn, vjp, short, "Arithmetic",
                  template=f"np.{name}({{a}}, {{b}})", torch_template=f"torch.{name}({{a}}, {{b}})",
                  vjp_template=(f"select_grad({{g}}, {{a}} {lost} {{b}}, {{a}} == {{b}})",
                                f"select_grad({{g}}, {{b}} {lost} {{a}}, {{a}} == {{b}})"),
                  shape=broadcast_shape,
                  doc=f"Elementwise {word} of a and b (ties split the gradient).",
                  kink=lambda a, b: ("a", "b") if np.any(a == b) else (),
                  kink_doc=f"{short}(a, b) is not differentiable where a = b; cgeditor uses the "
                           "subgradient that sends half the gradient to each input (as torch)")


register(_selection("maximum", "max", "<", "larger"))
register(_selection("minimum", "min", ">", "smaller"))
register(OpSpec("abs", ("x",), np.abs, lambda g, out, x: (g * np.sign(x),), "|x|",
                "Arithmetic", template="np.abs({x})", torch_template="torch.abs({x})",
                shape=same_shape,
                vjp_template=("{g} * np.sign({x})",), doc="|x| (gradient 0 at 0).",
                kink=lambda x: ("x",) if np.any(x == 0) else (),
                kink_doc="abs is not differentiable at x = 0; cgeditor uses the subgradient 0 "
                         "there (as torch)"))
register(OpSpec("sign", ("x",), np.sign, lambda g, out, x: (zero_grad(g),), "sgn",
                "Arithmetic", template="np.sign({x})", torch_template="torch.sign({x})",
                shape=same_shape,
                vjp_template=("zero_grad({g})",),
                doc="The sign of x: −1, 0 or 1, the derivative of |x|. Its own derivative is 0 "
                    "(it is flat on either side of 0).",
                kink=lambda x: ("x",) if np.any(x == 0) else (),
                kink_doc="sign jumps at x = 0, where it has no derivative; cgeditor uses 0 "
                         "there, as on either side (as torch)"))
