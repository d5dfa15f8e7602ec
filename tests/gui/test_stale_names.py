"""A run kept (stale) after a rename is labelled with today's names everywhere it shows: the
nodes' gradient rows, the wires, the inspector's tables, the trace, the chain-rule dock and
the status line; its numbers stay those of the run, marked stale."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest


def press(window, key: Qt.Key) -> None:
    window.view.setFocus()
    QTest.keyClick(window.view.viewport(), key)


def rename(window, canvas, old: str, new: str) -> None:
    """Select the node by a click on its header and type its new name in the inspector."""
    canvas.click(canvas.header(old))
    field = window.inspector.fields["name"]
    field.edit.selectAll()
    QTest.keyClicks(field.edit, new)
    QTest.keyClick(field.edit, Qt.Key.Key_Return)
    assert window.graph.has_name(new)


def everything_shown(window, canvas) -> str:
    """Every text the run puts on screen, joined: rows, wires, trace, dock, status."""
    parts = []
    for item in window.scene.nodes.values():
        parts += [text for _kind, text in item.info_rows()] + [item.display.tooltip]
    for (dst, port) in window.run.display.wires:
        wire = window.run.display.wire(dst, port)
        parts += [wire.grad_text, wire.local_text]
    parts.append(window.run.trace.model.as_text())
    parts += [window.run.explainer.plain_text(), window.statusBar().currentMessage()]
    return "\n".join(parts)


def test_renaming_the_output_relabels_a_stale_run(window, canvas) -> None:
    press(window, Qt.Key.Key_F6)
    w = canvas.item("w")
    assert w.display.grad_text == "∂J/∂w = \u22124"
    rename(window, canvas, "J", "L")
    assert window.run.stale and w.display.stale
    assert w.display.grad_text == "∂L/∂w = \u22124"  # today's name, the old (stale) number
    canvas.click(canvas.header("w"))
    numbers = window.inspector.numbers
    assert numbers.grad_table.title.text().startswith("∂L/∂w")
    assert numbers.stale_note.stale and float(numbers.grad_table.value) == -4.0
    assert "∂L/∂w" in window.run.explainer.plain_text()
    shown = everything_shown(window, canvas)
    assert "∂J/" not in shown and "∂L/∂w" in shown
    press(window, Qt.Key.Key_F6)  # a fresh run says the same, no longer stale
    assert not w.display.stale and w.display.grad_text == "∂L/∂w = \u22124"


def test_a_rename_after_another_edit_still_relabels(window, canvas) -> None:
    press(window, Qt.Key.Key_F6)
    rename(window, canvas, "c", "wx")  # stale from here on
    assert "∂J/∂wx" in canvas.item("wx").display.grad_text
    rename(window, canvas, "J", "loss")  # already stale: the labels must follow anyway
    rename(window, canvas, "w", "weight")
    weight = canvas.item("weight")
    assert weight.display.stale and weight.display.grad_text == "∂loss/∂weight = \u22124"
    shown = everything_shown(window, canvas)
    assert "∂J/" not in shown and "/∂w " not in shown and "∂loss/∂wx" in shown
    window.undo_stack.undo()  # weight -> w again
    assert canvas.item("w").display.grad_text == "∂loss/∂w = \u22124"


def test_a_node_taking_a_deleted_nodes_name_shows_its_own_gradient_and_undo_restores_both(
        window, canvas) -> None:
    """Delete y, rename w to y: the stale run shows w's −4 under 'y', never the deleted y's
    −2; undoing both brings back each node's own label and number, current again."""
    press(window, Qt.Key.Key_F6)
    w_id, y_id = window.graph.by_name("w").id, window.graph.by_name("y").id
    canvas.click(canvas.header("y"))
    press(window, Qt.Key.Key_Delete)
    assert y_id not in window.graph.nodes
    rename(window, canvas, "w", "y")
    shown = window.scene.nodes[w_id].display
    assert shown.stale and shown.grad_text == "∂J/∂y = \u22124"
    window.undo_stack.undo()  # y -> w again
    window.undo_stack.undo()  # the deleted y comes back
    assert window.scene.nodes[w_id].display.grad_text == "∂J/∂w = \u22124"
    restored = window.scene.nodes[y_id].display
    # The graph is the one that was run again: current, each node with its own number.
    assert not restored.stale and restored.grad_text == "∂J/∂y = \u22122"
    assert "deleted" not in everything_shown(window, canvas)
