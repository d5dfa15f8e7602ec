"""Files through the window: dialogs, title, unsaved-changes prompts, failed saves, recent
files, dropped files and load errors, each checked against what is on disk."""

# Fixtures come from crash_child by import (so a conftest's fixture of the same name cannot
# shadow them); tests naming them as parameters is what ruff's F811 would flag.
# ruff: noqa: F811

from __future__ import annotations

import os
from pathlib import Path

import pytest
from crash_child import edit, make_window, prompts, window  # noqa: F401 - fixtures
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox

from cgeditor import paths
from cgeditor.gui import settings as app_settings
from cgeditor.model import files
from cgeditor.model.errors import LoadError
from cgeditor.model.graph import Graph

Button = QMessageBox.StandardButton


def write_graph(path: Path, consts: int = 1) -> Path:
    graph = Graph()
    for k in range(consts):
        graph.add_node("const", value=float(k), x=k * 300.0)  # apart: opened as saved
    files.save(graph, path)
    return path


def answer_save_dialog(monkeypatch: pytest.MonkeyPatch, path: str) -> list[str]:
    asked: list[str] = []

    def fake(_parent, _title, suggested, _filter):
        asked.append(suggested)
        return path, ""
    monkeypatch.setattr(QFileDialog, "getSaveFileName", fake)
    return asked


def answer_open_dialog(monkeypatch: pytest.MonkeyPatch, path: str) -> None:
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *_a: (path, ""))


def test_starts_on_the_bundled_example_untitled(window) -> None:
    assert files.dumps(window.graph) == files.dumps(files.load(paths.seed_example()))
    assert window.document.path is None
    assert "seed.cgraph" in window.windowTitle()
    assert not window.isWindowModified()


def test_actions_menu_and_toolbar(window) -> None:
    for name in ("new", "open", "save", "save_as", "export_image", "quit"):
        assert window.action(name) is not None, name
    assert window.action("save").shortcut().toString() == "Ctrl+S"
    assert window.action("save_as").shortcut().toString() == "Ctrl+Shift+S"
    names = [a.objectName() for a in window.toolbar.actions()]
    assert names[:3] == ["new", "open", "save"]
    menus = [a.menu().objectName() for a in window.menus["file"].actions() if a.menu()]
    assert "open_recent" in menus


def test_title_shows_name_and_modified_marker(window, tmp_path: Path) -> None:
    window.document.open_path(str(write_graph(tmp_path / "model.cgraph")))
    assert window.windowTitle() == "model.cgraph[*] — cgeditor"
    assert not window.isWindowModified()
    edit(window)
    assert window.isWindowModified()
    window.undo_stack.undo()
    assert not window.isWindowModified()


def test_save_as_then_open_round_trip(window, monkeypatch, tmp_path: Path) -> None:
    edit(window, 7.0)
    expected = files.dumps(window.graph)
    asked = answer_save_dialog(monkeypatch, str(tmp_path / "mine"))  # no suffix typed
    window.action("save").trigger()  # an example: Save goes to Save As
    assert asked and asked[0].endswith("seed.cgraph")
    saved = tmp_path / "mine.cgraph"
    assert saved.read_text(encoding="utf-8") == expected
    assert window.windowTitle().startswith("mine.cgraph") and not window.isWindowModified()
    window.action("new").trigger()
    assert len(window.graph) == 0 and window.document.path is None
    answer_open_dialog(monkeypatch, str(saved))
    window.action("open").trigger()
    assert files.dumps(window.graph) == expected
    assert window.document.path == str(saved)


def test_save_never_overwrites_the_bundled_example(window, monkeypatch, tmp_path) -> None:
    before = paths.seed_example().read_bytes()
    edit(window)
    answer_save_dialog(monkeypatch, "")  # the user cancels Save As
    assert window.document.save() is False
    assert paths.seed_example().read_bytes() == before
    assert window.isWindowModified()


