"""An editor that edits, saves and autosaves in a loop until killed (for the kill tests).

Also the home of what the document tests share: a tiny undoable edit (so they do not depend
on the canvas's command classes), a window fixture and recorded dialogs.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtGui import QUndoCommand
from PySide6.QtWidgets import QMessageBox

from cgeditor.model.graph import Graph


class AddConst(QUndoCommand):
    """Add one const node; undo removes it again."""

    def __init__(self, graph: Graph, value: float = 1.0) -> None:
        super().__init__("Add const")
        self.graph, self.value, self.node_id = graph, value, None

    def redo(self) -> None:
        node = self.graph.add_node("const", value=self.value, node_id=self.node_id,
                                   x=len(self.graph) * 300.0)  # apart: reopened as saved
        self.node_id = node.id

    def undo(self) -> None:
        self.graph.remove_node(self.node_id)


def edit(window, value: float = 1.0) -> None:
    """One undoable edit of the window's graph, as a user's would be."""
    window.undo_stack.push(AddConst(window.graph, value))


def test_settings(folder: Path) -> QSettings:
    """Settings in ``folder`` with recovery files beside them, never the user's own."""
    settings = QSettings(str(folder / "settings.ini"), QSettings.Format.IniFormat)
    settings.setValue("recovery_dir", str(folder / "recovery"))
    return settings


test_settings.__test__ = False  # a helper, not a test for pytest to collect


class Prompts:
    """Stand-ins for the document's dialogs: record what was asked, answer as told."""

    def __init__(self) -> None:
        self.unsaved: list[tuple[str, str]] = []
        self.recover: list[object] = []
        self.errors: list[tuple[str, str]] = []
        self.unsaved_answer = QMessageBox.StandardButton.Discard
        self.recover_answer = False

    def ask_save_changes(self, _parent: object, name: str, doing: str):
        self.unsaved.append((name, doing))
        return self.unsaved_answer

    def ask_recover(self, _parent: object, entry: object) -> bool:
        self.recover.append(entry)
        return self.recover_answer

    def warning(self, _parent: object, title: str, text: str, *_args: object):
        self.errors.append((title, text))
        return QMessageBox.StandardButton.Ok


@pytest.fixture
def prompts(monkeypatch: pytest.MonkeyPatch) -> Prompts:
    from cgeditor.gui import document

    recorded = Prompts()
    monkeypatch.setattr(document, "ask_save_changes", recorded.ask_save_changes)
    monkeypatch.setattr(document, "ask_recover", recorded.ask_recover)
    monkeypatch.setattr(QMessageBox, "warning", recorded.warning)
    return recorded


@pytest.fixture
def make_window(qtbot, tmp_path: Path, prompts: Prompts):
    """Build windows sharing one settings folder (so a second one sees the first's files)."""
    from cgeditor.gui.window import MainWindow

    def build(path: str | None = None, register: bool = True):
        window = MainWindow(path, settings=test_settings(tmp_path))
        if register:
            qtbot.addWidget(window)
        return window

    return build


@pytest.fixture
def window(make_window):
    return make_window()


def main(folder: str, target: str, mode: str = "save") -> None:
    """Edit, autosave and save in a loop (mode "save"); or (mode "edit") make three edits,
    autosave them, say "autosaved" and wait, never saving, like a user mid-work."""
    from PySide6.QtWidgets import QApplication

    from cgeditor.gui import document
    from cgeditor.gui.window import MainWindow

    app = QApplication([])
    # A dialog would block the loop forever; a failed save must end the child loudly instead.
    document.show_error = lambda _parent, title, text: sys.exit(f"{title}: {text}")
    document.ask_recover = lambda _parent, _entry: False  # an earlier child's file: drop it
    window = MainWindow(target, settings=test_settings(Path(folder)))
    print("ready", flush=True)
    if mode == "edit":
        for value in (1.5, 2.5, 3.5):
            edit(window, value)
        window.document.autosave.write_now()
        print("autosaved", flush=True)
        app.exec()
        return
    rounds = 0
    while True:
        rounds += 1
        for _ in range(3):
            edit(window, float(rounds))
        window.document.autosave.write_now()
        window.document.save()
        app.processEvents()


if __name__ == "__main__":
    main(*sys.argv[1:])
