"""One number format per grid and one exponent style everywhere a number is shown: the
node's grid, the inspector's tables, an SVG export and the status line."""

from __future__ import annotations

import re

import numpy as np

from cgeditor.gui.canvas.image_export import export_svg
from cgeditor.model.graph import Graph
from cgeditor.model.number_text import MINUS

SMALL = [[-9e-05, -2e-4], [0.5, 1.0]]  # positional would need 7 characters for −0.0002
LONG_EXPONENT = re.compile("e[+]|e[-\u2212]?0\\d")  # 'e+07', 'e−05': the style not used


def _number(text: str) -> float:
    return float(text.replace(MINUS, "-"))


def _notation(cells: list[str]) -> set[bool]:
    """Which notations the non-zero cells use: True for scientific."""
    return {"e" in c for c in cells if c != "0"}


def tensor_then_scale(window, value, k: float) -> Graph:
    """x (a tensor) times a scalar k, summed to J; run with gradients."""
    graph = Graph()
    x = graph.add_node("input", "x", value=value)
    kk = graph.add_node("input", "k", value=k, y=150)
    m = graph.add_node("mul", "m", x=250)
    graph.connect(x.id, m.id, "a")
    graph.connect(kk.id, m.id, "b")
    s = graph.add_node("sum", "J", x=500)
    graph.connect(m.id, s.id, "x")
    window.set_graph(graph)
    window.action("backward").trigger()
    return graph


def test_a_grid_uses_one_notation_and_the_short_exponent(window) -> None:
    graph = tensor_then_scale(window, SMALL, 1.0)
    item = window.scene.nodes[graph.by_name("x").id]
    cells = list(item.display.grid.cells)
    assert cells == [f"{MINUS}9e{MINUS}5", f"{MINUS}2e{MINUS}4", f"5e{MINUS}1", "1e0"]
    assert len(_notation(cells)) == 1
    assert np.allclose([_number(c) for c in cells], np.ravel(SMALL))
    plain = window.scene.nodes[graph.by_name("m").id]  # the same, times k = 1: one notation
    assert len(_notation(list(plain.display.grid.cells))) == 1


def test_a_positional_grid_stays_positional(window) -> None:
    graph = tensor_then_scale(window, [[0.5, -4.0], [0.0123, 3.0]], 1.0)
    cells = list(window.scene.nodes[graph.by_name("x").id].display.grid.cells)
    assert cells == ["0.5", f"{MINUS}4", "0.0123", "3"]


def test_the_inspector_table_uses_one_notation(window) -> None:
    big = np.linspace(-1e-5, 3.0, 40).reshape(5, 8)  # a heatmap on the node, a table here
    graph = tensor_then_scale(window, big, 2.0)
    window.scene.select_ids([graph.by_name("x").id])
    model = window.inspector.numbers.value_table.model
    cells = [model.data(model.index(i, j)) for i in range(5) for j in range(8)]
    assert len(_notation(cells)) == 1 and _notation(cells) == {True}
    assert not any(LONG_EXPONENT.search(c) for c in cells)
    assert np.allclose([_number(c) for c in cells], big.ravel(), rtol=1e-5)
    window.scene.select_ids([graph.by_name("k").id])
    scalar = window.inspector.numbers.grad_table.model
    assert scalar.data(scalar.index(0, 0)) == f"{big.sum():.6g}"  # ∂J/∂k = Σx: positional


def test_status_line_and_svg_export_use_the_short_exponent(window, tmp_path) -> None:
    tensor_then_scale(window, SMALL, 1.2345e-7)
    status = window.statusBar().currentMessage()
    shown = re.search("J = (\\S+)", status).group(1)
    assert shown.endswith(f"e{MINUS}7") and not LONG_EXPONENT.search(status), status
    assert _number(shown) == float(f"{np.sum(SMALL) * 1.2345e-7:.4g}")
    path = tmp_path / "graph.svg"
    export_svg(window.scene, str(path))
    svg = path.read_text(encoding="utf-8")
    assert f"{MINUS}9e{MINUS}5" in svg and f"{MINUS}2e{MINUS}4" in svg
    assert not LONG_EXPONENT.search(" ".join(re.findall(r">([^<]*)<", svg)))


def test_a_negative_zero_reads_0_in_every_inspector_view(window, qtbot) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication
    graph = Graph()
    x = graph.add_node("input", "x", value=np.array([[-0.0, 1.5], [-2.0, 0.0]]))
    window.set_graph(graph)
    window.action("backward").trigger()
    window.scene.select_ids([x.id])
    field = window.inspector.fields["value"].edit.text()
    table = window.inspector.numbers.value_table
    model = table.model
    cells = [model.data(model.index(i, j), role) for i in range(2) for j in range(2)
             for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole)]
    qtbot.mouseClick(table.copy, Qt.MouseButton.LeftButton)
    tsv = QGuiApplication.clipboard().text()
    assert field == "[[0, 1.5], [-2, 0]]"
    assert cells[:2] == ["0", "0"] and cells[4] == f"{MINUS}2"
    assert tsv.split() == ["0.0", "1.5", "-2.0", "0.0"]


def test_one_shape_notation_on_canvas_inspector_gradcheck_cli_and_messages(
        window, qtbot, tmp_path, capsys) -> None:
    from PySide6.QtCore import Qt

    from cgeditor.cli import main
    from cgeditor.model.files import save
    graph = Graph()
    x = graph.add_node("input", "x", value=np.arange(8.0).reshape(4, 2) - 3)
    v = graph.add_node("input", "v", value=[1.0, 2.0, 3.0], y=150)
    s = graph.add_node("sum", "J", x=250)
    graph.connect(x.id, s.id, "x")
    save(graph, tmp_path / "g.cgraph")
    window.set_graph(graph)
    window.learning.show("gradcheck")
    panel = window.learning.gradcheck
    with qtbot.waitSignal(panel.finished, timeout=10_000):
        qtbot.mouseClick(panel.check_button, Qt.MouseButton.LeftButton)
    window.scene.select_ids([x.id])
    item = window.scene.nodes[x.id]
    cli = main(["run", str(tmp_path / "g.cgraph")]), capsys.readouterr().out
    m = window.graph.add_node("mul", "m", x=250, y=300)
    window.graph.connect(x.id, m.id, "a")
    window.graph.connect(v.id, m.id, "b")
    message = window.graph.run().issues["m"].message
    assert item.info_rows()[0] == ("value", "= (4, 2)")
    assert window.inspector.numbers.value_table.title.text() == "x   (4, 2)"
    assert panel.table.item(0, 1).text().startswith("(4, 2) [[")
    assert "x     input  (4, 2) [[" in cli[1] and "×" not in cli[1]
    assert "x has shape (4, 2) and v has shape (3,)" in message