def test_backup_keeps_the_previous_version(window, tmp_path: Path) -> None:
    target = write_graph(tmp_path / "g.cgraph", consts=2)
    first = target.read_bytes()
    window.document.open_path(str(target))
    edit(window)
    window.action("save").trigger()
    assert (tmp_path / "g.cgraph.bak").read_bytes() == first
    assert len(files.load(target)) == 3


@pytest.fixture
def saved_doc(window, tmp_path: Path):
    """A window on doc.cgraph (1 node) with one unsaved edit, and the other file to open."""
    doc = write_graph(tmp_path / "doc.cgraph", consts=1)
    other = write_graph(tmp_path / "other.cgraph", consts=4)
    window.document.open_path(str(doc))
    edit(window)
    return doc, other


def _replace(window, how: str, other: Path, monkeypatch) -> bool:
    if how == "close":
        return window.close()
    if how == "open":
        answer_open_dialog(monkeypatch, str(other))
    return window.document.open() if how == "open" else window.document.new()


@pytest.mark.parametrize("how", ["new", "open", "close"])
@pytest.mark.parametrize("answer", [Button.Save, Button.Discard, Button.Cancel])
def test_unsaved_changes_prompt(window, saved_doc, prompts, monkeypatch, how, answer) -> None:
    doc, other = saved_doc
    on_disk = doc.read_bytes()
    graph_before = window.graph
    prompts.unsaved_answer = answer
    done = _replace(window, how, other, monkeypatch)
    assert [name for name, _doing in prompts.unsaved] == ["doc.cgraph"]
    if answer == Button.Cancel:
        assert not done and window.graph is graph_before and window.isWindowModified()
        assert doc.read_bytes() == on_disk
        return
    assert done
    assert len(files.load(doc)) == (2 if answer == Button.Save else 1)
    if how == "open":
        assert window.document.path == str(other) and len(window.graph) == 4
    if how == "new":
        assert len(window.graph) == 0 and window.document.path is None


def test_no_prompt_without_changes(window, saved_doc, prompts) -> None:
    window.undo_stack.undo()
    assert window.document.new() and prompts.unsaved == []


def test_failed_save_says_why_and_keeps_everything(window, saved_doc, prompts,
                                                   monkeypatch) -> None:
    doc, _other = saved_doc
    on_disk = doc.read_bytes()

    def disk_full(*_args: object) -> None:
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(os, "replace", disk_full)
    assert window.document.save() is False
    _title, text = prompts.errors[-1]
    assert "No space left on device" in text and "doc.cgraph" in text
    assert doc.read_bytes() == on_disk
    assert window.isWindowModified()
    assert [p.name for p in doc.parent.iterdir() if p.name.endswith(".tmp")] == []


def test_save_into_a_missing_folder_fails_cleanly(window, prompts, monkeypatch,
                                                  tmp_path: Path) -> None:
    edit(window)
    answer_save_dialog(monkeypatch, str(tmp_path / "gone" / "x.cgraph"))
    assert window.document.save_as() is False
    assert "No such file or directory" in prompts.errors[-1][1]
    assert window.isWindowModified() and window.document.path is None


def test_load_error_shows_loader_message_and_keeps_graph(window, prompts, monkeypatch,
                                                         tmp_path: Path) -> None:
    edit(window)
    before, graph_before = files.dumps(window.graph), window.graph
    broken = tmp_path / "broken.cgraph"
    broken.write_text('{"format": "cgeditor-graph", "nodes": [', encoding="utf-8")
    with pytest.raises(LoadError) as loader:
        files.load(broken)
    answer_open_dialog(monkeypatch, str(broken))
    assert window.document.open() is False
    assert prompts.errors == [("Could not open file", str(loader.value))]
    assert window.graph is graph_before and files.dumps(window.graph) == before
    assert window.isWindowModified() and prompts.unsaved == []


def recent_paths(window) -> list[str]:
    return [a.data() for a in window.findChild(type(window.menus["file"]), "open_recent")
            .actions() if a.data()]


