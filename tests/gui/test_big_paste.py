"""A paste of a big graph, driven by the keyboard and mouse: the pasted nodes are selected (as
the scene's Qt items say too), every wire runs from port to port, make-room reads each
node's outline where it stands, and a far pasted node, scrolled to, shows its name and
value, is rubber-band selected on its own, and is drawn by the PNG export."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QImage
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from cgeditor.gui import theme as T
from cgeditor.gui.canvas import image_export
from cgeditor.gui.canvas.node_geometry import outline
from cgeditor.model.graph import Graph
from tests.gui.conftest import Canvas
from tests.gui.pixels import near, shown
from tests.gui.test_bulk_drag import wires_at_their_ports

CTRL = Qt.KeyboardModifier.ControlModifier


def layered(rows: int, layers: int) -> Graph:
    """Inputs in the first column (values 0.5, 1.5, …), then columns of adds, each fed by
    two nodes of the column before; far enough apart that a rubber band fits between."""
    graph = Graph()
    column = [graph.add_node("input", f"x{r}", x=0.0, y=r * 200.0, value=r + 0.5).id
              for r in range(rows)]
    for k in range(1, layers):
        nxt = []
        for r in range(rows):
            node = graph.add_node("add", f"n{k}_{r}", x=k * 320.0, y=r * 200.0)
            graph.connect(column[r], node.id, "a")
            graph.connect(column[(r + 1) % rows], node.id, "b")
            nxt.append(node.id)
        column = nxt
    return graph


def test_a_big_paste_is_whole_wherever_the_canvas_shows_it(window, tmp_path: Path) -> None:
    graph = layered(30, 40)  # 1,200 nodes, 2,340 wires
    window.set_graph(graph)
    QApplication.processEvents()
    view, scene = window.view, window.scene
    view.setFocus()
    QTest.keyClick(view, Qt.Key.Key_A, CTRL)
    QTest.keyClick(view, Qt.Key.Key_C, CTRL)
    scene.clearSelection()
    before = set(graph.nodes)
    QTest.keyClick(view, Qt.Key.Key_V, CTRL)
    QApplication.processEvents()
    new = set(graph.nodes) - before
    assert len(new) == 1200 and len(scene.wires) == 2 * 2340
    assert set(scene.selected_ids()) == new == {i.node_id for i in scene.selectedItems()}
    assert wires_at_their_ports(window)
    outlines = scene.outlines()
    for node_id, item in scene.nodes.items():
        rect = outline(item.width(), item.rect_height()).translated(item.pos())
        assert outlines[node_id] == (rect.x(), rect.y(), rect.width(), rect.height())

    # The last pasted input, far down: at 1:1 it shows its own name and value.
    far = graph.nodes[max((i for i in new if graph.nodes[i].op == "input"),
                          key=lambda i: graph.nodes[i].y)]
    assert far.value == 29.5
    item = scene.nodes[far.id]
    view.resetTransform()
    view.centerOn(item.sceneBoundingRect().center())
    QApplication.processEvents()
    assert item.title() == far.name and item.display.value_text == "29.5"
    header = view.mapFromScene(item.pos() + QPointF(item.width() * 0.8, 10))
    assert near(shown(window).pixelColor(header), T.category_color(item.category), 40)

    # A rubber band from the empty canvas below-left of it to inside it selects it alone.
    corner = item.pos() + QPointF(0, item.rect_height())
    Canvas(window).drag(corner + QPointF(-60, 60), corner + QPointF(20, -20))
    assert scene.selected_ids() == [far.id]

    # The PNG export draws it where it stands.
    path = tmp_path / "big.png"
    exported = image_export.export_png(scene, str(path), scale=0.25)
    image = QImage(str(path))
    source = scene.picture_rect().adjusted(-image_export.MARGIN, -image_export.MARGIN, 0, 0)
    header_middle = item.pos() + QPointF(item.width() * 0.8, 10)
    middle = (header_middle - source.topLeft()) * exported.scale
    assert near(image.pixelColor(middle.toPoint()), T.category_color(item.category), 40)
