"""The op registry: every primitive is declared here once, and everything else reads it.

Each OpSpec carries its forward rule and its vector-Jacobian product (vjp). A vjp gets the
upstream gradient ``g``, the op's output ``out`` and the inputs, and returns one gradient per
input; the engine sums broadcast gradients back to each input's shape and accumulates fan-out.

Subgradient convention at kinks, as torch: relu'(0) = 0, abs'(0) = 0, and maximum/minimum send
half of the gradient to each input when the two are tied. Powers (core/rules.py) follow torch at
exponent 0 and base 0; pow's ∂/∂b is 0 where a < 0, where torch gives nan.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from cgeditor.core.diagnose import matmul_shape_check
from cgeditor.core.rules import (
    cross_entropy,
    cross_entropy_grad_logits,
    cross_entropy_grad_target,
    expand_back,
    log_softmax,
    matmul_grad_a,
    matmul_grad_b,
    pow_grad_base,
    pow_grad_exponent,
    powc_grad,
    reduced_size,
    select_grad,
    sigmoid,
    softmax,
)
from cgeditor.core.shapes import (
    along_axis_shape,
    broadcast_shape,
    cross_entropy_shape,
    matmul_shape,
    mean_shape,
    mse_shape,
    same_shape,
    sum_shape,
    transpose_shape,
)

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
    # Where the op is undefined (inputs → true where a result is nan/inf by definition), and
    # that rule with its remedy in words, for non-finite messages (core/diagnose.py).
    domain: Callable[..., Any] | None = None
    domain_doc: str = ""
    # Where it is not differentiable (inputs → the ports at a kink), and the subgradient
    # cgeditor uses there in words, for gradient checks at such points.
    kink: Callable[..., tuple[str, ...]] | None = None
    kink_doc: str = ""
    # The op's shape rule in words ((input names, shapes) → message, None when they fit).
    shape_check: Callable[..., str | None] | None = None
    # Shape inference (core/shapes.py): (*input shapes, **attrs) -> (result shape, *shapes of
    # large intermediates); ShapeError when the inputs do not fit. None for leaves.
    shape: Callable[..., tuple] | None = None
    # A leaf a run may feed and training may change ("input"); other leaves ("const") only
    # hold the value they are given.
    feedable: bool = False

    @property
    def is_leaf(self) -> bool:
        """The op holds a value instead of computing one (it has no input ports)."""
        return not self.inputs

    @property
    def elementwise(self) -> bool:
        """Each element of the result is the rule applied to the inputs' elements at its
        place (after broadcasting): the ops shaped by broadcasting or as their one input."""
        return self.shape is broadcast_shape or self.shape is same_shape

    @property
    def is_input(self) -> bool:
        """A leaf you set, feed per run or train: the graph's inputs (not its consts)."""
        return self.feedable and not self.inputs

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
register(OpSpec("input", (), _leaf_forward, _leaf_vjp, "in", "Leaves", feedable=True,
                template="{value}", doc="A value you set or feed: data or a trainable parameter."))
register(OpSpec("const", (), _leaf_forward, _leaf_vjp, "c", "Leaves",
                template="{value}", doc="A fixed number or tensor."))

# --- arithmetic ---------------------------------------------------------------------------
register(OpSpec("add", ("a", "b"), operator.add, lambda g, out, a, b: (g, g), "+",
                "Arithmetic", infix="+", template="{a} + {b}", vjp_template=("{g}", "{g}"),
                shape=broadcast_shape,
                doc="a + b, elementwise."))
register(OpSpec("sub", ("a", "b"), operator.sub, lambda g, out, a, b: (g, -g), "−",
                "Arithmetic", infix="-", template="{a} - {b}", vjp_template=("{g}", "-{g}"),
                shape=broadcast_shape,
                doc="a − b, elementwise."))
