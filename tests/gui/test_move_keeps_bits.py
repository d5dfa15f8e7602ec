"""A run shown as current after nodes are dragged is what a fresh run of the graph gives, to
the bit: the drag reorders ties in the execution order (the order badges follow), but not
the sum of a fan-in's gradient terms. Real mouse drags on the canvas."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF
from PySide6.QtWidgets import QApplication

from cgeditor.model import files
from tests.model.test_backward_order import fan_in


def names_in_order(graph) -> list[str]:
    return [graph.nodes[i].name for i in graph.order()]


def test_dragging_a_fan_ins_consumers_keeps_the_run_current_and_true(window, canvas) -> None:
    graph, _products = fan_in()
    for k, name in enumerate(("x", "a0", "a1", "a2")):  # room to drag between the columns
        graph.move_node(graph.by_name(name).id, 0.0, 250.0 * k)
    for k in range(3):
        graph.move_node(graph.by_name(f"c{k}").id, 400.0 + 200 * k, 250.0 * k)
    graph.move_node(graph.by_name("s").id, 1200.0, 0.0)
    graph.move_node(graph.by_name("J").id, 1500.0, 0.0)
    window.set_graph(graph)
    window.action("backward").trigger()
    shown = window.run.result.grads["x"]
    for name, dx in (("c2", -500.0), ("c1", -250.0)):  # c2, c1, c0 left to right at the end
        start = canvas.header(name)
        canvas.drag(start, start + QPointF(dx, 0.0))
        QApplication.processEvents()
    order = names_in_order(window.graph)
    assert order.index("c2") < order.index("c1") < order.index("c0")  # reordered
    assert not window.run.stale
    fresh = files.loads(files.dumps(window.graph)).run()
    assert window.run.result.grads["x"].tobytes() == fresh.grads["x"].tobytes()
    assert np.float64(shown).tobytes() == fresh.grads["x"].tobytes()
