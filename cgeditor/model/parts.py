"""Separate graphs on one canvas: the weakly connected components (no wire joins two) and
their packing, each laid out on its own, into rows (as Graphviz and ELK pack components).

Pure geometry over a Graph (no Qt); linear in nodes and wires, so thousands of small
copies pack as fast as one graph of their size lays out.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import NamedTuple

import networkx as nx

from cgeditor.model.graph import Graph

# Between separate graphs, across and down: wider than the gaps inside one (where wire
# labels sit), so each copy reads as its own picture.
PART_GAP = (120.0, 72.0)


class Part(NamedTuple):
    """One weakly connected component: its node ids in the graph's order (the unsorted
    starting point of its layers) and in a topological order (for its columns)."""
    members: list[str]
    order: list[str]


def components(graph: Graph) -> list[Part]:
    """The graph's weakly connected components, each in the place of its first node in
    the graph's order (paste order: the first copy first). Linear in nodes and wires."""
    index: dict[str, int] = {}
    for k, nodes in enumerate(nx.weakly_connected_components(graph.nx_graph)):
        index.update(dict.fromkeys(nodes, k))
    parts: dict[int, Part] = {}
    for node_id in graph.nodes:  # dicts keep insertion: parts by their first node
        parts.setdefault(index[node_id], Part([], [])).members.append(node_id)
    for node_id in graph.order():  # a topological order stays one within each part
        parts[index[node_id]].order.append(node_id)
    return list(parts.values())


def bounds(corners: Mapping[str, tuple[float, float]],
           sizes: Mapping[str, tuple[float, float]]) -> tuple[float, float, float, float]:
    """Left, top, width and height of the outlines of ``sizes`` placed at ``corners``
    (top-left corners by node id); all 0 for none."""
    if not corners:
        return 0.0, 0.0, 0.0, 0.0
    left = min(x for x, _y in corners.values())
    top = min(y for _x, y in corners.values())
    right = max(x + sizes[n][0] for n, (x, _y) in corners.items())
    bottom = max(y + sizes[n][1] for n, (_x, y) in corners.items())
    return left, top, right - left, bottom - top


def pack_parts(laid: list[Mapping[str, tuple[float, float]]],
               sizes: Mapping[str, tuple[float, float]],
               room: tuple[float, float]) -> dict[str, tuple[float, float]]:
    """Each laid-out part (top-left corners of outlines of ``sizes``) moved, in list order,
    into rows left to right, top-aligned, at least PART_GAP apart, the first part's
    corner less than a unit past (0, 0). A row ends before the part that would make it
    wider than the whole picture should be: about as wide for its height as ``room``
    (width, height) is, and never narrower than the widest part. Each part keeps its
    own layout, only moved (by whole units). Raises ValueError for no parts."""
    if not laid:
        raise ValueError("no parts to pack")
    boxes = [bounds(corners, sizes) for corners in laid]
    area = sum((w + PART_GAP[0]) * (h + PART_GAP[1]) for _x, _y, w, h in boxes)
    width = max(max(w for _x, _y, w, _h in boxes),
                math.sqrt(area * room[0] / max(room[1], 1.0)) - PART_GAP[0])
    at_x = at_y = bottom = 0.0
    packed: dict[str, tuple[float, float]] = {}
    for corners, (left, top, w, h) in zip(laid, boxes):
        if at_x > 0.0 and at_x + w > width:
            at_x, at_y = 0.0, bottom + PART_GAP[1]
        # Moved by whole units: positions rounded afterwards keep copies alike.
        dx, dy = math.ceil(at_x - left), math.ceil(at_y - top)
        packed.update({n: (x + dx, y + dy) for n, (x, y) in corners.items()})
        at_x = left + dx + w + PART_GAP[0]
        bottom = max(bottom, top + dy + h)
    return packed
