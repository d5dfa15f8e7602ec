"""View > Theme: System, Light and Dark switch the canvas, the node items, the wires, the
widgets' palette and the icons together, and the choice is remembered for the next start."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPointF, QRectF, QSettings
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtWidgets import QApplication

from cgeditor.gui import theme as T
from cgeditor.gui import theme_switch


@pytest.fixture
def themed(window):
    """The seed window; afterwards back to following the system, for the tests that follow."""
    yield window
    window.action("theme_system").trigger()


def node_pixel(window, name: str, local: QPointF) -> str:
    """The colour the scene paints at ``local`` inside node ``name`` (rendered 1:1)."""
    item = window.scene.nodes[window.graph.by_name(name).id]
    spot = item.mapToScene(local)
    image = QImage(9, 9, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    window.scene.render(painter, QRectF(0, 0, 9, 9), QRectF(spot.x() - 4, spot.y() - 4, 9, 9))
    painter.end()
    return image.pixelColor(4, 4).name()


BODY = QPointF(T.NODE_WIDTH - 10, T.HEADER_HEIGHT + 5)  # plain body: no port, text or badge


def test_menu_offers_three_exclusive_choices_starting_with_system(themed) -> None:
    actions = [themed.action(f"theme_{c}") for c in ("system", "light", "dark")]
    assert all(a is not None and a.isCheckable() for a in actions)
    assert [a.isChecked() for a in actions] == [True, False, False]
    actions[2].trigger()
    assert [a.isChecked() for a in actions] == [False, False, True]


def test_dark_switches_canvas_items_wires_and_widgets(themed) -> None:
    win = themed
    assert node_pixel(win, "w", BODY) == T.LIGHT.node_body.name()
    win.action("theme_dark").trigger()
    assert win.scene.backgroundBrush().color() == T.DARK.canvas
    assert node_pixel(win, "w", BODY) == T.DARK.node_body.name()
    wire = win.scene.wires[(win.graph.by_name("c").id, "a")]
    assert wire.pen().color() == T.DARK.wire
    assert QGuiApplication.palette().window().color().lightness() < 128
    QApplication.processEvents()  # widgets take the new palette from a posted event
    assert win.palette.tree.palette().base().color().lightness() < 128
    win.action("theme_light").trigger()
    assert win.scene.backgroundBrush().color() == T.LIGHT.canvas
    assert node_pixel(win, "w", BODY) == T.LIGHT.node_body.name()
    assert wire.pen().color() == T.LIGHT.wire
    assert QGuiApplication.palette().window().color().lightness() >= 128


def test_icons_and_palette_swatches_follow_the_theme(themed) -> None:
    save = themed.action("save")
    item = themed.palette.op_items()[0]
    light_icon = save.icon().pixmap(24, 24).toImage()
    light_swatch = item.icon(0).pixmap(12, 12).toImage()
    themed.action("theme_dark").trigger()
    assert save.icon().pixmap(24, 24).toImage() != light_icon
    assert item.icon(0).pixmap(12, 12).toImage() != light_swatch


def test_system_hands_the_widgets_back_to_the_platform(themed) -> None:
    system_window = QGuiApplication.palette().window().color()
    themed.action("theme_dark").trigger()
    themed.action("theme_system").trigger()
    assert QGuiApplication.palette().window().color() == system_window
    assert T.current() is (T.DARK if T.system_is_dark() else T.LIGHT)


def test_choice_is_remembered_and_shared_by_every_window(themed, qtbot, tmp_path) -> None:
    from cgeditor.gui.window import MainWindow

    themed.action("theme_dark").trigger()
    assert themed.settings.value(theme_switch.THEME_KEY) == "dark"
    settings = QSettings(themed.settings.fileName(), QSettings.Format.IniFormat)
    second = MainWindow(settings=settings)
    qtbot.addWidget(second)
    assert second.action("theme_dark").isChecked()
    assert second.scene.backgroundBrush().color() == T.DARK.canvas
    second.action("theme_light").trigger()  # the theme is app-wide: the first window follows
    assert themed.action("theme_light").isChecked()
    assert themed.scene.backgroundBrush().color() == T.LIGHT.canvas
    second.close()


def test_inspector_fields_keep_working_after_a_switch(themed) -> None:
    win = themed
    node = win.graph.by_name("w")
    win.scene.nodes[node.id].setSelected(True)
    win.action("theme_dark").trigger()
    field = win.inspector.fields["value"]
    field.edit.setText("oops")
    field.commit()
    assert not field.error.isHidden()
    assert T.DARK.error.name() in field.error.styleSheet()
    assert win.graph.node(node.id).value == 2.0
    assert win.inspector.node_id == node.id
