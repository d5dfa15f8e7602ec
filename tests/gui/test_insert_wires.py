"""Insert formula reusing the graph's nodes, inputs and op nodes alike: the formula is wired
to them, and none of its wires passes behind a node that is not one of its two ends."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QRectF, QSizeF, Qt
from PySide6.QtWidgets import QApplication, QLineEdit

from cgeditor.paths import examples_dir


def insert(window, qtbot, text: str) -> list[str]:
    """Type ``text`` in the toolbar's formula field and press Enter; the new nodes' names."""
    before = set(window.graph.nodes)
    field = window.toolbar.findChild(QLineEdit, "formula_field")
    field.clear()
    qtbot.keyClicks(field, text)
    qtbot.keyClick(field, Qt.Key.Key_Return)
    QApplication.processEvents()
    return sorted(window.graph.nodes[i].name for i in set(window.graph.nodes) - before)


def test_a_formula_reusing_an_op_node_is_wired_to_it(window, qtbot) -> None:
    added = insert(window, qtbot, "L = J + 0.1 * w * w")
    graph = window.graph
    assert "L" in added and len(added) == 4
    sources = {graph.nodes[e.src].name for e in graph.edges
               if graph.nodes[e.dst].name in added}
    assert {"J", "w"} <= sources
    assert window.graph.run(backward=True).values["L"] == 2 + 0.1 * 2 * 2


def behind(window, names: list[str]) -> list[tuple[str, str]]:
    """(wire, node) for each wire into the nodes ``names`` that passes behind a node body
    other than its own two ends, by the paths the canvas draws."""
    from PySide6.QtGui import QPainterPathStroker
    scene, graph = window.scene, window.graph
    ids = {graph.by_name(n).id for n in names}
    stroker = QPainterPathStroker()
    stroker.setWidth(1.0)
    found = []
    for (dst, port), wire in scene.wires.items():
        if dst not in ids:
            continue
        edge = next(e for e in graph.edges if e.dst == dst and e.port == port)
        stroke = stroker.createStroke(wire.path())
        for node_id, item in scene.nodes.items():
            # The body, less its edge: a wire leaving or entering a port touches that.
            body = QRectF(item.pos(), QSizeF(item.width(), item.rect_height()))
            body = body.adjusted(3, 3, -3, -3)
            if node_id not in (edge.src, dst) and stroke.intersects(body):
                found.append((f"{graph.nodes[edge.src].name}->{graph.nodes[dst].name}",
                              item.name))
    return found


EXAMPLE_NAMES = sorted(p.stem for p in Path(examples_dir()).glob("*.cgraph"))


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_wires_from_a_reused_input_pass_behind_no_node(window, qtbot, name) -> None:
    from cgeditor.model.examples import load_example
    window.set_graph(load_example(name))
    first = next(n.name for n in window.graph.nodes.values() if n.is_input)
    added = insert(window, qtbot, f"R = {first} * {first}")
    assert added == ["R"]
    assert behind(window, added) == [], name


def test_a_formula_reusing_the_first_input_and_the_output_passes_behind_no_node(
        window, qtbot) -> None:
    # The seed: w far left, J far right; right of the graph, w's wire ran behind sq and J.
    added = insert(window, qtbot, "L = J + 0.1 * w * w")
    assert behind(window, added) == []


def test_the_preview_shows_the_run_value_of_an_op_node_a_name_is_wired_to(window, qtbot) -> None:
    """After Forward, Ctrl+K with 'L = J + 0.1 * w * w': J is wired to the seed's J, whose
    value the run computed (2): the preview shows it, not a fresh input's 0."""
    viewport = window.view.viewport()
    window.view.setFocus()
    qtbot.keyClick(viewport, Qt.Key.Key_F5)
    qtbot.keyClick(viewport, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    dialog = window.dialogs.dialogs["formula"]
    qtbot.keyClicks(dialog.editor, "L = J + 0.1 * w * w")
    dialog.refresh()
    scene = dialog.preview.scene()
    rows = scene.nodes[scene.graph.by_name("J").id].shown_rows()
    assert "= 2" in rows and "= 0" not in rows, rows
    assert "= 2" in scene.nodes[scene.graph.by_name("w").id].shown_rows()
    dialog.reject()
