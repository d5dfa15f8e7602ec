"""Formulas to graphs: ``from_formula`` reads statements with ``ast`` and a whitelist
(nothing is ever evaluated); formula_text.to_formula writes a graph back as statements.
"""

from __future__ import annotations

import ast
import io
import math
import re
import sys
import tokenize
from typing import Any

from cgeditor.core.ops import REGISTRY, OpSpec
from cgeditor.model.errors import FormulaError, GraphError, NotALeafError, UnknownNodeError
from cgeditor.model.graph import Graph
from cgeditor.model.layout import apply_layout, readable_layout
from cgeditor.model.naming import confusable_name_problem
from cgeditor.model.values import coerce_attrs, not_finite

RECURSION_LIMIT = 8_000
_BINOPS: dict[type, str] = {ast.Add: "add", ast.Sub: "sub", ast.Mult: "mul", ast.Div: "div",
                            ast.MatMult: "matmul", ast.Pow: "pow"}
_OP_TEXT: dict[type, str] = {ast.FloorDiv: "//", ast.Mod: "%", ast.LShift: "<<",
                             ast.RShift: ">>", ast.BitOr: "|", ast.BitXor: "^",
                             ast.BitAnd: "&", ast.Not: "not", ast.Invert: "~"}
_REFUSED: dict[type, str] = {
    ast.Attribute: "attribute access", ast.Lambda: "lambda", ast.Compare: "comparisons",
    ast.Subscript: "subscripts", ast.Starred: "starred arguments", ast.BoolOp: "and/or",
    ast.IfExp: "conditional expressions", ast.Tuple: "tuples", ast.Dict: "dicts",
    ast.Set: "sets", ast.JoinedStr: "strings", ast.NamedExpr: "':='",
    ast.ListComp: "comprehensions", ast.SetComp: "comprehensions",
    ast.DictComp: "comprehensions", ast.GeneratorExp: "comprehensions", ast.Await: "await",
    ast.Yield: "yield", ast.YieldFrom: "yield", ast.Slice: "slices"}


def from_formula(text: str, /, **values: Any) -> Graph:
    """A laid-out Graph from statements such as ``c = w*x; J = 0.5*c**2`` or a bare expression.

    Names used before they are assigned become inputs (value 0.0 unless given in ``values``).
    Reassigning a name (``c = c + 1``) gives the name to the new node and renames the older
    one to a generated name (c1). ``y = x`` is refused: it would only give x a second name.
    The last statement is the output. Anything outside the whitelist raises FormulaError.
    The nodes are laid out as Auto Layout would, folded to open readable at 1280×800.
    """
    tree = _parse(text)
    builder = _Builder(text, values)
    graph = builder.build(tree)
    apply_layout(graph, readable_layout(graph))
    return graph


def _parse(text: str) -> ast.Module:
    if not isinstance(text, str):
        raise FormulaError("a formula must be text", 1, 1)
    try:
        tree = ast.parse(text, mode="exec")
    except SyntaxError as exc:
        raise FormulaError(f"syntax error: {exc.msg}", exc.offset or 1, exc.lineno or 1) from None
    except (RecursionError, MemoryError):
        raise FormulaError("the formula is nested too deeply", 1, 1) from None
    except ValueError as exc:
        raise FormulaError(f"cannot read the formula: {exc}", 1, 1) from None
    if not tree.body:
        raise FormulaError("the formula is empty", 1, 1)
    _refuse_confusable_names(text)
    return tree


def _refuse_confusable_names(text: str) -> None:
    """ast hands back names already NFKC-normalised: a full-width ｗ would silently be w, so
    the source's own spelling of each name is checked, as the file loader checks names."""
    if text.isascii():
        return
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError):  # ast accepted it; nothing more to learn
        return
    for tok in tokens:
        if tok.type == tokenize.NAME:
            problem = confusable_name_problem(tok.string)
            if problem:
                raise FormulaError(f"{problem}; type it in plain letters", tok.start[1] + 1,
                                   tok.start[0])


def _describe(node: ast.AST) -> str:
    if isinstance(node, ast.Constant) and isinstance(node.value, (str, bytes)):
        return "strings"
    return _REFUSED.get(type(node), type(node).__name__.lower())


