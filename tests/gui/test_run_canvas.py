"""Run and see, end to end on the real MainWindow: toolbar clicks, what node items and wires
display, stepping order, stale marking, the chain-rule dock and error origins."""

from __future__ import annotations

import pytest
from crash_child import make_window, prompts  # noqa: F401 - fixtures (isolated settings, dialogs)
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTextBrowser

from cgeditor.model.number_text import MINUS
from tests.graphs import chain, fan_out, open_port


@pytest.fixture
def window(make_window):  # noqa: F811 - the imported fixture
    """The editor on the bundled seed example, visible, its dialogs answered by ``prompts``."""
    win = make_window()
    win.show()
    assert win.graph.has_name("w") and win.graph.has_name("J")
    return win


def click(qtbot, window, name):
    """Press the toolbar button of action ``name`` with the mouse."""
    button = window.toolbar.widgetForAction(window.action(name))
    assert button is not None, f"{name} is not on the toolbar"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def item(window, name):
    return window.scene.nodes[window.graph.by_name(name).id]


def wire(window, dst, port):
    return window.scene.wires[(window.graph.by_name(dst).id, port)]


def test_forward_then_backward_paint_values_gradients_and_badges(qtbot, window):
    click(qtbot, window, "forward")
    assert [item(window, n).display.value_text for n in "cadJ"] == [f"{MINUS}4", "4", "2", "2"]
    assert item(window, "w").display.grad_text == ""
    assert window.statusBar().currentMessage() == "J = 2"
    click(qtbot, window, "backward")
    status = window.statusBar().currentMessage()
    assert status.startswith("J = 2 · ∂J/∂") and f"∂J/∂w = {MINUS}4" in status
    assert item(window, "w").display.grad_text == f"∂J/∂w = {MINUS}4"
    assert item(window, "d").display.grad_text == "∂J/∂d = 2"
    assert ("grad", f"∂J/∂w = {MINUS}4") in item(window, "w").info_rows()
    order = window.graph.order()
    assert [window.scene.nodes[i].display.order_badge for i in order] == \
        [str(k) for k in range(1, len(order) + 1)]
    assert wire(window, "c", "a").label() == f"← {MINUS}4\n∂c/∂w = {MINUS}2"
    assert f"∂J/∂w = {MINUS}4" in item(window, "w").toolTip()


def test_stepping_goes_forward_in_order_then_backward_in_reverse(qtbot, window):
    order = window.graph.order()
    current = []
    for _ in range(2 * len(order)):
        click(qtbot, window, "step")
        lit = [i for i, it in window.scene.nodes.items() if it.display.current]
        assert len(lit) == 1
        current.append(lit[0])
    assert current == order + order[::-1]
    # Mid backward: the first nodes in order are not reached yet, so they are dimmed.
    window.run.reset()
    for _ in range(len(order) + 2):
        click(qtbot, window, "step")
    assert window.scene.nodes[order[0]].display.dimmed
    assert not window.scene.nodes[order[-1]].display.dimmed


def test_a_structural_edit_marks_results_stale_and_a_run_clears_it(qtbot, window):
    click(qtbot, window, "backward")
    window.editor.set_attr(window.graph.by_name("sq").id, "exponent", "3")
    window.editor.set_value(window.graph.by_name("w").id, "5")  # stale stays stale
    assert all(it.display.stale for it in window.scene.nodes.values())
    assert item(window, "c").display.value_text == f"{MINUS}4"  # the old number, dimmed
    assert item(window, "w").display.value_text == "5"  # the edited input shows its value
    click(qtbot, window, "backward")
    assert not any(it.display.stale for it in window.scene.nodes.values())
    assert item(window, "c").display.value_text == f"{MINUS}10"
    assert item(window, "sq").display.value_text == f"{MINUS}64"  # d = −4, cubed


def test_live_reruns_after_an_undoable_edit(qtbot, window):
    window.action("live").trigger()
    window.editor.set_value(window.graph.by_name("w").id, "3")
    qtbot.waitUntil(lambda: item(window, "c").display.value_text == f"{MINUS}6")
    assert not item(window, "c").display.stale
    window.undo_stack.undo()
    qtbot.waitUntil(lambda: item(window, "c").display.value_text == f"{MINUS}4")


