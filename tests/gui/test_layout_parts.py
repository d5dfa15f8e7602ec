"""Auto Layout on pasted copies of the seed: each copy keeps its own picture and sits
apart from the others, not mixed into one set of columns."""

from __future__ import annotations

from itertools import combinations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtTest import QTest

from cgeditor.model.parts import components

Ctrl = Qt.KeyboardModifier.ControlModifier


def test_ctrl_l_lays_out_pasted_copies_each_apart(window) -> None:
    window.view.setFocus()
    QTest.keyClick(window.view, Qt.Key.Key_A, Ctrl)
    QTest.keyClick(window.view, Qt.Key.Key_C, Ctrl)
    for _ in range(4):
        QTest.keyClick(window.view, Qt.Key.Key_V, Ctrl)
    graph, scene = window.graph, window.scene
    assert len(graph) == 50
    QTest.keyClick(window.view.viewport(), Qt.Key.Key_L, Ctrl)
    assert window.messages.toPlainText().splitlines()[-1].startswith("Auto layout: moved")
    parts = components(graph)
    assert len(parts) == 5
    boxes = []
    for part in parts:
        box = QRectF()
        for node_id in part.members:
            box = box.united(scene.nodes[node_id].sceneBoundingRect())
        boxes.append(box)
    for one, other in combinations(boxes, 2):
        assert not one.intersects(other)
    # Copies 1..4 have names as long (w1 … w4): the same picture, only moved. Places are
    # whole pixels and boxes fractional, so a column may land a pixel apart from its twin.
    shapes = []
    for part, box in zip(parts[1:], boxes[1:]):
        shapes.append(sorted((graph.nodes[n].name[:-1], graph.nodes[n].x - box.left(),
                              graph.nodes[n].y - box.top()) for n in part.members))
    for shape in shapes:
        assert [name for name, _x, _y in shape] == [name for name, _x, _y in shapes[0]]
        assert all(abs(x - x0) <= 1 and abs(y - y0) <= 1
                   for (_n, x, y), (_m, x0, y0) in zip(shape, shapes[0], strict=True))
