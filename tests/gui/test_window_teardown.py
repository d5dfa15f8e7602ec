"""A window torn down with its docks open says nothing: the docks' visibility signals and a
pending re-fit fire while Qt deletes the window, and must not reach into what is gone."""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication


def test_deleting_a_window_with_docks_open_raises_nothing(qtbot, tmp_path, capfd) -> None:
    from cgeditor.gui.window import MainWindow
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(settings=settings)
    window.show()
    window.learning.show("cost")
    window.resize(1000, 700)  # a re-fit is pending
    capfd.readouterr()
    shiboken6.delete(window)
    QApplication.processEvents()
    qtbot.wait(20)
    assert "Traceback" not in capfd.readouterr().err
