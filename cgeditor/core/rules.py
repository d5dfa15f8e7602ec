"""Forward and gradient rules too long for one template expression, spelled once.

The op registry's vjps call these functions, and the numpy code export copies their source
verbatim (model/export_helpers.py), so the engine and the exported module run the same lines.
Each function therefore uses only ``np`` and the other functions here, and takes float64
scalars or ndarrays; "not an ndarray" is the scalar test, as np.ndim costs a microsecond.
Broadcast batch dimensions are left in the result: the caller sums a gradient back to its
input's shape (the engine's fit_to, the export's unbroadcast).
"""

from __future__ import annotations

from typing import Any

import numpy as np


def sigmoid(x: Any) -> Any:
    """1 / (1 + e⁻ˣ), split by sign so that neither branch overflows exp()."""
    if not isinstance(x, np.ndarray):
        return 1.0 / (1.0 + np.exp(-x)) if x >= 0 else np.exp(x) / (1.0 + np.exp(x))
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def softmax(x: Any, axis: int = -1) -> Any:
    """exp(x) / Σ exp(x) along ``axis``, shifted by the maximum so exp() cannot overflow."""
    shifted = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return shifted / np.sum(shifted, axis=axis, keepdims=True)


def log_softmax(x: Any, axis: int = -1) -> Any:
    """x − log Σ exp(x) along ``axis``, shifted by the maximum."""
    shifted = x - np.max(x, axis=axis, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


def batch_count(logits: Any) -> int:
    """How many examples a batch of logits holds (every axis but the last)."""
    return int(np.prod(np.shape(logits)[:-1])) if np.ndim(logits) > 1 else 1


def cross_entropy(logits: Any, target: Any) -> Any:
    """Softmax cross-entropy against target probabilities, averaged over the batch."""
    return np.float64(-np.sum(target * log_softmax(logits)) / batch_count(logits))


def cross_entropy_grad_logits(g: Any, logits: Any, target: Any) -> Any:
    """∂cross_entropy/∂logits · g (targets need not sum to one), spelled as the chain rule
    through log_softmax, as torch runs it: an infinite g gives nan, not ±inf."""
    upstream = -g * target / batch_count(logits)
    if np.ndim(logits) and np.shape(logits)[-1] > 1:
        # a target broadcast along the classes (one class, or a scalar) still weighs each
        # class: log_softmax's rule sums over all of them
        shape = np.broadcast_shapes(np.shape(upstream), np.shape(logits))
        upstream = np.broadcast_to(upstream, shape)
    elif np.ndim(upstream):
        # logits of one class broadcast over the target's classes: the chain rule sums the
        # gradient back onto that one class before log_softmax's rule (which then gives 0)
        upstream = np.sum(upstream, axis=-1, keepdims=True)
    return upstream - softmax(logits) * np.sum(upstream, axis=-1, keepdims=True)


def cross_entropy_grad_target(g: Any, logits: Any, target: Any) -> Any:
    """∂cross_entropy/∂target · g."""
    return -g * log_softmax(logits) / batch_count(logits)


def pow_grad_base(g: Any, a: Any, b: Any) -> Any:
    """∂(a ** b)/∂a · g = g · b · a^(b−1), and 0 where b == 0: a⁰ is the constant 1, even at
    a = 0 where a^(b−1) is inf (torch's rule too)."""
    if not isinstance(a, np.ndarray) and not isinstance(b, np.ndarray):
        return g * (b * a ** (b - 1) if b != 0 else 0.0)
    return g * np.where(b == 0, 0.0, b * a ** (b - 1))


def pow_grad_exponent(g: Any, out: Any, a: Any, b: Any) -> Any:
    """∂(a ** b)/∂b · g = g · a^b · log a where a > 0. At a = 0 it is the limit: 0 for b ≥ 0,
    and a^b · log 0 (−inf for b < 0), as torch. Where a < 0 it is 0, even for an infinite g:
    a negative base has a real power only at integer b, so there is no derivative in b (torch
    gives nan there)."""
    if not isinstance(a, np.ndarray) and not isinstance(b, np.ndarray):
        if a < 0:
            return np.float64(0.0)
        return g * (out * np.log(a) if a > 0 or b < 0 else 0.0)
    use_log = (a > 0) | ((a == 0) & (b < 0))
    local = np.where(use_log, out * np.log(np.where(use_log, a, 1.0)), 0.0)
    return np.where(a < 0, 0.0, g * local)


def powc_grad(g: Any, x: Any, exponent: float) -> Any:
    """∂(x ** n)/∂x · g = g · n · x^(n−1) for a constant n; exactly 0 when n == 0 (x⁰ is the
    constant 1, even at x = 0), as torch."""
    if exponent == 0:
        return np.zeros_like(g * x)
    return g * (exponent * x ** (exponent - 1))


def select_grad(g: Any, lost: Any, tie: Any) -> Any:
    """The gradient of a selection (relu, maximum, minimum) for one input: g where it was
    selected, g / 2 where it tied, 0 where it lost. Masks, not products, so an infinite or nan
    g gives 0 where the input lost (not nan), as torch."""
    if not isinstance(g, np.ndarray) and not isinstance(lost, np.ndarray):
        return np.float64(0.0) if lost else (g / 2 if tie else g)
    kept = g if tie is False else np.where(tie, g / 2, g)  # relu has no tie: skip a pass
    return np.where(lost, 0.0, kept)


def zero_grad(g: Any) -> Any:
    """The gradient of a piecewise-constant op (step, sign): 0 in g's shape, and exactly 0
    even where g is infinite or nan (as torch's sign), not g · 0."""
    if not isinstance(g, np.ndarray):
        return np.float64(0.0)
    return np.zeros_like(g)


def matmul_operands(g: Any, a: Any, b: Any) -> tuple[Any, Any, Any]:
    """g, a and b of ``a @ b`` as stacks of matrices: a 1-d a is a row (1, k), a 1-d b a column
    (k, 1), and g gets back the axes the product dropped for them."""
    g = np.asarray(g)
    if np.ndim(b) == 1:
        b, g = b[:, None], g[..., None]
    if np.ndim(a) == 1:
        a, g = a[None, :], g[..., None, :]
    return g, a, b


def summed_matmul(x: Any, y: Any, batch: tuple) -> Any:
    """x @ y, summed over the batch axes along which an operand of batch shape ``batch`` was
    broadcast. Those axes are folded into the product's inner dimension instead of summed
    afterwards, so the broadcast product (a copy of the operand's gradient per element of the
    stack: gigabytes for a large matrix against a long stack) is never formed. Both factors
    have the full stack along those axes (the operand had 1 there, so the others had it)."""
    stack = x.shape[:-2]
    if stack == y.shape[:-2] == batch:  # nothing broadcast (the common case)
        return x @ y
    full = np.broadcast_shapes(stack, y.shape[:-2])
    keep = (1,) * (len(full) - len(batch)) + tuple(batch)
    summed = tuple(k for k, n in enumerate(keep) if n == 1 and full[k] > 1)
    if not summed:
        return x @ y
    n = len(full)
    x = np.reshape(x, (1,) * (n + 2 - np.ndim(x)) + np.shape(x))
    y = np.reshape(y, (1,) * (n + 2 - np.ndim(y)) + np.shape(y))
    kept = tuple(k for k in range(n) if k not in summed)
    x = np.transpose(x, (*kept, n, *summed, n + 1))  # (kept..., rows, summed..., inner)
    x = np.reshape(x, (*np.shape(x)[:len(kept) + 1], -1))
    y = np.transpose(y, (*kept, *summed, n, n + 1))  # (kept..., summed..., inner, cols)
    y = np.reshape(y, (*np.shape(y)[:len(kept)], -1, np.shape(y)[-1]))
    return np.expand_dims(x @ y, summed)


def matmul_grad_a(g: Any, a: Any, b: Any) -> Any:
    """∂(a @ b)/∂a · g for 1-d, 2-d and batched operands, batch axes not yet summed back."""
    g2, a2, b2 = matmul_operands(g, a, b)
    grad = summed_matmul(g2, np.swapaxes(b2, -1, -2), a2.shape[:-2])
    return grad[..., 0, :] if np.ndim(a) == 1 else grad


def matmul_grad_b(g: Any, a: Any, b: Any) -> Any:
    """∂(a @ b)/∂b · g for 1-d, 2-d and batched operands, batch axes not yet summed back."""
    g2, a2, b2 = matmul_operands(g, a, b)
    grad = summed_matmul(np.swapaxes(a2, -1, -2), g2, b2.shape[:-2])
    return grad[..., 0] if np.ndim(b) == 1 else grad


def expand_back(g: Any, x: Any, axis: int | None) -> Any:
    """Spread the gradient of a sum (over ``axis``, or all) back over x's shape."""
    if axis is not None and np.ndim(x):
        g = np.expand_dims(g, axis)
    return np.broadcast_to(g, np.shape(x))


def reduced_size(x: Any, axis: int | None) -> int:
    """How many elements a mean over ``axis`` (or all) divides by."""
    return np.size(x) if axis is None else np.shape(x)[axis]
