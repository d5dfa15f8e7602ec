"""Elementwise functions (exp, log, sqrt, sin, cos) and the activations: declarations."""

from __future__ import annotations

from typing import Any

import numpy as np

from cgeditor.core.ops.spec import AttrSpec, OpSpec, register
from cgeditor.core.rules import log_softmax, select_grad, sigmoid, softmax, zero_grad
from cgeditor.core.shapes import along_axis_shape, same_shape

# --- functions ----------------------------------------------------------------------------
register(OpSpec("exp", ("x",), np.exp, lambda g, out, x: (g * out,), "exp", "Functions",
                template="np.exp({x})", torch_template="torch.exp({x})",
                shape=same_shape,
                vjp_template=("{g} * {out}",), doc="eˣ."))
register(OpSpec("log", ("x",), np.log, lambda g, out, x: (g / x,), "log", "Functions",
                template="np.log({x})", torch_template="torch.log({x})",
                shape=same_shape,
                vjp_template=("{g} / {x}",), doc="Natural logarithm (−inf at 0, nan below).",
                domain=lambda x: x <= 0,
                domain_doc="log needs x > 0; add a small ε (log(x + 1e-9)) or clamp x above 0"))
register(OpSpec("sqrt", ("x",), np.sqrt, lambda g, out, x: (g * 0.5 / out,), "√", "Functions",
                template="np.sqrt({x})", torch_template="torch.sqrt({x})",
                shape=same_shape,
                vjp_template=("{g} * 0.5 / {out}",), doc="Square root (nan below 0).",
                domain=lambda x: x < 0,
                domain_doc="sqrt needs x ≥ 0; clamp x at 0 first (relu), or take the square "
                           "root of x² + ε for a magnitude"))
register(OpSpec("sin", ("x",), np.sin, lambda g, out, x: (g * np.cos(x),), "sin", "Functions",
                template="np.sin({x})", torch_template="torch.sin({x})",
                shape=same_shape,
                vjp_template=("{g} * np.cos({x})",), doc="Sine."))
register(OpSpec("cos", ("x",), np.cos, lambda g, out, x: (-g * np.sin(x),), "cos", "Functions",
                template="np.cos({x})", torch_template="torch.cos({x})",
                shape=same_shape,
                vjp_template=("-{g} * np.sin({x})",), doc="Cosine."))

# --- activations --------------------------------------------------------------------------
register(OpSpec("tanh", ("x",), np.tanh, lambda g, out, x: (g * (1.0 - out * out),), "tanh",
                "Activations", template="np.tanh({x})",
                torch_template="torch.tanh({x})", vjp_template=("{g} * (1.0 - {out} * {out})",),
                shape=same_shape,
                doc="Hyperbolic tangent."))
register(OpSpec("sigmoid", ("x",), sigmoid, lambda g, out, x: (g * out * (1.0 - out),), "σ",
                "Activations", template="sigmoid({x})",
                torch_template="torch.sigmoid({x})",
                vjp_template=("{g} * {out} * (1.0 - {out})",),
                shape=same_shape,
                doc="Logistic sigmoid 1 / (1 + e⁻ˣ)."))
register(OpSpec("relu", ("x",), lambda x: np.maximum(x, 0.0),
                lambda g, out, x: (select_grad(g, x <= 0, False),), "relu", "Activations",
                template="np.maximum({x}, 0.0)", torch_template="torch.relu({x})",
                vjp_template=("select_grad({g}, {x} <= 0, False)",),
                shape=same_shape,
                doc="max(x, 0) (gradient 0 at 0).",
                kink=lambda x: ("x",) if np.any(x == 0) else (),
                kink_doc="relu is not differentiable at x = 0; cgeditor uses the subgradient 0 "
                         "there (as torch)"))
register(OpSpec("step", ("x",), lambda x: np.heaviside(x, 0.0), lambda g, out, x: (zero_grad(g),),
                "H", "Activations", template="np.heaviside({x}, 0.0)",
                # torch.heaviside has no backward: relu(sign(x)) is the same step, and
                # differentiable (to 0) as autograd needs
                torch_template="torch.relu(torch.sign({x}))",
                vjp_template=("zero_grad({g})",),
                shape=same_shape,
                doc="Heaviside step: 1 where x > 0, else 0 (0 at 0), the derivative of relu. "
                    "Its own derivative is 0 (it is flat on either side of 0).",
                kink=lambda x: ("x",) if np.any(x == 0) else (),
                kink_doc="step jumps at x = 0, where it has no derivative; cgeditor uses 0 "
                         "there, as on either side"))


_AXIS_LAST = (AttrSpec("axis", "int", -1, "the axis to normalise over"),)
register(OpSpec("softmax", ("x",), softmax,
                lambda g, out, x, axis=-1: (out * (g - np.sum(g * out, axis=axis,
                                                                keepdims=True)),),
                "softmax", "Activations", attrs=_AXIS_LAST, template="softmax({x}, axis={axis})",
                torch_template="torch.softmax({x}, dim={axis})",
                vjp_template=("{out} * ({g} - np.sum({g} * {out}, axis={axis}, keepdims=True))",),
                shape=along_axis_shape, jvp_from="vjp",  # diag(s) − s sᵀ is symmetric
                doc="exp(x) / Σ exp(x) along an axis."))


def _log_softmax_jvp(tangents: tuple, out: Any, x: Any, axis: int = -1) -> Any:
    """∂log_softmax · t = t − Σ softmax(x) · t along the axis (the Jacobian I − 1 sᵀ is not
    symmetric, so the vjp cannot serve)."""
    (t,) = tangents
    return t - np.sum(np.exp(out) * t, axis=axis, keepdims=True)


register(OpSpec("log_softmax", ("x",), log_softmax,
                lambda g, out, x, axis=-1: (g - np.exp(out) * np.sum(g, axis=axis,
                                                                     keepdims=True),),
                "logsm", "Activations", attrs=_AXIS_LAST,
                template="log_softmax({x}, axis={axis})",
                torch_template="torch.log_softmax({x}, dim={axis})",
                vjp_template=("{g} - np.exp({out}) * np.sum({g}, axis={axis}, keepdims=True)",),
                shape=along_axis_shape, jvp=_log_softmax_jvp,
                doc="x − log Σ exp(x) along an axis."))
