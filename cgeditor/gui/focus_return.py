"""Gives the keyboard focus back to the main window when a dialog or popup closes.

A window manager re-activates the window under a closed dialog, and Qt then refocuses the
widget that had the focus there. Without one (a bare X server, a kiosk, some remote desktops)
nothing does: the focus stays nowhere, the canvas's shortcuts ('F' to fit) stop working and
typed letters open Quick add. This puts the focus back where it was (the canvas by default).

A widget disabled while it has the focus (a button its own click disables: Apply remedy,
Use as output) makes Qt hand the focus to the next widget along, often the toolbar's
interval field, which then takes Ctrl+Z for itself: the canvas gets the focus instead.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow, QWidget
from shiboken6 import isValid


class FocusReturn(QObject):
    """Follows the focus inside ``window``; when it leaves another top-level window (a
    dialog, a message box, a file dialog, a popup) and that window closes leaving the focus
    nowhere (or in a hidden window), it goes back to the widget of ``window`` that last
    had it, or to ``fallback``."""

    def __init__(self, window: QMainWindow, fallback: QWidget) -> None:
        super().__init__(window)
        self.window = window
        self.fallback = fallback
        self.last: QWidget | None = None
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        app.focusChanged.connect(self._focus_changed)

    def _focus_changed(self, old: QWidget | None, new: QWidget | None) -> None:
        if not isValid(self.window):
            return
        if old is not None and new is not None and isValid(old) and not old.isEnabled() \
                and old.window() is self.window and new.window() is self.window:
            # Later, and only if nothing took the focus meanwhile: the code that disabled
            # the widget may give the focus a place of its own (practice's answer field).
            QTimer.singleShot(0, lambda: self._off_disabled(new))
        if new is not None and new.window() is self.window:
            self.last = new
            return
        # Focus leaving a dialog, or landing in a closed popup (Qt moves it to the next
        # widget of a popup hidden around it).
        leaving = old if old is not None and isValid(old) and old.window() is not self.window \
            else new if new is not None and not new.window().isVisible() else None
        if leaving is not None:
            closed = leaving.window()
            # Later: the dialog finishes closing (and a window manager refocuses) first.
            QTimer.singleShot(0, lambda: self._give_back(closed))

    def _off_disabled(self, landed: QWidget) -> None:
        """The focus passed on from a disabled widget goes to the canvas if still at
        ``landed``."""
        if isValid(self.window) and isValid(landed) and QApplication.focusWidget() is landed \
                and landed is not self.fallback and self.fallback.isVisible():
            self.fallback.setFocus(Qt.FocusReason.OtherFocusReason)

    def _give_back(self, closed: QWidget) -> None:
        """Refocus the main window unless a shown window has the focus, or ``closed`` is
        still shown (the user went to another application)."""
        if not isValid(self.window) or not self.window.isVisible() \
                or (isValid(closed) and closed.isVisible()):
            return
        focus = QApplication.focusWidget()
        if focus is not None and focus.window().isVisible():
            return
        target = self.last if self.last is not None and isValid(self.last) \
            and self.last.isVisible() else self.fallback
        self.window.activateWindow()
        target.setFocus(Qt.FocusReason.ActiveWindowFocusReason)
