"""One op's vjp written as registry-op nodes: the op's ``vjp_template`` (core/ops.py) is parsed
with ``ast`` and each piece matched against the registry's own forward templates, so the rule is
spelled once. Nothing is evaluated: constants (literals and attrs) are folded by hand.

A rule helper that no registry op spells is either rewritten in registry ops
(model/adjoint_helpers.py, for the shapes and values it is exact on) or refused with
NotExpressible saying what is missing: never a wrong graph. Nodes are made through a Sink
(model/gradient_graph.py provides the real one).
"""

from __future__ import annotations

import ast
import operator
import re
import string
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any, Protocol

import numpy as np

from cgeditor.core.ops import REGISTRY

Shape = tuple[int, ...]
# An operand: a node id (str) or a Python constant not yet given a node (a literal, an attr).
Operand = Any
_PREFIX = "_P_"  # a template's placeholder {x} is parsed as the name _P_x
_OPERAND = re.compile(r"(?<![\w.])_(\d+)\b")  # a helper rewriting's operand: _0, _1, …


class NotExpressible(Exception):
    """A vjp that no graph of registry ops computes; the message says what is missing."""


@dataclass(frozen=True)
class Comparison:
    """A comparison in a rule (select_grad's mask x <= 0): no registry op computes one, so
    only a helper that rewrites the mask as a number (step, sign) can take it."""

    left: Operand
    op: type[ast.cmpop]
    right: Operand


class Sink(Protocol):
    """Where a rule's nodes go."""

    def op(self, op: str, args: Sequence[str], attrs: Mapping[str, Any]) -> str:
        """Add a node of ``op`` on ``args`` (node ids, in port order); its id."""

    def const(self, value: Any) -> str:
        """Add a const node holding ``value``; its id."""

    def shape(self, node_id: str) -> Shape:
        """The shape of the node's value."""


@dataclass(frozen=True)
class _Pattern:
    op: str
    tree: ast.expr


@cache
def parse_template(template: str) -> ast.expr:
    """``template`` as an expression tree, each placeholder {x} the name ``_P_x``."""
    names = {name for _, name, _, _ in string.Formatter().parse(template) if name}
    return ast.parse(template.format_map({n: _PREFIX + n for n in names}), mode="eval").body


@cache
def patterns() -> tuple[_Pattern, ...]:
    """Every op's forward template as a tree, in registry order."""
    return tuple(_Pattern(spec.name, parse_template(spec.template))
                 for spec in REGISTRY.values() if spec.inputs and spec.template)


def _root(tree: ast.AST) -> tuple[object, ...]:
    """What a tree's top must be for a pattern to match it: its type and operator or
    function name (a placeholder alone matches anything: its root is None)."""
    if isinstance(tree, ast.Name) and tree.id.startswith(_PREFIX):
        return (None,)
    if isinstance(tree, ast.BinOp | ast.UnaryOp):
        return (type(tree), type(tree.op))
    if isinstance(tree, ast.Call):
        return (ast.Call, call_name(tree))
    return (type(tree),)


@cache
def _patterns_by_root() -> dict[tuple[object, ...], tuple[_Pattern, ...]]:
    by_root: dict[tuple[object, ...], list[_Pattern]] = {}
    for pattern in patterns():
        by_root.setdefault(_root(pattern.tree), []).append(pattern)
    return {root: tuple(found) for root, found in by_root.items()}


@lru_cache(maxsize=4096)  # trees of the cached templates: the same objects every time
def _dump(tree: ast.AST) -> str:
    return ast.dump(tree)


@cache
def _helper_tree(template: str) -> ast.expr:
    """A helper's rewriting (over _0, _1, …) as a tree, its operands as placeholders (only
    those: a name such as log_softmax or keepdims keeps its underscore)."""
    return ast.parse(_OPERAND.sub(_PREFIX + r"\1", template), mode="eval").body


def _match(pattern: ast.AST, expr: ast.AST, binds: dict[str, ast.expr]) -> bool:
    """Whether ``expr`` has ``pattern``'s form; each placeholder's subtree goes in ``binds``."""
    if isinstance(pattern, ast.Name) and pattern.id.startswith(_PREFIX):
        name = pattern.id[len(_PREFIX):]
        if name in binds:
            return ast.dump(binds[name]) == ast.dump(expr)
        binds[name] = expr
        return True
    if type(pattern) is not type(expr):
        return False
    if isinstance(pattern, ast.Constant):
        a, b = pattern.value, expr.value
        if _number(a) and _number(b):  # 2 and 2.0 are one exponent
            return a == b
        return type(a) is type(b) and a == b
    for field, value in ast.iter_fields(pattern):
        if field == "ctx":
            continue
        other = getattr(expr, field)
        if isinstance(value, list):
            if len(value) != len(other) or not all(
                    _match(p, e, binds) for p, e in zip(value, other, strict=True)):
                return False
        elif isinstance(value, ast.AST):
            if not _match(value, other, binds):
                return False
        elif value != other:
            return False
    return True


