"""What a notebook shows for a Graph (an SVG picture: boxes, wires, the last run's values and
gradients) and for a RunResult (an HTML table). Plain text generation, no Qt; every text that
may come from a file (names, the title) is XML-escaped."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from html import escape as _escape
from typing import TYPE_CHECKING

from cgeditor.model.files_build import coordinate_bounds
from cgeditor.model.graph import Graph
from cgeditor.model.layout import LAPTOP_ROOM, NOMINAL_CORNER, nominal_sizes, readable_layout
from cgeditor.model.node import Edge, Node
from cgeditor.model.number_text import grad_text, value_text

if TYPE_CHECKING:
    from cgeditor.model.run import RunResult

MAX_DRAWN = 300  # nodes: past this a picture is unreadable in a notebook cell anyway
MAX_ROWS = 200  # rows of a run's table
CHAR = 7.0  # width of a character at the picture's 12 px font
HEADER, ROW, PORT_TOP = 22.0, 18.0, 63.0
REACH = (40.0, 80.0)  # how far a wire leaves and enters its ports horizontally, least and most
MARGIN = REACH[1] + 10  # a wire back to an earlier column loops out that far
SPREAD = 3  # windows' widths (or heights) a big graph's drawn part may span as placed
MAX_LINE = 48  # characters a box widens for; a longer name is cut with an ellipsis
FILL = {"input": "#e8f0fe", "const": "#f1f3f4"}  # by op; every other op is white
VALUE_COLOUR, GRAD_COLOUR = "#1a56c4", "#8a4b1f"  # blue values, red-brown gradients (canvas)

Box = tuple[float, float, float, float]  # left, top, width, height of a node's body
# What XML 1.0 cannot hold even escaped (C0 controls but tab and newlines, lone surrogates,
# U+FFFE and U+FFFF): one such character in a file's title would make the SVG unreadable.
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def escape(text: str) -> str:
    """``text`` for XML or HTML: markup escaped, characters XML cannot hold as U+FFFD."""
    return _NOT_XML.sub("\ufffd", _escape(text))


def graph_svg(graph: Graph) -> str:
    """The graph as SVG text: one box per node at its place (name, op symbol, value and
    gradient of the last run, input ports) and a curve per wire. At most MAX_DRAWN nodes,
    the last in execution order (so the output is among them), with a caption saying so."""
    drawn = graph.order()[-MAX_DRAWN:]
    lines = _number_lines(graph, drawn)
    boxes = _boxes(graph, drawn, lines)
    caption = _caption(graph, len(drawn))
    left = min(b[0] for b in boxes.values()) - MARGIN if boxes else 0.0
    top = min(b[1] for b in boxes.values()) - (40 if caption else 20) if boxes else 0.0
    right = max(b[0] + b[2] for b in boxes.values()) + MARGIN if boxes else 200.0
    bottom = max(b[1] + b[3] for b in boxes.values()) + 20 if boxes else 40.0
    width, height = right - left, bottom - top
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" '
             f'height="{height:.0f}" viewBox="{left:.0f} {top:.0f} {width:.0f} {height:.0f}" '
             'font-family="sans-serif" font-size="12">',
             f"<title>{escape(str(graph.meta.get('title') or 'A computation graph'))}</title>",
             f'<rect x="{left:.0f}" y="{top:.0f}" width="{width:.0f}" height="{height:.0f}" '
             'fill="white"/>']
    if caption:
        parts.append(_text(left + 20, top + 22, caption, 'fill="#5f6368"'))
    parts += _wires(graph, boxes)
    parts += [_node_svg(graph.nodes[n], boxes[n], lines[n], n == graph.output) for n in drawn]
    parts.append("</svg>")
    return "\n".join(parts)


def _caption(graph: Graph, drawn: int) -> str:
    if drawn == len(graph):
        return "" if graph.nodes else "An empty graph"
    return (f"The last {drawn:,} of {len(graph):,} nodes in execution order; "
            "cgeditor.show(graph) opens them all")


def _number_lines(graph: Graph, drawn: list[str]) -> dict[str, tuple[str, str]]:
    """Node id -> its value line and gradient line: the last run's, if it stands, else a
    leaf's own value."""
    result = graph.last_result
    if result is None:
        return {n: (f"= {value_text(graph.nodes[n].value)}" if graph.nodes[n].is_leaf else "",
                    "") for n in drawn}
    # any edit, a rename too, drops the last run: its names are the nodes' names now
    out = result.output or ""
    lines = {}
    for n in drawn:
        name = graph.nodes[n].name
        value, grad = result.values.get(name), result.grads.get(name)
        lines[n] = (f"= {value_text(value)}" if value is not None else "",
                    grad_text(grad, out, name))
    return lines


