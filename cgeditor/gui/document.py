"""File handling for the window: open/save and what happens at start and close.

Placeholder until the full controller (recent files, autosave, recovery, export) lands.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

if TYPE_CHECKING:
    from cgeditor.gui.main_window import MainWindow


class DocumentController(QObject):
    """Owns the document's path and its saved state for one MainWindow."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.path: str | None = None

    def start(self, path: str | None) -> None:
        self.path = path

    def maybe_close(self) -> bool:
        return True
