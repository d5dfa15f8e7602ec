"""The op registry: every primitive is declared once, and everything else reads it.

Each OpSpec carries its forward rule and its vector-Jacobian product (vjp). A vjp gets the
upstream gradient ``g``, the op's output ``out`` and the inputs, and returns one gradient per
input; the engine sums broadcast gradients back to each input's shape and accumulates fan-out.
Forward mode's Jacobian-vector product (jvp) is derived from those rules (``jvp``), or given.

Subgradient convention at kinks, as torch: relu'(0) = 0, abs'(0) = 0, and maximum/minimum send
half of the gradient to each input when the two are tied. Powers (core/rules.py) follow torch at
exponent 0 and base 0; pow's ∂/∂b is 0 where a < 0, where torch gives nan.

The record and the registry are in ``spec``; the declarations in ``arithmetic``, ``functions``
and ``tensors``, imported here in palette order; the jvp rules in ``jvp``.
"""

from __future__ import annotations

from cgeditor.core.ops import arithmetic, functions, tensors  # noqa: F401  (they register)
from cgeditor.core.ops.spec import F64, REGISTRY, AttrSpec, OpSpec, get_op, register

__all__ = ["CATEGORIES", "F64", "REGISTRY", "AttrSpec", "OpSpec", "get_op", "register"]

CATEGORIES: tuple[str, ...] = tuple(dict.fromkeys(spec.category for spec in REGISTRY.values()))
