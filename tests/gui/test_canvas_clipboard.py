"""Copy, paste and duplicate: inner wires come along, ids are fresh, names unique, one step;
whatever else is on the clipboard is refused with a message."""

from __future__ import annotations

import json

from PySide6.QtCore import QMimeData, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest

from cgeditor.gui import clipboard
from cgeditor.model import files


def names_of(window, ids) -> set[str]:
    return {window.graph.nodes[i].name for i in ids}


def test_copy_paste_brings_inner_wires_fresh_ids_and_names(window, canvas) -> None:
    before_ids = set(window.graph.nodes)
    window.scene.select_ids([canvas.id("c"), canvas.id("a"), canvas.id("w")])
    window.action("copy").trigger()
    mime = QGuiApplication.clipboard().mimeData()
    assert mime.hasFormat(clipboard.NODES_MIME)
    window.action("paste").trigger()
    new = set(window.graph.nodes) - before_ids
    assert names_of(window, new) == {"c1", "a1", "w1"}
    assert set(window.scene.selected_ids()) == new
    inner = [e for e in window.graph.edges if e.dst in new]
    assert {(window.graph.nodes[e.src].name, window.graph.nodes[e.dst].name, e.port)
            for e in inner} == {("w1", "c1", "a"), ("c1", "a1", "a")}
    assert window.graph.by_name("c1").x == window.graph.by_name("c").x + 40
    assert window.undo_stack.undoText() == "Paste 3 nodes"
    window.action("paste").trigger()  # a second paste lands further along
    assert window.graph.by_name("c2").x == window.graph.by_name("c").x + 80
    window.undo_stack.undo()
    window.undo_stack.undo()
    assert set(window.graph.nodes) == before_ids


def test_ctrl_d_duplicates_and_ctrl_a_selects_all(window, canvas) -> None:
    window.view.setFocus()
    QTest.keyClick(window.view, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    assert len(window.scene.selected_ids()) == 10
    window.scene.select_ids([canvas.id("d"), canvas.id("sq")])
    QTest.keyClick(window.view, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    assert window.graph.has_name("d1") and window.graph.has_name("sq1")
    assert canvas.source("sq1", "x") == "d1"
    assert canvas.source("d1", "a") is None  # wires from outside the selection stay behind


def test_pasting_garbage_is_refused_with_a_message(window) -> None:
    before = files.dumps(window.graph)
    for payload in (b"not json", json.dumps({"nodes": [{"op": "rm_rf"}], "edges": []}).encode(),
                    json.dumps({"nodes": [
                        {"key": "1", "op": "neg", "name": "p"},
                        {"key": "2", "op": "neg", "name": "q"}],
                        "edges": [{"src": "1", "dst": "2", "port": "x"},
                                  {"src": "2", "dst": "1", "port": "x"}]}).encode()):
        mime = QMimeData()
        mime.setData(clipboard.NODES_MIME, payload)
        QGuiApplication.clipboard().setMimeData(mime)
        window.action("paste").trigger()
    text = window.messages.toPlainText()
    assert "not valid JSON" in text and "unknown op 'rm_rf'" in text and "cycle" in text
    QGuiApplication.clipboard().setText("hello")
    window.action("paste").trigger()
    assert "holds no nodes" in window.messages.toPlainText()
    assert files.dumps(window.graph) == before
