"""The op registry: every primitive is declared here once, and everything else reads it.

Each OpSpec carries its forward rule and its vector-Jacobian product (vjp). A vjp gets the
upstream gradient ``g``, the op's output ``out`` and the inputs, and returns one gradient per
input; the engine sums broadcast gradients back to each input's shape and accumulates fan-out.

Subgradient convention at kinks: relu'(0) = 0, abs'(0) = 0, and maximum/minimum send half of
the gradient to each input when the two are tied.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

F64 = np.float64


@dataclass(frozen=True)
class AttrSpec:
    """One attribute of an op, such as the axis of a sum."""

    name: str
    kind: str  # "int", "float" or "int?" (an int or None)
    default: Any = None
    doc: str = ""


@dataclass(frozen=True)
class OpSpec:
    """Everything about one primitive op, in one place."""

    name: str
    inputs: tuple[str, ...]
    forward: Callable[..., Any]
    vjp: Callable[..., tuple]
    symbol: str
    category: str
    attrs: tuple[AttrSpec, ...] = ()
    infix: str | None = None
    template: str = ""
    doc: str = ""
    torch_template: str = ""  # PyTorch spelling for code export; "" means same as template
    # Export spelling of the vjp, one expression per input, in {g}, {out}, ports and attrs;
    # model/export.py supplies the helpers named here (unbroadcast, expand_back, …).
    vjp_template: tuple[str, ...] = ()

    @property
    def is_leaf(self) -> bool:
        return not self.inputs

    def attr(self, name: str) -> AttrSpec | None:
        for spec in self.attrs:
            if spec.name == name:
                return spec
        return None

    def default_attrs(self) -> dict[str, Any]:
        return {spec.name: spec.default for spec in self.attrs}


REGISTRY: dict[str, OpSpec] = {}


def register(spec: OpSpec) -> OpSpec:
    if spec.name in REGISTRY:
        raise ValueError(f"op {spec.name!r} is declared twice")
    REGISTRY[spec.name] = spec
    return spec


def get_op(name: str) -> OpSpec:
    """The spec for ``name``; KeyError naming the op if there is none."""
    try:
        return REGISTRY[name]
    except KeyError:
        raise KeyError(f"unknown op {name!r}") from None


def _leaf_forward(*_xs: Any, **_attrs: Any) -> Any:
    raise RuntimeError("leaf values come from the graph, not from a forward rule")


def _leaf_vjp(g: Any, out: Any) -> tuple:
    return ()


# --- leaves -------------------------------------------------------------------------------
register(OpSpec("input", (), _leaf_forward, _leaf_vjp, "in", "Leaves",
                template="{value}", doc="A value you set or feed: data or a trainable parameter."))
register(OpSpec("const", (), _leaf_forward, _leaf_vjp, "c", "Leaves",
                template="{value}", doc="A fixed number or tensor."))

# --- arithmetic ---------------------------------------------------------------------------
register(OpSpec("add", ("a", "b"), operator.add, lambda g, out, a, b: (g, g), "+",
                "Arithmetic", infix="+", template="{a} + {b}", vjp_template=("{g}", "{g}"),
                doc="a + b, elementwise."))
register(OpSpec("sub", ("a", "b"), operator.sub, lambda g, out, a, b: (g, -g), "−",
                "Arithmetic", infix="-", template="{a} - {b}", vjp_template=("{g}", "-{g}"),
                doc="a − b, elementwise."))
register(OpSpec("mul", ("a", "b"), operator.mul, lambda g, out, a, b: (g * b, g * a), "×",
                "Arithmetic", infix="*", template="{a} * {b}",
                vjp_template=("{g} * {b}", "{g} * {a}"),
                doc="a · b, elementwise."))
register(OpSpec("div", ("a", "b"), operator.truediv,
                lambda g, out, a, b: (g / b, -g * out / b), "÷", "Arithmetic",
                infix="/", template="{a} / {b}",
                vjp_template=("{g} / {b}", "-{g} * {out} / {b}"), doc="a / b, elementwise."))
register(OpSpec("neg", ("x",), operator.neg, lambda g, out, x: (-g,), "−x", "Arithmetic",
                template="-{x}", vjp_template=("-{g}",), doc="−x."))


def _pow_vjp(g: Any, out: Any, a: Any, b: Any) -> tuple:
    # d/db a^b = a^b · log a: only defined for a > 0; where a == 0 and out == 0 the limit is 0.
    log_a = np.log(np.where(a > 0, a, 1.0)) if np.ndim(a) else (np.log(a) if a > 0 else F64(0))
    return g * b * a ** (b - 1), g * out * log_a


register(OpSpec("pow", ("a", "b"), operator.pow, _pow_vjp, "aᵇ", "Arithmetic", infix="**",
                template="{a} ** {b}",
                vjp_template=("{g} * {b} * {a} ** ({b} - 1)",
                              "{g} * {out} * np.log(np.where({a} > 0, {a}, 1.0))"),
                doc="a to the power b (both differentiable; ∂/∂b taken as 0 where a ≤ 0)."))
register(OpSpec("powc", ("x",), lambda x, exponent=2.0: x ** exponent,
                lambda g, out, x, exponent=2.0: (g * exponent * x ** (exponent - 1),),
                "xⁿ", "Arithmetic",
                attrs=(AttrSpec("exponent", "float", 2.0, "the constant power n"),),
                template="{x} ** {exponent}",
                vjp_template=("{g} * {exponent} * {x} ** ({exponent} - 1)",),
                doc="x to a constant power n."))
register(OpSpec("square", ("x",), lambda x: x * x, lambda g, out, x: (g * 2.0 * x,), "x²",
                "Arithmetic", template="{x} ** 2", vjp_template=("{g} * 2.0 * {x}",),
                doc="x², elementwise."))
register(OpSpec("maximum", ("a", "b"), np.maximum,
                lambda g, out, a, b: (g * ((a > b) + 0.5 * (a == b)),
                                      g * ((b > a) + 0.5 * (a == b))),
                "max", "Arithmetic", template="np.maximum({a}, {b})",
                torch_template="torch.maximum({a}, {b})",
                vjp_template=("{g} * (({a} > {b}) + 0.5 * ({a} == {b}))",
                              "{g} * (({b} > {a}) + 0.5 * ({a} == {b}))"),
                doc="Elementwise larger of a and b (ties split the gradient)."))
register(OpSpec("minimum", ("a", "b"), np.minimum,
                lambda g, out, a, b: (g * ((a < b) + 0.5 * (a == b)),
                                      g * ((b < a) + 0.5 * (a == b))),
                "min", "Arithmetic", template="np.minimum({a}, {b})",
                torch_template="torch.minimum({a}, {b})",
                vjp_template=("{g} * (({a} < {b}) + 0.5 * ({a} == {b}))",
                              "{g} * (({b} < {a}) + 0.5 * ({a} == {b}))"),
                doc="Elementwise smaller of a and b (ties split the gradient)."))
register(OpSpec("abs", ("x",), np.abs, lambda g, out, x: (g * np.sign(x),), "|x|",
                "Arithmetic", template="np.abs({x})", torch_template="torch.abs({x})",
                vjp_template=("{g} * np.sign({x})",), doc="|x| (gradient 0 at 0)."))

# --- functions ----------------------------------------------------------------------------
register(OpSpec("exp", ("x",), np.exp, lambda g, out, x: (g * out,), "exp", "Functions",
                template="np.exp({x})", torch_template="torch.exp({x})",
                vjp_template=("{g} * {out}",), doc="eˣ."))
register(OpSpec("log", ("x",), np.log, lambda g, out, x: (g / x,), "log", "Functions",
                template="np.log({x})", torch_template="torch.log({x})",
                vjp_template=("{g} / {x}",), doc="Natural logarithm (−inf at 0, nan below)."))
register(OpSpec("sqrt", ("x",), np.sqrt, lambda g, out, x: (g * 0.5 / out,), "√", "Functions",
                template="np.sqrt({x})", torch_template="torch.sqrt({x})",
                vjp_template=("{g} * 0.5 / {out}",), doc="Square root (nan below 0)."))
register(OpSpec("sin", ("x",), np.sin, lambda g, out, x: (g * np.cos(x),), "sin", "Functions",
                template="np.sin({x})", torch_template="torch.sin({x})",
                vjp_template=("{g} * np.cos({x})",), doc="Sine."))
register(OpSpec("cos", ("x",), np.cos, lambda g, out, x: (-g * np.sin(x),), "cos", "Functions",
                template="np.cos({x})", torch_template="torch.cos({x})",
                vjp_template=("-{g} * np.sin({x})",), doc="Cosine."))

# --- activations --------------------------------------------------------------------------


def _sigmoid(x: Any) -> Any:
    # Split by sign so neither branch overflows exp().
    if np.ndim(x) == 0:
        return 1.0 / (1.0 + np.exp(-x)) if x >= 0 else np.exp(x) / (1.0 + np.exp(x))
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


register(OpSpec("tanh", ("x",), np.tanh, lambda g, out, x: (g * (1.0 - out * out),), "tanh",
                "Activations", template="np.tanh({x})",
                torch_template="torch.tanh({x})", vjp_template=("{g} * (1.0 - {out} * {out})",),
                doc="Hyperbolic tangent."))
register(OpSpec("sigmoid", ("x",), _sigmoid, lambda g, out, x: (g * out * (1.0 - out),), "σ",
                "Activations", template="1.0 / (1.0 + np.exp(-{x}))",
                torch_template="torch.sigmoid({x})",
                vjp_template=("{g} * {out} * (1.0 - {out})",),
                doc="Logistic sigmoid 1 / (1 + e⁻ˣ)."))
register(OpSpec("relu", ("x",), lambda x: np.maximum(x, 0.0),
                lambda g, out, x: (g * (x > 0),), "relu", "Activations",
                template="np.maximum({x}, 0.0)", torch_template="torch.relu({x})",
                vjp_template=("{g} * ({x} > 0)",), doc="max(x, 0) (gradient 0 at 0)."))


def _softmax(x: Any, axis: int = -1) -> Any:
    shifted = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return shifted / np.sum(shifted, axis=axis, keepdims=True)


def _log_softmax(x: Any, axis: int = -1) -> Any:
    shifted = x - np.max(x, axis=axis, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


_AXIS_LAST = (AttrSpec("axis", "int", -1, "the axis to normalise over"),)
register(OpSpec("softmax", ("x",), _softmax,
                lambda g, out, x, axis=-1: (out * (g - np.sum(g * out, axis=axis,
                                                                keepdims=True)),),
                "softmax", "Activations", attrs=_AXIS_LAST, template="softmax({x}, axis={axis})",
                torch_template="torch.softmax({x}, dim={axis})",
                vjp_template=("{out} * ({g} - np.sum({g} * {out}, axis={axis}, keepdims=True))",),
                doc="exp(x) / Σ exp(x) along an axis."))
register(OpSpec("log_softmax", ("x",), _log_softmax,
                lambda g, out, x, axis=-1: (g - np.exp(out) * np.sum(g, axis=axis,
                                                                     keepdims=True),),
                "logsm", "Activations", attrs=_AXIS_LAST,
                template="log_softmax({x}, axis={axis})",
                torch_template="torch.log_softmax({x}, dim={axis})",
                vjp_template=("{g} - np.exp({out}) * np.sum({g}, axis={axis}, keepdims=True)",),
                doc="x − log Σ exp(x) along an axis."))

# --- tensors ------------------------------------------------------------------------------


def _matmul_vjp(g: Any, out: Any, a: Any, b: Any) -> tuple:
    a_nd, b_nd = np.ndim(a), np.ndim(b)
    if a_nd == 1 and b_nd == 1:
        return g * b, g * a
    if a_nd == 1:
        return b @ g, np.outer(a, g)
    if b_nd == 1:
        return np.outer(g, b), np.swapaxes(a, -1, -2) @ g
    return g @ np.swapaxes(b, -1, -2), np.swapaxes(a, -1, -2) @ g


def _expand_to(g: Any, x: Any, axis: int | None) -> Any:
    """Broadcast a reduced gradient back over the axis it was reduced along."""
    if axis is not None and np.ndim(x):
        g = np.expand_dims(g, axis)
    return np.broadcast_to(g, np.shape(x))


def _reduced_size(x: Any, axis: int | None) -> int:
    return np.size(x) if axis is None else np.shape(x)[axis]


_AXIS_ALL = (AttrSpec("axis", "int?", None, "the axis to reduce; empty for all elements"),)
register(OpSpec("matmul", ("a", "b"), operator.matmul, _matmul_vjp, "@", "Tensors", infix="@",
                template="{a} @ {b}",
                vjp_template=("matmul_grad_a({g}, {a}, {b})", "matmul_grad_b({g}, {a}, {b})"),
                doc="Matrix product a @ b."))
register(OpSpec("transpose", ("x",), np.transpose, lambda g, out, x: (np.transpose(g),), "xᵀ",
                "Tensors", template="np.transpose({x})",
                torch_template="{x}.permute(tuple(range({x}.dim() - 1, -1, -1)))",
                vjp_template=("np.transpose({g})",), doc="Reverse the axes."))
register(OpSpec("sum", ("x",), lambda x, axis=None: F64(np.sum(x)) if axis is None
                else np.sum(x, axis=axis),
                lambda g, out, x, axis=None: (_expand_to(g, x, axis),), "Σ", "Tensors",
                attrs=_AXIS_ALL, template="np.sum({x}, axis={axis})",
                torch_template="torch.sum({x}, dim={axis})",
                vjp_template=("expand_back({g}, {x}, {axis})",),
                doc="Sum of the elements (over one axis, or all)."))
register(OpSpec("mean", ("x",), lambda x, axis=None: F64(np.mean(x)) if axis is None
                else np.mean(x, axis=axis),
                lambda g, out, x, axis=None: (_expand_to(g, x, axis) / _reduced_size(x, axis),),
                "μ", "Tensors", attrs=_AXIS_ALL, template="np.mean({x}, axis={axis})",
                torch_template="torch.mean({x}, dim={axis})",
                vjp_template=("expand_back({g}, {x}, {axis}) / reduced_size({x}, {axis})",),
                doc="Mean of the elements (over one axis, or all)."))

# --- losses -------------------------------------------------------------------------------


def _mse_vjp(g: Any, out: Any, pred: Any, target: Any) -> tuple:
    diff = pred - target
    local = g * 2.0 * diff / np.size(diff)
    return local, -local


def _batch_count(logits: Any) -> int:
    return int(np.prod(np.shape(logits)[:-1])) if np.ndim(logits) > 1 else 1


def _cross_entropy(logits: Any, target: Any) -> Any:
    return F64(-np.sum(target * _log_softmax(logits)) / _batch_count(logits))


def _cross_entropy_vjp(g: Any, out: Any, logits: Any, target: Any) -> tuple:
    n = _batch_count(logits)
    return g * (_softmax(logits) * np.sum(target, axis=-1, keepdims=True) - target) / n, \
        -g * _log_softmax(logits) / n


register(OpSpec("mse", ("pred", "target"),
                lambda pred, target: F64(np.mean((pred - target) ** 2)), _mse_vjp, "MSE",
                "Losses", template="np.mean(({pred} - {target}) ** 2)",
                torch_template="torch.mean(({pred} - {target}) ** 2)",
                vjp_template=("{g} * 2.0 * ({pred} - {target}) / np.size({pred} - {target})",
                              "-({g} * 2.0 * ({pred} - {target}) / np.size({pred} - {target}))"),
                doc="Mean squared error between prediction and target."))
register(OpSpec("cross_entropy", ("logits", "target"), _cross_entropy, _cross_entropy_vjp,
                "CE", "Losses", template="cross_entropy({logits}, {target})",
                vjp_template=("cross_entropy_grad_logits({g}, {logits}, {target})",
                              "cross_entropy_grad_target({g}, {logits}, {target})"),
                doc="Softmax cross-entropy of logits against target probabilities, "
                    "averaged over the batch."))

CATEGORIES: tuple[str, ...] = tuple(dict.fromkeys(spec.category for spec in REGISTRY.values()))
