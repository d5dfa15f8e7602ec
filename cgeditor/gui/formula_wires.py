"""Where an inserted formula goes so that none of its wires passes behind a node.

A wire leaves its port level and bends only midway, so one from an input far left to a
formula right of the graph runs behind every node on its row. The places tried, best first:
the formula's own layout right of the graph (level with its top, then a row lower or higher
at a time); the same below and above the graph next to the nodes it reuses; and a band
under the graph where each new node sits just right of what feeds it (a formula reusing
both an input far left and the output far right: ``L = J + 0.1 * w * w``). Each place is
scored by the wires that would pass behind a node other than their own two ends; the first
with none wins, else the one with fewest.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QRectF
from PySide6.QtGui import QPainterPath, QPainterPathStroker

from cgeditor.core.ops import REGISTRY
from cgeditor.gui import theme as T
from cgeditor.gui.canvas.node_geometry import NodeBox
from cgeditor.gui.canvas.wire_item import curve_xy
from cgeditor.model.graph import Graph

GAP = 120.0  # between the existing graph and an inserted formula
FEED_GAP = 36.0  # a band node right of its source: the wire drops within the column gap
BAND_GAP = (52.0, 24.0)  # between band nodes, across and down
BAND_STEP, BAND_DEPTHS = 90.0, 6  # the band's depths tried under the graph
INSET = 3.0  # a wire touching a node's edge at its own port is not behind it
SEARCH_LIMIT = 300  # nodes: a bigger graph takes the first place unchecked (time)
OUT_PORT_Y = T.HEADER_HEIGHT + 0.5 * T.ROW_HEIGHT

Point = tuple[float, float]
Places = dict[str, Point]  # formula node id -> top left
Key = tuple[str, str]  # ("scene", id) or ("formula", id): the two kinds of ids may clash
# A wire: its source (a fixed point, or the formula node whose out port it leaves), the
# formula node and port it enters, and the nodes at its ends, which it may touch.
Wire = tuple[Point | str, str, float, frozenset[Key]]


def wire_clear_places(formula: Graph, target: Graph, matched: list[str], scene: Any,
                      block: Places, boxes: dict[str, NodeBox]) -> Places:
    """Top left of each new node of ``formula`` (its reused inputs left out): ``block`` is
    the formula's own layout with its top left at (0, 0), ``boxes`` by formula id."""
    reused = {n.id: target.by_name(n.name).id for n in formula.nodes.values()
              if n.is_input and n.name in matched and target.by_name(n.name).id in scene.nodes}
    new = {n: p for n, p in block.items() if n not in reused}
    shown = scene.graph_rect()
    places = [_moved(new, dx, dy) for dx, dy in _offsets(shown, new, boxes, reused, scene)]
    for below in (True, False) if reused else ():
        band = _band(formula, reused, scene, boxes, shown, below)
        # Further off, a wire from far left crosses the graph's columns nearer its end.
        places += [_moved(band, 0.0, (k if below else -k) * BAND_STEP)
                   for k in range(BAND_DEPTHS)]
    if len(scene.nodes) > SEARCH_LIMIT:
        return places[0]
    wires = _wires(formula, reused, scene)
    fixed = [(("scene", node_id), _body(item.x(), item.y(), item.width(), item.rect_height()))
             for node_id, item in scene.nodes.items()]
    best: tuple[int, Places] | None = None
    for place in places:
        bodies = fixed + [(("formula", n), _body(x, y, boxes[n].width, boxes[n].height))
                          for n, (x, y) in place.items()]
        crossed = sum(_behind(wire, place, boxes, bodies) for wire in wires)
        if crossed == 0:
            return place
        if best is None or crossed < best[0]:
            best = (crossed, place)
    assert best is not None
    return best[1]


def _moved(places: Places, dx: float, dy: float) -> Places:
    return {n: (x + dx, y + dy) for n, (x, y) in places.items()}


def _offsets(shown: QRectF, new: Places, boxes: dict[str, NodeBox], reused: dict[str, str],
             scene: Any) -> list[Point]:
    """The formula's own layout moved right of the graph, tops level, then a row lower,
    higher, two rows lower, … until clear of the graph's height; then below and above the
    graph, its first new column just right of the rightmost reused node."""
    height = max(y + boxes[n].height for n, (_, y) in new.items())
    first = min(x for x, _ in new.values())
    right, step = shown.right() + GAP, T.ROW_HEIGHT
    offsets = [(right, shown.top())]
    for k in range(1, int((max(shown.height(), height) + GAP) / step) + 1):
        offsets += [(right, shown.top() + k * step), (right, shown.top() - k * step)]
    if reused:
        near = max(scene.nodes[i].x() + scene.nodes[i].width() for i in reused.values())
        offsets += [(near + GAP - first, shown.bottom() + GAP),
                    (near + GAP - first, shown.top() - height - GAP)]
    return offsets


