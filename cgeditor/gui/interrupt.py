"""Ctrl+C in the terminal (SIGINT), and SIGTERM or SIGHUP, close the editor without a prompt
and without losing work: each window's unsaved changes go to its recovery file first, which
the next start offers, as after a crash; a window without changes closes cleanly. Signals
after the first (Ctrl+C pressed again and again) neither cut that write short nor print a
traceback while the process ends: they are noted once and otherwise ignored.

Qt's event loop runs in C++, where Python signal handlers never get a turn: the signal is
written to a socket (``signal.set_wakeup_fd``) that a QSocketNotifier watches, so the loop
wakes at once, with no polling timer.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
from collections.abc import Iterator

from PySide6.QtCore import QObject, QSocketNotifier
from PySide6.QtWidgets import QApplication

QUIT_SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP")
                     if hasattr(signal, name))


NOTE_AGAIN = b"cgeditor: quitting; any unsaved work is kept for the next start\n"


class QuitOnSignals(QObject):
    """Closes every editor window on the first of ``signals``; later ones are ignored, as
    the process is ending anyway: their default action would kill it in the middle of
    writing a recovery file (work lost), and Python's own raises KeyboardInterrupt in
    whatever runs next (a traceback on the way out). ``restore`` puts back the wakeup fd
    found, and the handlers too unless a signal came (tests and embedders run ``main`` in
    their process)."""

    def __init__(self, app: QApplication, signals: tuple[int, ...] = QUIT_SIGNALS) -> None:
        super().__init__(app)
        self._app, self._signals = app, signals
        # The exit code once a signal came: one that came before the main event loop ran
        # (at the start's recovery prompt) ended only the prompt's loop.
        self.code: int | None = None
        self._noted = False  # a signal after the first was said to be ignored
        self._read, self._write = socket.socketpair()
        for end in (self._read, self._write):
            end.setblocking(False)
        self._old_fd = signal.set_wakeup_fd(self._write.fileno())
        self._old_handlers = {signum: signal.getsignal(signum) for signum in signals}
        for signum in signals:
            # A Python handler is needed for the wakeup byte to be written; the work is
            # done in the event loop, where it is safe to touch the windows.
            signal.signal(signum, lambda *_args: None)
        self._notifier = QSocketNotifier(self._read.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._woken)

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

        self._notifier.setEnabled(False)
        for other in self._signals:
            signal.signal(other, self._again)
        self.code = 128 + signum
        for widget in self._app.topLevelWidgets():
            if isinstance(widget, MainWindow) and widget.isVisible():
                widget.close_unasked()
        self._app.exit(self.code)

    def _again(self, *_args: object) -> None:
        """A signal after the first, while the windows close: said once on stderr, else
        ignored."""
        if not self._noted:
            self._noted = True
            with contextlib.suppress(OSError):  # stderr closed: nothing to tell
                os.write(2, NOTE_AGAIN)

    def restore(self) -> None:
        """The wakeup fd as it was before, and the socket closed; the handlers too unless a
        signal came: the process is then ending, and Ctrl+C again on its way out must not
        raise KeyboardInterrupt in Python's teardown (a traceback) or kill it."""
        self._notifier.setEnabled(False)
        signal.set_wakeup_fd(self._old_fd)
        for signum, handler in self._old_handlers.items():
            if self.code is not None:
                signal.signal(signum, signal.SIG_IGN)
            else:
                signal.signal(signum, handler if handler is not None else signal.SIG_DFL)
        self._read.close()
        self._write.close()
        self.deleteLater()


@contextlib.contextmanager
def quit_on_signals(app: QApplication) -> Iterator[QuitOnSignals]:
    """Inside, SIGINT, SIGTERM and SIGHUP close ``app``'s editor windows keeping their
    work; after, the process's handlers are as they were."""
    watcher = QuitOnSignals(app)
    try:
        yield watcher
    finally:
        watcher.restore()
