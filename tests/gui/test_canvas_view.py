"""Navigating the canvas and what the items paint: zoom at the cursor, pan, fit, level of
detail, and the display state the run view fills in."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QImage, QPainter, QWheelEvent
from PySide6.QtWidgets import QApplication

from cgeditor.gui import theme as T


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
    visible = view.mapToScene(view.viewport().rect()).boundingRect()
    assert visible.contains(window.scene.graph_rect())
    before = view.mapToScene(QPoint(100, 100))
    canvas.drag(view.mapToScene(QPoint(300, 300)), view.mapToScene(QPoint(200, 250)),
                button=Qt.MouseButton.MiddleButton)
    after = view.mapToScene(QPoint(100, 100))
    assert after.x() > before.x() and after.y() > before.y()
    assert window.undo_stack.count() == 0  # panning is not an edit


def render(window, zoom: float) -> QImage:
    view = window.view
    view.resetTransform()
    view.scale(zoom, zoom)
    view.centerOn(window.scene.graph_rect().center())
    image = QImage(view.viewport().size(), QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    view.render(painter)
    painter.end()
    return image


def test_zoomed_out_nodes_are_solid_category_blocks(window, canvas) -> None:
    image = render(window, 0.3)
    center = window.view.mapFromScene(canvas.item("c").sceneBoundingRect().center())
    assert image.pixelColor(center) == T.category_color("Arithmetic")
    image = render(window, 1.0)
    body = window.view.mapFromScene(canvas.item("c").pos() + QPointF(120, 40))
    assert image.pixelColor(body) == T.current().node_body


def test_display_state_adds_rows_and_badges(window, canvas) -> None:
    item = canvas.item("c")
    height = item.rect().height()
    item.set_display(value_text="−4", grad_value="2", grad_label="∂J/∂·", order_badge="5")
    assert item.info_rows() == [("value", "= −4"), ("grad", "∂J/∂· = 2")]
    assert item.rect().height() == height + 2 * T.ROW_HEIGHT
    wire = window.scene.wires[(canvas.id("a"), "a")]
    assert wire.path().pointAtPercent(0) == item.out_port_pos()
    item.set_display(error_text="shape mismatch", origin=True)
    assert "shape mismatch" in item.display.tooltip
    assert ("error", "⚠ origin: shape mismatch") in item.info_rows()
