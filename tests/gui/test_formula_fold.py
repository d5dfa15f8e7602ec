"""A formula of ~30 nodes opens folded into bands as Auto Layout folds it, readable in a
1280×800 window: typed into the toolbar's formula field, or built by the CLI to a file."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from cgeditor.cli import main as cli
from cgeditor.gui.canvas.arrange import LAPTOP_CANVAS, layout_by_size
from cgeditor.gui.canvas.node_geometry import footprint
from cgeditor.gui.canvas.view import readable_room
from cgeditor.model.layout import LAPTOP_ROOM, nominal_sizes
from tests.model.test_formula import CHAIN


def ranks(positions: dict[str, tuple[float, float]]) -> dict[str, tuple[int, int]]:
    """Each node's column and row rank: equal for two layouts with the same fold."""
    xs = sorted({round(x) for x, _y in positions.values()})
    ys = sorted({round(y) for _x, y in positions.values()})
    return {n: (xs.index(round(x)), ys.index(round(y))) for n, (x, y) in positions.items()}


def test_a_typed_formula_is_placed_as_auto_layout_would_place_it(window) -> None:
    window.action("new").trigger()
    field = window.dialogs.field
    field.setFocus()
    QTest.keyClicks(field, CHAIN)
    QTest.keyClick(field, Qt.Key.Key_Return)
    graph = window.graph
    assert len(graph) >= 30
    ys = {round(n.y) for n in graph.nodes.values()}
    assert max(ys) - min(ys) > 300  # folded into bands, not one long row
    window.view.setFocus()
    QTest.keyClick(window.view.viewport(), Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert window.messages.toPlainText().splitlines()[-1] == \
        "Auto layout: every node was already in place"


def test_a_cli_built_formula_opens_folded_like_auto_layout(window, tmp_path) -> None:
    path = tmp_path / "chain.cgraph"
    assert cli(["build", CHAIN, "-o", str(path)]) == 0
    assert window.document.open_path(str(path), ask=False)
    last = window.messages.toPlainText().splitlines()[-1]
    assert "off the nodes" not in last  # nothing overlapped: nominal boxes were not short
    graph, scene = window.graph, window.scene
    scene.reserve_shapes()
    real = {i: footprint(item.box) for i, item in scene.nodes.items()}
    nominal = nominal_sizes(graph)
    assert all(nominal[i][0] >= real[i][0] and nominal[i][1] >= real[i][1] for i in real)
    # The model's room for a 1280×800 window is the view's own arithmetic, rounded.
    assert max(abs(a - b) for a, b in zip(readable_room(*LAPTOP_CANVAS), LAPTOP_ROOM)) < 1.0
    auto = layout_by_size(graph, real, room=readable_room(*LAPTOP_CANVAS))
    opened = {i: (n.x, n.y) for i, n in graph.nodes.items()}
    assert ranks(opened) == ranks(auto)
