"""What one window last read from or wrote to its file, and a watch on that file.

Two editors on one file must never overwrite each other silently: before a save over the
document's own file, ``changed_since()`` compares the bytes on disk with those this window
last read or wrote; a QFileSystemWatcher also tells an idle window when another program
(or another cgeditor) writes the file.
"""

from __future__ import annotations

import hashlib
import os

from PySide6.QtCore import QFileSystemWatcher, QObject, Signal
from PySide6.QtWidgets import QMessageBox, QWidget


def _digest(path: str) -> bytes | None:
    """The file's content hash, or None when it cannot be read (gone, not a file)."""
    try:
        with open(path, "rb") as handle:
            return hashlib.file_digest(handle, "sha256").digest()
    except OSError:
        return None


class DiskState(QObject):
    """Tracks one path: the hash of what this window knows is in it, and a watch."""

    changed_on_disk = Signal(str)  # the file no longer holds what we last read or wrote

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self.path: str | None = None
        self._known: bytes | None = None
        self._watcher = QFileSystemWatcher(self)
        self._watcher.fileChanged.connect(self._on_file_changed)

    def track(self, path: str | None) -> None:
        """``path`` now holds what this window shows as saved (just opened or saved)."""
        old = self._watcher.files()
        if old:
            self._watcher.removePaths(old)
        self.path = os.path.abspath(path) if path else None
        self._known = _digest(self.path) if self.path else None
        self._rewatch()

    def changed_since(self) -> bool:
        """True when the file exists and differs from what this window read or wrote."""
        if self.path is None:
            return False
        now = _digest(self.path)
        return now is not None and now != self._known

    def _rewatch(self) -> None:
        # An atomic save replaces the file, and the watcher loses a replaced file: add again.
        if self.path and os.path.exists(self.path) and self.path not in self._watcher.files():
            self._watcher.addPath(self.path)

    def _on_file_changed(self, path: str) -> None:
        self._rewatch()
        if os.path.abspath(path) == self.path and self.changed_since():
            self.changed_on_disk.emit(self.path)


OVERWRITE, RELOAD, SAVE_AS, CANCEL = "overwrite", "reload", "save_as", "cancel"


def ask_conflict(parent: QWidget, name: str) -> str:
    """Overwrite / Reload / Save As / Cancel when ``name`` changed on disk since this window
    opened or saved it."""
    box = QMessageBox(QMessageBox.Icon.Warning, "File changed on disk",
                      f"{name} was changed by another program since you opened or saved it.",
                      parent=parent)
    box.setObjectName("changed_on_disk")
    box.setInformativeText("Overwrite replaces those changes with yours; Reload shows the "
                           "file as it is now and drops your unsaved changes; Save As keeps "
                           "both.")
    buttons = {box.addButton("Overwrite", QMessageBox.ButtonRole.DestructiveRole): OVERWRITE,
               box.addButton("Reload", QMessageBox.ButtonRole.ResetRole): RELOAD,
               box.addButton("Save As…", QMessageBox.ButtonRole.AcceptRole): SAVE_AS}
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(cancel)
    box.setEscapeButton(cancel)
    box.exec()
    return buttons.get(box.clickedButton(), CANCEL)
