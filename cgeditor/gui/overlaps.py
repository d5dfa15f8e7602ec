"""Where room-making lands nodes on the canvas, and parting the nodes of an opened file
whose saved places overlap (model.parting.separate over the items' outlines)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from cgeditor.gui import theme as T
from cgeditor.gui.canvas.arrange import GAPS
from cgeditor.model.parting import separate
from cgeditor.model.room import Gaps

if TYPE_CHECKING:
    from cgeditor.gui.canvas.scene import GraphScene

# A pushed node keeps the gaps auto layout leaves (room for the wire labels between columns).
ROOM_GAPS = Gaps(down=GAPS["LR"][1], right=GAPS["LR"][0])
MAX_NAMED = 5  # moved nodes named in an open's message line


def body_corner(x: float, y: float) -> tuple[float, float]:
    """The node position (its body's top-left) for an outline whose corner moved to
    (``x``, ``y``): whole units, rounded away from what it moved off (right and down),
    so rounding makes no new overlap."""
    return float(math.ceil(x + T.OUTSET_X)), float(math.ceil(y + T.OUTSET_TOP))


def part_overlaps(scene: GraphScene) -> list[str]:
    """Move apart the nodes of ``scene``'s graph whose outlines lie on others, straight on
    the graph (no undo step: this is how the document opens); the moved nodes' names. A
    node that overlaps nothing stays where the file put it."""
    scene.reserve_shapes()  # the boxes the nodes take before any run
    graph = scene.graph
    nodes = graph.nodes
    moves = {}
    for node_id, (x, y) in separate(scene.outlines(), ROOM_GAPS).items():
        new = body_corner(x, y)
        if new != (nodes[node_id].x, nodes[node_id].y):
            moves[node_id] = new
    if moves:
        with graph.batch():
            graph.move_nodes(moves)  # one announcement: the scene moves its items at once
    return sorted(nodes[node_id].name for node_id in moves)


def parted_note(names: list[str]) -> str:
    """What an open's line in the messages adds about the nodes ``names`` it moved apart:
    '; moved c, x off the nodes they overlapped in the file (Save keeps the new places)'."""
    if not names:
        return ""
    more = f" and {len(names) - MAX_NAMED} more" if len(names) > MAX_NAMED else ""
    return (f"; moved {', '.join(names[:MAX_NAMED])}{more} off the nodes they overlapped in "
            "the file (Save keeps the new places)")
