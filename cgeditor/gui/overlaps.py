"""Where room-making lands nodes on the canvas, and where the nodes of an opened file whose
saved places overlap go (model.parting.separate over the new items' outlines)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING

from cgeditor.gui import theme as T
from cgeditor.gui.canvas.arrange import GAPS
from cgeditor.model.parting import separate
from cgeditor.model.room import Gaps, Point, Rect

if TYPE_CHECKING:
    from cgeditor.model.graph import Graph

# A pushed node keeps the gaps auto layout leaves (room for the wire labels between columns).
ROOM_GAPS = Gaps(down=GAPS["LR"][1], right=GAPS["LR"][0])
MAX_NAMED = 5  # moved nodes named in an open's message line


def body_corner(x: float, y: float) -> tuple[float, float]:
    """The node position (its body's top-left) for an outline whose corner moved to
    (``x``, ``y``): whole units, rounded away from what it moved off (right and down),
    so rounding makes no new overlap."""
    return float(math.ceil(x + T.OUTSET_X)), float(math.ceil(y + T.OUTSET_TOP))


def parted_places(graph: Graph, outlines: Mapping[str, Rect]) -> dict[str, Point]:
    """Where the nodes of ``graph`` whose ``outlines`` lie on others go (node positions in
    whole units), as a file being opened parts them (model.parting.separate); a node that
    overlaps nothing stays where the file put it and is left out."""
    nodes = graph.nodes
    moves = {}
    for node_id, (x, y) in separate(outlines, ROOM_GAPS).items():
        new = body_corner(x, y)
        if new != (nodes[node_id].x, nodes[node_id].y):
            moves[node_id] = new
    return moves


def parted_note(names: list[str], in_file: bool = True) -> str:
    """What an open's line in the messages adds about the nodes ``names`` it moved apart:
    '; moved c, x off the nodes they overlapped in the file (Save keeps the new places)';
    not ``in_file`` (a graph from Python), '; moved c, x off the nodes they overlapped'."""
    if not names:
        return ""
    more = f" and {len(names) - MAX_NAMED} more" if len(names) > MAX_NAMED else ""
    where = " in the file (Save keeps the new places)" if in_file else ""
    return f"; moved {', '.join(names[:MAX_NAMED])}{more} off the nodes they overlapped{where}"
