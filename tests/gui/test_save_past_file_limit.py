"""Ctrl+S never writes a file the editor would refuse to open: past the open size limit
(shrunk here to stand for 64 MiB of tensor values) the save is refused with the reason, the
file on disk stays as it was and the document stays modified, so closing still asks."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtTest import QTest

from cgeditor.gui import document as document_module
from cgeditor.model import files, files_parse


def test_ctrl_s_refuses_a_file_too_large_to_open_again(window, tmp_path: Path,
                                                       monkeypatch, canvas) -> None:
    path = tmp_path / "seed.cgraph"
    files.save(window.graph, path)
    window.document.open_path(str(path))
    before = path.read_bytes()
    errors: list[str] = []
    monkeypatch.setattr(document_module, "show_error",
                        lambda _parent, title, text: errors.append(f"{title}: {text}"))
    canvas.click(canvas.header("w"))
    QTest.keyClick(window.view.viewport(), Qt.Key.Key_Delete)  # an edit to save
    assert window.windowTitle().startswith("*") or window.isWindowModified()
    monkeypatch.setattr(files_parse, "MAX_FILE_BYTES", 64)
    QTest.keySequence(window, QKeySequence.StandardKey.Save)
    assert len(errors) == 1 and "could not be opened again" in errors[0]
    assert "The file on disk was not changed" in errors[0]
    assert path.read_bytes() == before
    assert not window.undo_stack.isClean()  # still modified: closing asks
    assert window.messages.toPlainText().splitlines()[-1].startswith("Save failed: ")
