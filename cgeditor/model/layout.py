"""Auto-layout: columns by topological generation, rows ordered to reduce wire crossings.

Pure geometry over a Graph (no Qt): ``layered_layout`` computes positions by node id,
``fit_layout`` folds a long graph into bands that fit a room (Auto Layout's policy, for the
canvas's measured boxes or a formula's nominal ones) and ``apply_layout`` moves the nodes,
so the GUI can wrap the moves in one undo step.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Iterable, Mapping

from cgeditor.model.graph import Graph
from cgeditor.model.parts import Part, bounds, components, pack_parts

Positions = dict[str, tuple[float, float]]
Sizes = Mapping[str, tuple[float, float]]

# Gaps between outlines: across a layer, and between layers (where wire labels sit).
GAPS = {"LR": (76.0, 18.0), "TB": (36.0, 64.0)}  # direction -> (horizontal, vertical)
# Between columns when the roomy gap would not let a graph fit the view: short labels
# ('← −4') still sit between the columns, longer ones only where the wire leaves room.
TIGHT_GAP_X = 52.0
FOLD_LIMIT = 300  # nodes; a bigger graph is seen as blocks anyway: one band, no folding
# What the canvas of a 1280×800 window shows at a readable zoom, in scene units (the GUI
# checks this against its view's own arithmetic).
LAPTOP_ROOM = (1136.0, 810.0)


def layered_layout(graph: Graph, spacing_x: float = 200.0, spacing_y: float = 110.0,
                   sweeps: int = 4, sizes: Mapping[str, tuple[float, float]] | None = None,
                   direction: str = "LR", max_aspect: float | None = None,
                   room: tuple[float, float] | None = None,
                   part: Part | None = None) -> Positions:
    """Top-left positions by node id: layers by topological generation, inputs first, the
    output last, each layer centred on the axis. ``sweeps`` rounds of barycenter ordering
    (down then up) reduce crossings; 0 keeps the order in which nodes were added.

    ``sizes`` maps node ids to the (width, height) each node really takes; the spacings are
    then the gaps between neighbours, and no two nodes overlap. Without sizes every node is
    a point and the spacings are the distances between them. ``direction`` "LR" puts the
    layers in columns left to right, "TB" in rows top to bottom (for wide graphs). With
    ``max_aspect`` (and sizes), layers too many for one run are folded into runs side by
    side so the whole is at most that many times longer than wide. With ``room`` (the
    width and height a view shows, same units as sizes) they fold into as few runs as make
    the whole fit it, or, when no number of runs does, as many as show it largest. With
    ``part`` (see components) only its nodes are laid out, as if they were the graph.
    Raises ValueError for another direction."""
    if direction not in ("LR", "TB"):
        raise ValueError(f"direction must be LR or TB, not {direction!r}")
    members = list(graph.nodes) if part is None else part.members
    layer = assign_layers(graph, None if part is None else part.order)
    if not layer:
        return {}
    across = 1 if direction == "LR" else 0  # the axis a layer's nodes are stacked along
    extent = {n: (sizes[n] if sizes is not None and n in sizes else (0.0, 0.0))
              for n in members}
    gap_across = spacing_y if direction == "LR" else spacing_x
    gap_along = spacing_x if direction == "LR" else spacing_y
    layers, stack = _ordered_layers(graph, members, layer, sweeps,
                                    _Stacker({n: e[across] for n, e in extent.items()},
                                             gap_across))
    deep = [max(extent[n][1 - across] for n in row) for row in layers]
    wide = [sum(extent[n][across] for n in row) + gap_across * (len(row) - 1) for row in layers]
    if room is not None:  # (along, across): a top-to-bottom picture turns the room
        bands = _bands_in_room(deep, wide, gap_along, 2 * gap_across,
                               room if direction == "LR" else (room[1], room[0]))
    else:
        bands = _bands(deep, wide, gap_along, 2 * gap_across, max_aspect)
    starts, tops = _place_bands(bands, deep, wide, gap_along, 2 * gap_across)
    if len(bands) == 1:  # one band stays centred on the axis
        tops = [-w / 2 for w in wide]
    positions = {}
    for n in members:
        # stack.top centres each layer on 0: its first node's top is -wide / 2
        k = layer[n]
        along, side = starts[k], tops[k] + stack.top[n] + wide[k] / 2
        positions[n] = (along, side) if direction == "LR" else (side, along)
    return positions


def _ordered_layers(graph: Graph, members: list[str], layer: Mapping[str, int], sweeps: int,
                    stack: _Stacker) -> tuple[list[list[str]], _Stacker]:
    """``members`` in their layers, each ordered by ``sweeps`` barycenter rounds and
    placed by ``stack`` (which then holds every node's place across its layer)."""
    layers: list[list[str]] = [[] for _ in range(max(layer.values()) + 1)]
    for node_id in members:  # insertion order: the "unsorted" starting point
        layers[layer[node_id]].append(node_id)
    preds = {n: graph.predecessors(n) for n in members}
    succs = {n: graph.successors(n) for n in members}
    for row in layers:
        stack.place(row)
    for _ in range(sweeps):
        # End on a downward sweep so the output side follows the inputs' order.
        for row in reversed(layers):
            stack.reorder(row, succs)
        for row in layers:
            stack.reorder(row, preds)
    return layers, stack


def _bands(deep: list[float], wide: list[float], gap: float, band_gap: float,
           max_aspect: float | None) -> list[list[int]]:
    """The layers split into as few runs (bands, side by side) as keep the picture's long
    side within ``max_aspect`` times its short side; one band when None or impossible."""
    everything = [list(range(len(deep)))]
    if max_aspect is None or not any(wide):
        return everything
    for count in range(1, len(deep) + 1):
        bands = _split(deep, gap, count)
        long, short = _extent(bands, deep, wide, gap, band_gap)
        if long <= max_aspect * short:
            return bands
    return everything


def _place_bands(bands: list[list[int]], deep: list[float], wide: list[float], gap: float,
                 band_gap: float) -> tuple[list[float], list[float]]:
    """Where each layer starts along its band, and where its first node's top sits across.
    A band's layers are flush with its start; each layer sits ``band_gap`` below the
    layers of earlier bands it overlaps (a skyline), so a short layer above lets the one
    below move up instead of the whole band clearing the tallest layer above it. A layer
    past the end of the bands above keeps the top of the layer before it: it stays in its
    own band's row rather than rising into the first."""
    starts = [0.0] * len(deep)
    tops = [0.0] * len(deep)
    placed: list[tuple[float, float, float]] = []  # (start, end, bottom) of earlier bands
    for band in bands:
        at, top = 0.0, 0.0
        for k in band:
            starts[k], end = at, at + deep[k]
            below = [bottom for lo, hi, bottom in placed if lo < end + gap and at < hi + gap]
            top = tops[k] = max(below) + band_gap if below else top
            at = end + gap
        placed += [(starts[k], starts[k] + deep[k], tops[k] + wide[k]) for k in band]
    return starts, tops


def _extent(bands: list[list[int]], deep: list[float], wide: list[float], gap: float,
            band_gap: float) -> tuple[float, float]:
    """The picture's length along the layers and its width across them, in ``bands``."""
    starts, tops = _place_bands(bands, deep, wide, gap, band_gap)
    long = max(starts[k] + deep[k] for k in range(len(deep)))
    if len(bands) == 1:
        return long, max(wide)
    return long, max(tops[k] + wide[k] for k in range(len(deep)))


def _bands_in_room(deep: list[float], wide: list[float], gap: float, band_gap: float,
                   room: tuple[float, float]) -> list[list[int]]:
    """The fewest runs that fit ``room``: the layers wrapped like words into lines, each
    run as long as ``room`` allows along, then evened out (no lone last layer) when the
    even runs fit too; when no wrap fits across, the split (wrapped or into even runs)
    that shows the picture at the largest scale."""
    wrapped = _wrap(deep, gap, room[0])
    even = _split(deep, gap, len(wrapped))
    for bands in (even, wrapped):
        long, short = _extent(bands, deep, wide, gap, band_gap)
        if long <= room[0] and short <= room[1]:
            return bands

    def scale(bands: list[list[int]]) -> float:
        long, short = _extent(bands, deep, wide, gap, band_gap)
        return min(room[0] / max(long, 1.0), room[1] / max(short, 1.0))

    def bound(bands: list[list[int]]) -> float:
        """At least scale(bands), in time linear in the layers: the length is exact, and
        each band's first layer starts flush, so it sits below every earlier band's
        first layer (the width is at least their stack)."""
        long = max(sum(deep[k] for k in band) + gap * (len(band) - 1) for band in bands)
        short = max(max(wide), sum(wide[band[0]] for band in bands)
                    + band_gap * (len(bands) - 1))
        return min(room[0] / max(long, 1.0), room[1] / max(short, 1.0))

    # The first of the largest scale, as max() would pick it, but measuring exactly only
    # the candidates whose bound could reach it: measuring all of them is cubic in layers.
    candidates = [wrapped, *(_split(deep, gap, count) for count in range(1, len(deep) + 1))]
    bounds = [bound(bands) for bands in candidates]
    best, best_scale = 0, -math.inf
    for k in sorted(range(len(candidates)), key=lambda k: -bounds[k]):
        if bounds[k] < best_scale:
            break
        found = scale(candidates[k])
        if found > best_scale or (found == best_scale and k < best):
            best, best_scale = k, found
    return candidates[best]


def _wrap(deep: list[float], gap: float, length: float) -> list[list[int]]:
    """Consecutive layers in runs no longer than ``length`` (a deeper layer runs alone)."""
    bands: list[list[int]] = [[]]
    at = 0.0
    for k, d in enumerate(deep):
        if bands[-1] and at + d > length:
            bands.append([])
            at = 0.0
        bands[-1].append(k)
        at += d + gap
    return bands


def _split(deep: list[float], gap: float, count: int) -> list[list[int]]:
    """``deep`` (layer depths) cut into ``count`` consecutive runs of about equal depth."""
    total = sum(d + gap for d in deep)
    bands: list[list[int]] = [[]]
    at = 0.0
    for k, d in enumerate(deep):
        if bands[-1] and at + d / 2 > total * len(bands) / count and len(bands) < count:
            bands.append([])
        bands[-1].append(k)
        at += d + gap
    return bands


class _Stacker:
    """Places the nodes of one layer side by side across it, centred on 0, in their list
    order; ``centre`` is what the barycenter ordering reads."""

    def __init__(self, size: Mapping[str, float], gap: float) -> None:
        self.size, self.gap = size, gap
        self.top: dict[str, float] = {}
        self.centre: dict[str, float] = {}

    def place(self, row: list[str]) -> None:
        total = sum(self.size[n] for n in row) + self.gap * (len(row) - 1)
        at = -total / 2
        for node_id in row:
            self.top[node_id] = at
            self.centre[node_id] = at + self.size[node_id] / 2
            at += self.size[node_id] + self.gap

    def reorder(self, row: list[str], neighbours: Mapping[str, list[str]]) -> None:
        """Sort by the mean centre of each node's neighbours (the barycenter); a node
        without neighbours on that side keeps its own. Stable: ties keep their order."""
        if len(row) < 2:
            return  # placed already, and nowhere else to go
        centre = self.centre
        keys = [sum(centre[n] for n in near) / len(near) if near else centre[node_id]
                for node_id, near in zip(row, map(neighbours.__getitem__, row), strict=True)]
        # Most rows of a long graph are in order already; then neither the sort nor place
        # (which reads only the order) changes anything: skipping both takes a fifth off
        # laying out a 10k-node graph's 33k-node gradient graph.
        if all(map(operator.le, keys, keys[1:])):
            return
        ranked = sorted(range(len(row)), key=keys.__getitem__)
        row[:] = [row[k] for k in ranked]
        self.place(row)


def assign_layers(graph: Graph, order: list[str] | None = None) -> dict[str, int]:
    """Column of each node id: the longest path from a source; then, from the output back,
    every node that feeds others moves right to sit one column before its nearest consumer
    (a bias beside what it is added to, a loss's ``1 − t`` beside the loss, not stacked
    with the inputs). ``order``: a topological order of the nodes to place (a component's,
    closed under wires), by default the whole graph's."""
    nxg = graph.nx_graph
    layer: dict[str, int] = {}
    if order is None:  # any topological order gives the same longest paths
        order = graph.order()
    for node_id in order:
        layer[node_id] = max((layer[p] + 1 for p in nxg.predecessors(node_id)), default=0)
    for node_id in reversed(order):
        if nxg.out_degree(node_id) > 0:
            layer[node_id] = min(layer[s] for s in nxg.successors(node_id)) - 1
    return layer


def apply_layout(graph: Graph, positions: Mapping[str, tuple[float, float]]) -> None:
    """Move every node named in ``positions`` (ids that are no longer in the graph are
    skipped), announced once (``nodes_moved``): a scene over the graph moves its items
    and routes their wires in one pass, not once per node."""
    places = {node_id: place for node_id, place in positions.items() if node_id in graph.nodes}
    if places:
        graph.move_nodes(places)


def count_crossings(graph: Graph, positions: Mapping[str, tuple[float, float]]) -> int:
    """Wire crossings between edges that span the same pair of columns (the ones ordering can
    fix); straight wires, so two such edges cross when their ends swap vertical order."""
    spans: dict[tuple[float, float], list[tuple[float, float]]] = {}
    for edge in graph.edges:
        (x0, y0), (x1, y1) = positions[edge.src], positions[edge.dst]
        spans.setdefault((x0, x1), []).append((y0, y1))
    crossings = 0
    for wires in spans.values():
        for i, (a0, a1) in enumerate(wires):
            crossings += sum(1 for b0, b1 in wires[i + 1:] if (a0 - b0) * (a1 - b1) < 0)
    return crossings


def fit_layout(graph: Graph, sizes: Sizes, room: tuple[float, float] | None = None,
               direction: str = "LR", max_aspect: float | None = None) -> Positions:
    """Top-left corners of the outlines ``sizes`` (node id -> width, height), spaced by
    GAPS. With ``room`` (left to right, at most FOLD_LIMIT nodes) the first that fits it
    of: one band with the roomy gap between columns, then the tight one, then folded
    bands likewise; else folded with the tight gap, shown as large as it goes. Without,
    one band (or folded by ``max_aspect``, see layered_layout). Separate graphs (weakly
    connected components) are each laid out so on their own, then packed in rows about
    as wide as ``room`` is for their height (see pack_parts), so no wire runs between
    them and none overlaps another."""
    parts = components(graph)
    if len(parts) <= 1:
        return _fit_part(graph, sizes, room, direction, max_aspect, None)
    laid = [_fit_part(graph, sizes, room, direction, max_aspect, part) for part in parts]
    return pack_parts(laid, sizes, room or LAPTOP_ROOM)


def _fit_part(graph: Graph, sizes: Sizes, room: tuple[float, float] | None, direction: str,
              max_aspect: float | None, part: Part | None) -> Positions:
    """fit_layout for one component (``part``, or None for the whole graph)."""
    gap_x, gap_y = GAPS[direction]
    count = len(sizes) if part is None else len(part.members)
    if room is None or count > FOLD_LIMIT or direction != "LR":
        return layered_layout(graph, gap_x, gap_y, sizes=sizes, direction=direction,
                              max_aspect=max_aspect, part=part)
    corners: Positions = {}
    for fold in (None, room):
        for gap_x in (GAPS["LR"][0], TIGHT_GAP_X):
            corners = layered_layout(graph, gap_x, gap_y, sizes=sizes, room=fold, part=part)
            width, height = extent(corners, sizes)
            if width <= room[0] and height <= room[1]:
                return corners
    return corners


def extent(corners: Mapping[str, tuple[float, float]], sizes: Sizes) -> tuple[float, float]:
    """Width and height of the outlines of ``sizes`` placed at ``corners``."""
    return bounds(corners, sizes)[2:]


# A scalar node's outline on the canvas at the default fonts, for graphs laid out where no
# canvas measures them (a formula built by the CLI): the gradient row ('∂J/∂w = −0.1235')
# sets the width past the narrowest; each input port adds a row. The GUI checks these
# never fall short of the boxes it measures.
NOMINAL_CHAR = 7.25  # the value font's advance
NOMINAL_MIN_WIDTH = 136.5  # the narrowest body and its ports and shadow either side
NOMINAL_SIDES = 32.5  # text margins inside the body plus the outline's sides
NOMINAL_ROW = 18.0
NOMINAL_HEADER = 24.0  # the header above a node's port rows
NOMINAL_HEIGHT = 81.0  # header, value and gradient rows, padding and outline, no port
NOMINAL_CORNER = (8.0, 9.0)  # from an outline's corner to its node's position
NUMBER_CHARS = 10  # ' = ' and a 7-character number after the label


def nominal_sizes(graph: Graph, ids: Iterable[str] | None = None
                  ) -> dict[str, tuple[float, float]]:
    """Each node's outline as the canvas will draw it with scalar values (see above): of
    the nodes ``ids``, by default all."""
    out = graph.nodes[graph.output].name if graph.output else "J"
    sizes = {}
    for node_id in graph.nodes if ids is None else ids:
        node = graph.nodes[node_id]
        label = len(f"∂{out}/∂{node.name}") + NUMBER_CHARS
        width = max(NOMINAL_MIN_WIDTH, label * NOMINAL_CHAR + NOMINAL_SIDES)
        sizes[node_id] = (width, NOMINAL_HEIGHT + NOMINAL_ROW * len(node.ports))
    return sizes


def readable_layout(graph: Graph, room: tuple[float, float] = LAPTOP_ROOM) -> Positions:
    """Node positions for ``graph`` laid out by its nominal boxes and folded as Auto Layout
    folds it to fit ``room`` (a 1280×800 window's canvas by default): what a formula gets."""
    return {n: (float(round(x + NOMINAL_CORNER[0])), float(round(y + NOMINAL_CORNER[1])))
            for n, (x, y) in fit_layout(graph, nominal_sizes(graph), room).items()}
