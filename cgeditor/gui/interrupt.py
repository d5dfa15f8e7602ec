"""Ctrl+C in the terminal (SIGINT), and SIGTERM or SIGHUP, close the editor without a prompt
and without losing work: each window's unsaved changes go to its recovery file first, which
the next start offers, as after a crash; a window without changes closes cleanly.

Qt's event loop runs in C++, where Python signal handlers never get a turn: the signal is
written to a socket (``signal.set_wakeup_fd``) that a QSocketNotifier watches, so the loop
wakes at once, with no polling timer.
"""

from __future__ import annotations

import contextlib
import signal
import socket

from PySide6.QtCore import QObject, QSocketNotifier
from PySide6.QtWidgets import QApplication

QUIT_SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP")
                     if hasattr(signal, name))


class QuitOnSignals(QObject):
    """Installed once per application; closes every editor window on the first signal and
    leaves the default action for a second one (a stuck close still ends on Ctrl+C)."""

    def __init__(self, app: QApplication, signals: tuple[int, ...] = QUIT_SIGNALS) -> None:
        super().__init__(app)
        self._app, self._signals = app, signals
        self._read, self._write = socket.socketpair()
        for end in (self._read, self._write):
            end.setblocking(False)
        self._old_fd = signal.set_wakeup_fd(self._write.fileno())
        for signum in signals:
            # A Python handler is needed for the wakeup byte to be written; the work is
            # done in the event loop, where it is safe to touch the windows.
            signal.signal(signum, lambda *_args: None)
        self._notifier = QSocketNotifier(self._read.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._woken)
        app.aboutToQuit.connect(self.uninstall)

    def _woken(self, *_args: object) -> None:
        with contextlib.suppress(BlockingIOError):
            received = self._read.recv(64)
            wanted = [signum for signum in received if signum in self._signals]
            if wanted:
                self.quit(wanted[0])

    def quit(self, signum: int) -> None:
        """Close every editor window keeping its unsaved work, then leave the event loop
        with the shell's code for death by ``signum`` (130 for Ctrl+C)."""
        from cgeditor.gui.window import MainWindow  # here: the window imports much

        self.uninstall()
        for widget in self._app.topLevelWidgets():
            if isinstance(widget, MainWindow) and widget.isVisible():
                widget.close_unasked()
        self._app.exit(128 + signum)

    def uninstall(self) -> None:
        """Back to the default actions (a second Ctrl+C ends the process at once)."""
        if self._notifier.isEnabled():
            self._notifier.setEnabled(False)
            signal.set_wakeup_fd(self._old_fd)
            for signum in self._signals:
                signal.signal(signum, signal.SIG_DFL)


def quit_on_signals(app: QApplication) -> QuitOnSignals:
    """Have SIGINT, SIGTERM and SIGHUP close ``app``'s editor windows keeping their work."""
    return QuitOnSignals(app)