register(OpSpec("mul", ("a", "b"), operator.mul, lambda g, out, a, b: (g * b, g * a), "×",
                "Arithmetic", infix="*", template="{a} * {b}",
                vjp_template=("{g} * {b}", "{g} * {a}"),
                shape=broadcast_shape,
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
                shape=same_shape,
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
register(OpSpec("maximum", ("a", "b"), np.maximum,
                lambda g, out, a, b: (select_grad(g, a < b, a == b),
                                      select_grad(g, b < a, a == b)),
                "max", "Arithmetic", template="np.maximum({a}, {b})",
                torch_template="torch.maximum({a}, {b})",
                vjp_template=("select_grad({g}, {a} < {b}, {a} == {b})",
                              "select_grad({g}, {b} < {a}, {a} == {b})"),
                shape=broadcast_shape,
                doc="Elementwise larger of a and b (ties split the gradient).",
                kink=lambda a, b: ("a", "b") if np.any(a == b) else (),
                kink_doc="max(a, b) is not differentiable where a = b; cgeditor uses the "
                         "subgradient that sends half the gradient to each input (as torch)"))
register(OpSpec("minimum", ("a", "b"), np.minimum,
                lambda g, out, a, b: (select_grad(g, a > b, a == b),
                                      select_grad(g, b > a, a == b)),
                "min", "Arithmetic", template="np.minimum({a}, {b})",
                torch_template="torch.minimum({a}, {b})",
                vjp_template=("select_grad({g}, {a} > {b}, {a} == {b})",
                              "select_grad({g}, {b} > {a}, {a} == {b})"),
                shape=broadcast_shape,
                doc="Elementwise smaller of a and b (ties split the gradient).",
                kink=lambda a, b: ("a", "b") if np.any(a == b) else (),
                kink_doc="min(a, b) is not differentiable where a = b; cgeditor uses the "
                         "subgradient that sends half the gradient to each input (as torch)"))
register(OpSpec("abs", ("x",), np.abs, lambda g, out, x: (g * np.sign(x),), "|x|",
                "Arithmetic", template="np.abs({x})", torch_template="torch.abs({x})",
                shape=same_shape,
                vjp_template=("{g} * np.sign({x})",), doc="|x| (gradient 0 at 0).",
                kink=lambda x: ("x",) if np.any(x == 0) else (),
                kink_doc="abs is not differentiable at x = 0; cgeditor uses the subgradient 0 "
                         "there (as torch)"))

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


_AXIS_LAST = (AttrSpec("axis", "int", -1, "the axis to normalise over"),)
register(OpSpec("softmax", ("x",), softmax,
                lambda g, out, x, axis=-1: (out * (g - np.sum(g * out, axis=axis,
                                                                keepdims=True)),),
                "softmax", "Activations", attrs=_AXIS_LAST, template="softmax({x}, axis={axis})",
                torch_template="torch.softmax({x}, dim={axis})",
                vjp_template=("{out} * ({g} - np.sum({g} * {out}, axis={axis}, keepdims=True))",),
                shape=along_axis_shape,
                doc="exp(x) / Σ exp(x) along an axis."))
register(OpSpec("log_softmax", ("x",), log_softmax,
                lambda g, out, x, axis=-1: (g - np.exp(out) * np.sum(g, axis=axis,
                                                                     keepdims=True),),
                "logsm", "Activations", attrs=_AXIS_LAST,
                template="log_softmax({x}, axis={axis})",
                torch_template="torch.log_softmax({x}, dim={axis})",
                vjp_template=("{g} - np.exp({out}) * np.sum({g}, axis={axis}, keepdims=True)",),
                shape=along_axis_shape,
                doc="x − log Σ exp(x) along an axis."))

# --- tensors ------------------------------------------------------------------------------
_AXIS_ALL = (AttrSpec("axis", "int?", None, "the axis to reduce; empty for all elements"),)
register(OpSpec("matmul", ("a", "b"), operator.matmul,
                lambda g, out, a, b: (matmul_grad_a(g, a, b), matmul_grad_b(g, a, b)),
                "@", "Tensors", infix="@", template="{a} @ {b}",
                vjp_template=("matmul_grad_a({g}, {a}, {b})", "matmul_grad_b({g}, {a}, {b})"),
                shape=matmul_shape,
                doc="Matrix product a @ b (1-d operands are vectors; batch axes broadcast).",
                shape_check=matmul_shape_check))
register(OpSpec("transpose", ("x",), np.transpose, lambda g, out, x: (np.transpose(g),), "xᵀ",
                "Tensors", template="np.transpose({x})",
                torch_template="{x}.permute(tuple(range({x}.dim() - 1, -1, -1)))",
                shape=transpose_shape,
                vjp_template=("np.transpose({g})",), doc="Reverse the axes."))
register(OpSpec("sum", ("x",), lambda x, axis=None: F64(np.sum(x)) if axis is None
                else np.sum(x, axis=axis),
                lambda g, out, x, axis=None: (expand_back(g, x, axis),), "Σ", "Tensors",
                attrs=_AXIS_ALL, template="np.sum({x}, axis={axis})",
                torch_template="torch.sum({x}, dim={axis})",
                vjp_template=("expand_back({g}, {x}, {axis})",),
                shape=sum_shape,
                doc="Sum of the elements (over one axis, or all)."))
register(OpSpec("mean", ("x",), lambda x, axis=None: F64(np.mean(x)) if axis is None
                else np.mean(x, axis=axis),
                lambda g, out, x, axis=None: (expand_back(g, x, axis) / reduced_size(x, axis),),
                "μ", "Tensors", attrs=_AXIS_ALL, template="np.mean({x}, axis={axis})",
                torch_template="torch.mean({x}, dim={axis})",
                vjp_template=("expand_back({g}, {x}, {axis}) / reduced_size({x}, {axis})",),
                shape=mean_shape,
                doc="Mean of the elements (over one axis, or all)."))

# --- losses -------------------------------------------------------------------------------


def _mse_vjp(g: Any, out: Any, pred: Any, target: Any) -> tuple:
    diff = pred - target
    local = g * 2.0 * diff / np.size(diff)
    return local, -local


register(OpSpec("mse", ("pred", "target"),
                lambda pred, target: F64(np.mean((pred - target) ** 2)), _mse_vjp, "MSE",
                "Losses", template="np.mean(({pred} - {target}) ** 2)",
                torch_template="torch.mean(({pred} - {target}) ** 2)",
                vjp_template=("{g} * 2.0 * ({pred} - {target}) / np.size({pred} - {target})",
                              "-({g} * 2.0 * ({pred} - {target}) / np.size({pred} - {target}))"),
                shape=mse_shape,
                doc="Mean squared error between prediction and target."))
register(OpSpec("cross_entropy", ("logits", "target"), cross_entropy,
                lambda g, out, logits, target: (cross_entropy_grad_logits(g, logits, target),
                                                cross_entropy_grad_target(g, logits, target)),
                "CE", "Losses", template="cross_entropy({logits}, {target})",
                vjp_template=("cross_entropy_grad_logits({g}, {logits}, {target})",
                              "cross_entropy_grad_target({g}, {logits}, {target})"),
                shape=cross_entropy_shape,
                doc="Softmax cross-entropy of logits against target probabilities, "
                    "averaged over the batch."))

CATEGORIES: tuple[str, ...] = tuple(dict.fromkeys(spec.category for spec in REGISTRY.values()))
