"""Navigating the canvas and what the items paint: zoom at the cursor, pan, fit (a huge graph
whole), level of
detail, the display state the run view fills in, wire labels above nodes, tensor heatmaps."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication

from cgeditor.gui import theme as T
from cgeditor.gui.canvas.arrange import TIGHT_GAP_X
from cgeditor.gui.canvas.node_item import NodeItem
from cgeditor.gui.canvas.node_thumbnail import grid_cells, thumb_cells
from cgeditor.gui.canvas.view import MIN_SCALE
from cgeditor.model.graph import Graph
from cgeditor.model.number_text import MINUS
from tests.gui.pixels import near, render_at


def wheel(view, at: QPoint, delta: int) -> None:
    event = QWheelEvent(QPointF(at), QPointF(view.viewport().mapToGlobal(at)), QPoint(0, 0),
                        QPoint(0, delta), Qt.MouseButton.NoButton,
                        Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(view.viewport(), event)


def test_wheel_zooms_keeping_the_point_under_the_cursor(window, canvas) -> None:
    view = window.view
    target = canvas.header("a")
    at = view.mapFromScene(target)
    zoom = view.zoom()
    wheel(view, at, 240)
    assert view.zoom() > zoom
    after = view.mapToScene(at)
    assert abs(after.x() - target.x()) < 3 and abs(after.y() - target.y()) < 3


def test_fit_shows_every_node_and_middle_drag_pans(window, canvas) -> None:
    view = window.view
    window.view.resize(1800, 1000)  # room for the whole seed graph at a readable zoom
    window.fit()
    visible = view.mapToScene(view.viewport().rect()).boundingRect()
    assert visible.contains(window.scene.graph_rect())
    before = view.mapToScene(QPoint(100, 100))
    canvas.drag(view.mapToScene(QPoint(300, 300)), view.mapToScene(QPoint(200, 250)),
                button=Qt.MouseButton.MiddleButton)
    after = view.mapToScene(QPoint(100, 100))
    assert after.x() > before.x() and after.y() > before.y()
    assert window.undo_stack.count() == 0  # panning is not an edit


def test_a_fitted_view_fits_again_when_it_shrinks_until_the_user_zooms(window, qtbot) -> None:
    view = window.view
    window.resize(1600, 900)
    qtbot.wait(20)
    window.fit()
    graph = window.scene.graph_rect()

    def seen():
        return view.mapToScene(view.viewport().rect()).boundingRect()

    window.resize(1400, 800)  # narrower than the graph at the fitted zoom, wide enough to read
    qtbot.wait(20)
    assert seen().contains(graph)
    wheel(view, view.viewport().rect().center(), 480)  # the user zooms in: theirs now
    zoom = view.zoom()
    window.resize(1300, 800)
    qtbot.wait(20)
    assert view.zoom() == zoom and not seen().contains(graph)


def test_fit_shows_a_graph_too_big_for_the_usual_zoom_floor_whole(window, qtbot) -> None:
    """Fit (F) and zooming out reach as far as shows the whole of a graph (a 10k graph pasted
    into itself spans ~23000 × 22000); no further than MIN_SCALE for a small one."""
    view = window.view
    qtbot.keyClick(view.viewport(), Qt.Key.Key_F)
    for _ in range(40):
        wheel(view, view.viewport().rect().center(), -480)
    assert view.zoom() == pytest.approx(MIN_SCALE)  # the seed: the usual floor
    graph = Graph()
    graph.add_node("input", "near", x=0.0, y=0.0, value=1.0)
    graph.add_node("input", "far", x=30000.0, y=26000.0, value=2.0)
    window.set_graph(graph)
    QApplication.processEvents()
    qtbot.keyClick(view.viewport(), Qt.Key.Key_F)

    def seen():
        return view.mapToScene(view.viewport().rect()).boundingRect()

    assert view.zoom() < MIN_SCALE and seen().contains(window.scene.graph_rect())
    for _ in range(40):
        wheel(view, view.viewport().rect().center(), -480)
    floor = view.zoom()
    assert 0 < floor < MIN_SCALE and seen().contains(window.scene.graph_rect())
    wheel(view, view.viewport().rect().center(), -480)
    assert view.zoom() == floor


def test_zoomed_out_nodes_are_solid_category_blocks(window, canvas) -> None:
    image = render_at(window, 0.3, window.scene.graph_rect().center())
    center = window.view.mapFromScene(canvas.item("c").sceneBoundingRect().center())
    assert image.pixelColor(center) == T.category_color("Arithmetic")
    image = render_at(window, 1.0, window.scene.graph_rect().center())
    body = window.view.mapFromScene(canvas.item("c").pos() + QPointF(120, 40))
    assert image.pixelColor(body) == T.current().node_body


def test_display_fills_reserved_rows_without_growing(window, canvas) -> None:
    item = canvas.item("c")
    rect = item.rect()
    item.set_display(value_text="−4", grad_value="2", grad_label="∂J/∂c", order_badge="5")
    assert item.info_rows() == [("value", "= −4"), ("grad", "∂J/∂c = 2")]
    assert item.rect() == rect  # the rows were reserved: a run moves nothing
    assert item.box.grad_top + T.ROW_HEIGHT <= rect.height()
    wire = window.scene.wires[(canvas.id("a"), "a")]
    assert wire.path().pointAtPercent(0) == item.out_port_pos()
    item.set_display(error_text="shape mismatch", origin=True)
    assert "shape mismatch" in item.display.tooltip
    assert ("error", "⚠ origin: shape mismatch") in item.info_rows()


def test_wire_labels_never_cover_a_node(window) -> None:
    graph = Graph()
    x = graph.add_node("input", "x", x=0, y=0, value=1.0)
    n = graph.add_node("neg", "n", x=T.NODE_WIDTH + 14, y=0)  # a 14-unit wire: no room
    m = graph.add_node("neg", "m", x=2 * T.NODE_WIDTH + 200, y=200)  # a long one: room
    graph.connect(x.id, n.id, "x")
    graph.connect(n.id, m.id, "x")
    window.set_graph(graph)
    window.action("backward").trigger()
    assert window.scene.wires[(n.id, "x")].label() == f"← 1\n∂n/∂x = {MINUS}1"
    boxes = window.scene.label_boxes()
    assert (n.id, "x") not in boxes  # left out rather than drawn over x or n
    long = boxes[(m.id, "x")]
    assert not window.scene.covers_node(long)
    image = render_at(window, 1.0, long.center())
    spot = window.view.mapFromScene(long.center() + QPointF(0, 2))
    assert not near(image.pixelColor(spot), T.current().canvas, 3)  # the label is drawn


def test_a_lit_wire_too_tight_for_its_derivative_keeps_its_gradient(window, canvas) -> None:
    # Selecting w lights its path to J, the path a student reads; between columns as close
    # as a layout fitted to a laptop's view leaves them only the one-line label fits, and it
    # must not vanish with the second line.
    w = canvas.item("w")
    window.graph.move_node(canvas.id("c"), w.x() + w.width() + 2 * T.OUTSET_X + TIGHT_GAP_X,
                           window.graph.by_name("c").y)
    window.action("backward").trigger()
    key = (canvas.id("c"), "a")  # w → c
    assert key in window.scene.label_boxes()
    canvas.click(canvas.header("w"))
    assert window.scene.wires[key].state == "highlight"
    placed = {wire.key: [line.text() for line in lines] for wire, lines, _box
              in window.scene.labels.place(window.scene.wire_layer.wires_in(
                  window.scene.sceneRect()), window.scene.covers_node)}
    assert placed[key] == [f"← {MINUS}4"]


def tensor_window(window, value, op: str = "") -> NodeItem:
    """x (a tensor input), optionally through ``op``, summed; the item of x or of op."""
    graph = Graph()
    x = graph.add_node("input", "x", value=value)
    shown = graph.add_node(op, "f", x=250) if op else x
    if op:
        graph.connect(x.id, shown.id, "x")
    s = graph.add_node("sum", "s", x=500)
    graph.connect(shown.id, s.id, "x")
    window.set_graph(graph)
    window.action("backward").trigger()
    return window.scene.nodes[shown.id]


def test_small_tensor_node_shows_every_number(window) -> None:
    item = tensor_window(window, [[1.0, -2.5, 3.0], [4.0, 5.0, 0.125]])
    shown = item.display
    assert item.info_rows() == [("value", "= (2, 3)"), ("grad", "∂s/∂x")]
    assert shown.grid.cells == ("1", f"{MINUS}2.5", "3", "4", "5", "0.125")
    assert shown.grad_grid.cells == ("1",) * 6
    assert shown.heatmap is None
    cells = grid_cells(shown.grid, item.box, item.box.value_grid_top())
    assert all(item.rect().contains(rect) for rect, _ in cells)
    assert item.box.grad_grid_top() >= cells[-1][0].bottom()


def test_tensor_node_shows_shape_min_max_and_heatmaps(window) -> None:
    item = tensor_window(window, [[float(i + 5 * j) for i in range(5)] for j in range(4)])
    shown = item.display
    assert item.info_rows()[0] == ("value", "= (4, 5) [0, 19]")
    assert shown.heatmap.shape_text == "(4, 5)"
    assert (shown.heatmap.rows, shown.heatmap.cols) == (4, 5)
    cells = thumb_cells(shown, item.box)
    assert [kind for kind, _, _ in cells] == ["value"] * 20 + ["grad"] * 20
    assert all(item.rect().contains(rect) for _, rect, _ in cells)
    pal = T.current()
    value_cells = [color for kind, _, color in cells if kind == "value"]
    assert value_cells[-1] == pal.value_text  # the maximum takes the full value colour
    assert value_cells[0] != value_cells[-1]
    image = render_at(window, 1.0, item.sceneBoundingRect().center())
    _, rect, color = cells[5]
    assert near(image.pixelColor(window.view.mapFromScene(item.mapToScene(rect.center()))),
                color, 12)


def test_non_finite_tensor_cells_are_marked_in_the_error_colour(window) -> None:
    rows = [[1.0, -1.0] + [3.0] * 4] + [[3.0] * 6] * 2  # 18 numbers: a heatmap
    item = tensor_window(window, rows, "log")  # log(−1) is nan
    cells = thumb_cells(item.display, item.box)
    value_colors = [color for kind, _, color in cells if kind == "value"]
    assert value_colors[1] == T.current().error
    assert value_colors[0] != T.current().error
