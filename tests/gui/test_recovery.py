"""Autosave and crash recovery: the recovery file appears after edits stop, survives a window
that dies without closing, is offered (with file name and time) by the next window, and goes
away after a clean save or close."""

# Fixtures come from crash_child by import; tests naming them as parameters trips F811.
# ruff: noqa: F811

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from crash_child import edit, make_window, prompts, test_settings, window  # noqa: F401
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from test_document import write_graph

from cgeditor.gui import document, recovery
from cgeditor.gui.recovery import find_recovery
from cgeditor.model import files

REAL_ASK_SAVE_CHANGES = document.ask_save_changes  # before any test replaces it


def recovery_files(tmp_path: Path) -> list[Path]:
    folder = tmp_path / "recovery"
    return sorted(folder.glob("*.cgraph")) if folder.exists() else []


def crash(window, qtbot) -> str:
    """Let the autosave happen, then destroy the window without a clean close."""
    qtbot.waitUntil(lambda: not window.document.autosave.pending(), timeout=10_000)
    dump = files.dumps(window.graph)
    window.deleteLater()
    qtbot.wait(10)
    return dump


def test_autosave_fires_after_edits_stop(window, qtbot, tmp_path: Path) -> None:
    doc = write_graph(tmp_path / "doc.cgraph")
    window.document.open_path(str(doc))
    edit(window)
    edit(window)
    assert window.document.autosave.timer.isActive()
    qtbot.waitUntil(lambda: len(recovery_files(tmp_path)) == 1, timeout=10_000)
    (saved,) = recovery_files(tmp_path)
    assert saved.stem == window.document.autosave.session  # this window's, not the path's
    assert files.dumps(files.load(saved)) == files.dumps(window.graph)
    sidecar = json.loads(saved.with_suffix(".json").read_text(encoding="utf-8"))
    assert sidecar["original"] == str(doc)
    window.document.save()
    assert recovery_files(tmp_path) == []  # a clean save makes it unnecessary


def test_clean_close_removes_the_recovery_file(make_window, qtbot, tmp_path: Path) -> None:
    window = make_window()
    edit(window)
    window.document.autosave.write_now()
    assert len(recovery_files(tmp_path)) == 1
    assert window.close()  # the prompt answers Discard
    assert recovery_files(tmp_path) == []


def test_recovery_offered_after_a_crash(make_window, prompts, qtbot, tmp_path: Path) -> None:
    doc = write_graph(tmp_path / "doc.cgraph", consts=2)
    first = make_window(register=False)
    first.document.open_path(str(doc))
    edit(first, 3.5)
    edit(first, 4.5)
    before_crash = crash(first, qtbot)
    prompts.recover_answer = True
    second = make_window()
    (entry,) = prompts.recover
    assert entry.original_name == "doc.cgraph"
    assert entry.saved_at.date() == datetime.now().date() and entry.when()
    assert files.dumps(second.graph) == before_crash
    assert second.document.path == str(doc)
    assert second.isWindowModified() and second.windowTitle().startswith("doc.cgraph")
    assert len(files.load(doc)) == 2  # the original is untouched until the user saves
    second.document.save()
    assert files.dumps(files.load(doc)) == before_crash
    assert recovery_files(tmp_path) == []


def test_untitled_work_is_recovered_too(make_window, prompts, qtbot, tmp_path: Path) -> None:
    first = make_window(register=False)
    first.document.new()
    edit(first, 9.0)
    before_crash = crash(first, qtbot)
    prompts.recover_answer = True
    second = make_window()
    assert prompts.recover[0].original_name == "an untitled graph"
    assert files.dumps(second.graph) == before_crash
    assert second.document.path is None and second.isWindowModified()


def test_discarding_the_recovery_deletes_it(make_window, prompts, qtbot, tmp_path) -> None:
    first = make_window(register=False)
    edit(first)
    crash(first, qtbot)
    prompts.recover_answer = False
    second = make_window()
    assert len(prompts.recover) == 1
    assert recovery_files(tmp_path) == [] and not second.isWindowModified()
    assert second.document.example is not None  # back to the bundled example
    assert find_recovery(tmp_path / "recovery") is None


