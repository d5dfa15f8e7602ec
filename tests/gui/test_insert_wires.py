"""Insert formula reusing the graph's nodes, inputs and op nodes alike: the formula is wired
to them, and none of its wires passes behind a node that is not one of its two ends."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit


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
