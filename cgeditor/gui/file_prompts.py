"""The File menu's prompts: unsaved changes before closing or replacing, recovery of a
crashed window's work, and a failed open or save. The document controller calls them through
its own module's names, which tests replace."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QMessageBox

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

    from cgeditor.gui.recovery import RecoveryEntry

Button = QMessageBox.StandardButton


def ask_save_changes(parent: QWidget, name: str, doing: str) -> QMessageBox.StandardButton:
    """Save / Discard / Cancel for unsaved changes before ``doing`` (e.g. "closing")."""
    box = QMessageBox(QMessageBox.Icon.Warning, "Unsaved changes",
                      f"Save the changes to {name} before {doing}?",
                      Button.Save | Button.Discard | Button.Cancel, parent)
    box.setObjectName("unsaved_changes")
    box.setInformativeText("If you don't save, your changes will be lost.")
    box.setDefaultButton(Button.Save)
    box.setEscapeButton(Button.Cancel)
    return Button(box.exec())


def ask_recover(parent: QWidget | None, entry: RecoveryEntry) -> bool | None:
    """Offer the recovery file; True to recover, False to discard it, None when the prompt
    went unanswered (a quit signal ended its event loop): the file then stays."""
    folder = f" in {os.path.dirname(entry.original)}" if entry.original else ""
    box = QMessageBox(QMessageBox.Icon.Question, "Recover unsaved work",
                      f"Recover the unsaved changes to {entry.original_name}?", parent=parent)
    box.setObjectName("recover")
    box.setInformativeText(f"cgeditor did not close cleanly. The changes to "
                           f"{entry.original_name}{folder} were autosaved at {entry.when()}.\n\n"
                           "Discard deletes the autosaved copy for good.")
    recover = box.addButton("Recover", QMessageBox.ButtonRole.AcceptRole)
    box.addButton("Discard", QMessageBox.ButtonRole.DestructiveRole)
    box.setDefaultButton(recover)
    box.setEscapeButton(recover)  # closing the box must not throw work away
    box.exec()
    clicked = box.clickedButton()
    return None if clicked is None else clicked is recover


def show_error(parent: QWidget, title: str, text: str) -> None:
    QMessageBox.warning(parent, title, text)
