"""The editor's first promise, as one person would do it: start from an empty document, drag the
seed example's ops out of the palette, name and fill them in the inspector, wire them with the
mouse, run Forward and Backward, save, close, reopen, and find everything as it was."""

from __future__ import annotations

from pathlib import Path

from conftest import Canvas
from PySide6.QtCore import QPointF
from test_canvas import send_drop
from test_document import answer_save_dialog
from test_inspector import enter
from test_run_canvas import click

from cgeditor.gui.docks.palette import op_mime
from cgeditor.model import files
from cgeditor.model.number_text import MINUS
from tests.graphs import seed_graph

# (op, name the person gives it, column, row) on a 190 x 110 grid of drop points
NODES = (
    ("input", "w", 0, 0), ("input", "x", 0, 1), ("input", "b", 0, 2), ("input", "y", 0, 3),
    ("mul", "c", 1, 0.5), ("add", "a", 2, 1), ("sub", "d", 3, 1.5), ("powc", "sq", 4, 1.5),
    ("const", "half", 4, 2.5), ("mul", "J", 5, 2),
)
VALUES = {"w": "2", "x": "-2", "b": "8", "y": "2", "half": "0.5"}
TRAINABLE = ("w", "b")
WIRES = (("w", "c", "a"), ("x", "c", "b"), ("c", "a", "a"), ("b", "a", "b"), ("a", "d", "a"),
         ("y", "d", "b"), ("d", "sq", "x"), ("half", "J", "a"), ("sq", "J", "b"))


def named_edges(graph) -> set[tuple[str, str, str]]:
    return {(graph.nodes[e.src].name, graph.nodes[e.dst].name, e.port) for e in graph.edges}


def drop_ops(window, canvas: Canvas) -> None:
    """Drag every op out of the palette onto its spot on the canvas."""
    corner = window.view.mapToScene(window.view.viewport().rect()).boundingRect().topLeft()
    counts: dict[str, int] = {}
    for op, _name, col, row in NODES:
        at = corner + QPointF(110 + 190 * col, 60 + 110 * row)
        send_drop(window.view, op_mime(op), canvas.at(at))
        counts[op] = counts.get(op, 0) + 1
        assert window.graph.has_name(f"{op}{counts[op]}"), f"{op} was not dropped"


def fill_in(window, canvas: Canvas) -> None:
    """Click each dropped node and give it its name, value and trainable flag."""
    counts: dict[str, int] = {}
    for op, name, _col, _row in NODES:
        counts[op] = counts.get(op, 0) + 1
        canvas.click(canvas.header(f"{op}{counts[op]}"))
        insp = window.inspector
        assert insp.node_id == canvas.id(f"{op}{counts[op]}")
        enter(insp.fields["name"], name)
        if name in VALUES:
            enter(insp.fields["value"], VALUES[name])
        if name in TRAINABLE:
            insp.trainable.click()
        assert not any(f.error.text() for f in insp.fields.values()), name


def assert_seed_numbers(qtbot, window) -> None:
    """Forward and Backward from the toolbar paint J = 2 and ∂J/∂w = −4 on the nodes."""
    canvas = Canvas(window)
    click(qtbot, window, "forward")
    click(qtbot, window, "backward")
    assert canvas.item("J").display.value_text == "2"
    assert canvas.item("w").display.grad_text.endswith(f"= {MINUS}4")
    assert canvas.item("b").display.grad_text.endswith("= 2")


def test_build_run_save_close_and_reopen_the_seed_example(window, qtbot, monkeypatch,
                                                          tmp_path: Path) -> None:
    window.action("new").trigger()
    assert len(window.graph) == 0 and window.undo_stack.count() == 0
    for _ in range(2):  # the whole example fits at 64 %
        window.action("zoom_out").trigger()
    canvas = Canvas(window)
    drop_ops(window, canvas)
    fill_in(window, canvas)
    for src, dst, port in WIRES:
        canvas.drag(canvas.out_port(src), canvas.in_port(dst, port))
        assert canvas.source(dst, port) == src, f"{src} -> {dst}.{port} did not connect"
    assert named_edges(window.graph) == named_edges(seed_graph())
    assert_seed_numbers(qtbot, window)

    target = tmp_path / "mine.cgraph"
    answer_save_dialog(monkeypatch, str(target))
    window.action("save").trigger()
    assert target.is_file() and window.undo_stack.isClean()
    saved = files.dumps(window.graph)
    assert files.dumps(files.load(target)) == saved
    assert window.close()

    from cgeditor.gui.window import MainWindow
    again = MainWindow(str(target), settings=window.settings)
    qtbot.addWidget(again)
    with qtbot.waitExposed(again):
        again.show()
    assert files.dumps(again.graph) == saved
    assert "mine" in again.windowTitle()
    assert_seed_numbers(qtbot, again)
