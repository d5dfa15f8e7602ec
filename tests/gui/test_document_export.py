"""Canvas export: real PNG and SVG files, headless functions and the File > Export action."""

# Fixtures come from crash_child by import; tests naming them as parameters trips F811.
# ruff: noqa: F811

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from crash_child import make_window, prompts, window  # noqa: F401
from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QImage
from PySide6.QtWidgets import QFileDialog, QGraphicsScene

from cgeditor.gui.canvas import image_export
from cgeditor.gui.canvas.picture import PictureOptions
from cgeditor.gui.dialogs import export as export_ui


@pytest.fixture
def scene(qapp) -> QGraphicsScene:
    scene = QGraphicsScene()
    scene.addRect(0, 0, 200, 100, brush=QBrush(QColor("#3060c0")))
    scene.addText("tanh").setPos(220, 40)
    return scene


def test_png_is_a_real_image_at_twice_the_scale(scene, tmp_path: Path) -> None:
    path = tmp_path / "graph.png"
    size = image_export.export_png(scene, str(path)).size
    image = QImage(str(path))
    assert not image.isNull() and (image.width(), image.height()) == (size.width(), size.height())
    rect = scene.itemsBoundingRect()
    assert image.width() == round((rect.width() + 2 * image_export.MARGIN) * 2)
    margin = int(image_export.MARGIN * 2)
    assert image.pixelColor(2, 2) == QColor(Qt.GlobalColor.white)  # the background
    assert image.pixelColor(margin + 20, margin + 20) == QColor("#3060c0")  # the rectangle


def test_svg_parses_and_has_drawing_elements(scene, tmp_path: Path) -> None:
    path = tmp_path / "graph.svg"
    image_export.export_svg(scene, str(path))
    root = ET.parse(path).getroot()
    assert root.tag.endswith("svg")
    assert len(list(root.iter())) > 5
    assert "tanh" in path.read_text(encoding="utf-8")


def test_empty_canvas_and_unknown_suffix_say_why(scene, tmp_path: Path) -> None:
    with pytest.raises(image_export.ImageExportError, match="empty"):
        image_export.export_png(QGraphicsScene(), str(tmp_path / "x.png"))
    with pytest.raises(image_export.ImageExportError, match=r"\.png or \.svg"):
        image_export.export_file(scene, str(tmp_path / "x.gif"))
    assert list(tmp_path.iterdir()) == []


def test_export_action_writes_the_chosen_format(window, monkeypatch, prompts,
                                                tmp_path: Path) -> None:
    window.scene.addRect(0, 0, 50, 50)  # whatever the canvas draws, something is there
    answers = iter([(str(tmp_path / "pic"), "SVG drawing (*.svg)"),
                    (str(tmp_path / "pic.png"), "PNG image (*.png)"),
                    (str(tmp_path / "missing" / "pic.png"), "PNG image (*.png)")])
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_a: next(answers))
    monkeypatch.setattr(export_ui, "ask_options", lambda *_a: PictureOptions())
    window.action("export_image").trigger()
    assert ET.parse(tmp_path / "pic.svg").getroot().tag.endswith("svg")
    window.action("export_image").trigger()
    assert QImage(str(tmp_path / "pic.png")).width() > 0
    window.action("export_image").trigger()
    assert prompts.errors and prompts.errors[-1][0] == "Could not export"
