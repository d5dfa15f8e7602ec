"""An editor that copied nodes exits cleanly: on a process-local clipboard (offscreen) Qt
used to free the copied QMimeData after Python had shut down, a segfault (rc 139) at exit."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

CHILD = """
import sys
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from cgeditor.gui import clipboard, document
from cgeditor.gui.window import MainWindow

app = QApplication(sys.argv[:1])
document.ask_save_changes = lambda *_a: document.Button.Discard
window = MainWindow(settings=QSettings(sys.argv[1], QSettings.Format.IniFormat))
window.show()
app.processEvents()
window.view.setFocus()
QTest.keyClick(window.view, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
QTest.keyClick(window.view, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
mime = QGuiApplication.clipboard().mimeData()
print(len(window.scene.selected_ids()), mime.hasFormat(clipboard.NODES_MIME), flush=True)
window.close()
app.processEvents()
"""


def test_copy_then_exit_returns_zero(tmp_path: Path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "CGEDITOR_NO_SETTINGS": "1",
           "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    child = subprocess.run([sys.executable, "-c", CHILD, str(tmp_path / "settings.ini")],
                           capture_output=True, text=True, env=env, timeout=120, cwd=tmp_path)
    count, copied = child.stdout.split()
    assert int(count) > 0 and copied == "True", child.stderr  # it really copied nodes
    assert child.returncode == 0, child.stderr
