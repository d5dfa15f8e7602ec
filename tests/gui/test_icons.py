"""Every toolbar action and op category has an SVG icon that parses and renders in both themes."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from PySide6.QtGui import QAction, QIcon, QImage
from PySide6.QtWidgets import QMainWindow

from cgeditor.core.ops import CATEGORIES
from cgeditor.gui import icons

ACTIONS = [
    "new", "open", "save", "save_as", "export_image", "undo", "redo", "delete", "copy",
    "paste", "duplicate", "fit", "zoom_in", "zoom_out", "layout", "formula", "forward",
    "backward", "step", "run_all", "reset", "live", "play", "gradcheck", "train", "cost",
    "shortcuts_help", "gallery", "export_code", "show_formula", "export_numpy", "export_torch",
    "about",
]
ALL = ACTIONS + [icons.category_icon_name(c) for c in CATEGORIES]


@pytest.mark.parametrize("name", ALL)
def test_icon_file_is_a_24px_svg(name: str) -> None:
    root = ET.parse(icons.icon_path(name)).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.get("viewBox") == "0 0 24 24"
    assert "currentColor" not in icons.icon_path(name).read_text(encoding="utf-8")


def _opaque_pixels(image: QImage) -> int:
    return sum(1 for y in range(image.height()) for x in range(image.width())
               if image.pixelColor(x, y).alpha() > 0)


@pytest.mark.parametrize("name", ALL)
@pytest.mark.parametrize("dark", [False, True])
def test_icon_renders_something(qapp, name: str, dark: bool) -> None:
    qicon = icons.icon(name, dark)
    assert not qicon.isNull()
    pixmap = qicon.pixmap(24, 24)
    assert not pixmap.isNull() and pixmap.width() == 24
    assert _opaque_pixels(pixmap.toImage()) > 20


def test_dark_variant_swaps_the_neutral_colour(qapp) -> None:
    light = icons.icon("save", False).pixmap(48, 48).toImage()
    dark = icons.icon("save", True).pixmap(48, 48).toImage()
    lightest = max(light.pixelColor(x, y).lightness() for y in range(48) for x in range(48)
                   if light.pixelColor(x, y).alpha() == 255)
    lightest_dark = max(dark.pixelColor(x, y).lightness() for y in range(48) for x in range(48)
                        if dark.pixelColor(x, y).alpha() == 255)
    assert lightest_dark > lightest + 60


def test_two_x_pixmap_is_rendered_at_full_resolution(qapp) -> None:
    pixmap = icons.icon("fit", False).pixmap(48, 48)
    assert pixmap.width() == 48  # a 24px icon on a 2x screen asks for 48 physical pixels


def test_unknown_name_gives_a_null_icon(qapp) -> None:
    assert icons.icon("no_such_icon").isNull()


def test_apply_icons_sets_icons_by_object_name(qapp) -> None:
    window = QMainWindow()
    named = QAction("Save", window)
    named.setObjectName("save")
    window.addAction(named)
    unnamed = QAction("Other", window)
    unnamed.setObjectName("not_an_icon")
    window.addAction(unnamed)
    assert icons.apply_icons(window) == 1
    assert not named.icon().isNull()
    assert unnamed.icon().isNull()


@pytest.mark.parametrize("dark", [False, True])
def test_a_disabled_icon_is_visibly_fainter_in_both_themes(qapp, dark: bool) -> None:
    icon = icons.icon("undo", dark)
    normal = icon.pixmap(32, 32, QIcon.Mode.Normal).toImage()
    disabled = icon.pixmap(32, 32, QIcon.Mode.Disabled).toImage()

    def ink(image) -> float:
        return sum(image.pixelColor(x, y).alphaF() for y in range(32) for x in range(32))

    assert 0 < ink(disabled) < 0.5 * ink(normal)
