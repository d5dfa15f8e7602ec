"""The rule helpers of core/rules.py that a vjp template calls, rewritten in registry ops for
the gradient graph (model/adjoint_rules.py writes the rest of a template by matching the
registry's forward templates).

A helper that branches on the values (select_grad's mask, pow's domain, the zero gradient of a
step) becomes arithmetic on the piecewise-constant ops step and sign, which give the same
numbers wherever the upstream gradient is finite: a mask m ∈ {0, ½, 1} becomes g · m, where
the engine's np.where gives 0 (not g · 0 = nan) for an infinite g. One that branches on shapes
only (matmul's operands, cross_entropy's classes) is rewritten per shape; a shape it cannot
write is refused with NotExpressible, never drawn as a wrong graph.
"""

from __future__ import annotations

import ast
from typing import Any

import numpy as np

from cgeditor.model.adjoint_rules import (
    Comparison,
    Helper,
    Keywords,
    NotExpressible,
    Operand,
    RuleWriter,
    Shape,
)


def _constant(value: Operand, what: str) -> Any:
    if isinstance(value, str):
        raise NotExpressible(f"needs {what} as a constant")
    return value


def _powc_grad(w: RuleWriter, args: list[Operand], _kw: Keywords) -> Operand:
    g, x, exponent = args
    if _constant(exponent, "the exponent") == 0:
        return w.apply("_0 * 0.0", g)  # x⁰ is the constant 1
    return w.apply("_0 * (_2 * _1 ** (_2 - 1))", g, x, exponent)


def _expand_back(w: RuleWriter, args: list[Operand], _kw: Keywords) -> Operand:
    g, x, axis = args
    shape = w.shape(x)
    if not shape:
        return g
    if _constant(axis, "the axis") is None:
        return w.widen(g, shape, set(range(len(shape))))
    return w.widen(g, shape, {int(axis) % len(shape)})


def _reduced_size(w: RuleWriter, args: list[Operand], _kw: Keywords) -> Operand:
    shape, axis = w.shape(args[0]), _constant(args[1], "the axis")
    return float(np.prod(shape) if axis is None else shape[int(axis)])


def _size(w: RuleWriter, args: list[Operand], _kw: Keywords) -> Operand:
    return float(np.prod(w.shape(args[0])))


# matmul's vjp by the operands' dimensions (a vector is 1-d) in registry ops, over g, a and b
_MATMUL = {
    "a": {(2, 2): "_0 @ np.transpose(_2)", (1, 2): "_2 @ _0", (1, 1): "_0 * _2"},
    "b": {(2, 2): "np.transpose(_1) @ _0", (2, 1): "_0 @ _1", (1, 1): "_0 * _1"},
}
_BATCHED = {"a": "_0 @ np.swapaxes(_2, -1, -2)", "b": "np.swapaxes(_1, -1, -2) @ _0"}
# ... and where it is an outer product of two vectors: which two, by port and dimensions
_OUTER = {("a", (2, 1)): (0, 2), ("b", (1, 2)): (1, 0)}


def _outer(w: RuleWriter, col: Operand, row: Operand) -> Operand:
    """col[i] · row[j] as a matrix: col spread over rows, turned, times row (one product
    per element, as matmul's own k = 1 product)."""
    k, n = w.shape(col)[0], w.shape(row)[0]
    return w.apply("np.transpose(_0) * _1", w.ones_times(col, (n, k)), row)


def _vector_and_stack(w: RuleWriter, port: str, g: Operand, a: Operand, b: Operand
                      ) -> Operand:
    """matmul's vjp for a vector against a stack of matrices, as products with g spread
    along the vector's axis: a stack @ b gives g · b and g · a (the caller sums the stack
    axes), a @ a stack gives Σ over the columns of g · b, and g · a as a column."""
    sa, sb = w.shape(a), w.shape(b)
    if len(sb) == 1:  # (…, m, k) @ (k,): g is (…, m)
        spread = w.widen(g, sa, {len(sa) - 1})
        return w.apply("_0 * _1", spread, b if port == "a" else a)
    spread = w.widen(g, sb, {len(sb) - 2})  # (k,) @ (…, k, n): g is (…, n)
    if port == "a":
        return w.apply("np.sum(_0 * _1, axis=-1)", spread, b)
    return w.apply("_0 * _1", spread, w.widen(a, sb[-2:], {1}))


def _matmul_grad(port: str) -> Helper:
    def grad(w: RuleWriter, args: list[Operand], _kw: Keywords) -> Operand:
        dims = (len(w.shape(args[1])), len(w.shape(args[2])))
        if (port, dims) in _OUTER:
            col, row = _OUTER[port, dims]
            return _outer(w, args[col], args[row])
        if dims in _MATMUL[port]:
            return w.apply(_MATMUL[port][dims], *args)
        if min(dims) < 2:
            return _vector_and_stack(w, port, *args)
        # stacks of matrices: the batch axes broadcast back in the caller's unbroadcast
        return w.apply(_BATCHED[port], *args)
    return grad


def _sum_keeping_axes(w: RuleWriter, args: list[Operand], kw: Keywords) -> Operand:
    """np.sum(x, axis=k, keepdims=True): the sum op, then the summed axis put back (size 1)."""
    if kw.get("keepdims") is not True or len(args) != 1:
        raise NotExpressible("calls np.sum() with arguments the sum op does not take")
    shape, axis = w.shape(args[0]), _constant(kw.get("axis"), "the axis")
    summed = w.sink.op("sum", [w.node(args[0])], {"axis": axis})
    if axis is None or not shape:
        return w.widen(summed, (1,) * len(shape), set(range(len(shape))))
    k = int(axis) % len(shape)
    return w.widen(summed, (*shape[:k], 1, *shape[k + 1:]), {k})


