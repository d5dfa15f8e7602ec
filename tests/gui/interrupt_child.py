"""The real editor (``gui.app.main``) on FILE, for the Ctrl+C tests. Once it runs it says
"ready <recovery folder> <nodes> <recoveries offered>" on stdout. Modes: "edit" makes one
unsaved edit, its autosave held back so that only the flush on quitting can write it;
"prompt" makes it too, then closes the window, and says "asking" once the unsaved-changes
prompt is open (its answer never comes); "clean" edits nothing; "recover" accepts the
recovery the start offers; "offered" shows the real recovery prompt and says "asking" once
it is open (its answer never comes); "slow" makes the edit and says "closing" when the
quit's recovery write begins, which then takes half a second (time for Ctrl+C again)."""

from __future__ import annotations

import sys
import time

from crash_child import edit
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from cgeditor.gui import app, document, recovery
from cgeditor.gui.window import MainWindow

offered: list[object] = []


def accept(_parent: object, entry: object) -> bool:
    offered.append(entry)
    return True


def armed(mode: str) -> None:
    if mode == "offered":  # the start's prompt is up: this runs in its event loop
        box = QApplication.activeModalWidget()
        print("asking", box.objectName() if box is not None else None, flush=True)
        return
    window = next(w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow))
    if mode in ("edit", "prompt", "slow"):
        window.document.autosave.timer.setInterval(10**8)
        edit(window)
    folder = window.document._recovery_dir()
    print("ready", folder, len(window.graph), len(offered), flush=True)
    if mode == "prompt":  # the timer fires inside the prompt's own event loop
        QTimer.singleShot(0, lambda: print("asking", flush=True))
        window.close()


def slow_write(write):  # the recovery write of a big graph on a slow disk
    def written(*args, **kwargs):
        print("closing", flush=True)
        time.sleep(0.5)
        return write(*args, **kwargs)
    return written


if __name__ == "__main__":
    path, mode = sys.argv[1], sys.argv[2]
    if mode == "slow":
        recovery.write_recovery = slow_write(recovery.write_recovery)
    if mode != "offered":
        document.ask_recover = accept
    qapp = QApplication(sys.argv[:1])
    QTimer.singleShot(0, lambda: armed(mode))
    sys.exit(app.main(path))
