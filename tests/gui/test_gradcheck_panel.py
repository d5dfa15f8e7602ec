"""The gradient check dock on a real MainWindow: the seed passes with the right numbers, a wrong
vjp is caught and marked on the canvas, bad ε changes nothing, Nudge predicts J + ∂J/∂θ·ε."""

from __future__ import annotations

import dataclasses

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDockWidget

from cgeditor.core import ops
from cgeditor.gui.commands import SetValue
from cgeditor.model.examples import load_example
from tests.gui.conftest import Canvas, learning_on


@pytest.fixture
def learn(window):
    return learning_on(window, "seed", "gradcheck")


def run_check(qtbot, panel) -> bool:
    with qtbot.waitSignal(panel.finished, timeout=10_000) as blocker:
        qtbot.mouseClick(panel.check_button, Qt.MouseButton.LeftButton)
    return blocker.args[0]


def table(panel) -> dict[str, list[str]]:
    t = panel.table
    return {t.item(r, 0).text(): [t.item(r, c).text() for c in range(t.columnCount())]
            for r in range(t.rowCount())}


def test_seed_passes_with_the_backprop_values(qtbot, learn, window) -> None:
    panel = learn.gradcheck
    assert run_check(qtbot, panel) is True
    rows = table(panel)
    assert list(rows) == ["w", "x", "b", "y"]
    assert [rows[n][1] for n in rows] == ["−4", "4", "2", "−2"]
    assert [rows[n][2] for n in rows] == ["−4", "4", "2", "−2"]
    assert {rows[n][4] for n in rows} == {"pass"} and {rows[n][5] for n in rows} == {"elementwise"}
    assert panel.summary.text() == "All 4 passed (ε = 1e\u22126)."
    item = window.scene.nodes[window.graph.by_name("w").id]
    assert item.display.highlighted and not item.display.error_text
    assert "Gradient check: All 4 passed" in window.messages.toPlainText()


def test_trainable_only_checks_w_and_b(qtbot, learn) -> None:
    panel = learn.gradcheck
    panel.which.setCurrentIndex(1)
    assert run_check(qtbot, panel)
    assert list(table(panel)) == ["w", "b"]


def test_a_wrong_vjp_fails_and_is_marked_on_the_canvas(qtbot, learn, window,
                                                       monkeypatch) -> None:
    wrong = dataclasses.replace(ops.REGISTRY["mul"],
                                vjp=lambda g, out, a, b: (g * b * 1.5, g * a),
                                vjp_template=("{g} * {b} * 1.5", "{g} * {a}"))
    monkeypatch.setitem(ops.REGISTRY, "mul", wrong)
    panel = learn.gradcheck
    assert run_check(qtbot, panel) is False
    rows = table(panel)
    assert rows["w"][1] == "−6" and rows["w"][2] == "−4" and rows["w"][4] == "FAIL"
    assert rows["b"][4] == "pass"  # add's rule is still right
    assert "1 of 4 failed (w" in panel.summary.text()
    w_item = window.scene.nodes[window.graph.by_name("w").id]
    assert "gradient check failed" in w_item.display.error_text
    monkeypatch.undo()
    assert run_check(qtbot, panel) is True
    assert not w_item.display.error_text


def test_a_large_output_reads_lost_to_rounding_not_failed(qtbot, window) -> None:
    """At J ≈ 1e30 the estimate reads 0 for every slope: the rows say the check could not
    resolve them, once for all in the summary, and no input is marked failed."""
    from cgeditor.model.formula import from_formula

    window.set_graph(from_formula("J = w*x + b", w=2, x=3, b=1e30))
    window.learning.show("gradcheck")
    panel = window.learning.gradcheck
    assert run_check(qtbot, panel) is True
    rows = table(panel)
    assert [rows[n][1:3] + rows[n][4:5] for n in "wxb"] == [
        ["3", "0", "lost to\nrounding"], ["2", "0", "lost to\nrounding"],
        ["1", "0", "lost to\nrounding"]]
    summary = panel.summary.text()
    assert summary.startswith("No failure (ε = 1e−6). w, x, b: lost to rounding: at "
                              "|J| ≈ 1e30")
    assert summary.count("lost to rounding") == 1 and "failed" not in summary
    header = panel.table.horizontalHeader()  # the verdict and the method stay in view
    assert header.length() <= panel.table.viewport().width()
    for name in "wxb":
        item = window.scene.nodes[window.graph.by_name(name).id]
        assert not item.display.error_text and not item.display.highlighted


