"""A stale run on the canvas, as a user makes one: Backward (F6), then a node deleted with
the keyboard. Every number of the run is dimmed alike, the wires' labels as the nodes' rows,
and a node Undo brings back shows the run's numbers for it, stale, like its neighbours."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from cgeditor.gui import theme as T
from cgeditor.model.number_text import MINUS
from tests.gui.pixels import near, render_at


def press(window, key: Qt.Key, mods=Qt.KeyboardModifier.NoModifier) -> None:
    window.view.setFocus()
    QTest.keyClick(window.view.viewport(), key, mods)
    QApplication.processEvents()


def delete(window, canvas, name: str) -> None:
    canvas.click(canvas.header(name))
    assert window.scene.selected_ids() == [canvas.id(name)]
    press(window, Qt.Key.Key_Delete)
    assert not window.graph.has_name(name)


def label_pixels(window, canvas, dst: str, port: str, color) -> int:
    """Pixels of ``color`` in the label of the wire into ``dst``'s ``port``, at 2× zoom."""
    box = window.scene.label_boxes()[(canvas.id(dst), port)]
    image = render_at(window, 2.0, box.center())
    rect = window.view.mapFromScene(box).boundingRect()
    return sum(1 for x in range(rect.left(), rect.right()) for y in range(rect.top(), rect.bottom())
               if near(image.pixelColor(x, y), color, 40))


def test_wire_labels_dim_with_the_nodes_when_the_run_goes_stale(window, canvas) -> None:
    pal = T.current()
    press(window, Qt.Key.Key_F6)
    assert window.scene.labels.text((canvas.id("c"), "a")).startswith(f"← {MINUS}4")
    assert label_pixels(window, canvas, "c", "a", pal.grad_text) > 10
    delete(window, canvas, "half")  # a structural edit: the run is stale
    assert window.run.stale and canvas.item("w").display.stale
    assert window.scene.labels.text((canvas.id("c"), "a")).startswith(f"← {MINUS}4")  # kept
    assert label_pixels(window, canvas, "c", "a", pal.grad_text) == 0
    assert label_pixels(window, canvas, "c", "a", pal.node_muted) > 10


def test_a_node_undo_brings_back_shows_the_stale_run_like_its_neighbours(window, canvas):
    press(window, Qt.Key.Key_F6)
    delete(window, canvas, "half")
    delete(window, canvas, "c")
    press(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # c comes back
    assert window.graph.has_name("c") and window.run.stale
    c = canvas.item("c").display
    assert c.stale and c.value_text == f"{MINUS}4" and c.grad_text == "∂J/∂c = 2"