class _Builder:
    """Walks the whitelisted tree once, adding nodes to a fresh Graph as it goes."""

    def __init__(self, text: str, values: dict[str, Any]) -> None:
        self.graph = Graph()
        self.lines = re.split(r"\r\n|\r|\n", text)
        self.values = values
        self.env: dict[str, str] = {}  # name -> id of the node it currently means
        self.inputs: set[str] = set()

    def fresh(self, op: str) -> str:
        """A generated name for a node the formula leaves unnamed (mul1, add2, …)."""
        return self.graph.generated_name(op)

    def error(self, reason: str, node: ast.AST) -> FormulaError:
        line = getattr(node, "lineno", 1)
        offset = getattr(node, "col_offset", 0)
        text = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
        # ast counts UTF-8 bytes; users count characters.
        column = len(text.encode()[:offset].decode(errors="ignore")) + 1
        return FormulaError(reason, column, line)

    def build(self, tree: ast.Module) -> Graph:
        # The walk recurses twice per operator; allow as deep as ast.parse itself accepts
        # (Python-to-Python calls do not grow the C stack on 3.11+).
        old_limit = sys.getrecursionlimit()
        sys.setrecursionlimit(max(old_limit, RECURSION_LIMIT))
        try:
            last = ""
            for i, stmt in enumerate(tree.body):
                last = self.statement(stmt, i == len(tree.body) - 1)
        except RecursionError:
            raise FormulaError("the formula is nested too deeply", 1, 1) from None
        finally:
            sys.setrecursionlimit(old_limit)
        self.check_values()
        self.graph.set_output(last)
        return self.graph

    def check_values(self) -> None:
        for name in self.values:
            if name in self.inputs:
                continue
            if name in self.env:
                raise NotALeafError(f"{name} is computed by the formula; only inputs take "
                                    "values")
            known = ", ".join(sorted(self.inputs)) or "none"
            raise UnknownNodeError(f"{name!r} is not an input of the formula (its inputs: "
                                   f"{known})")

    def statement(self, stmt: ast.stmt, is_last: bool) -> str:
        if isinstance(stmt, ast.Expr):
            if not is_last:
                raise self.error("only the last statement may be a bare expression; "
                                 "name this one with '='", stmt)
            return self.expr(stmt.value)
        if isinstance(stmt, ast.AugAssign):  # c += 1 means c = c + 1
            target = stmt.target
            if not isinstance(target, ast.Name):
                raise self.error("assign to a plain name", target)
            left = ast.copy_location(ast.Name(target.id, ast.Load()), target)
            value: ast.expr = ast.copy_location(ast.BinOp(left, stmt.op, stmt.value), stmt)
        elif isinstance(stmt, ast.Assign):
            if len(stmt.targets) != 1:
                raise self.error("assign one name at a time", stmt.targets[1])
            target, value = stmt.targets[0], stmt.value
        else:
            raise self.error("only assignments such as 'y = w*x' and a final expression are "
                             f"allowed, not {type(stmt).__name__.lower()}", stmt)
        if not isinstance(target, ast.Name):
            raise self.error(f"assign to a plain name, not to {_describe(target)}", target)
        bare = _strip_plus(value)
        if isinstance(bare, ast.Name):
            raise self.error(f"'{target.id} = {bare.id}' would only give {bare.id} a second "
                             f"name; use {bare.id} directly", value)
        node_id = self.expr(value)
        self.claim(target.id, target)
        self.guard(lambda: self.graph.rename_node(node_id, target.id), target)
        self.env[target.id] = node_id
        return node_id

    def claim(self, name: str, where: ast.AST) -> None:
        """Free ``name`` for a new node: whoever has it is renamed to a generated name."""
        if self.graph.has_name(name):
            old = self.graph.by_name(name)
            self.guard(lambda: self.graph.rename_node(old.id, self.graph.unique_name(name)),
                       where)

    def guard(self, action: Any, where: ast.AST) -> Any:
        """Run a Graph edit; its refusal becomes a FormulaError at ``where``."""
        try:
            return action()
        except GraphError as exc:
            raise self.error(str(exc), where) from None

    def expr(self, node: ast.expr) -> str:
        if isinstance(node, ast.BinOp):
            return self.binop(node)
        if isinstance(node, ast.UnaryOp):
            return self.unary(node)
        if isinstance(node, ast.Call):
            return self.call(node)
        if isinstance(node, ast.Name):
            return self.name(node)
        if isinstance(node, (ast.Constant, ast.List)):
            return self.const(self.literal(node), node)
        raise self.error(f"{_describe(node)} not allowed in a formula", node)

    def binop(self, node: ast.BinOp) -> str:
        op = _BINOPS.get(type(node.op))
        if op is None:
            raise self.error(f"operator {_OP_TEXT.get(type(node.op), '?')} is not supported",
                             node)
        if op == "pow":
            exponent = self.literal(node.right)
            if isinstance(exponent, (int, float)):  # no gradient flows into a fixed power
                return self.add("powc", [self.expr(node.left)], {"exponent": exponent}, node)
        return self.add(op, [self.expr(node.left), self.expr(node.right)], {}, node)

    def unary(self, node: ast.UnaryOp) -> str:
        number = self.literal(node)
        if number is not None:
            return self.const(number, node)
        if isinstance(node.op, ast.UAdd):
            return self.expr(node.operand)
        if isinstance(node.op, ast.USub):
            return self.add("neg", [self.expr(node.operand)], {}, node)
        raise self.error(f"operator {_OP_TEXT.get(type(node.op), '?')} is not supported", node)

    def call(self, node: ast.Call) -> str:
        func = node.func
        if not isinstance(func, ast.Name):
            raise self.error(f"{_describe(func)} not allowed: call ops by name, as in tanh(x)",
                             func)
        spec = REGISTRY.get(func.id)
        if spec is None or spec.is_leaf:
            raise self.error(f"unknown function {func.id!r}", func)
        for arg in node.args:
            if isinstance(arg, ast.Starred):
                raise self.error("starred arguments not allowed in a formula", arg)
        if len(node.args) != len(spec.inputs):
            raise self.error(arity_message(spec, len(node.args)), node)
        attrs = self.call_attrs(spec, node.keywords)
        return self.add(spec.name, [self.expr(arg) for arg in node.args], attrs, node)

    def call_attrs(self, spec: OpSpec, keywords: list[ast.keyword]) -> dict[str, Any]:
        attrs: dict[str, Any] = {}
        for kw in keywords:
            if kw.arg is None:
                raise self.error("'**' arguments not allowed in a formula", kw)
            value = kw.value
            if isinstance(value, ast.Constant) and value.value is None:
                raw = None
            else:
                raw = self.literal(value)
                if not isinstance(raw, (int, float)):
                    raise self.error(f"{kw.arg}= takes a number", value)
            attrs[kw.arg] = raw
            self.guard(lambda: coerce_attrs(spec, {kw.arg: raw}), kw)  # noqa: B023
        return attrs

    def name(self, node: ast.Name) -> str:
        if node.id in self.env:
            return self.env[node.id]
        value = self.values.get(node.id, 0.0)
        self.claim(node.id, node)
        try:
            created = self.graph.add_node("input", name=node.id, value=value)
        except GraphError as exc:
            reason = f"value for {node.id}: {exc}" if node.id in self.values else str(exc)
            raise self.error(reason, node) from None
        self.env[node.id] = created.id
        self.inputs.add(node.id)
        return created.id

    def literal(self, node: ast.expr) -> Any:
        """The number or nested list ``node`` spells, or None when it is not a literal."""
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)) \
                and isinstance(node.operand, ast.Constant):
            number = self.literal(node.operand)
            return -number if isinstance(node.op, ast.USub) else number
        if isinstance(node, ast.Constant):
            value = node.value
            if isinstance(value, bool) or value is None or value is ...:
                raise self.error(f"{value} is not a number", node)
            if isinstance(value, complex):
                raise self.error("complex numbers are not supported", node)
            if not isinstance(value, (int, float)):
                raise self.error("strings not allowed in a formula", node)
            if isinstance(value, float) and not math.isfinite(value):  # 1e309 reads as inf
                spelled = ast.get_source_segment("\n".join(self.lines), node) or str(value)
                raise self.error(str(not_finite(spelled)), node)
            return value
        if isinstance(node, ast.List):
            items = [self.literal(item) for item in node.elts]
            for item, elt in zip(items, node.elts):
                if item is None:
                    raise self.error("tensor elements must be numbers", elt)
            return items
        return None

    def const(self, value: Any, node: ast.AST) -> str:
        return self.guard(lambda: self.graph.add_node("const", self.fresh("const"),
                                                       value=value), node).id

    def add(self, op: str, inputs: list[str], attrs: dict[str, Any], node: ast.AST) -> str:
        def build() -> str:
            created = self.graph.add_node(op, self.fresh(op), attrs=attrs)
            for port, src in zip(created.ports, inputs):
                self.graph.connect(src, created.id, port)
            return created.id
        return self.guard(build, node)


def _strip_plus(node: ast.expr) -> ast.expr:
    while isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.UAdd):
        node = node.operand
    return node


def arity_message(spec: OpSpec, got: int) -> str:
    """Why a call of ``spec`` with ``got`` inputs is refused (formulas and traced calls)."""
    count = len(spec.inputs)
    plural = "" if count == 1 else "s"
    return f"{spec.name} takes {count} input{plural} ({', '.join(spec.inputs)}), got {got}"
