"""Run > Forward Mode from <input>, end to end on the real window: a mouse click selects the
input, F7 or the Run menu runs forward mode, and every node item shows its tangent ∂v/∂w in
the tangent colour; the status line names the cost argument; tangents go stale after a
structural edit, follow a value edit, and clear when the document is replaced."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from cgeditor.gui import theme as T
from cgeditor.gui.forward_mode import NO_SEED, NOT_A_SEED
from cgeditor.model.number_text import MINUS
from tests.graphs import seed_graph
from tests.gui.pixels import near, shown

M2, M4 = f"{MINUS}2", f"{MINUS}4"


def _select(canvas, name: str) -> None:
    canvas.view.centerOn(canvas.item(name).sceneBoundingRect().center())
    QApplication.processEvents()
    canvas.click(canvas.header(name))
    assert canvas.window.scene.selection.single() == canvas.id(name)


def _press_f7(window) -> None:
    QTest.keyClick(window.view.viewport(), Qt.Key.Key_F7)


def _rows(canvas, *names: str) -> dict[str, str]:
    return {name: canvas.item(name).display.grad_text for name in names}


def test_f7_on_a_selected_input_shows_every_nodes_tangent(window, canvas):
    _select(canvas, "w")
    assert window.action("forward_mode").text().replace("&", "") == "Forward Mode from w"
    _press_f7(window)
    assert _rows(canvas, "w", "x", "c", "a", "d", "sq", "J") == {
        "w": "∂w/∂w = 1", "x": "∂x/∂w = 0", "c": f"∂c/∂w = {M2}", "a": f"∂a/∂w = {M2}",
        "d": f"∂d/∂w = {M2}", "sq": f"∂sq/∂w = {MINUS}8", "J": f"∂J/∂w = {M4}"}
    assert canvas.item("c").display.value_text == M4  # the values stay on their row
    assert ("grad", f"∂c/∂w = {M2}") in canvas.item("c").info_rows()
    assert window.statusBar().currentMessage() == (
        f"Forward mode from w: each node shows ∂v/∂w (∂J/∂w = {M4}) · one forward-mode pass "
        "gives ∂(every node)/∂w; backward gives ∂J/∂(every input)")
    assert "(forward mode from w)" in canvas.item("c").toolTip()
    # the inspector, on the selected w, heads the second table with the tangent's name
    assert window.inspector.numbers.grad_table.title.text().split() == ["∂w/∂w", "scalar"]


def test_the_run_menu_item_is_named_after_the_selection_and_runs_it(window, canvas):
    _select(canvas, "b")
    menu = window.menus["run"]
    action = window.action("forward_mode")
    assert action in menu.actions()
    menu.popup(window.mapToGlobal(window.rect().center()))
    QTest.qWaitForWindowExposed(menu)
    assert action.text().replace("&", "") == "Forward Mode from b"
    QTest.mouseClick(menu, Qt.MouseButton.LeftButton, pos=menu.actionGeometry(action).center())
    assert _rows(canvas, "c", "a", "J") == {"c": "∂c/∂b = 0", "a": "∂a/∂b = 1",
                                            "J": "∂J/∂b = 2"}


def _row_pixels(window, canvas, name: str, color) -> int:
    """Pixels of ``color`` in node ``name``'s gradient row, shown at 2× zoom."""
    item = canvas.item(name)
    window.view.resetTransform()
    window.view.scale(2.0, 2.0)
    window.view.centerOn(item.sceneBoundingRect().center())
    QApplication.processEvents()
    row = QRectF(0, item.box.grad_top, item.box.width, T.ROW_HEIGHT)
    rect = window.view.mapFromScene(item.mapToScene(row)).boundingRect()
    image = shown(window)
    return sum(1 for x in range(rect.left(), rect.right()) for y in range(rect.top(), rect.bottom())
               if near(image.pixelColor(x, y), color, 40))


