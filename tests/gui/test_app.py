"""The entry point: one clear line instead of Qt's abort when no window can be opened, and
the window's geometry and dock layout remembered between runs."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDockWidget

from cgeditor.gui import app
from cgeditor.gui import settings as app_settings
from cgeditor.gui.window import MainWindow


def test_no_display_is_one_clear_line(monkeypatch, capsys) -> None:
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(app.sys, "platform", "linux")
    assert app.main() == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "no display" in err and "cgeditor run FILE" in err and "cgeditor check FILE" in err


def test_missing_xcb_library_is_named_with_its_package() -> None:
    env = {"DISPLAY": ":0"}
    message = app.display_problem(env, "linux", loads=lambda so: so != "libxcb-cursor.so.0")
    assert "libxcb-cursor.so.0" in message and "libxcb-icccm.so.4" not in message.split("(")[0]
    assert "apt-get install libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1" in message
    assert "cgeditor build" in message


@pytest.mark.parametrize(("env", "platform"), [
    ({"DISPLAY": ":0"}, "linux"),
    ({"WAYLAND_DISPLAY": "wayland-0"}, "linux"),
    ({"QT_QPA_PLATFORM": "offscreen"}, "linux"),
    ({}, "darwin"),
    ({}, "win32"),
])
def test_a_usable_display_is_not_a_problem(env, platform) -> None:
    assert app.display_problem(env, platform, loads=lambda _so: True) is None


def test_layout_is_remembered_between_runs(qtbot, monkeypatch) -> None:
    runs: list[MainWindow] = []

    def fake_exec() -> int:
        window = next(w for w in QApplication.topLevelWidgets()
                      if isinstance(w, MainWindow) and w.isVisible())
        runs.append(window)
        if len(runs) == 1:
            window.resize(700, 480)
            dock = window.findChild(QDockWidget, "messages")
            window.addDockWidget(Qt.DockWidgetArea.TopDockWidgetArea, dock)
        assert window.close()
        return 0
    monkeypatch.setattr(QApplication, "exec", staticmethod(fake_exec))
    assert app.main() == 0
    assert app.main() == 0
    second = runs[1]
    assert (second.width(), second.height()) == (700, 480)
    dock = second.findChild(QDockWidget, "messages")
    assert second.dockWidgetArea(dock) == Qt.DockWidgetArea.TopDockWidgetArea
    for window in runs:
        window.deleteLater()


def test_first_start_fits_the_window_on_a_small_screen(qtbot, monkeypatch) -> None:
    """With nothing remembered, the default size never hangs off the screen's free area
    (offscreen Qt's screen is smaller than the default size, as a 1280×800 laptop is)."""
    shown: list[MainWindow] = []

    def fake_exec() -> int:
        window = next(w for w in QApplication.topLevelWidgets()
                      if isinstance(w, MainWindow) and w.isVisible())
        shown.append(window)
        return 0
    monkeypatch.setattr(QApplication, "exec", staticmethod(fake_exec))
    monkeypatch.setattr(MainWindow, "closeEvent", lambda self, event: event.accept())
    remembered = app_settings.make_settings()
    remembered.clear()  # a first start: no geometry from an earlier test's run
    remembered.sync()
    assert app.main() == 0
    window = shown[0]
    room = window.screen().availableGeometry()
    assert room.width() < 1400 or room.height() < 860  # the default would not fit
    assert window.width() <= room.width() and window.height() <= room.height()
    assert room.contains(window.frameGeometry().topLeft())
    window.close()
    window.deleteLater()


def test_a_remembered_dock_layout_without_a_usable_geometry_still_fits_the_screen(
        qtbot, monkeypatch) -> None:
    """Docks remembered but a window geometry Qt will not restore (another Qt's or a
    damaged one): the default size must still be fitted, or the right docks and the status
    bar hang off a 1280×800 screen."""
    runs: list[MainWindow] = []

    def fake_exec() -> int:
        window = next(w for w in QApplication.topLevelWidgets()
                      if isinstance(w, MainWindow) and w.isVisible())
        runs.append(window)
        assert window.close()
        return 0
    monkeypatch.setattr(QApplication, "exec", staticmethod(fake_exec))
    assert app.main() == 0
    remembered = app_settings.make_settings()
    assert remembered.value(app_settings.STATE_KEY)
    remembered.setValue(app_settings.GEOMETRY_KEY, b"not a geometry")
    remembered.sync()
    assert app.main() == 0
    second = runs[1]
    room = second.screen().availableGeometry()
    assert room.width() < 1400 or room.height() < 860  # the default would not fit
    assert room.contains(second.geometry()), (second.geometry(), room)
    inspector = second.findChild(QDockWidget, "inspector")
    assert room.contains(inspector.mapToGlobal(inspector.rect().bottomRight()))
    for window in runs:
        window.deleteLater()
