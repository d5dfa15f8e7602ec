"""The canvas zoomed far out, painted in one pass from plain data.

Below T.LOD_WIRES a node is a block of its category colour and a wire a 1-pixel line: what
Qt's per-item painting would draw too, but at 10k nodes its item walk, one Python paint()
per node and PySide's dispatch cost ~0.4 s a frame. Here blocks are batched by colour into
one drawRects each, wires come from the layer's cached line lists, and the view calls this
instead of QGraphicsView's own paint. Exports and view.render() still go through the items.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QPainter, QPen

from cgeditor.gui import theme as T
from cgeditor.model import collector
from cgeditor.model.display import BLANK_NODE

if TYPE_CHECKING:
    from cgeditor.gui.canvas.node_item import NodeItem
    from cgeditor.gui.canvas.scene import GraphScene


def paint_overview(painter: QPainter, scene: GraphScene, rect: QRectF) -> None:
    """Everything of ``scene`` that meets ``rect``, wires under nodes under loose wires."""
    pal = T.current()
    painter.save()
    painter.translate(scene.wire_layer.pos())  # off its place only while a drag carries it
    scene.wire_layer.paint_lines(painter)
    painter.restore()
    with collector.paused():  # up to 10^4 new block rects: no cycles among them
        plain, selected, special = _sort_blocks(scene, rect)
    painter.setPen(Qt.PenStyle.NoPen)
    for category, rects in plain.items():
        painter.setBrush(pal.categories.get(category, pal.node_muted))
        painter.drawRects(rects)
    _paint_selected(painter, pal, selected)
    for item in special:  # lit or dimmed: few, and drawn above the rest
        painter.save()
        painter.translate(item.pos())
        if item.display.dimmed:
            painter.setOpacity(0.35)
        item.paint_block(painter, pal)
        painter.restore()
    painter.setBrush(Qt.BrushStyle.NoBrush)
    for wire in scene.loose_wires():  # the one being dragged, a refused one's ghost
        painter.setPen(T.pixel_pen(wire.pen(), 2.0))
        painter.drawPath(wire.path())


def _paint_selected(painter: QPainter, pal: T.Palette,
                    selected: dict[str, list[QRectF]]) -> None:
    """The selected blocks (all 10k after Select All), batched, as paint_block draws each."""
    if painter.worldTransform().m11() < T.LOD_SOLID_OUTLINE:
        painter.setBrush(pal.selection)
        painter.drawRects([rect for rects in selected.values() for rect in rects])
        return
    painter.setPen(T.pixel_pen(QPen(pal.selection, 2.5), 2.0))
    for category, rects in selected.items():
        painter.setBrush(pal.categories.get(category, pal.node_muted))
        painter.drawRects(rects)


def _sort_blocks(scene: GraphScene, rect: QRectF
                 ) -> tuple[dict[str, list[QRectF]], dict[str, list[QRectF]], list[NodeItem]]:
    """The blocks in ``rect``: plain ones and selected ones as rects by category, the
    others (dimmed, or outlined for something else than selection) as items.

    Positions come from the model's floats, not 10k item.pos() calls, except for the nodes
    a mouse drag is moving right now (the model hears of those on release). The selection
    is the scene's id set (10k selectedItems() cost ~8 ms a repaint), and each block's
    QRectF is kept on its item until it moves or resizes: making 10k of them took a
    quarter of a repaint."""
    left, top, right, bottom = rect.left(), rect.top(), rect.right(), rect.bottom()
    chosen = scene.selection.id_set()
    lit = scene.dragged_ids()
    model = scene.graph.nodes
    plain: dict[str, list[QRectF]] = {}
    selected: dict[str, list[QRectF]] = {}
    special: list[NodeItem] = []
    for node_id, item in scene.nodes.items():
        if node_id in lit:
            pos = item.pos()
            x, y = pos.x(), pos.y()
        else:
            node = model[node_id]
            x, y = node.x, node.y
        box = item.box
        width, height = box.width, box.height
        if x > right or x + width < left or y > bottom or y + height < top:
            continue
        shown = item.display  # blank (no run yet) is neither dimmed nor marked: no call
        if (shown is not BLANK_NODE or item.flashing) and (shown.dimmed or item.marked()):
            special.append(item)
            continue
        key = (x, y, width, height)
        block = item.block
        if block is None:
            block = item.block = [key, QRectF(x, y, width, height)]
        elif block[0] != key:  # moved or resized: the same rect, set anew (no new object)
            block[0] = key
            block[1].setRect(x, y, width, height)
        blocks = selected if node_id in chosen else plain
        blocks.setdefault(item.category, []).append(block[1])
    return plain, selected, special
