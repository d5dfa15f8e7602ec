"""Help: every shortcut and gesture is listed, About names the versions, the first-run hint
stays dismissed once dismissed."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QWidget

from cgeditor.gui import shortcuts
from cgeditor.gui.dialogs import help


def _keys(name: str) -> str:
    return help.keys_text(name)


def test_every_binding_and_gesture_is_listed(qtbot) -> None:
    dialog = help.ShortcutsDialog()
    qtbot.addWidget(dialog)
    rows = dialog.visible_rows()
    keys = [row[2] for row in rows]
    for name in shortcuts.SHORTCUTS:
        if shortcuts.sequences(name):
            assert _keys(name) in keys, name
    whats = [row[1] for row in rows]
    for gesture, _how in help.GESTURES:
        assert gesture in whats
    assert any("Tab" in k for k in keys) and any("wheel" in k.lower() for k in keys)
    assert any("Space" in k for k in keys) and any("port" in k for k in keys)


def test_titles_come_from_the_window_actions(qtbot) -> None:
    window = QMainWindow()
    qtbot.addWidget(window)
    action = QAction("Save &As…", window)
    action.setObjectName("save_as")
    window.addAction(action)
    window.menus = {"file": window.menuBar().addMenu("&File")}
    window.menus["file"].addAction(action)
    dialog = help.ShortcutsDialog(window)
    qtbot.addWidget(dialog)
    assert ("File", "Save As…", _keys("save_as")) in dialog.visible_rows()
    assert help.action_title("run_all") == "Run all"


def test_vendor_keys_are_left_out() -> None:
    copy = _keys("copy")
    assert "Ctrl+C" in copy and "F16" not in copy
    assert "Ctrl+Z" in _keys("undo") and "F14" not in _keys("undo")
    for name in ("forward", "backward", "fit"):  # plain F keys stay
        assert _keys(name) == shortcuts.sequences(name)[0].toString(
            QKeySequence.SequenceFormat.NativeText)


def test_search_filters_rows(qtbot) -> None:
    dialog = help.ShortcutsDialog()
    qtbot.addWidget(dialog)
    qtbot.keyClicks(dialog.filter, "F5")
    rows = dialog.visible_rows()
    assert rows and all("F5" in row[2] for row in rows)
    dialog.filter.clear()
    assert len(dialog.visible_rows()) == dialog.table.rowCount()


def test_about_names_version_and_libraries(qtbot) -> None:
    from cgeditor import __version__
    dialog = help.AboutDialog()
    qtbot.addWidget(dialog)
    text = dialog.findChild(QWidget, "about_text").text()
    assert __version__ in text and "PySide6" in text and "NumPy" in text


def hint_setup(qtbot, tmp_path: Path) -> tuple[QSettings, QWidget]:
    """Fresh settings in ``tmp_path`` and a shown 800 × 500 widget to host the hint."""
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    canvas = QWidget()
    qtbot.addWidget(canvas)
    canvas.resize(800, 500)
    canvas.show()
    return settings, canvas


def test_first_run_hint_is_remembered_once_dismissed(qtbot, tmp_path) -> None:
    settings, canvas = hint_setup(qtbot, tmp_path)
    hint = help.show_first_run_hint(canvas, settings)
    assert hint is not None and hint.isVisible()
    assert "Forward" in hint.label.text() and "Backward" in hint.label.text()
    assert hint.y() < 50 and abs(hint.geometry().center().x() - 400) <= 1
    with qtbot.waitSignal(hint.dismissed):
        hint.findChild(QWidget, "first_run_hint_close").click()
    assert not hint.isVisible()
    assert help.show_first_run_hint(canvas, settings) is None
    reread = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    assert help.FirstRunHint.was_dismissed(reread)


def test_hint_follows_the_canvas_width(qtbot, tmp_path) -> None:
    settings, canvas = hint_setup(qtbot, tmp_path)
    hint = help.show_first_run_hint(canvas, settings)
    canvas.resize(1200, 500)
    qtbot.waitUntil(lambda: abs(hint.geometry().center().x() - 600) <= 1)
