"""A paste of the exact text this process just copied takes the parts the copy built from
the graph: the same payload the file loader returns for that text. Any other text (one byte
apart included) goes through the loader, and what it refuses changes nothing."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PySide6.QtCore import QMimeData
from PySide6.QtGui import QGuiApplication, QKeySequence

from cgeditor.gui import clipboard
from cgeditor.model import files
from cgeditor.model.files_build import coordinate_bounds
from cgeditor.model.graph import Graph
from tests.gui.test_bulk_display import graph_with_tags_and_shapes, key
from tests.model.test_files import graphs


def same(a: Any, b: Any) -> bool:
    """Equal and of the same types all the way down (arrays: dtype, shape, bits)."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return (type(a) is type(b) and a.dtype == b.dtype and a.shape == b.shape
                and a.tobytes() == b.tobytes())
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple):
        return len(a) == len(b) and all(map(same, a, b))
    if isinstance(a, float | np.floating):
        return a.hex() == b.hex() if isinstance(a, float) else a.tobytes() == b.tobytes()
    return a == b


@settings(max_examples=60, deadline=None)
@given(graphs(), st.data())
def test_copied_parts_are_what_the_loader_makes_of_the_copied_text(g: Graph,
                                                                  data: st.DataObject) -> None:
    ids = data.draw(st.lists(st.sampled_from(list(g.nodes)), min_size=1, unique=True))
    text, payload = clipboard.copy_nodes(g, ids)
    assert text == clipboard.snapshot(g, ids)
    assert same(payload, clipboard.validate(text))


class LoaderSpy:
    """Counts the clipboard texts that went through the file loader."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls = 0
        real = clipboard.validate

        def counted(text: str | bytes) -> dict[str, Any]:
            self.calls += 1
            return real(text)
        monkeypatch.setattr(clipboard, "validate", counted)


def copy_all(window) -> bytes:
    window.view.setFocus()
    key(window, QKeySequence.StandardKey.SelectAll)
    key(window, QKeySequence.StandardKey.Copy)
    return bytes(QGuiApplication.clipboard().mimeData().data(clipboard.NODES_MIME).data())


def put(raw: bytes) -> None:
    mime = QMimeData()
    mime.setData(clipboard.NODES_MIME, raw)
    QGuiApplication.clipboard().setMimeData(mime)


def test_pasting_the_copied_text_skips_the_loader_and_owns_its_arrays(window, monkeypatch
                                                                      ) -> None:
    window.set_graph(graph_with_tags_and_shapes())
    spy = LoaderSpy(monkeypatch)
    copy_all(window)
    before = len(window.graph.nodes)
    key(window, QKeySequence.StandardKey.Paste)
    key(window, QKeySequence.StandardKey.Paste)
    assert spy.calls == 0
    graph = window.graph
    assert len(graph.nodes) == 3 * before
    vectors = [graph.by_name(name).value for name in ("v", "v1", "v2")]
    assert all(np.array_equal(v, [1.0, 2.0, 3.0]) for v in vectors)
    assert len({id(v) for v in vectors}) == 3  # no paste shares an array with another node
    assert graph.by_name("w2").trainable and window.undo_stack.undoText() == "Paste 12 nodes"
    assert {(graph.nodes[e.src].name, graph.nodes[e.dst].name, e.port)
            for e in graph.edges if graph.nodes[e.dst].name.endswith("2")} >= {
        ("w2", "c2", "a"), ("v2", "s2", "x"), ("half2", "J2", "a")}


def test_a_text_one_byte_apart_from_the_copy_goes_through_the_loader(window,
                                                                     monkeypatch) -> None:
    spy = LoaderSpy(monkeypatch)
    raw = copy_all(window)
    assert b'"name": "w"' in raw
    put(raw.replace(b'"name": "w"', b'"name": "q"'))
    key(window, QKeySequence.StandardKey.Paste)
    assert spy.calls == 1
    assert window.graph.has_name("q") and not window.graph.has_name("w1")


@pytest.mark.parametrize("change", [lambda raw: raw[:-2],
                                    lambda raw: raw.replace(b'"op": "mul"', b'"op": "rm!"', 1),
                                    lambda raw: raw.replace(b'"to": ', b'"to": "n1", "x": ', 1)])
def test_a_hostile_edit_of_the_copied_text_is_refused_and_changes_nothing(window,
                                                                          change) -> None:
    raw = copy_all(window)
    before, steps = files.dumps(window.graph), window.undo_stack.count()
    put(change(raw))
    key(window, QKeySequence.StandardKey.Paste)
    last = window.messages.toPlainText().splitlines()[-1]
    assert last.startswith("Cannot paste: the clipboard: ")
    assert files.dumps(window.graph) == before and window.undo_stack.count() == steps
    put(raw)  # the copy itself still pastes
    key(window, QKeySequence.StandardKey.Paste)
    assert len(window.graph.nodes) == 2 * len(files.loads(before).nodes)


def test_copied_places_past_the_bounds_or_not_finite_are_those_the_loader_reads() -> None:
    low, high = coordinate_bounds()
    g = Graph()
    for k, (x, y) in enumerate([(0.0, -0.0), (high * 2, low * 2), (float("nan"), 3.0),
                                (float("inf"), -float("inf")), (high, low), (2.5, 7.0)]):
        g.add_node("const", f"k{k}", x, y, value=1.0)
    ids = list(g.nodes)
    text, payload = clipboard.copy_nodes(g, ids)
    assert same(payload, clipboard.validate(text))
    assert same(clipboard.duplicate_payload(g, ids), payload)
    assert [(p["x"], p["y"]) for p in payload["nodes"][1:5]] == [
        (high, low), (0.0, 3.0), (0.0, 0.0), (high, low)]
    plain = [node for node in g.nodes.values() if node.name in ("k0", "k5")]
    assert same(clipboard.duplicate_payload(g, [n.id for n in plain]),
                clipboard.validate(clipboard.snapshot(g, [n.id for n in plain])))