def test_marks_survive_a_repaint_and_go_at_the_first_edit(qtbot, learn, window) -> None:
    panel = learn.gradcheck
    run_check(qtbot, panel)
    w_id = window.graph.by_name("w").id
    window.run.forward()  # repaints every node from the run display
    assert window.scene.nodes[w_id].display.highlighted
    window.undo_stack.push(SetValue(window.graph, window.graph.by_name("x").id, 3.0))
    assert not window.scene.nodes[w_id].display.highlighted
    assert panel.tints == {}


@pytest.mark.parametrize("text", ["0", "-1e-6", "abc", "nan", ""])
def test_bad_eps_is_refused_and_keeps_the_table(qtbot, learn, text) -> None:
    panel = learn.gradcheck
    run_check(qtbot, panel)
    panel.eps.setText(text)
    assert panel.start_check() is False
    assert panel.summary.text().startswith("Not checked: ε must be")
    assert panel.table.rowCount() == 4 and not panel.running


def test_nudge_w_predicts_the_new_output(qtbot, learn, window) -> None:
    panel = learn.gradcheck
    w_id = window.graph.by_name("w").id
    window.scene.select_ids([w_id])
    panel.nudge_eps.setText("0.001")
    depth = window.undo_stack.count()
    qtbot.mouseClick(panel.nudge_button, Qt.MouseButton.LeftButton)
    text = panel.nudge_result.text()
    assert text.startswith("w → 2.001, J = 1.996002, predicted 2 − 4·0.001 = 1.996\n")
    assert "actual − predicted = 2e−6" in text
    assert window.graph.nodes[w_id].value == 2.0 and window.undo_stack.count() == depth


def test_nudge_needs_one_selected_input(qtbot, learn, window) -> None:
    panel = learn.gradcheck
    window.scene.select_ids([])
    assert panel.nudge_selected() is None
    assert "Select exactly one input" in panel.nudge_result.text()
    window.scene.select_ids([window.graph.by_name("c").id])  # a mul node
    assert panel.nudge_selected() is None
    panel.nudge_eps.setText("zero")
    window.scene.select_ids([window.graph.by_name("b").id])
    assert panel.nudge_selected() is None
    assert "ε must be a number" in panel.nudge_result.text()


def test_nudge_a_tensor_input_moves_every_element(qtbot, learn, window) -> None:
    window.set_graph(load_example("matrix"))
    window.scene.select_ids([window.graph.by_name("b").id])
    result = learn.gradcheck.nudge_selected()
    assert result is not None
    assert result.nudged_output == pytest.approx(result.predicted, abs=1e-5)
    assert "b → b + 0.001 (every element)" in learn.gradcheck.nudge_result.text()


def test_learn_menu_and_shortcuts(learn, window) -> None:
    names = [a.objectName() for a in window.menus["learn"].actions() if not a.isSeparator()]
    assert names == ["gradcheck", "nudge", "cost", "train", "stop_training", "gradient_graph",
                     "practice", "ordering", "ordering_up", "ordering_down", "failure_lab"]
    assert window.action("gradcheck").shortcut().toString() == "Ctrl+G"
    assert window.action("train").shortcut().toString() == "Ctrl+T"
    assert window.action("failure_lab").shortcut().toString() == "Ctrl+Shift+F"
    learn.docks["gradcheck"].hide()
    window.action("gradcheck").trigger()
    assert learn.docks["gradcheck"].isVisible() and learn.gradcheck.running