def test_real_recovery_dialog_names_file_and_time(make_window, prompts, monkeypatch, qtbot,
                                                  tmp_path: Path) -> None:
    doc = write_graph(tmp_path / "report.cgraph")
    first = make_window(register=False)
    first.document.open_path(str(doc))
    edit(first)
    crash(first, qtbot)
    monkeypatch.undo()  # the real dialogs from here on
    # The time the dialog must name, read now: the recovered window autosaves again, so
    # the file may carry a later time by the time the dialog has been answered.
    entry_time = find_recovery(tmp_path / "recovery").when()
    seen: list[str] = []

    def answer() -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        seen.append(box.text() + box.informativeText())
        next(b for b in box.buttons() if b.text() == "Recover").click()
    QTimer.singleShot(50, answer)
    second = make_window()
    try:
        assert "report.cgraph" in seen[0] and entry_time in seen[0] and str(tmp_path) in seen[0]
        assert second.document.path == str(doc) and second.isWindowModified()
    finally:  # even when an assert fails: closing at teardown must not wait for an answer
        second.undo_stack.setClean()


def test_real_unsaved_dialog_cancel_keeps_window(window, monkeypatch, qtbot) -> None:
    edit(window)
    monkeypatch.setattr(document, "ask_save_changes", REAL_ASK_SAVE_CHANGES)
    seen: list[str] = []

    def answer() -> None:
        box = QApplication.activeModalWidget()
        seen.append(box.text())
        box.button(QMessageBox.StandardButton.Cancel).click()
    QTimer.singleShot(50, answer)
    try:
        assert window.close() is False
        assert "seed.cgraph (example)" in seen[0] and "closing" in seen[0]
    finally:  # even when an assert fails: closing at teardown must not wait for an answer
        window.undo_stack.setClean()



def test_autosave_made_in_slices_is_dropped_by_an_edit(window, monkeypatch, qtbot,
                                                       tmp_path: Path) -> None:
    """The text is made over many event-loop passes; an edit meanwhile drops the half-made
    text, and what is finally written is exactly the file a save of the graph writes."""
    monkeypatch.setattr(recovery, "SLICE_SECONDS", 0.0)  # one step per pass
    autosave = window.document.autosave
    autosave.chunk = 1  # one node per step
    autosave.timer.setInterval(1)
    with qtbot.waitSignal(autosave.timer.timeout, timeout=10_000):
        edit(window, 2.0)
    assert autosave.pending()  # still making the text: the event loop ran meanwhile
    assert recovery_files(tmp_path) == []
    edit(window, 3.0)  # mid-way: the half-made text of the graph before this edit is dropped
    qtbot.waitUntil(lambda: not autosave.pending(), timeout=10_000)
    (saved,) = recovery_files(tmp_path)
    assert saved.read_text(encoding="utf-8") == files.dumps(window.graph)
    assert any(n.value == 3.0 for n in files.load(saved).nodes.values())


def test_save_after_autosave_writes_the_graph_exactly(window, qtbot, tmp_path: Path) -> None:
    """Save reuses the autosave's lines: the file is still byte-for-byte files.dumps."""
    doc = write_graph(tmp_path / "doc.cgraph", consts=3)
    window.document.open_path(str(doc))
    edit(window, 4.0)
    window.document.autosave.write_now()
    first = next(iter(window.graph.nodes))
    window.graph.move_node(first, -0.0, 12.5)  # equal to 0.0, but written "-0.0"
    edit(window, 5.0)
    assert window.document.save()
    assert doc.read_text(encoding="utf-8") == files.dumps(window.graph)
    assert files.load(doc).nodes[first].x == 0.0 and '"x": -0.0' in doc.read_text("utf-8")