@lru_cache(maxsize=4096)  # trees of the cached templates: the same objects every time
def _matches(expr: ast.expr) -> tuple[tuple[str, dict[str, ast.expr]], ...]:
    """Each registry op whose forward template has ``expr``'s form, with the subtree each
    placeholder binds (read-only): the same for every node a rule is written for, and
    matching them again per node was most of the time spent writing rules."""
    found = []
    for pattern in _patterns_by_root().get(_root(expr), ()):
        binds: dict[str, ast.expr] = {}
        if _match(pattern.tree, expr, binds):
            found.append((pattern.op, binds))
    return tuple(found)


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


_FOLD: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
    ast.Div: operator.truediv, ast.Pow: operator.pow}


def call_name(expr: ast.expr) -> str:
    """'np.sum' for np.sum(...), 'select_grad' for select_grad(...)."""
    func = expr.func if isinstance(expr, ast.Call) else expr
    if isinstance(func, ast.Attribute):
        return f"{call_name(func.value)}.{func.attr}"
    return func.id if isinstance(func, ast.Name) else type(func).__name__


class RuleWriter:
    """Writes one node's vjp templates as nodes. ``bound`` gives each placeholder (g, out,
    the ports, the attrs) its operand; equal subexpressions of the rule share one node."""

    def __init__(self, sink: Sink, bound: Mapping[str, Operand],
                 helpers: Mapping[str, Helper]) -> None:
        self.sink = sink
        self.bound = {_PREFIX + k: v for k, v in bound.items()}
        self.helpers = helpers  # the rule helpers it can rewrite in registry ops, by name
        self.memo: dict[str, Operand] = {}

    def write(self, template: str) -> str:
        """The node computing ``template``; NotExpressible if no registry ops compute it."""
        return self.node(self.operand(parse_template(template)))

    def node(self, value: Operand) -> str:
        if isinstance(value, Comparison):
            raise NotExpressible("compares values, which no registry op does")
        return value if isinstance(value, str) else self.sink.const(value)

    def shape(self, value: Operand) -> Shape:
        return self.sink.shape(value) if isinstance(value, str) else np.shape(value)

    def operand(self, expr: ast.expr) -> Operand:
        key = _dump(expr)
        if key not in self.memo:
            self.memo[key] = self._operand(expr)
        return self.memo[key]

    def _operand(self, expr: ast.expr) -> Operand:
        if isinstance(expr, ast.Name) and expr.id in self.bound:
            return self.bound[expr.id]
        if isinstance(expr, ast.Constant) and isinstance(expr.value, bool | None):
            return expr.value  # keepdims=True, axis=None
        if isinstance(expr, ast.Constant) and _number(expr.value):
            return float(expr.value)
        if isinstance(expr, ast.Compare) and len(expr.ops) == 1:
            return Comparison(self.operand(expr.left), type(expr.ops[0]),
                              self.operand(expr.comparators[0]))
        folded = self._folded(expr)
        if folded is not None:
            return folded
        made = self._as_op(expr)
        if made is not None:
            return made
        if isinstance(expr, ast.Call) and call_name(expr) in self.helpers:
            keywords = {k.arg: self.operand(k.value) for k in expr.keywords if k.arg}
            return self.helpers[call_name(expr)](self, [self.operand(a) for a in expr.args],
                                                 keywords)
        text = ast.unparse(expr).replace(_PREFIX, "")
        if isinstance(expr, ast.Call):
            raise NotExpressible(f"calls {call_name(expr)}() ({text}), which no registry op "
                                 "spells")
        raise NotExpressible(f"uses {text}, which no registry op spells")

    def _folded(self, expr: ast.expr) -> Operand | None:
        """The value of arithmetic on constants alone (an attr's n − 1), else None."""
        if isinstance(expr, ast.UnaryOp) and isinstance(expr.op, ast.USub):
            inner = self.operand(expr.operand)
            return -inner if _number(inner) else None
        if isinstance(expr, ast.BinOp) and type(expr.op) in _FOLD:
            left, right = self.operand(expr.left), self.operand(expr.right)
            if isinstance(left, str) or isinstance(right, str):
                return None
            try:
                return _FOLD[type(expr.op)](left, right)
            except (ZeroDivisionError, OverflowError, TypeError) as exc:
                raise NotExpressible(f"folds {ast.unparse(expr)!r} to no number") from exc
        return None

    def _as_op(self, expr: ast.expr) -> str | None:
        """The node of the registry op whose template ``expr`` has the form of: of several,
        the one that binds fewest constants to ports (x ** 3 is powc, not pow of a const)."""
        best: tuple[int, str, list[Operand], dict[str, Any]] | None = None
        for op, binds in _matches(expr):
            spec = REGISTRY[op]
            attrs = {a.name: self.operand(binds[a.name]) for a in spec.attrs if a.name in binds}
            if any(isinstance(v, str) for v in attrs.values()):
                continue  # an attr must be a constant
            args = [self.operand(binds[port]) for port in spec.inputs]
            score = sum(not isinstance(a, str) for a in args)
            if best is None or score < best[0]:
                best = (score, op, args, attrs)
        if best is None:
            return None
        _, op, args, attrs = best
        return self.sink.op(op, [self.node(a) for a in args], attrs)

    def apply(self, template: str, *args: Operand) -> Operand:
        """``template`` over ``args`` named _0, _1, … (a helper's rewriting in ops)."""
        inner = RuleWriter(self.sink, {str(k): v for k, v in enumerate(args)}, self.helpers)
        return inner.operand(_helper_tree(template))

    def ones_times(self, value: Operand, shape: Shape) -> Operand:
        """``value`` broadcast up to ``shape`` by a product with ones (exact, -0.0 and
        non-finite numbers included)."""
        if self.shape(value) == tuple(shape):
            return value
        return self.sink.op("mul", [self.node(value), self.sink.const(np.ones(shape))], {})

    def widen(self, value: Operand, shape: Shape, dropped: set[int]) -> Operand:
        """``value``, whose shape is ``shape`` without the axes ``dropped``, spread along
        them back to ``shape``: by broadcasting along leading axes, and along trailing ones
        by broadcasting its transpose (which turns them into leading ones) and turning it
        back, and along the middle axis of a 3-d value by swapping it to the front; else
        NotExpressible (registry ops cannot insert other middle axes)."""
        lead = next((k for k in range(len(shape)) if k not in dropped), len(shape))
        trail = next((k for k in range(len(shape)) if len(shape) - 1 - k not in dropped
                      or len(shape) - 1 - k < lead), 0)
        if len(shape) == 3 and dropped == {1}:  # (i, k) to (i, j, k): via (j, i, k)
            spread = self.ones_times(value, (shape[1], shape[0], shape[2]))
            return self.apply("np.transpose(np.swapaxes(np.transpose(_0), -1, -2))", spread)
        if lead + trail < len(dropped):
            raise NotExpressible(f"spreads a gradient along inner axes {sorted(dropped)} of a "
                                 f"{len(shape)}-d value, which no registry op does")
        if trail:
            turned = self.ones_times(self.apply("np.transpose(_0)", value), shape[lead:][::-1])
            value = self.apply("np.transpose(_0)", turned)
        return self.ones_times(value, shape)

    def unbroadcast(self, value: Operand, shape: Shape) -> Operand:
        """``value`` summed back to ``shape`` as the engine sums a broadcast gradient."""
        have = self.shape(value)
        shape = tuple(shape)
        if have == shape:
            return value
        if not shape:
            return self.sink.op("sum", [self.node(value)], {"axis": None})
        if len(have) < len(shape):
            if np.broadcast_shapes(have, shape) != shape:
                raise NotExpressible(f"fits a gradient of shape {have} to {shape}")
            return self.ones_times(value, shape)
        for _ in range(len(have) - len(shape)):
            value = self.sink.op("sum", [self.node(value)], {"axis": 0})
        have = self.shape(value)
        stretched = [k for k, n in enumerate(shape) if n == 1 and have[k] != 1]
        for k in reversed(stretched):
            value = self.sink.op("sum", [self.node(value)], {"axis": k})
        return self.widen(value, shape, set(stretched))


Keywords = Mapping[str, Operand]
# A rule helper rewritten in registry ops: (writer, positional operands, keyword operands)
Helper = Callable[[RuleWriter, list[Operand], Keywords], Operand]
