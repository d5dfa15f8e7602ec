"""A node deleted under a stale run, whose name a pasted node then takes, reads 'y (deleted)'
in every dock that lists what the run (or a gradient check, or a nudge) computed: the trace,
the chain rule, the inspector, the gradient check's rows and summary and the nudge; the live
node keeps its own name. Undoing the paste gives the name back. Real keys and clicks."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

Ctrl = Qt.KeyboardModifier.ControlModifier


def key(window, k: Qt.Key, mods: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    window.view.setFocus()
    QTest.keyClick(window.view.viewport(), k, mods)
    QApplication.processEvents()


def delete_and_paste_a_copy(window, canvas, name: str) -> str:
    """Copy ``name``, delete it, paste the copy (which takes the free name); its id."""
    canvas.click(canvas.header(name))
    old = canvas.id(name)
    key(window, Qt.Key.Key_C, Ctrl)
    key(window, Qt.Key.Key_Delete)
    key(window, Qt.Key.Key_V, Ctrl)
    pasted = window.graph.by_name(name)
    assert pasted.id != old and old not in window.graph.nodes
    return pasted.id


def trace_names(window) -> list[str]:
    return [row[1] for row in window.run.trace.model.rows]


def test_trace_calls_the_deleted_y_so(window, canvas) -> None:
    key(window, Qt.Key.Key_F6)
    assert "y" in trace_names(window)
    delete_and_paste_a_copy(window, canvas, "y")
    assert window.run.stale
    names = trace_names(window)
    assert "y (deleted)" in names and "y" not in names
    rows = {row[1]: row for row in window.run.trace.model.rows}
    assert rows["d"][3] == "a=a, b=y (deleted)"
    assert rows["y (deleted)"][4:] == ("2", "\u22122")  # the deleted y's own numbers
    key(window, Qt.Key.Key_Z, Ctrl)  # the paste goes: nobody else is called y
    names = trace_names(window)
    assert "y" in names and not any("deleted" in n for n in names)


def test_inspector_and_chain_rule_name_a_deleted_output_so(window, canvas) -> None:
    key(window, Qt.Key.Key_F6)
    delete_and_paste_a_copy(window, canvas, "J")
    canvas.click(canvas.header("w"))
    numbers = window.inspector.numbers
    assert numbers.grad_table.title.text().startswith("∂J (deleted)/∂w")
    assert float(numbers.grad_table.value) == -4.0 and numbers.stale_note.stale
    assert canvas.item("w").display.grad_text == "∂J (deleted)/∂w = \u22124"
    explained = window.run.explainer.plain_text()
    assert "∂J (deleted)/∂w" in explained and "∂J/" not in explained


def table_names(panel) -> list[str]:
    return [panel.table.item(r, 0).text() for r in range(panel.table.rowCount())]


def test_gradient_check_rows_summary_and_nudge_follow_names(qtbot, window, canvas) -> None:
    window.learning.show("gradcheck")  # on the seed built in this session: no id is free
    panel = window.learning.gradcheck
    with qtbot.waitSignal(panel.finished, timeout=10_000):
        qtbot.mouseClick(panel.check_button, Qt.MouseButton.LeftButton)
    assert table_names(panel) == ["w", "x", "b", "y"]
    canvas.click(canvas.header("y"))
    qtbot.mouseClick(panel.nudge_button, Qt.MouseButton.LeftButton)
    assert panel.nudge_result.text().startswith("y → 2.001")
    delete_and_paste_a_copy(window, canvas, "y")
    assert table_names(panel) == ["w", "x", "b", "y (deleted)"]
    assert panel.stale_note.stale and panel.summary.text() == "All 4 passed (ε = 1e\u22126)."
    assert panel.nudge_result.text().startswith("y (deleted) → 2.001")
    canvas.click(canvas.header("w"))
    field = window.inspector.fields["name"].edit
    field.selectAll()
    QTest.keyClicks(field, "weight")
    QTest.keyClick(field, Qt.Key.Key_Return)
    assert table_names(panel) == ["weight", "x", "b", "y (deleted)"]
    key(window, Qt.Key.Key_Z, Ctrl)
    key(window, Qt.Key.Key_Z, Ctrl)  # the paste
    key(window, Qt.Key.Key_Z, Ctrl)  # the delete
    assert table_names(panel) == ["w", "x", "b", "y"]
    assert panel.nudge_result.text().startswith("y → 2.001")


def test_gradient_check_input_column_widens_to_a_new_label(qtbot, window, canvas) -> None:
    """A label that grows after the check ('y (deleted)', a longer rename) is read whole,
    not elided to 'y (…': the rows' tooltips carry the numbers, never the name."""
    window.learning.show("gradcheck")
    panel = window.learning.gradcheck
    with qtbot.waitSignal(panel.finished, timeout=10_000):
        qtbot.mouseClick(panel.check_button, Qt.MouseButton.LeftButton)
    delete_and_paste_a_copy(window, canvas, "y")
    canvas.click(canvas.header("w"))
    field = window.inspector.fields["name"].edit
    field.selectAll()
    QTest.keyClicks(field, "the_weight")
    QTest.keyClick(field, Qt.Key.Key_Return)
    table = panel.table
    assert table_names(panel) == ["the_weight", "x", "b", "y (deleted)"]
    metrics = table.fontMetrics()
    for label in ("the_weight", "y (deleted)"):
        assert table.columnWidth(0) > metrics.horizontalAdvance(label)


def test_canvas_shows_a_deleted_outputs_gradient_labels_whole(window, canvas) -> None:
    """'∂J (deleted)/∂w = −4' is longer than the '∂J/∂w' row each node reserved: the node
    widens for it (as for a long number) instead of eliding it to '∂J (…)/∂w', and the
    nodes it then covers make room."""
    key(window, Qt.Key.Key_F6)
    delete_and_paste_a_copy(window, canvas, "J")
    items = [item for item in window.scene.nodes.values() if item.info_rows()]
    assert len(items) == 9
    for item in items:
        whole = [text for _kind, text in item.info_rows()]
        assert whole[1].startswith(f"∂J (deleted)/∂{item.name} = ")
        assert item.shown_rows() == whole, item.name
    outlines = {item.name: item.sceneBoundingRect() for item in window.scene.nodes.values()}
    clashes = [(a, b) for a in outlines for b in outlines
               if a < b and outlines[a].intersects(outlines[b])]
    assert not clashes
    key(window, Qt.Key.Key_Z, Ctrl)  # the paste goes: the run's J is called J again
    for item in items:
        assert item.shown_rows()[1].startswith(f"∂J/∂{item.name} = ")
