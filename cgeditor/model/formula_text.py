"""Graphs to formulas: ``to_formula`` writes a graph as readable statements, one per named
node, with unnamed single-use steps inline; ``formula.from_formula`` reads them back.
"""

from __future__ import annotations

import re

from cgeditor.model.errors import GraphError
from cgeditor.model.graph import Graph, Node
from cgeditor.model.values import format_value

_PRECEDENCE = {"+": 1, "-": 1, "*": 2, "/": 2, "@": 2, "**": 4}
_UNARY, _ATOM = 3, 5
MAX_INLINE_DEPTH = 6  # deeper chains of unnamed nodes get their own statements


def to_formula(graph: Graph) -> str:
    """One statement per named non-leaf node, in execution order; nodes with generated names
    (mul1, const2) that feed exactly one port are written inline. from_formula reads it back."""
    output = graph.output
    order = graph.order()
    inline = _inlined(graph, order, output)
    lines, last = [], None
    for node_id in order:
        node = graph.nodes[node_id]
        if node.is_input or node_id in inline:
            continue
        lines.append(f"{node.name} = {_text(graph, node_id, inline)[0]}")
        last = node_id
    if output is not None and output != last:
        lines.append(graph.nodes[output].name)
    return "\n".join(lines)


def _generated(node: Node) -> bool:
    return re.fullmatch(re.escape(node.op) + r"\d+", node.name) is not None


def _inlined(graph: Graph, order: list[str], output: str | None) -> set[str]:
    inline: set[str] = set()
    depth: dict[str, int] = {}
    for node_id in order:
        node = graph.nodes[node_id]
        depth[node_id] = 1 + max((depth[p] for p in graph.predecessors(node_id)
                                  if p in inline), default=0)
        if node_id != output and not node.is_input and _generated(node) \
                and len(graph.out_edges(node_id)) == 1 and depth[node_id] <= MAX_INLINE_DEPTH:
            inline.add(node_id)
    return inline


def _text(graph: Graph, node_id: str, inline: set[str]) -> tuple[str, int]:
    """Source text for the node's computation and its precedence."""
    node = graph.nodes[node_id]
    if node.op == "const":
        text = format_value(node.value)
        return text, _UNARY if text.startswith("-") else _ATOM
    args, literal_ports = [], set()
    for port in node.ports:
        src = graph.source_of(node_id, port)
        if src is None:
            raise GraphError(f"{node.name}.{port} is not connected: a formula needs every input")
        if src in inline:
            args.append(_text(graph, src, inline))
            if graph.nodes[src].op == "const":
                literal_ports.add(port)
        else:
            args.append((graph.nodes[src].name, _ATOM))
    symbol = node.spec.infix or ("**" if node.op == "powc" else None)
    if node.op == "powc":
        args.append((format_value(node.attrs["exponent"]), _ATOM))
    # x ** 2 would read back as powc, and -(3) as the const -3: those keep the call form.
    if symbol and not (node.op == "pow" and "b" in literal_ports):
        return _infix(symbol, args[0], args[1]), _PRECEDENCE[symbol]
    if node.op == "neg" and "x" not in literal_ports:
        return "-" + _wrap(args[0], _UNARY), _UNARY
    return _call(node, [a[0] for a in args]), _ATOM


def _infix(symbol: str, left: tuple[str, int], right: tuple[str, int]) -> str:
    level = _PRECEDENCE[symbol]
    if symbol == "**":  # right-associative, and binds tighter than a unary minus on its left
        return f"{_wrap(left, level + 1)} ** {_wrap(right, _UNARY)}"
    return f"{_wrap(left, level)} {symbol} {_wrap(right, level + 1)}"


def _wrap(part: tuple[str, int], needed: int) -> str:
    text, level = part
    return text if level >= needed else f"({text})"


def _call(node: Node, args: list[str]) -> str:
    defaults = node.spec.default_attrs()
    extra = [f"{k}={format_value(v)}" for k, v in node.attrs.items()
             if v is not None and v != defaults.get(k)]
    return f"{node.op}({', '.join(args + extra)})"