def test_selecting_w_explains_it_and_highlights_the_path(qtbot, window):
    click(qtbot, window, "backward")
    window.scene.select_ids([window.graph.by_name("w").id])
    text = window.findChild(QTextBrowser, "explainer_text").toPlainText()
    assert (f"∂J/∂w = ∂J/∂sq · ∂sq/∂d · ∂d/∂a · ∂a/∂c · ∂c/∂w = "
            f"0.5 · 4 · 1 · 1 · ({MINUS}2) = {MINUS}4") in text
    on_path = {n for n, it in ((window.graph.nodes[i].name, it)
                               for i, it in window.scene.nodes.items()) if it.display.highlighted}
    assert on_path == {"w", "c", "a", "d", "sq", "J"}
    assert wire(window, "d", "a").state == "highlight"
    assert wire(window, "d", "b").state == "normal"


def test_fan_out_explainer_sum_equals_the_painted_gradient(qtbot, window):
    window.set_graph(fan_out(3.0, step=200))
    click(qtbot, window, "backward")
    x = window.graph.by_name("x").id
    window.scene.select_ids([x])
    exp = window.run.explanation
    assert exp.count_total == 3 and exp.total == exp.gradient == 7.0
    assert window.scene.nodes[x].display.grad_text == "∂f/∂x = 7"
    text = window.findChild(QTextBrowser, "explainer_text").toPlainText()
    assert "sum over 3 paths = 3 + 3 + 1 = 7" in text
    labels = [wire(window, "m", "a").label(), wire(window, "m", "b").label(),
              wire(window, "f", "b").label()]
    assert [lab.splitlines()[0] for lab in labels] == \
        ["← 3", "← 3", "← 1"]


def test_nan_origin_is_red_marked_and_logged(qtbot, window):
    graph, (_x, lg, sq) = chain(("log", "lg"), ("square", "sq"), start=-1.0, step=200)
    window.set_graph(graph)
    click(qtbot, window, "backward")
    origin = window.scene.nodes[lg.id]
    assert origin.display.origin and f"log at x = {MINUS}1 gives nan" in origin.display.error_text
    assert origin.toolTip().startswith("lg = nan")
    assert "origin" in origin.toolTip()
    assert ("error", "⚠ origin: " + origin.display.error_text) in origin.info_rows()
    downstream = window.scene.nodes[sq.id].display
    assert downstream.error_text and not downstream.origin
    assert "lg: non-finite value" in window.messages.toPlainText()


def test_unconnected_port_is_named_in_the_messages(qtbot, window):
    graph, m = open_port(step=200)
    window.set_graph(graph)
    click(qtbot, window, "forward")
    assert "not run: input port b of m not connected" in window.messages.toPlainText()
    assert "not connected" in window.scene.nodes[m.id].display.error_text


def test_trace_and_canvas_select_each_other(qtbot, window):
    click(qtbot, window, "backward")
    trace = window.run.trace
    c = window.graph.by_name("c").id
    trace.table.selectRow(trace.model.ids.index(c))
    assert window.scene.selected_ids() == [c]
    d = window.graph.by_name("d").id
    window.scene.select_ids([d])
    assert trace.selected_id() == d


def test_reset_clears_results_but_inputs_keep_their_values(qtbot, window):
    click(qtbot, window, "backward")
    click(qtbot, window, "reset")
    assert item(window, "c").display.value_text == ""
    assert item(window, "w").display.value_text == "2"
    assert wire(window, "c", "a").label() == ""


def test_the_status_line_drops_the_old_documents_numbers(qtbot, window):
    """'J = 2 · ∂J/∂w = −4' of the seed is no number of a graph opened next."""
    from cgeditor.model.examples import load_example

    click(qtbot, window, "backward")
    assert window.statusBar().currentMessage().startswith("J = 2")
    window.set_graph(load_example("xor"))
    assert "J = 2" not in window.statusBar().currentMessage()
