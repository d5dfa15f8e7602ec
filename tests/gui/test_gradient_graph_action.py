"""Learn > Show Gradient Graph in a window: the seed's backward pass opens as an untitled
document whose dJ_d… nodes show the lesson's gradients after F5; unsaved work prompts first
(Cancel keeps it), and a graph no registry op can differentiate is named on the status line
with nothing changed."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from cgeditor.gui import document
from cgeditor.model import files
from cgeditor.model.examples import load_example
from cgeditor.model.formula import from_formula

LESSON = {"dJ_dw": "−4", "dJ_dx": "4", "dJ_db": "2", "dJ_dy": "−2", "dJ_dc": "2",
          "dJ_da": "2", "dJ_dd": "2", "J": "2"}


def show_gradient_graph(window, qtbot) -> None:
    """Learn > Show Gradient Graph, chosen from the menu by its keys (Alt+L, R)."""
    learn = window.menus["learn"]
    window.menuBar().setActiveAction(learn.menuAction())
    qtbot.waitUntil(learn.isVisible)
    qtbot.keyClick(learn, Qt.Key.Key_R)
    qtbot.waitUntil(lambda: not learn.isVisible())
    window.activateWindow()  # the closed menu hands the keyboard back to the window
    qtbot.waitUntil(window.isActiveWindow)


def rows(window, name: str) -> list[str]:
    return window.scene.nodes[window.graph.by_name(name).id].shown_rows()


def test_the_seeds_gradient_graph_shows_the_lessons_gradients_after_f5(window, qtbot) -> None:
    show_gradient_graph(window, qtbot)
    graph = window.graph
    assert graph.has_name("dJ_dw") and window.document.path is None
    assert window.scene.nodes.keys() == graph.nodes.keys()
    assert "press F5" in window.statusBar().currentMessage()
    assert not any("−4" in row for row in rows(window, "dJ_dw"))  # not run yet
    window.view.setFocus()
    qtbot.keyClick(window.view.viewport(), Qt.Key.Key_F5)
    for name, shown in LESSON.items():
        assert f"= {shown}" in rows(window, name), (name, rows(window, name))


def test_unsaved_work_prompts_and_cancel_keeps_it(window, qtbot, monkeypatch) -> None:
    asked = []

    def answer(_parent, _name, doing):
        asked.append(doing)
        return QMessageBox.StandardButton.Cancel

    monkeypatch.setattr(document, "ask_save_changes", answer)
    w = window.graph.by_name("w")
    window.editor.set_value(w.id, "3")
    before = files.dumps(window.graph)
    show_gradient_graph(window, qtbot)
    assert asked == ["opening the gradient graph"]
    assert files.dumps(window.graph) == before and not window.graph.has_name("dJ_dw")


def test_a_graph_with_no_gradient_graph_is_named_and_kept(window, qtbot) -> None:
    window.set_graph(from_formula("J = sum(x @ A)", x=[1, 2, 3],
                                  A=[[[[1, 2], [3, 4], [5, 6]]]] * 2))
    before = files.dumps(window.graph)
    show_gradient_graph(window, qtbot)
    assert files.dumps(window.graph) == before
    assert "matmul1 is a matmul node" in window.statusBar().currentMessage()


def test_use_as_output_on_dJ_dw_and_backward_give_second_derivatives(window, canvas,
                                                                      qtbot) -> None:
    """The gradient graph differentiated again in the editor: dJ_dw clicked, made the
    output in the Inspector, F6: ∂dJ_dw/∂w = x² = 4 and ∂dJ_dw/∂x = d + wx = −2."""
    show_gradient_graph(window, qtbot)
    window.view.centerOn(canvas.item("dJ_dw"))
    canvas.click(canvas.header("dJ_dw"))
    button = window.inspector.output_button
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert window.graph.nodes[window.graph.output].name == "dJ_dw"
    window.view.setFocus()
    qtbot.keyClick(window.view.viewport(), Qt.Key.Key_F6)
    assert "∂dJ_dw/∂w = 4" in rows(window, "w")
    assert "∂dJ_dw/∂x = −2" in rows(window, "x")


def test_a_training_under_way_ends_first_and_its_values_are_the_ones_written(
        window, qtbot, monkeypatch) -> None:
    """Show Gradient Graph while training: the training stops and keeps its steps (an undo
    step), and the gradient graph holds the trained w and b, not the values before it."""
    monkeypatch.setattr(document, "ask_save_changes",
                        lambda *_args: QMessageBox.StandardButton.Discard)
    window.set_graph(load_example("seed"))  # w and b trainable
    start = {n: float(window.graph.by_name(n).value) for n in ("w", "b")}
    window.learning.show("train")
    train = window.learning.train
    train.steps.setValue(1_000_000)
    qtbot.mouseClick(train.train_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(train.history) > 50, timeout=30_000)
    assert train.running
    show_gradient_graph(window, qtbot)
    assert not train.running and window.graph.has_name("dJ_dw")
    written = {n: float(window.graph.by_name(n).value) for n in ("w", "b")}
    assert written != start  # trained values: the pass before the training would give 2, 8
    window.view.setFocus()
    qtbot.keyClick(window.view.viewport(), Qt.Key.Key_F5)
    run = window.run.result
    plain = window.graph.run()  # the gradient graph's dJ_dw is ∂J/∂w at the trained values
    assert run.values["dJ_dw"] == plain.values["dJ_dw"]


def test_a_wide_adjoint_lies_on_no_narrower_neighbour(window, qtbot) -> None:
    """dJ_dmatrix_transpose1 is wider than the column mirrored to its right (the seed dJ_dJ
    and a const): the gradient graph opens with no node on another and nothing to part."""
    graph = from_formula("h = relu(step(x) + sign(x)); J = sum(matrix_transpose(h))",
                         x=[[1, -2], [0, 3]])
    engine = graph.run()
    window.set_graph(graph)
    window.view.setFocus()  # Auto Layout: the forward nodes by their matrix rows, as edits do
    qtbot.keyClick(window.view.viewport(), Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    show_gradient_graph(window, qtbot)
    assert window.graph.has_name("dJ_dmatrix_transpose1")
    assert "overlapped" not in window.statusBar().currentMessage()
    window.view.setFocus()
    qtbot.keyClick(window.view.viewport(), Qt.Key.Key_F5)
    boxes = {n: item.sceneBoundingRect() for n, item in window.scene.nodes.items()}
    ids = list(boxes)
    assert not [(a, b) for k, a in enumerate(ids) for b in ids[k + 1:]
                if boxes[a].intersects(boxes[b])]
    shown = window.run.state.result.values
    assert shown["dJ_dadd1"].tolist() == engine.grads["add1"].tolist() == [[1, 0], [0, 1]]
    assert shown["dJ_dx"].tolist() == engine.grads["x"].tolist() == [[0, 0], [0, 0]]
