"""Where inserted nodes go: a formula laid out by the boxes its nodes will take, where its
wires pass behind no node (formula_wires); a reduction of the output beside it; a paste
dropped below what it would cover; and what an insert reports."""

from __future__ import annotations

from typing import Any

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSizeF

from cgeditor.gui import commands as C
from cgeditor.gui import theme as T
from cgeditor.gui.canvas.arrange import predicted_layout
from cgeditor.gui.canvas.node_geometry import box_of, outline_at
from cgeditor.gui.formula_wires import wire_clear_places
from cgeditor.model.errors import GraphError
from cgeditor.model.formula_text import to_formula
from cgeditor.model.graph import Graph
from cgeditor.model.room import BIG_BLOCK, Gaps, Rect, block_drop, make_room, rect_array
from cgeditor.model.run import infer_shapes

SPOT_GAP = 40.0  # around a node placed beside another (room for its wires and labels)


def formula_report(formula: Graph, nodes: int, wires: int, reused: list[str]) -> str:
    """The messages' line for an inserted formula: its text, what it added, what it reused."""
    try:  # statements joined by "; " as typed: a message is one line
        text = "; ".join(to_formula(formula).splitlines())
    except GraphError:  # a formula that parsed always prints; the name is a fallback
        text = formula.nodes[formula.output].name if formula.output else "formula"
    using = f"; wired to the graph's {', '.join(reused)}" if reused else ""
    return f"Inserted {text}: {C.parts_text(nodes, wires)}{using}"


def formula_parts(formula: Graph, target: Graph, matched: list[str]
                  ) -> tuple[list[dict[str, Any]], list[dict[str, str]],
                             list[tuple[str, str, str]]]:
    """What inserting ``formula`` into ``target`` adds: node specs keyed by formula id, wires
    among them, and feeds (target id, formula id, port) from the matched existing inputs."""
    reused = {node.id: target.by_name(node.name).id for node in formula.nodes.values()
              if node.is_input and node.name in matched}
    nodes = [dict(key=node.id, op=node.op, name=node.name, x=node.x, y=node.y,
                  attrs=dict(node.attrs), value=node.value, trainable=node.trainable)
             for node in formula.nodes.values() if node.id not in reused]
    wires = [dict(src=e.src, dst=e.dst, port=e.port) for e in formula.edges
             if e.src not in reused]
    feeds = [(reused[e.src], e.dst, e.port) for e in formula.edges if e.src in reused]
    return nodes, wires, feeds


def formula_placement(formula: Graph, target: Graph, matched: list[str], scene: Any,
                      room: tuple[float, float] | None = None
                      ) -> dict[str, tuple[float, float]]:
    """Where each formula node goes: laid out by the sizes its nodes will take (shapes
    inferred with the matched inputs' values), folded as Auto Layout would to fit ``room``,
    right of the nodes of ``scene`` (the target's), tops aligned, or the nearest place
    right of, below or above them where none of its wires (those from the reused nodes
    included) passes behind a node that is not one of its ends (see wire_clear_offset)."""
    for node in list(formula.nodes.values()):
        # A matched op node (reusing J) has no value of its own: its shape stays unknown.
        value = target.by_name(node.name).value if node.name in matched else None
        if node.is_input and value is not None:
            formula.set_value(node.id, value)
    try:
        shapes = infer_shapes(formula)[0]
    except GraphError:
        shapes = {}
    out = formula.output
    out_name = formula.nodes[out].name if out else "J"
    positions = predicted_layout(formula, shapes, out_name, room)
    if not target.nodes or not positions:
        return positions
    left = min(x for x, _ in positions.values())
    top = min(y for _, y in positions.values())
    block = {n: (x - left, y - top) for n, (x, y) in positions.items()}
    boxes = {n.id: box_of(n.op, n.name, n.trainable, shapes.get(n.name), out_name)
             for n in formula.nodes.values()}
    placed = wire_clear_places(formula, target, matched, scene, block, boxes)
    return {n: placed.get(n, p) for n, p in block.items()}


def free_spot_right_of(scene: Any, node_id: str) -> tuple[float, float]:
    """Top left for one new scalar node right of ``node_id``'s item, level with it or on the
    nearest row below or above where it covers no node (a reduction of a mid-graph output
    sits next to it, not on the node that follows it)."""
    item = scene.nodes[node_id]
    x = item.pos().x() + item.width() + SPOT_GAP
    # Its size after a run: widened by the OUT tag; a port, value, gradient and message row.
    size = QSizeF(T.NODE_WIDTH + 50.0, T.HEADER_HEIGHT + 4 * T.ROW_HEIGHT)
    taken = [QRectF(i.pos(), QSizeF(i.width(), i.rect_height()))
             .adjusted(-SPOT_GAP, -SPOT_GAP, SPOT_GAP, SPOT_GAP) for i in scene.nodes.values()]
    for step in range(400):  # rows of ROW_HEIGHT: 0, +1, −1, +2, −2, …
        y = item.pos().y() + (step + 1) // 2 * (1 if step % 2 else -1) * T.ROW_HEIGHT
        if not any(rect.intersects(QRectF(QPointF(x, y), size)) for rect in taken):
            return x, y
    shown = scene.graph_rect()  # a crowded column: past every node
    return shown.right() + SPOT_GAP, item.pos().y()


def paste_drop(graph: Graph, outlines: dict[str, Rect], nodes: list[dict[str, Any]],
               names: list[str], offset: float, gaps: Gaps) -> float:
    """How much lower than ``offset`` pasted ``nodes`` go so they cover none of the
    ``outlines`` (the scene's): placed before they exist (moving 10k new items afterwards
    costs as much as a drag of them), by the boxes their op, name (``names``, as
    bulk_commands.named gives them) and value predict; the editor's push moves what a wired
    op adds. A big block drops as one rectangle (see block_drop), in numpy passes."""
    out = graph.output
    out_name = graph.nodes[out].name if out is not None else "J"
    boxes = [box_of(spec["op"], name, spec.get("trainable", False),
                    None if (value := spec.get("value")) is None else np.shape(value), out_name)
             for spec, name in zip(nodes, names, strict=True)]
    if len(boxes) <= BIG_BLOCK:  # a few: stepped past what they cover, as make_room does
        return _small_drop(outlines, nodes, boxes, offset, gaps)
    columns = np.array([(spec["x"], spec["y"], box.width, box.height)
                        for spec, box in zip(nodes, boxes)], dtype=np.float64)
    x, y, w, h = outline_at(columns[:, 0] + offset, columns[:, 1] + offset,  # column-wise
                            columns[:, 2], columns[:, 3])
    dy = block_drop(np.column_stack((x, y, w, h)), rect_array(outlines.values()), gaps)
    top = float(y[0])
    return (top + dy) - top if dy else 0.0  # as make_room moves the first: float sums alike


def _small_drop(outlines: dict[str, Rect], nodes: list[dict[str, Any]], boxes: list[Any],
                offset: float, gaps: Gaps) -> float:
    rects = dict(outlines)
    keys: list[str] = []
    for spec, box in zip(nodes, boxes):
        keys.append(f"\0{spec['key']}")  # apart from every node id
        rects[keys[-1]] = outline_at(spec["x"] + offset, spec["y"] + offset, box.width,
                                     box.height)
    moved = make_room(rects, added=keys, gaps=gaps)
    return moved[keys[0]][1] - rects[keys[0]][1] if keys and keys[0] in moved else 0.0
