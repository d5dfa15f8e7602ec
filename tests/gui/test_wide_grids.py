"""A tensor's numbers on its node stay inside the node however many columns it has: up to
five columns every number is shown (five columns in narrower cells); wider tensors show
their shape, range and heatmap. Run with F6 on the canvas, as the user does."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from cgeditor.gui import theme as T
from cgeditor.gui.canvas.node_geometry import char_width
from cgeditor.gui.canvas.node_thumbnail import grid_cells
from cgeditor.model.examples import load_example
from cgeditor.model.graph import Graph
from cgeditor.model.number_text import MINUS


def backward(window) -> None:
    window.view.setFocus()
    QTest.keyClick(window.view.viewport(), Qt.Key.Key_F6)


def overflowing(item) -> list[str]:
    """The numbers of the item's grids that reach past its text margins or their cell."""
    inner = item.rect().adjusted(T.TEXT_SIDE - 0.5, 0, -T.TEXT_SIDE + 0.5, 0)
    out = []
    for grid, top in ((item.display.grid, item.box.value_grid_top()),
                      (item.display.grad_grid, item.box.grad_grid_top())):
        if grid is None:
            continue
        for rect, text in grid_cells(grid, item.box, top):
            if not inner.contains(rect) or len(text) * char_width() > rect.width() + 0.5:
                out.append(text)
    return out


def test_the_seed_fit_examples_five_numbers_fit_every_node(window) -> None:
    graph = load_example("seed_fit")
    window.set_graph(graph)
    backward(window)
    items = window.scene.nodes.values()
    wide = [item for item in items if item.display.grid is not None
            and item.display.grid.cols == 5]
    assert {item.name for item in wide} >= {"x", "y", "mul1", "add1", "d", "powc1"}
    assert {item.name: overflowing(item) for item in wide} == {item.name: [] for item in wide}
    x = window.scene.nodes[graph.by_name("x").id].display
    assert [float(c.replace(MINUS, "-")) for c in x.grid.cells] == [-1, 0, 1, 2, 3]


@pytest.mark.parametrize("shape", [(n,) for n in range(1, 17)] + [(2, 5), (2, 6), (3, 5), (2, 8)])
def test_a_tensor_shows_every_number_inside_its_node_or_a_heatmap(window, shape) -> None:
    value = np.linspace(-0.328, 9.875, int(np.prod(shape))).reshape(shape)
    graph = Graph()
    x = graph.add_node("input", "x", value=value.tolist())
    s = graph.add_node("sum", "s", x=400)
    graph.connect(x.id, s.id, "x")
    window.set_graph(graph)
    backward(window)
    item = window.scene.nodes[x.id]
    if shape[-1] <= 5:
        assert item.display.grid is not None and item.display.grad_grid is not None
        assert len(item.display.grid.cells) == value.size
        assert overflowing(item) == []
        assert item.box.width <= T.NODE_MAX_WIDTH
    else:
        assert item.display.grid is None and item.display.heatmap is not None