def test_recent_files_menu(window, tmp_path: Path) -> None:
    a, b = write_graph(tmp_path / "a.cgraph"), write_graph(tmp_path / "b.cgraph", 3)
    window.document.open_path(str(a))
    window.document.open_path(str(b))
    assert recent_paths(window) == [str(b), str(a)]
    b.unlink()
    window.document.recent.rebuild()
    assert recent_paths(window) == [str(a)]
    menu = window.findChild(type(window.menus["file"]), "open_recent")
    window.document.new()
    next(act for act in menu.actions() if act.data() == str(a)).trigger()
    assert window.document.path == str(a)
    for k in range(12):
        window.document.recent.add(str(write_graph(tmp_path / f"r{k}.cgraph")))
    assert len(recent_paths(window)) == 10
    assert recent_paths(window)[0].endswith("r11.cgraph")
    fresh = app_settings.RecentFiles(window.settings, print)
    assert fresh.paths() == recent_paths(window)  # kept in the settings, not just the menu


def drop(widget, urls: list[QUrl]) -> QDropEvent:
    mime = QMimeData()
    mime.setUrls(urls)
    actions = Qt.DropAction.CopyAction
    buttons, mods = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    enter = QDragEnterEvent(QPoint(20, 20), actions, mime, buttons, mods)
    QApplication.sendEvent(widget, enter)
    event = QDropEvent(QPointF(20, 20), actions, mime, buttons, mods)
    QApplication.sendEvent(widget, event)
    return event


def test_dropped_cgraph_file_opens(window, qtbot, tmp_path: Path) -> None:
    target = write_graph(tmp_path / "dropped.cgraph", consts=5)
    event = drop(window.view.viewport(), [QUrl.fromLocalFile(str(target))])
    assert event.isAccepted()
    qtbot.waitUntil(lambda: window.document.path == str(target))
    assert len(window.graph) == 5


def test_other_drops_pass_through(window, qtbot, tmp_path: Path) -> None:
    other = tmp_path / "notes.txt"
    other.write_text("hello", encoding="utf-8")
    graph_before = window.graph
    drop(window.view.viewport(), [QUrl.fromLocalFile(str(other))])
    qtbot.wait(20)
    assert window.graph is graph_before and window.document.path is None


def test_start_with_a_file_and_with_a_new_name(make_window, tmp_path: Path) -> None:
    target = write_graph(tmp_path / "given.cgraph", consts=2)
    assert len(make_window(str(target)).graph) == 2
    fresh = make_window(str(tmp_path / "new.cgraph"))
    assert len(fresh.graph) == 0 and fresh.windowTitle().startswith("new.cgraph")
    fresh.document.save()
    assert files.load(tmp_path / "new.cgraph") is not None


def test_an_example_opens_as_an_untitled_copy(window, prompts, monkeypatch,
                                              tmp_path: Path) -> None:
    example = write_graph(tmp_path / "bundled.cgraph", consts=3)
    before = example.read_bytes()
    edit(window)
    assert window.document.open_example(str(example))
    assert prompts.unsaved[-1][1] == "opening an example"
    assert window.windowTitle().startswith("bundled.cgraph (example)")
    edit(window)
    answer_save_dialog(monkeypatch, str(tmp_path / "copy.cgraph"))
    assert window.document.save()
    assert example.read_bytes() == before and len(files.load(tmp_path / "copy.cgraph")) == 4


def test_open_starts_in_a_folder_that_exists(window, monkeypatch, tmp_path: Path) -> None:
    """A home without ~/Documents: File > Open starts in the home folder, not in a missing
    ~/Documents (Qt's dialog then typed 'Documents' into its file-name field)."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    monkeypatch.delenv("XDG_DOCUMENTS_DIR", raising=False)
    asked: list[str] = []
    monkeypatch.setattr(QFileDialog, "getOpenFileName",
                        lambda _parent, _title, folder, *_a: (asked.append(folder), ("", ""))[1])
    window.action("open").trigger()
    assert asked == [str(home)]
    (home / "Documents").mkdir()
    window.action("open").trigger()
    assert asked[1] == str(home / "Documents")