def _band(formula: Graph, reused: dict[str, str], scene: Any, boxes: dict[str, NodeBox],
          shown: QRectF, below: bool) -> Places:
    """Each new node under (``below``) or over the graph, just right of everything that
    feeds it, a step further from the graph than what it feeds: the chain climbs towards
    the graph to the right, so a wire from a reused node into a later formula node passes
    between the graph and the earlier ones."""
    order = [n for n in formula.order() if n not in reused]
    xs = _band_xs(formula, order, reused, scene, boxes, shown)
    step: dict[str, float] = {}
    for n in reversed(order):
        users = [e.dst for e in formula.edges if e.src == n and e.dst in step]
        step[n] = max((step[u] + boxes[u].height + BAND_GAP[1] for u in users), default=0.0)
    sign = 1.0 if below else -1.0
    placed: Places = {}
    for n in sorted(order, key=lambda m: xs[m]):
        y = shown.bottom() + GAP + step[n] if below \
            else shown.top() - GAP - boxes[n].height - step[n]
        while any(_overlap(xs[n], y, boxes[n], placed[m], boxes[m]) for m in placed):
            y += sign * T.ROW_HEIGHT
        placed[n] = (xs[n], y)
    return placed


def _band_xs(formula: Graph, order: list[str], reused: dict[str, str], scene: Any,
             boxes: dict[str, NodeBox], shown: QRectF) -> dict[str, float]:
    """Each band node's left: just right of what feeds it; a node fed by nothing (a
    constant) just left of what it feeds."""
    feeds: dict[str, list[str]] = {n: [] for n in order}
    for edge in formula.edges:
        feeds[edge.dst].append(edge.src)
    xs: dict[str, float] = {}
    for n in order:
        lefts = [scene.nodes[reused[s]].x() + scene.nodes[reused[s]].width() + FEED_GAP
                 if s in reused else xs[s] + boxes[s].width + BAND_GAP[0]
                 for s in feeds[n] if s in reused or s in xs]
        if lefts:
            xs[n] = max(lefts)
    for n in reversed(order):
        if n not in xs:
            users = [xs[e.dst] for e in formula.edges if e.src == n and e.dst in xs]
            xs[n] = (min(users) if users else shown.left()) - boxes[n].width - BAND_GAP[0]
    return xs


def _overlap(x: float, y: float, box: NodeBox, other: Point, other_box: NodeBox) -> bool:
    gx, gy = BAND_GAP
    return (x < other[0] + other_box.width + gx and other[0] < x + box.width + gx
            and y < other[1] + other_box.height + gy and other[1] < y + box.height + gy)


def _wires(formula: Graph, reused: dict[str, str], scene: Any) -> list[Wire]:
    wires: list[Wire] = []
    for edge in formula.edges:
        port = REGISTRY[formula.nodes[edge.dst].op].inputs.index(edge.port)
        port_y = T.HEADER_HEIGHT + (port + 0.5) * T.ROW_HEIGHT
        if edge.src in reused:
            out = scene.nodes[reused[edge.src]].out_port_pos()
            ends = frozenset((("scene", reused[edge.src]), ("formula", edge.dst)))
            wires.append(((out.x(), out.y()), edge.dst, port_y, ends))
        else:
            ends = frozenset((("formula", edge.src), ("formula", edge.dst)))
            wires.append((edge.src, edge.dst, port_y, ends))
    return wires


def _behind(wire: Wire, place: Places, boxes: dict[str, NodeBox],
            bodies: list[tuple[Key, QRectF]]) -> int:
    """How many of ``bodies`` the wire passes behind, its own two ends left out."""
    src, dst, port_y, ends = wire
    if isinstance(src, str):
        x1, y1 = place[src][0] + boxes[src].width, place[src][1] + OUT_PORT_Y
    else:
        x1, y1 = src
    path = curve_xy(x1, y1, place[dst][0], place[dst][1] + port_y)
    box = path.boundingRect()
    near = [body for key, body in bodies if key not in ends and body.intersects(box)]
    if not near:
        return 0
    stroke = _stroke(path)
    return sum(1 for body in near if stroke.intersects(body))


def _stroke(path: QPainterPath) -> QPainterPath:
    stroker = QPainterPathStroker()
    stroker.setWidth(1.0)
    return stroker.createStroke(path)


def _body(x: float, y: float, width: float, height: float) -> QRectF:
    return QRectF(x + INSET, y + INSET, width - 2 * INSET, height - 2 * INSET)
