"""Tensor ops (matmul, transpose, sum, mean) and the losses: declarations for the registry."""

from __future__ import annotations

import operator
from typing import Any

import numpy as np

from cgeditor.core.diagnose import matmul_shape_check, matrix_transpose_shape_check
from cgeditor.core.ops.spec import F64, AttrSpec, OpSpec, register
from cgeditor.core.rules import (
    cross_entropy,
    cross_entropy_grad_logits,
    cross_entropy_grad_target,
    expand_back,
    matmul_grad_a,
    matmul_grad_b,
    reduced_size,
)
from cgeditor.core.shapes import (
    cross_entropy_shape,
    matmul_shape,
    matrix_transpose_shape,
    mean_shape,
    mse_shape,
    sum_shape,
    transpose_shape,
)

# --- tensors ------------------------------------------------------------------------------
_AXIS_ALL = (AttrSpec("axis", "int?", None, "the axis to reduce; empty for all elements"),)
register(OpSpec("matmul", ("a", "b"), operator.matmul,
                lambda g, out, a, b: (matmul_grad_a(g, a, b), matmul_grad_b(g, a, b)),
                "@", "Tensors", infix="@", template="{a} @ {b}",
                vjp_template=("matmul_grad_a({g}, {a}, {b})", "matmul_grad_b({g}, {a}, {b})"),
                shape=matmul_shape, jvp_from="bilinear",
                doc="Matrix product a @ b (1-d operands are vectors; batch axes broadcast).",
                shape_check=matmul_shape_check))
register(OpSpec("transpose", ("x",), np.transpose, lambda g, out, x: (np.transpose(g),), "xᵀ",
                "Tensors", template="np.transpose({x})",
                torch_template="{x}.permute(tuple(range({x}.dim() - 1, -1, -1)))",
                shape=transpose_shape, jvp_from="forward",
                vjp_template=("np.transpose({g})",), doc="Reverse the axes."))
register(OpSpec("matrix_transpose", ("x",), lambda x: np.swapaxes(x, -1, -2),
                lambda g, out, x: (np.swapaxes(g, -1, -2),), "mᵀ", "Tensors",
                template="np.swapaxes({x}, -1, -2)", torch_template="torch.swapaxes({x}, -1, -2)",
                shape=matrix_transpose_shape, jvp_from="forward",
                shape_check=matrix_transpose_shape_check,
                vjp_template=("np.swapaxes({g}, -1, -2)",),
                doc="Swap the last two axes: each matrix of a stack transposed (numpy's "
                    "matrix_transpose, torch's x.mT)."))
register(OpSpec("sum", ("x",), lambda x, axis=None: F64(np.sum(x)) if axis is None
                else np.sum(x, axis=axis),
                lambda g, out, x, axis=None: (expand_back(g, x, axis),), "Σ", "Tensors",
                attrs=_AXIS_ALL, template="np.sum({x}, axis={axis})",
                torch_template="torch.sum({x}, dim={axis})",
                vjp_template=("expand_back({g}, {x}, {axis})",),
                shape=sum_shape, jvp_from="forward",
                doc="Sum of the elements (over one axis, or all)."))
register(OpSpec("mean", ("x",), lambda x, axis=None: F64(np.mean(x)) if axis is None
                else np.mean(x, axis=axis),
                lambda g, out, x, axis=None: (expand_back(g, x, axis) / reduced_size(x, axis),),
                "μ", "Tensors", attrs=_AXIS_ALL, template="np.mean({x}, axis={axis})",
                torch_template="torch.mean({x}, dim={axis})",
                vjp_template=("expand_back({g}, {x}, {axis}) / reduced_size({x}, {axis})",),
                shape=mean_shape, jvp_from="forward",
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
                shape=mse_shape, jvp_from="gradient",
                doc="Mean squared error between prediction and target."))
register(OpSpec("cross_entropy", ("logits", "target"), cross_entropy,
                lambda g, out, logits, target: (cross_entropy_grad_logits(g, logits, target),
                                                cross_entropy_grad_target(g, logits, target)),
                "CE", "Losses", template="cross_entropy({logits}, {target})",
                vjp_template=("cross_entropy_grad_logits({g}, {logits}, {target})",
                              "cross_entropy_grad_target({g}, {logits}, {target})"),
                shape=cross_entropy_shape, jvp_from="gradient",
                doc="Softmax cross-entropy of logits against target probabilities, "
                    "averaged over the batch."))