def _boxes(graph: Graph, drawn: list[str], lines: Mapping[str, tuple[str, str]]
           ) -> dict[str, Box]:
    """Each drawn node's body: at its place, or laid out afresh when nodes share places (a
    graph built node by node in a script, where every node sits at 0, 0), stand where no
    file keeps them (non-finite, or past the coordinate bound), or the drawn part
    of a big graph spreads far wider or taller than a window; widened for its text, which
    moves the columns to its right along."""
    sizes = nominal_sizes(graph, drawn)
    places = {n: (graph.nodes[n].x, graph.nodes[n].y) for n in drawn}
    if len(set(places.values())) < len(places) or _off_canvas(places) or (
            len(drawn) < len(graph) and _too_big(places)):
        places = readable_layout(graph if len(drawn) == len(graph) else _part(graph, drawn))
    # the nominal outline holds the ports and a shadow either side of the body
    bodies = {n: (sizes[n][0] - 2 * NOMINAL_CORNER[0], sizes[n][1] - 2 * NOMINAL_CORNER[1])
              for n in drawn}
    widths = {n: max(bodies[n][0], _text_width(graph.nodes[n], lines[n])) for n in drawn}
    shift = _column_shifts(places, {n: widths[n] - bodies[n][0] for n in drawn})
    return {n: (x + shift[x], y, widths[n], bodies[n][1]) for n, (x, y) in places.items()}


def _text_width(node: Node, lines: tuple[str, str]) -> float:
    header = len(node.name) + len(node.spec.symbol) + 2
    return min(max(header, *map(len, lines)), MAX_LINE) * CHAR + 16


def _column_shifts(places: Mapping[str, tuple[float, float]], extra: Mapping[str, float]
                   ) -> dict[float, float]:
    """How far right each column (nodes at one x) moves so that every column left of it may
    widen by its widest node's ``extra`` without covering the next."""
    widest: dict[float, float] = {}
    for n, (x, _) in places.items():
        widest[x] = max(widest.get(x, 0.0), extra[n])
    shifts, total = {}, 0.0
    for x in sorted(widest):
        shifts[x] = total
        total += widest[x]
    return shifts


def _off_canvas(places: Mapping[str, tuple[float, float]]) -> bool:
    """A place no file keeps (non-finite, or past the schema's bound: a script moved it
    there), which would make the picture's size 'inf' or 300 digits long."""
    low, high = coordinate_bounds()
    return not all(low <= x <= high and low <= y <= high for x, y in places.values())


def _too_big(places: Mapping[str, tuple[float, float]]) -> bool:
    xs, ys = [x for x, _ in places.values()], [y for _, y in places.values()]
    return max(xs) - min(xs) > SPREAD * LAPTOP_ROOM[0] or \
        max(ys) - min(ys) > SPREAD * LAPTOP_ROOM[1]


def _part(graph: Graph, drawn: list[str]) -> Graph:
    """The drawn nodes and the wires among them, as a graph of their own to lay out."""
    keep = set(drawn)
    nodes = [{"id": n, "op": graph.nodes[n].op, "name": graph.nodes[n].name} for n in drawn]
    edges = [Edge(src, dst, port) for src, dst, port in graph.edge_triples()
             if src in keep and dst in keep]
    return Graph.from_parts(nodes, edges)


def _wires(graph: Graph, boxes: Mapping[str, Box]) -> Iterator[str]:
    for dst in boxes:
        for i, port in enumerate(graph.nodes[dst].ports):
            src = graph.source_of(dst, port)
            if src in boxes:
                yield _wire(boxes[src], boxes[dst], i)