def test_tangents_are_painted_in_their_own_colour(window, canvas):
    pal = T.current()
    assert len({pal.tangent_text.name(), pal.grad_text.name(), pal.value_text.name()}) == 3
    _select(canvas, "w")
    _press_f7(window)
    QApplication.processEvents()
    assert _row_pixels(window, canvas, "c", pal.tangent_text) > 10
    assert _row_pixels(window, canvas, "c", pal.grad_text) == 0
    QTest.keyClick(window.view.viewport(), Qt.Key.Key_F6)  # Backward: gradients again
    QApplication.processEvents()
    assert canvas.item("c").display.grad_text == "∂J/∂c = 2"
    assert _row_pixels(window, canvas, "c", pal.grad_text) > 10
    assert _row_pixels(window, canvas, "c", pal.tangent_text) == 0


def test_without_an_input_selected_it_says_what_to_select_and_runs_nothing(window, canvas):
    _press_f7(window)  # nothing selected
    assert window.statusBar().currentMessage() == NO_SEED
    assert window.run.result is None and canvas.item("c").display.grad_text == ""
    _select(canvas, "c")  # a computed node is no seed
    assert window.action("forward_mode").text().replace("&", "") == \
        "Forward Mode from the Selected Input"
    _press_f7(window)
    # it says why c is no seed, not to select something: c is selected
    assert window.statusBar().currentMessage() == NOT_A_SEED.format(
        name="c", op="mul", inputs=" such as w, x, b, y")
    assert window.run.result is None


def test_tangents_go_stale_after_a_structural_edit(window, canvas):
    _select(canvas, "w")
    _press_f7(window)
    window.editor.set_attr(canvas.id("sq"), "exponent", "3")
    assert all(it.display.stale for it in window.scene.nodes.values())
    assert canvas.item("c").display.grad_text == f"∂c/∂w = {M2}"  # the old number, dimmed
    assert canvas.item("c").display.tangent_of == "w"


def test_live_keeps_forward_mode_through_a_structural_edit_and_its_undo(window, canvas):
    """With Live on, a structural edit re-runs at once: forward mode from w too, as a value
    edit does (it dropped the tangents); a deleted seed leaves a plain run."""
    window.action("live").setChecked(True)
    _select(canvas, "w")
    _press_f7(window)
    window.editor.set_attr(canvas.id("sq"), "exponent", "3")  # J = ½d³: ∂J/∂w = 1.5·4·(−2)
    QApplication.processEvents()  # Live runs once the edit's burst is over
    assert not canvas.item("J").display.stale and canvas.item("sq").display.value_text == "8"
    assert _rows(canvas, "c", "J") == {"c": f"∂c/∂w = {M2}", "J": f"∂J/∂w = {MINUS}12"}
    window.view.setFocus()
    QTest.keyClick(window.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    QApplication.processEvents()
    assert _rows(canvas, "c", "J") == {"c": f"∂c/∂w = {M2}", "J": f"∂J/∂w = {M4}"}
    window.editor.delete([canvas.id("w")])
    QApplication.processEvents()
    assert window.run.result is not None and not window.run.result.tangents
    assert not any(it.display.tangent_of for it in window.scene.nodes.values())


def test_a_value_edit_runs_forward_mode_again(window, canvas):
    _select(canvas, "w")
    _press_f7(window)
    window.editor.set_value(canvas.id("w"), "3")  # d = 3·(−2) + 8 − 2 = 0, so ∂J/∂w = 0
    assert not canvas.item("J").display.stale
    assert _rows(canvas, "c", "J") == {"c": f"∂c/∂w = {M2}", "J": "∂J/∂w = 0"}


def test_replacing_the_document_clears_the_tangents(window, canvas):
    _select(canvas, "w")
    _press_f7(window)
    window.set_graph(seed_graph())
    QApplication.processEvents()
    assert all(it.display.grad_text == "" and not it.display.tangent_of
               for it in window.scene.nodes.values())