def test_marks_go_with_their_document(qtbot, window) -> None:
    """XOR checked (its inputs outlined), then the softmax example opened: the new graph's
    nodes that share XOR's inputs' ids (X, W, b, Y, mul1, J) show no mark of that check."""
    from cgeditor.paths import examples_dir

    panel = learning_on(window, "xor", "gradcheck").gradcheck
    assert run_check(qtbot, panel) is True
    assert any(item.display.highlighted for item in window.scene.nodes.values())
    assert window.document.open_example(str(examples_dir() / "softmax.cgraph"), ask=False)
    marked = [item.name for item in window.scene.nodes.values()
              if item.display.highlighted or item.display.error_text]
    assert marked == [] and panel.tints == {}
    window.view.setFocus()
    qtbot.keyClick(window.view.viewport(), Qt.Key.Key_F5)  # a run repaints: still none
    assert not any(item.display.highlighted for item in window.scene.nodes.values())


def test_many_inputs_give_the_cli_rows_in_few_ticks(qtbot, learn, window) -> None:
    """20 inputs, J = Σ tanh(x_k)·x_(k+1) as a chain of adds: the dock's rows, checked a
    pass of many inputs per tick, are the CLI's rows, and its table lists them all."""
    from cgeditor.model.gradcheck import gradient_rows
    from cgeditor.model.graph import Graph

    graph = Graph()
    xs = [graph.add_node("input", f"x{k}", 0.0, 110.0 * k, value=0.1 * k - 1).id
          for k in range(20)]
    total = None
    for k in range(19):
        t = graph.add_node("tanh", f"t{k}", 230.0, 110.0 * k).id
        m = graph.add_node("mul", f"m{k}", 460.0, 110.0 * k).id
        graph.connect(xs[k], t, "x")
        graph.connect(t, m, "a")
        graph.connect(xs[k + 1], m, "b")
        if total is None:
            total = m
            continue
        s = graph.add_node("add", f"s{k}", 690.0 + 230 * k, 110.0 * k).id
        graph.connect(total, s, "a")
        graph.connect(m, s, "b")
        total = s
    window.set_graph(graph)
    panel = learn.gradcheck
    assert run_check(qtbot, panel) is True
    expected = gradient_rows(window.graph)
    assert len(expected) == 20
    assert [(r.name, float(r.numeric), r.verdict) for r in panel.rows] == \
        [(r.name, float(r.numeric), r.verdict) for r in expected]
    assert list(table(panel)) == [f"x{k}" for k in range(20)]


def test_learn_nudge_scrolls_its_result_into_view(qtbot, window) -> None:
    """Learn > Nudge Selected Input with the Gradient check dock scrolled to its table (as
    a check leaves it, in a 1280×800 window): the nudge's result, at the dock's foot, is
    scrolled into view, where it had stayed below the fold."""
    window.resize(1280, 800)
    trace = window.findChild(QDockWidget, "trace")
    trace.show()
    trace.raise_()  # the Trace strip raised over Messages takes the column's foot
    window.learning.show("gradcheck")
    QApplication.processEvents()
    canvas = Canvas(window)
    canvas.click(canvas.header("w"))
    area = window.learning.docks["gradcheck"].widget()
    result = window.learning.gradcheck.nudge_result

    def result_seen() -> bool:
        bottom = result.mapTo(area.viewport(), result.rect().bottomLeft()).y()
        return 0 <= bottom <= area.viewport().height()

    area.verticalScrollBar().setValue(0)
    window.action("nudge").trigger()
    QApplication.processEvents()
    assert result.text().startswith("w → 2.001, J = 1.996002")
    assert area.verticalScrollBar().maximum() > 0  # the premise: the dock scrolls
    assert result_seen()
