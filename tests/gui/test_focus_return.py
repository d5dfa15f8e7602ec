"""When a dialog or popup closes, the keyboard focus goes back where it was (the canvas, or
the inspector field being edited): the offscreen platform, like a bare X server, has no
window manager to re-activate the main window, so without this 'F' after closing a dialog
opened Quick add instead of fitting the view."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

# Every dialog the menus open: non-modal ones (open()), modal ones (exec()), the file
# dialog, and a message box (New with unsaved changes asks first).
DIALOGS = ["formula", "show_formula", "export_numpy", "export_torch", "gallery",
           "shortcuts_help", "about", "export_image", "open", "new"]


def escape_the_dialog(window) -> None:
    """Press Escape in whatever top-level window other than ``window`` has the focus,
    retrying until one is up (modal dialogs open inside the action's own call)."""
    widget = QApplication.focusWidget()
    if widget is None or widget.window() is window:
        QTimer.singleShot(50, lambda: escape_the_dialog(window))
        return
    QTest.keyClick(widget, Qt.Key.Key_Escape)


def settle_focus(qtbot, window) -> None:
    """Wait (a second at most) for the focus to land in a shown widget of ``window``: Qt
    moves it about for a few event loop turns after a window closes."""
    def landed() -> bool:
        focus = QApplication.focusWidget()
        return focus is not None and focus.window() is window and focus.isVisible()
    qtbot.waitUntil(landed, timeout=1000)


def focus_after(qtbot, window, name: str):
    if name == "new":
        window.editor.add_op("exp", window.view.center_scene_pos())  # something to lose
    QTimer.singleShot(50, lambda: escape_the_dialog(window))
    window.action(name).trigger()
    qtbot.waitUntil(lambda: QApplication.activeModalWidget() is None
                    and all(not w.isVisible() for w in QApplication.topLevelWidgets()
                            if w is not window and w.isWindow() and w.windowTitle()
                            and w is not window.quick_add), timeout=5000)
    settle_focus(qtbot, window)
    return QApplication.focusWidget()


@pytest.mark.parametrize("name", DIALOGS)
def test_closing_a_dialog_gives_the_focus_back_to_the_canvas(qtbot, window, name) -> None:
    vp = window.view.viewport()
    qtbot.mouseClick(vp, Qt.MouseButton.LeftButton, pos=vp.rect().center())
    assert QApplication.focusWidget() is window.view
    assert focus_after(qtbot, window, name) is window.view
    window.view.zoom_by(0.25)
    small = window.view.zoom()
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_F)
    assert not window.quick_add.isVisible()  # 'F' fits the view; it types nowhere
    assert window.view.zoom() > small


def test_closing_quick_add_gives_the_focus_back_to_the_canvas(qtbot, window) -> None:
    vp = window.view.viewport()
    qtbot.mouseClick(vp, Qt.MouseButton.LeftButton, pos=vp.rect().center())
    QTest.keyClick(window.view, Qt.Key.Key_Tab)
    qtbot.waitUntil(window.quick_add.isVisible)
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not window.quick_add.isVisible())
    settle_focus(qtbot, window)
    assert QApplication.focusWidget() is window.view


def test_the_focus_goes_back_to_the_inspector_field_it_left(qtbot, window, canvas) -> None:
    window.scene.select_ids([canvas.id("w")])
    field = window.inspector.fields["name"].edit
    qtbot.mouseClick(field, Qt.MouseButton.LeftButton)
    assert QApplication.focusWidget() is field
    assert focus_after(qtbot, window, "formula") is field
