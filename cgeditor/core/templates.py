"""What the op registry's templates can be turned into: the names each kind of compiled code
(and the tables) provides, whether a spec's templates can be pasted into that kind's code, their
placeholders, and a template's form writing its result into a buffer row (``out=``).

Nothing here reads a file: templates are this package's own text, declared in ``core/ops/``.
"""

from __future__ import annotations

import ast
import re
import string
from functools import cache
from typing import Any

import numpy as np

from cgeditor.core import floatmath, rules
from cgeditor.core.chunks import SLOT
from cgeditor.core.ops import OpSpec
from cgeditor.core.rows import ROW
from cgeditor.core.values import fit_like

FLOAT, NUMPY, UNIFORM = "float", "numpy", "uniform"
# Templates may name the rule functions of core/rules.py (the same ones the registry's
# callables and the export use) besides np.
_RULES = {name: value for name, value in vars(rules).items()
          if callable(value) and getattr(value, "__module__", None) == rules.__name__}
NAMESPACES: dict[str, dict[str, Any]] = {
    FLOAT: {"np": floatmath, **_RULES},
    NUMPY: {"np": np, "fit": fit_like, **_RULES},
}
# UNIFORM code calls ufuncs by their bare names (``multiply(v1, v2, out=R[3])``): shorter lines,
# renamed and compiled faster. (out stays a keyword: numpy deprecates a positional out for
# maximum and minimum.)
UFUNCS = {name: value for name, value in vars(np).items()
          if isinstance(value, np.ufunc) and name not in NAMESPACES[NUMPY]}
NAMESPACES[UNIFORM] = {**UFUNCS, **NAMESPACES[NUMPY]}


class PerSpec:
    """``_make(spec)`` memoised per spec for one build: keyed by the spec's name, its identity
    checked (hashing a whole OpSpec per node would cost more than the rest)."""

    def __init__(self) -> None:
        self.seen: dict[str, tuple[OpSpec, Any]] = {}

    def __call__(self, spec: OpSpec) -> Any:
        known = self.seen.get(spec.name)
        if known is None or known[0] is not spec:
            known = self.seen[spec.name] = (spec, self._make(spec))
        return known[1]

    def _make(self, spec: OpSpec) -> Any:
        raise NotImplementedError


class Inline(PerSpec):
    """Whether a spec's templates can be pasted into ``kind`` code: present, one vjp per input,
    every placeholder a port, an attribute, ``g`` or ``out``, and naming only functions that
    kind's namespace provides. Memoised per spec for one build."""

    def __init__(self, kind: str) -> None:
        super().__init__()
        self.kind = kind

    def _make(self, spec: OpSpec) -> bool:
        if not spec.template or len(spec.vjp_template) != len(spec.inputs):
            return False
        allowed = {*spec.inputs, *(a.name for a in spec.attrs), "g", "out"}
        return all(placeholders(t) <= allowed and _resolves(t, self.kind)
                   for t in (spec.template, *spec.vjp_template))


@cache
def placeholders(template: str) -> frozenset[str]:
    return frozenset(name for _, name, _, _ in string.Formatter().parse(template) if name)


@cache
def _resolves(template: str, kind: str) -> bool:
    namespace = NAMESPACES[kind]
    text = template.format_map(_Blank())
    if SLOT.search(text):  # text of its own that chunks.py would take for a slot's name
        return False
    try:
        tree = ast.parse(text, mode="eval")
    except (SyntaxError, ValueError):
        return False
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            if not hasattr(namespace.get(node.value.id), node.attr):
                return False
        elif isinstance(node, ast.Name) and node.id != "_" and node.id not in namespace:
            return False
    return True


class _Blank(dict):
    """Fills every template placeholder with the name ``_``, to parse a template alone."""

    def __missing__(self, key: str) -> str:
        return "_"


# The elementwise operators with a ufunc of the same result. Not **: numpy computes x ** 0.5 as
# sqrt(x), which differs from power(x, 0.5) at -0.0 and -inf.
_UFUNC_OF = {ast.Add: "add", ast.Sub: "subtract", ast.Mult: "multiply", ast.Div: "true_divide"}


@cache
def out_template(template: str) -> str:
    """``template`` writing its result into the row ``__row__`` when its outermost operation is
    a numpy ufunc (an arithmetic operator or an ``np.`` ufunc call), else the empty string.
    The ufunc is called by its bare name."""
    names = placeholders(template)
    try:
        tree = ast.parse(template.format_map({n: f"_F_{n}" for n in names}), mode="eval").body
    except (SyntaxError, ValueError, KeyError, IndexError):
        return ""
    if isinstance(tree, ast.BinOp) and type(tree.op) in _UFUNC_OF:
        name, args = _UFUNC_OF[type(tree.op)], [tree.left, tree.right]
    elif isinstance(tree, ast.UnaryOp) and isinstance(tree.op, ast.USub):
        name, args = "negative", [tree.operand]
    elif _is_ufunc_call(tree):
        name, args = tree.func.attr, tree.args
    else:
        return ""
    if UFUNCS.get(name) is not getattr(np, name) or SLOT.search(name):
        return ""
    text = ast.unparse(ast.Call(ast.Name(name), args, [ast.keyword("out", ast.Name(ROW))]))
    if "{" in text or "}" in text:  # a literal brace would be taken for a placeholder
        return ""
    return re.sub(r"\b_F_(\w+)", r"{\1}", text)


def _is_ufunc_call(tree: ast.expr) -> bool:
    """``np.f(x, ...)`` with f a numpy ufunc given all its inputs and nothing else."""
    if not (isinstance(tree, ast.Call) and isinstance(tree.func, ast.Attribute)
            and isinstance(tree.func.value, ast.Name) and tree.func.value.id == "np"):
        return False
    ufunc = getattr(np, tree.func.attr, None)
    return (isinstance(ufunc, np.ufunc) and not tree.keywords and len(tree.args) == ufunc.nin
            and not any(isinstance(a, ast.Starred) for a in tree.args))
