"""What an edit adds is in view afterwards: a formula inserted beside a graph too wide to read
whole, and a paste made while its nodes' place is scrolled away; the view moves no further
than that takes, and keeps what was in view when it can zoom out and stay readable."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit

from cgeditor.gui import theme as T
from cgeditor.gui.canvas.view import FIT_MARGIN
from cgeditor.model.formula import from_formula
from cgeditor.model.layout import apply_layout, layered_layout


def in_view(window, names: list[str]) -> dict[str, bool]:
    seen = window.view.mapToScene(window.view.viewport().rect()).boundingRect()
    items = {item.name: item for item in window.scene.nodes.values()}
    return {name: seen.contains(items[name].sceneBoundingRect()) for name in names}


def test_a_formula_inserted_beside_a_wide_graph_is_shown(window, qtbot) -> None:
    chain = "; ".join(f"h{k} = tanh(h{k - 1})" for k in range(1, 12))
    graph = from_formula(f"{chain}; J = h11 * h11", h0=0.5)
    apply_layout(graph, layered_layout(graph, spacing_x=260.0))  # one long row, unfolded
    window.set_graph(graph)
    QApplication.processEvents()
    assert not all(in_view(window, ["h0", "J"]).values()), "the chain must be too wide to fit"
    field = window.toolbar.findChild(QLineEdit, "formula_field")
    qtbot.keyClicks(field, "z = exp(v)")
    qtbot.keyClick(field, Qt.Key.Key_Return)
    QApplication.processEvents()
    assert window.graph.by_name("z") is not None
    assert in_view(window, ["z", "v"]) == {"z": True, "v": True}


def test_a_paste_scrolls_to_what_it_added(window, canvas, qtbot) -> None:
    cv = canvas
    cv.click(cv.header("J"))
    assert window.scene.selected_ids() == [cv.id("J")]
    qtbot.keyClick(window.view.viewport(), Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    for _ in range(4):
        window.view.zoom_in()
    window.view.centerOn(cv.item("w").sceneBoundingRect().center())
    QApplication.processEvents()
    assert in_view(window, ["J"]) == {"J": False}
    before = set(window.graph.nodes)
    qtbot.keyClick(window.view.viewport(), Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    QApplication.processEvents()
    pasted = [window.graph.nodes[i].name for i in set(window.graph.nodes) - before]
    assert len(pasted) == 1
    assert in_view(window, pasted) == {pasted[0]: True}


def whole_in_view(window) -> set[str]:
    seen = window.view.mapToScene(window.view.viewport().rect()).boundingRect()
    return {item.name for item in window.scene.nodes.values()
            if seen.contains(item.sceneBoundingRect())}


def insert(window, qtbot, formula: str) -> None:
    field = window.toolbar.findChild(QLineEdit, "formula_field")
    qtbot.keyClicks(field, formula)
    qtbot.keyClick(field, Qt.Key.Key_Return)
    QApplication.processEvents()


def test_an_insert_moves_the_view_only_as_far_as_it_must(window, qtbot) -> None:
    """z = tanh(w) beside the seed: z comes into view at the view's edge (the least scroll,
    zoom kept), not centred with the graph scrolled away around it."""
    view = window.view
    window.action("fit").trigger()
    QApplication.processEvents()
    zoom, before = view.zoom(), whole_in_view(window)
    was = view.mapToScene(view.viewport().rect()).boundingRect()
    insert(window, qtbot, "z = tanh(w)")
    item = window.scene.nodes[window.graph.by_name("z").id]
    z = item.sceneBoundingRect()
    seen = view.mapToScene(view.viewport().rect()).boundingRect()
    assert seen.contains(z)
    assert view.zoom() >= T.READABLE_ZOOM
    if view.zoom() == zoom:  # scrolled, right only: z sits at the view's right edge
        assert z.right() > was.right()
        assert abs(seen.right() - (item.x() + item.width() + FIT_MARGIN)) < 2
        assert abs(seen.top() - was.top()) < 1
        assert "J" in whole_in_view(window)  # the output z went beside stays in view
    else:  # zoomed out: everything that was in view still is
        assert before <= whole_in_view(window)


def test_an_insert_zooms_out_to_keep_what_was_in_view_when_text_stays_readable(
        window, qtbot) -> None:
    view = window.view
    window.action("fit").trigger()
    for _ in range(3):
        qtbot.keyClick(view.viewport(), Qt.Key.Key_Plus, Qt.KeyboardModifier.ControlModifier)
    view.centerOn(window.scene.nodes[window.graph.by_name("J").id].sceneBoundingRect().center())
    QApplication.processEvents()
    zoom, before = view.zoom(), whole_in_view(window)
    assert "J" in before and zoom > 1.3
    insert(window, qtbot, "z = tanh(J)")
    after = whole_in_view(window)
    assert "z" in after and before <= after
    assert T.READABLE_ZOOM <= view.zoom() < zoom
