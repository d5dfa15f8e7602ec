"""A PNG too large for memory or for viewers is drawn at a lower scale that fits the pixel
budget, and says so; one that cannot fit even at the smallest scale is refused, writing
nothing. Checked on disk: the file decodes to the dimensions the export reports."""

# Fixtures come from crash_child by import; tests naming them as parameters trips F811.
# ruff: noqa: F811

from __future__ import annotations

import re
from pathlib import Path

import pytest
from crash_child import make_window, prompts, window  # noqa: F401
from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QImage, QPen
from PySide6.QtWidgets import QApplication, QFileDialog, QGraphicsScene

from cgeditor.cli import main
from cgeditor.gui.canvas import image_export
from cgeditor.gui.canvas.picture import PictureOptions
from cgeditor.gui.dialogs import export as export_ui
from cgeditor.paths import examples_dir

XOR = str(examples_dir() / "xor.cgraph")
BLUE = QColor("#3060c0")


def test_a_png_past_the_budget_is_drawn_smaller_and_decodes_whole(qapp, tmp_path) -> None:
    scene = QGraphicsScene()  # 12,048 × 3,048 with the margin: 24,096 × 6,096 px at 2×
    scene.addRect(0, 0, 12_000, 3_000, QPen(Qt.PenStyle.NoPen), QBrush(BLUE))
    path = tmp_path / "wide.png"
    done = image_export.export_png(scene, str(path))
    assert done.scale < image_export.PNG_SCALE
    assert f"drawn at {done.scale:g}× instead of 2×" in done.note
    assert "24,096×6,096 px" in done.note
    image = QImage(str(path))  # within Qt's default reading limit, so it opens here too
    assert (image.width(), image.height()) == (done.size.width(), done.size.height())
    assert image.width() == round(12_048 * done.scale)
    assert max(image.width(), image.height()) <= image_export.MAX_SIDE
    assert image.width() * image.height() <= image_export.MAX_PIXELS
    # no more than a hundredth below the largest scale that fits
    assert image.width() * image.height() * ((done.scale + 0.01) / done.scale) ** 2 \
        > image_export.MAX_PIXELS
    assert image.pixelColor(image.width() // 2, image.height() // 2) == BLUE
    assert image.pixelColor(2, 2) == QColor("white")


def test_a_png_within_the_budget_keeps_the_scale_asked(qapp, tmp_path) -> None:
    scene = QGraphicsScene()
    scene.addRect(0, 0, 400, 100, QPen(Qt.PenStyle.NoPen), QBrush(BLUE))
    done = image_export.export_png(scene, str(tmp_path / "small.png"), scale=4.0)
    assert (done.scale, done.note) == (4.0, "")
    assert QImage(str(tmp_path / "small.png")).width() == 448 * 4


@pytest.fixture
def small_budget(monkeypatch) -> None:
    """A budget the xor example at 2× is past (its real size stays cheap to draw)."""
    monkeypatch.setattr(image_export, "MAX_PIXELS", 150_000)


def test_cli_names_the_scale_used_and_the_file_has_it(small_budget, capsys, tmp_path) -> None:
    target = tmp_path / "xor.png"
    assert main(["export", XOR, "-o", str(target), "--run"]) == 0
    out = capsys.readouterr().out
    image = QImage(str(target))
    assert image.width() * image.height() <= 150_000
    assert out.startswith(f"wrote {target}: {image.width()}×{image.height()} (drawn at 0.")
    assert "instead of 2×" in out and "150,000 pixels in all" in out


def test_a_png_that_cannot_fit_is_refused_and_writes_nothing(monkeypatch, capsys,
                                                              tmp_path) -> None:
    monkeypatch.setattr(image_export, "MAX_PIXELS", 2_000)
    target = tmp_path / "xor.png"
    target.write_bytes(b"an earlier picture")
    assert main(["export", XOR, "-o", str(target)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "too large for a PNG" in err
    assert "export an SVG instead" in err and "Nothing was written" in err
    assert target.read_bytes() == b"an earlier picture"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["xor.png"]


def test_export_dialog_says_the_scale_it_used(window, small_budget, monkeypatch, prompts,
                                              tmp_path: Path) -> None:
    window.scene.addRect(0, 0, 600, 300)
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda *_a: (str(tmp_path / "pic.png"), "PNG image (*.png)"))
    monkeypatch.setattr(export_ui, "ask_options", lambda *_a: PictureOptions(scale=4.0))
    window.action("export_image").trigger()
    image = QImage(str(tmp_path / "pic.png"))
    assert 0 < image.width() * image.height() <= 150_000
    shown = window.statusBar().currentMessage()
    assert f"({image.width()}×{image.height()}; drawn at 0." in shown
    assert "instead of 4×" in shown and not prompts.errors


def test_export_shows_a_wait_cursor_and_a_message_while_drawing(window, monkeypatch, prompts,
                                                                 tmp_path: Path) -> None:
    """While the picture is drawn the cursor waits and the messages say what is being
    exported; afterwards the cursor is back and the line says how long it took."""
    seen = []
    real = export_ui.export_picture

    def watched(*args):
        cursor = QApplication.overrideCursor()
        seen.append((cursor.shape() if cursor else None, window.statusBar().currentMessage()))
        return real(*args)
    monkeypatch.setattr(export_ui, "export_picture", watched)
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda *_a: (str(tmp_path / "pic.svg"), "SVG image (*.svg)"))
    monkeypatch.setattr(export_ui, "ask_options", lambda *_a: PictureOptions())
    window.action("export_image").trigger()
    ((shape, message),) = seen
    assert shape == Qt.CursorShape.WaitCursor
    assert message.startswith(f"Exporting {len(window.graph.nodes)} nodes to ")
    assert QApplication.overrideCursor() is None
    assert (tmp_path / "pic.svg").read_text(encoding="utf-8").lstrip().startswith("<?xml")
    assert re.search(r"Exported the graph to .*pic\.svg .* in \d+\.\d s$",
                     window.statusBar().currentMessage())
    assert not prompts.errors


def test_an_opaque_png_drops_only_the_alpha_channel(qapp, tmp_path) -> None:
    """On an opaque background every pixel is opaque: the file carries no alpha channel
    (less for the encoder to write) and decodes to exactly the colours drawn with one; on
    a transparent background the alpha channel stays."""
    scene = QGraphicsScene()
    scene.addEllipse(0, 0, 90, 50, QPen(QColor("#c03060"), 3), QBrush(BLUE))  # soft edges
    scene.addText("∂J/∂w = −4").setPos(10, 60)
    opaque, clear = tmp_path / "opaque.png", tmp_path / "clear.png"
    image_export.export_png(scene, str(opaque))
    image_export.export_png(scene, str(clear), background=QColor(0, 0, 0, 0))
    drawn = QImage(QImage(str(clear)).size(), QImage.Format.Format_ARGB32_Premultiplied)
    source = image_export._source_rect(scene)
    image_export._paint(scene, drawn, drawn.rect().toRectF(), source, QColor("white"))
    saved = QImage(str(opaque))
    assert not saved.hasAlphaChannel() and QImage(str(clear)).hasAlphaChannel()
    assert saved.convertToFormat(QImage.Format.Format_ARGB32) == \
        drawn.convertToFormat(QImage.Format.Format_ARGB32)
    assert QImage(str(clear)).pixelColor(1, 1).alpha() == 0
