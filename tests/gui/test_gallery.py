"""The example gallery: every bundled example listed with a picture; choosing one emits its path."""

from __future__ import annotations

import shutil
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox

from cgeditor.gui.dialogs import gallery
from cgeditor.model import files
from cgeditor.model.examples import CATALOGUE
from cgeditor.paths import examples_dir, seed_example


def test_every_bundled_example_is_listed_seed_first() -> None:
    listed = gallery.list_examples()
    assert listed[0].path == seed_example()
    assert {e.path for e in listed} == set(examples_dir().glob("*.cgraph"))
    assert [e.title for e in listed] == [e.title for e in CATALOGUE.values()]
    assert all(e.description for e in listed)


def test_broken_files_are_left_out(tmp_path: Path) -> None:
    shutil.copy(seed_example(), tmp_path / "seed.cgraph")
    (tmp_path / "broken.cgraph").write_text("{not json", encoding="utf-8")
    assert [e.path.name for e in gallery.list_examples(tmp_path)] == ["seed.cgraph"]


def test_picture_shows_the_graph(qapp) -> None:
    image = gallery.render_graph(files.load(seed_example()))
    assert image.devicePixelRatio() == gallery.PICTURE_SCALE
    assert image.width() == round(gallery.THUMB_SIZE.width() * gallery.PICTURE_SCALE)
    background = image.pixelColor(1, 1)
    colours = {image.pixelColor(x, y).name() for y in range(0, image.height(), 4)
               for x in range(0, image.width(), 4)}
    assert len(colours) > 10 and background.name() in colours


def test_thumbnails_are_cached(qapp) -> None:
    first = gallery.thumbnail(seed_example())
    assert gallery.thumbnail(seed_example()).cacheKey() == first.cacheKey()


def test_dialog_lists_examples_with_pictures(qtbot) -> None:
    dialog = gallery.GalleryDialog()
    qtbot.addWidget(dialog)
    assert dialog.objectName() == "gallery"
    assert dialog.list.count() == len(gallery.list_examples())
    item = dialog.list.item(0)
    assert not item.icon().isNull()
    assert item.text().startswith(CATALOGUE["seed"].title)


def test_open_button_emits_the_chosen_path(qtbot) -> None:
    dialog = gallery.GalleryDialog()
    qtbot.addWidget(dialog)
    dialog.list.setCurrentRow(0)
    with qtbot.waitSignal(dialog.example_chosen) as blocker:
        dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Open).click()
    assert blocker.args == [str(seed_example())]
    assert dialog.result() == dialog.DialogCode.Accepted


def test_double_click_emits_the_chosen_path(qtbot) -> None:
    dialog = gallery.GalleryDialog()
    qtbot.addWidget(dialog)
    with qtbot.waitExposed(dialog):
        dialog.show()
    rect = dialog.list.visualItemRect(dialog.list.item(0))
    # A real double-click is press, release, then the double-click event on the same item.
    qtbot.mouseClick(dialog.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    with qtbot.waitSignal(dialog.example_chosen) as blocker:
        qtbot.mouseDClick(dialog.list.viewport(), Qt.MouseButton.LeftButton,
                          pos=rect.center())
    assert blocker.args == [str(seed_example())]


def test_empty_folder_disables_open(qtbot, tmp_path: Path) -> None:
    dialog = gallery.GalleryDialog(folder=tmp_path)
    qtbot.addWidget(dialog)
    assert dialog.list.count() == 0
    assert not dialog.open_button.isEnabled()
