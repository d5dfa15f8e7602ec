"""Destroying a window runs no callback on its dead parts: a dock hidden while the window is
being destroyed, the undo stack, the scene, timers, the clipboard and application-wide
signals must not reach a Python callable that uses the half-deleted window (PySide raises
"Internal C++ object already deleted", printed on the terminal)."""

# Fixtures come from crash_child by import; tests naming them as parameters trips F811.
# ruff: noqa: F811

from __future__ import annotations

import pytest
import shiboken6
from crash_child import make_window, prompts  # noqa: F401
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QDockWidget


def busy_window(make_window, qtbot, floating: str):
    """A shown window with every dock open (``floating`` floated), a run, Live on, a
    selection copied to the clipboard, a dirty document, and the gradient check, the cost
    measurement and training under way."""
    window = make_window(register=False)
    with qtbot.waitExposed(window):
        window.show()
    for dock in window.findChildren(QDockWidget):
        dock.show()
        dock.setFloating(dock.objectName() == floating)
    QApplication.processEvents()
    window.action("backward").trigger()
    window.action("live").setChecked(True)
    window.action("select_all").trigger()
    window.action("copy").trigger()
    assert window.scene.selected_ids() and QGuiApplication.clipboard().mimeData().formats()
    window.editor.set_value(next(i for i, n in window.graph.nodes.items() if n.is_input), "3")
    for learn in ("gradcheck", "cost", "train"):  # each left running on its timer
        window.action(learn).trigger()
    QApplication.processEvents()
    assert window.action("stop_training").isEnabled()
    return window


@pytest.mark.parametrize("floating", ["trace", "gradcheck", "inspector"])
@pytest.mark.parametrize("closed_first", [False, True])
def test_destroying_a_window_raises_and_prints_nothing(make_window, prompts, qtbot, capfd,
                                                       floating: str,
                                                       closed_first: bool) -> None:
    window = busy_window(make_window, qtbot, floating)
    hidden = [dock.objectName() for dock in window.findChildren(QDockWidget) if dock.isHidden()]
    assert hidden in ([], ["palette"])  # Ops gives its room to the Learn docks
    capfd.readouterr()
    with qtbot.captureExceptions() as raised:
        if closed_first:  # File > Quit: the window hides, then goes when Python drops it
            window.close()
            QApplication.processEvents()
        shiboken6.delete(window)  # an embedder or the interpreter's exit, window shown
        QApplication.processEvents()
        QGuiApplication.clipboard().clear()  # app-wide signals after the window is gone
        QApplication.processEvents()
    assert [str(error[1]) for error in raised] == []
    assert not shiboken6.isValid(window)
    err = capfd.readouterr().err
    assert "Traceback" not in err and "already deleted" not in err, err
