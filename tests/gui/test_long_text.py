"""Long names, long numbers and long gradient rows: a node grows to show them whole up to a
maximum width, elides past it in the middle (the number of a row stays whole), an error
sentence at its end, and the tooltip on hover and the inspector show every text in full."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QHelpEvent
from PySide6.QtWidgets import QApplication, QToolTip

from cgeditor.gui.canvas.node_geometry import TEXT_MAX_WIDTH
from cgeditor.model.formula import from_formula
from cgeditor.model.number_text import MINUS, format_scalar
from tests.gui.test_make_room import clashes, enter, select

MEDIUM = "some_long_parameter_name"  # 24 characters: fits the widest box
HUGE = "the_weight_that_scales_the_input_before_the_bias_is_added"  # does not


def hover_tip(window, item) -> str:
    """Hover over ``item`` on the viewport and return the tooltip the canvas shows."""
    view = window.view
    at = view.mapFromScene(item.sceneBoundingRect().center())
    QApplication.sendEvent(view.viewport(), QHelpEvent(
        QEvent.Type.ToolTip, at, view.viewport().mapToGlobal(at)))
    QApplication.processEvents()
    return QToolTip.text()


def rename(window, canvas, old: str, new: str) -> None:
    select(canvas, old)
    enter(window.inspector.fields["name"], new)


def run(window) -> None:
    window.action("forward").trigger()
    window.action("backward").trigger()
    QApplication.processEvents()


def test_a_long_name_and_its_gradient_row_are_shown_whole(window, canvas) -> None:
    rename(window, canvas, "w", MEDIUM)
    run(window)
    item = canvas.item(MEDIUM)
    assert item.title() == MEDIUM
    assert item.shown_rows() == ["= 2", f"∂J/∂{MEDIUM} = {MINUS}4"]
    assert item.width() <= TEXT_MAX_WIDTH and clashes(window) == []


def test_past_the_widest_box_names_lose_their_middle_and_the_tooltip_has_them(window,
                                                                            canvas) -> None:
    rename(window, canvas, "w", HUGE)
    run(window)
    item = canvas.item(HUGE)
    assert item.width() == TEXT_MAX_WIDTH
    title = item.title()
    head, _, tail = title.partition("…")
    assert tail and HUGE.startswith(head) and HUGE.endswith(tail)  # the middle went
    value, grad = item.shown_rows()
    assert value == "= 2"
    assert grad.startswith("∂J/") and "…" in grad and grad.endswith(f" = {MINUS}4")
    tip = hover_tip(window, item)
    assert f"{HUGE} = 2" in tip and f"∂J/∂{HUGE} = {MINUS}4" in tip
    assert window.inspector.fields["name"].edit.text() == HUGE
    assert clashes(window) == []


def test_long_numbers_are_reserved_in_full(window, canvas) -> None:
    select(canvas, "w")
    enter(window.inspector.fields["value"], "-1.2345e-7")
    select(canvas, "x")
    enter(window.inspector.fields["value"], "-2.3456e-9")
    run(window)
    w = canvas.item("w")
    grad = format_scalar(w.display.grad)
    assert len(grad) == 9 and "e" in grad  # as long as 4 digits get: −1.407e−8
    assert w.shown_rows() == [f"= {format_scalar(-1.2345e-7)}", f"∂J/∂w = {grad}"]
    assert "…" not in " ".join(canvas.item("c").shown_rows())
    assert f"{MINUS}1.2345e{MINUS}7" in hover_tip(window, w)
    select(canvas, "w")
    assert window.inspector.fields["value"].edit.text() == "-1.2345e-7"  # typed: as typed


def test_an_op_node_before_a_run_tells_its_whole_name_on_hover(window, canvas) -> None:
    rename(window, canvas, "c", HUGE)
    tip = hover_tip(window, canvas.item(HUGE))
    assert tip == f"{HUGE}  (mul)"


def test_an_error_too_long_for_its_node_keeps_its_start(window, canvas, qtbot) -> None:
    """The failure lab's first case, log of 0: each node's error row reads from its start
    ('⚠ origin: log at…'), not cut in its middle ('⚠ origin… above 0', '⚠ orig…m down')."""
    window.set_graph(from_formula("J = -log(p)", p=0.0))
    window.view.setFocus()
    qtbot.keyClick(window.view.viewport(), Qt.Key.Key_F5)
    qtbot.keyClick(window.view.viewport(), Qt.Key.Key_F6)
    for name, start in [("p", "⚠ origin: g"), ("log1", "⚠ origin: log at"), ("J", "⚠ neg at")]:
        shown, whole = canvas.item(name).shown_rows()[-1], canvas.item(name).info_rows()[-1][1]
        assert shown.startswith(start) and shown.endswith("…"), shown
        assert whole.startswith(shown[:-1])
    assert "gradient of p is −inf, from the rule of log" in hover_tip(window, canvas.item("p"))
