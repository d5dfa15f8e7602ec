"""A large tensor's value and gradient rows on the canvas, after a real F5 and F6: the
shape is always whole and the range either whole or left out as '[…]', never cut in its
middle into something that reads as another shape ('(200, 2…4, 4.732]')."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from cgeditor.model.graph import Graph


def wide_tensor_graph() -> Graph:
    """J = sum(tanh(W)) with W of shape (200, 200): long ranges on every row."""
    graph = Graph()
    w = graph.add_node("input", "W", value=np.random.default_rng(0).standard_normal((200, 200)))
    t = graph.add_node("tanh", "t", x=300)
    j = graph.add_node("sum", "J", x=600)
    graph.connect(w.id, t.id, "x")
    graph.connect(t.id, j.id, "x")
    return graph


def test_a_range_too_wide_for_its_row_is_left_out_whole_not_cut(window, qtbot):
    window.set_graph(wide_tensor_graph())
    QApplication.processEvents()
    window.view.setFocus()
    qtbot.keyClick(window.view, Qt.Key.Key_F5)
    qtbot.keyClick(window.view, Qt.Key.Key_F6)
    QApplication.processEvents()
    for name in ("W", "t"):
        item = window.scene.nodes[window.graph.by_name(name).id]
        full = item.info_rows()
        shown = item.shown_rows()
        assert [kind for kind, _ in full] == ["value", "grad"], full
        for (_kind, whole), row in zip(full, shown):
            assert "(200, 200)" in row, (row, whole)  # 'all 1' for a constant fits
            if row != whole:
                assert row == whole.rpartition(" [")[0] + " […]", (row, whole)
    w_rows = window.scene.nodes[window.graph.by_name("W").id].shown_rows()
    assert w_rows[0] == "= (200, 200) […]"  # the premise: W's range is wider than its node
