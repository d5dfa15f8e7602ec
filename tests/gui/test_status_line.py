"""The status bar at 1280×800: a message too long for it ends in "…" before the bar's
permanent buttons, and the whole message is the bar's tooltip (shown on hover); one that
fits is shown whole, with no tooltip."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QToolButton, QToolTip

from cgeditor.model.formula import from_formula

NEEDS_SCALAR = ("gradients not computed: the output h has shape (2,), but gradients need a "
                "scalar output (a single number); add J = sum(h) (or J = mean(h)) and make it "
                "the output")


def laptop(window) -> None:
    window.resize(1280, 800)
    QApplication.processEvents()


def assert_elided(bar, full: str) -> None:
    shown = bar.shown_text()
    assert bar.currentMessage() == full  # the message itself is whole
    assert shown.endswith("…") and full.startswith(shown[:-1]) and len(shown) > 40
    assert bar.fontMetrics().horizontalAdvance(shown) <= bar.message_rect().width()
    assert bar.toolTip() == full


def hover(qtbot, bar) -> str:
    """The tooltip shown after the mouse rests on the message."""
    QToolTip.hideText()
    where = QPoint(bar.message_rect().center().x(), bar.height() // 2)
    QTest.mouseMove(bar, where - QPoint(5, 0))
    QTest.mouseMove(bar, where)
    qtbot.waitUntil(QToolTip.isVisible, timeout=5000)
    return QToolTip.text()


def test_a_message_too_long_ends_in_an_ellipsis_before_the_buttons(qtbot, window) -> None:
    laptop(window)
    window.set_graph(from_formula("h = tanh(w*x)", w=np.array([1.0, 2.0]),
                                  x=np.array([3.0, 4.0])))
    window.view.setFocus()
    QTest.keyClick(window.view, Qt.Key.Key_F6)
    QApplication.processEvents()
    bar = window.statusBar()
    button = window.findChild(QToolButton, "make_scalar_sum_button")
    assert button.isVisible()
    assert_elided(bar, NEEDS_SCALAR)
    left_of_buttons = button.mapTo(bar, QPoint(0, 0)).x()
    assert bar.message_rect().right() < left_of_buttons
    window.activateWindow()
    assert hover(qtbot, bar) == NEEDS_SCALAR


def test_a_logged_line_that_fits_shows_whole_and_one_that_does_not_is_elided(
        qtbot, window) -> None:
    laptop(window)
    bar = window.statusBar()
    window.log("Copied 1 node")
    assert (bar.shown_text(), bar.toolTip()) == ("Copied 1 node", "")
    long = "Forward mode from w: " + ", ".join(f"∂v{k}/∂w = −{k}" for k in range(60))
    window.log(long)
    assert_elided(bar, long)
    assert window.messages.toPlainText().splitlines()[-1] == long  # the Messages dock: whole
    wide = bar.shown_text()
    window.resize(window.minimumSizeHint().width(), 800)  # narrower: cut sooner
    QApplication.processEvents()
    assert len(bar.shown_text()) < len(wide)
    assert_elided(bar, long)
    window.log("Copied 2 nodes")  # a short one after it: no stale tooltip
    assert (bar.shown_text(), bar.toolTip()) == ("Copied 2 nodes", "")
    bar.clearMessage()
    assert (bar.shown_text(), bar.toolTip()) == ("", "")