def _wire(src: Box, dst: Box, port: int) -> str:
    """A curve from ``src``'s output to ``dst``'s input ``port``, leaving and entering
    horizontally."""
    x0, y0, w0, _ = src
    x1, y1 = dst[0], _port_y(dst, port)
    start = (x0 + w0, y0 + HEADER / 2)
    reach = min(max(REACH[0], abs(x1 - start[0]) / 2), REACH[1])
    return (f'<path d="M{start[0]:.1f},{start[1]:.1f} C{start[0] + reach:.1f},'
            f"{start[1]:.1f} {x1 - reach:.1f},{y1:.1f} {x1:.1f},{y1:.1f}\" "
            'fill="none" stroke="#80868b" stroke-width="1.5"/>')


def _port_y(box: Box, i: int) -> float:
    return box[1] + PORT_TOP + ROW * i + ROW / 2


def _node_svg(node: Node, box: Box, lines: tuple[str, str], is_output: bool) -> str:
    x, y, w, h = box
    fits = max(4, int((w - 16) / CHAR))
    value, grad = lines
    lines = [f'<g class="node" id="{escape(node.id)}">',
             f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" rx="6" '
             f'fill="{FILL.get(node.op, "white")}" stroke="#3c4043" '
             f'stroke-width="{2.5 if is_output else 1}"/>',
             _text(x + 8, y + 16, _fit(node.name, fits - len(node.spec.symbol) - 2),
                   'font-weight="bold"'),
             _text(x + w - 8, y + 16, node.spec.symbol, 'text-anchor="end"'),
             _text(x + 8, y + 38, _fit(value, fits),
                   f'fill="{VALUE_COLOUR}"'),
             _text(x + 8, y + 56, _fit(grad, fits), f'fill="{GRAD_COLOUR}"')]
    for i, port in enumerate(node.ports):
        py = _port_y(box, i)
        lines.append(f'<circle cx="{x:.1f}" cy="{py:.1f}" r="4" fill="#5f6368"/>')
        lines.append(_text(x + 8, py + 4, port, 'font-size="11" fill="#5f6368"'))
    lines.append(f'<circle cx="{x + w:.1f}" cy="{y + HEADER / 2:.1f}" r="4" fill="#5f6368"/>')
    lines.append("</g>")
    return "\n".join(line for line in lines if line)


def _text(x: float, y: float, text: str, style: str = "") -> str:
    if not text:
        return ""
    return f'<text x="{x:.1f}" y="{y:.1f}" {style}>{escape(text)}</text>'


def _fit(text: str, chars: int) -> str:
    return text if len(text) <= chars else text[: chars - 1] + "…"


def run_html(result: RunResult) -> str:
    """The run as an HTML table: each node in execution order with its op, value and the
    output's gradient with respect to it, and its tangent after a run with forward mode (at
    most MAX_ROWS rows, then a count of the rest); each problem, and why no gradient."""
    heads = ["node", "op", "value", f"∂{result.output or 'output'}/∂node"]
    if result.jvp_seeds:
        heads.append(f"∂node/∂{', '.join(result.jvp_seeds)}")
    if result.issues or result.tangent_issues:
        heads.append("problem")
    rows = [_row(result, i, name, len(heads)) for i, name in enumerate(result.order[:MAX_ROWS])]
    more = len(result.order) - MAX_ROWS
    if more > 0:
        rows.append(f'<tr><td colspan="{len(heads)}">… and {more:,} more nodes</td></tr>')
    head = "<tr>" + "".join(f"<th>{escape(h)}</th>" for h in heads) + "</tr>"
    note = f"<p>{escape(result.grad_note)}</p>" if result.grad_note else ""
    return (f'<div class="cgeditor-run">\n<table>\n<thead>{head}</thead>\n<tbody>\n'
            + "\n".join(rows) + f"\n</tbody>\n</table>{note}\n</div>")


def _row(result: RunResult, i: int, name: str, columns: int) -> str:
    cells = [name, result.op_of(i), value_text(result.values.get(name)),
             value_text(result.grads.get(name)) or "—"]
    if result.jvp_seeds:
        cells.append(value_text(result.tangents.get(name)) or "—")
    if len(cells) < columns:
        issues = [found[name].message for found in (result.issues, result.tangent_issues)
                  if name in found]
        cells.append("; ".join(issues))
    return "<tr>" + "".join(f"<td>{escape(str(cell))}</td>" for cell in cells) + "</tr>"
