"""Two windows on one file: a save over a file changed on disk asks first (overwrite, reload,
save as), an idle window follows the file, each window keeps its own recovery file, and
recovery is offered whichever way the file is opened."""

# Fixtures come from crash_child by import; tests naming them as parameters trips F811.
# ruff: noqa: F811

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from crash_child import edit, make_window, prompts  # noqa: F401 - fixtures
from PySide6.QtCore import QTimer, QUrl
from PySide6.QtWidgets import QApplication
from test_document import answer_open_dialog, answer_save_dialog, drop, write_graph
from test_recovery import crash, recovery_files

from cgeditor.gui import disk_state, document
from cgeditor.gui.recovery import RecoveryEntry
from cgeditor.model import files

REAL_ASK_RECOVER = document.ask_recover  # before the prompts fixture replaces it


@pytest.fixture
def pair(make_window, tmp_path: Path):
    doc = write_graph(tmp_path / "shared.cgraph", consts=2)
    return doc, make_window(str(doc)), make_window(str(doc))


class Conflicts(list):
    """The changed-on-disk questions asked (file names), answered from ``answers``."""

    def __init__(self) -> None:
        super().__init__()
        self.answers: list[str] = []

    def __call__(self, _parent: object, name: str) -> str:
        self.append(name)
        return self.answers.pop(0)


@pytest.fixture
def conflicts(monkeypatch: pytest.MonkeyPatch) -> Conflicts:
    recorded = Conflicts()
    monkeypatch.setattr(document, "ask_conflict", recorded)
    return recorded


def test_second_save_asks_instead_of_overwriting(pair, conflicts, monkeypatch,
                                                 tmp_path: Path) -> None:
    doc, a, b = pair
    edit(a, 7.0)
    assert a.document.save() and conflicts == []  # nobody else wrote it: no question
    edit(b, 8.0)
    conflicts.answers.append(disk_state.CANCEL)
    assert b.document.save() is False
    assert conflicts == ["shared.cgraph"]
    assert files.dumps(files.load(doc)) == files.dumps(a.graph)  # A's work is still there
    assert b.isWindowModified()
    conflicts.answers.append(disk_state.SAVE_AS)
    other = tmp_path / "mine.cgraph"
    answer_save_dialog(monkeypatch, str(other))
    assert b.document.save() and b.document.path == str(other)
    assert files.dumps(files.load(other)) == files.dumps(b.graph)
    assert files.dumps(files.load(doc)) == files.dumps(a.graph)


def test_overwrite_and_reload_answers(pair, conflicts) -> None:
    doc, a, b = pair
    edit(a, 7.0)
    a.document.save()
    edit(b, 8.0)
    conflicts.answers.append(disk_state.RELOAD)
    assert b.document.save() is False
    assert files.dumps(b.graph) == files.dumps(a.graph) and not b.isWindowModified()
    edit(b, 9.0)
    assert b.document.save()  # B has read A's version: no question this time
    edit(a, 10.0)
    conflicts.answers.append(disk_state.OVERWRITE)
    assert a.document.save()
    assert files.dumps(files.load(doc)) == files.dumps(a.graph)
    assert len(conflicts) == 2


def test_an_idle_window_follows_its_file(pair, qtbot) -> None:
    _doc, a, b = pair
    edit(a, 7.0)
    a.document.save()
    qtbot.waitUntil(lambda: len(b.graph) == 3, timeout=10_000)
    assert files.dumps(b.graph) == files.dumps(a.graph) and not b.isWindowModified()
    edit(b, 8.0)  # now B has work of its own: it is told, not reloaded
    edit(a, 9.0)
    a.document.save()
    qtbot.waitUntil(lambda: "changed on disk" in b.messages.toPlainText(), timeout=10_000)
    assert len(b.graph) == 4 and b.isWindowModified()


def test_each_window_keeps_its_own_recovery_file(make_window, prompts, qtbot,
                                                 tmp_path: Path) -> None:
    doc = write_graph(tmp_path / "shared.cgraph", consts=2)
    a, b = make_window(str(doc)), make_window(str(doc), register=False)  # b will crash
    edit(a, 7.0)
    edit(b, 8.0)
    a.document.autosave.write_now()
    b.document.autosave.write_now()
    assert len(recovery_files(tmp_path)) == 2
    assert make_window(str(doc)).document.path == str(doc) and prompts.recover == []
    b_work = crash(b, qtbot)
    assert a.close()  # a clean close (the prompt answers Discard) drops only A's file
    (left,) = recovery_files(tmp_path)
    assert files.dumps(files.load(left)) == b_work
    prompts.recover_answer = True
    c = make_window(str(doc))
    assert files.dumps(c.graph) == b_work and c.isWindowModified()


@pytest.mark.parametrize("how", ["open", "recent", "drop"])
def test_recovery_is_offered_however_the_file_is_opened(make_window, prompts, monkeypatch,
                                                        qtbot, tmp_path: Path,
                                                        how: str) -> None:
    doc = write_graph(tmp_path / "doc.cgraph", consts=2)
    first = make_window(str(doc), register=False)
    edit(first, 5.0)
    work = crash(first, qtbot)
    prompts.recover_answer = True
    second = make_window(str(write_graph(tmp_path / "other.cgraph")))
    assert prompts.recover == []  # other.cgraph has no unsaved work anywhere
    if how == "open":
        answer_open_dialog(monkeypatch, str(doc))
        second.document.open()
    elif how == "recent":
        second.document.open_recent(str(doc))
    else:
        drop(second.view.viewport(), [QUrl.fromLocalFile(str(doc))])
        qtbot.waitUntil(lambda: second.document.path == str(doc), timeout=5_000)
    assert [e.original for e in prompts.recover] == [str(doc)]
    assert files.dumps(second.graph) == work and second.isWindowModified()


def test_real_dialogs_default_to_the_safe_answer(make_window, tmp_path: Path) -> None:
    window = make_window()
    defaults: list[str] = []

    def answer() -> None:
        box = QApplication.activeModalWidget()
        defaults.append(box.defaultButton().text())
        box.defaultButton().click()
    QTimer.singleShot(50, answer)
    assert disk_state.ask_conflict(window, "x.cgraph") == disk_state.CANCEL
    entry = RecoveryEntry(tmp_path / "s.cgraph", str(tmp_path / "x.cgraph"), datetime.now())
    QTimer.singleShot(50, answer)
    assert REAL_ASK_RECOVER(window, entry) is True
    assert defaults[1] == "Recover" and "Cancel" in defaults[0]