def _zero_grad(w: RuleWriter, args: list[Operand], _kw: Keywords) -> Operand:
    """The gradient of step or sign: a zero const in g's shape (exactly 0, as the engine)."""
    return w.sink.const(np.zeros(w.shape(args[0]))[()])


def _difference(w: RuleWriter, left: Operand, right: Operand) -> Operand:
    """left − right, or left alone when right is the constant 0 (relu's x <= 0)."""
    if not isinstance(right, str) and np.ndim(right) == 0 and right == 0:
        return left
    return w.apply("_0 - _1", left, right)


def _kept(w: RuleWriter, lost: Operand, tie: Operand) -> Operand:
    """How much of g an input of a selection keeps, 1 where it won, ½ at a tie, 0 where
    it lost, from select_grad's mask ``lost`` (L <= R with no tie, as relu's; L < R with
    the tie L == R, as maximum's): step(L − R), or ½ + ½ · sign(L − R)."""
    if not isinstance(lost, Comparison):
        raise NotExpressible("calls select_grad() with a mask that is no comparison")
    flip = {ast.LtE: False, ast.GtE: True, ast.Lt: False, ast.Gt: True}.get(lost.op)
    ties = isinstance(tie, Comparison) and tie.op is ast.Eq and {tie.left, tie.right} == {
        lost.left, lost.right}
    if flip is None or ties != (lost.op in (ast.Lt, ast.Gt)) or (not ties and tie is not False):
        raise NotExpressible("calls select_grad() with a mask no step or sign spells")
    left, right = (lost.right, lost.left) if flip else (lost.left, lost.right)
    margin = _difference(w, left, right)  # > 0 where the input won
    if ties:
        return w.apply("0.5 + 0.5 * np.sign(_0)", margin)
    return w.apply("np.heaviside(_0, 0.0)", margin)


def _select_grad(w: RuleWriter, args: list[Operand], _kw: Keywords) -> Operand:
    """select_grad(g, lost, tie) (relu, maximum, minimum) as g times the share kept."""
    g, lost, tie = args
    return w.apply("_0 * _1", g, _kept(w, lost, tie))


def _pow_grad_base(w: RuleWriter, args: list[Operand], _kw: Keywords) -> Operand:
    """g · b · a^(b − 1), and 0 where b = 0: the power b − |sign(b)| is b − 1, and 0 at
    b = 0 (so b · a⁰ = 0 even at a = 0, where a^(b−1) is inf), the engine's numbers."""
    return w.apply("_0 * (_2 * _1 ** (_2 - np.abs(np.sign(_2))))", *args)


# pow's ∂/∂b uses log a where a > 0, and where a = 0 and b < 0 (the limit −inf); elsewhere
# (a < 0, or a = 0 with b ≥ 0) it is 0. As a number u ∈ {0, 1} over a (_0) and b (_1):
_USES_LOG = "np.heaviside(_0, 0.0) + np.heaviside(-_1, 0.0) * (1.0 - np.abs(np.sign(_0)))"


def _pow_grad_exponent(w: RuleWriter, args: list[Operand], _kw: Keywords) -> Operand:
    """g · a^b · log a where it uses log a (u = 1), else 0: the log of a · u + (1 − u),
    which is a there and 1 (log 1 = 0) elsewhere."""
    g, out, a, b = args
    uses_log = w.apply(_USES_LOG, a, b)
    return w.apply("_0 * (_1 * np.log(_2 * _3 + (1.0 - _3)))", g, out, a, uses_log)


def _batch_count(shape: Shape) -> float:
    """core/rules.py's batch_count from the logits' shape."""
    return float(np.prod(shape[:-1])) if len(shape) > 1 else 1.0


def _cross_entropy_grad_logits(w: RuleWriter, args: list[Operand], _kw: Keywords) -> Operand:
    """cross_entropy_grad_logits: the chain rule through log_softmax, with the same
    broadcasting of the target along the classes (by shape, not by value)."""
    g, logits, target = args
    shape = w.shape(logits)
    upstream = w.apply("-_0 * _1 / _2", g, target, _batch_count(shape))
    if shape and shape[-1] > 1:
        upstream = w.ones_times(upstream, np.broadcast_shapes(w.shape(upstream), shape))
    elif w.shape(upstream):
        upstream = w.apply("np.sum(_0, axis=-1, keepdims=True)", upstream)
    return w.apply("_0 - softmax(_1, axis=-1) * np.sum(_0, axis=-1, keepdims=True)",
                   upstream, logits)


def _cross_entropy_grad_target(w: RuleWriter, args: list[Operand], _kw: Keywords) -> Operand:
    g, logits, _ = args
    return w.apply("-_0 * log_softmax(_1, axis=-1) / _2", g, logits,
                   _batch_count(w.shape(logits)))


HELPERS: dict[str, Helper] = {
    "np.sum": _sum_keeping_axes, "powc_grad": _powc_grad, "expand_back": _expand_back,
    "reduced_size": _reduced_size,
    "np.size": _size, "matmul_grad_a": _matmul_grad("a"), "matmul_grad_b": _matmul_grad("b"),
    "zero_grad": _zero_grad, "select_grad": _select_grad, "pow_grad_base": _pow_grad_base,
    "pow_grad_exponent": _pow_grad_exponent,
    "cross_entropy_grad_logits": _cross_entropy_grad_logits,
    "cross_entropy_grad_target": _cross_entropy_grad_target,
}
