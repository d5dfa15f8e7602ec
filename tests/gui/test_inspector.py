"""The inspector: each field edits the Graph through one undoable command; bad entries show
their error in red next to the field and change nothing."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLabel

from cgeditor.model import files


def enter(field, text: str) -> None:
    """Type into a field as a user would and press Enter."""
    field.edit.selectAll()
    QTest.keyClick(field.edit, Qt.Key.Key_Backspace)
    QTest.keyClicks(field.edit, text)
    QTest.keyClick(field.edit, Qt.Key.Key_Return)


def select(window, canvas, *names: str):
    window.scene.select_ids([canvas.id(n) for n in names])
    return window.inspector


def test_shows_the_selected_node(window, canvas) -> None:
    insp = select(window, canvas, "w")
    assert insp.fields["name"].edit.text() == "w"
    assert insp.findChild(QLabel, "inspector_op").text().endswith("input")
    assert insp.fields["value"].edit.text() == "2"
    assert insp.trainable is not None
    select(window, canvas, "sq")
    assert insp.fields["attr_exponent"].edit.text() == "2"
    assert "value" not in insp.fields and insp.trainable is None


def test_multi_selection_shows_a_count(window, canvas) -> None:
    insp = select(window, canvas, "w", "x", "c")
    assert insp.summary.text() == "3 nodes selected"
    assert not insp.fields


def test_rename_is_one_undoable_step(window, canvas) -> None:
    insp = select(window, canvas, "c")
    enter(insp.fields["name"], "prod")
    assert window.graph.by_name("prod").id == canvas.id("prod")
    assert canvas.item("prod").name == "prod"
    assert window.undo_stack.undoText() == "Rename c to prod"
    window.undo_stack.undo()
    assert window.graph.has_name("c") and insp.fields["name"].edit.text() == "c"


def test_bad_name_shows_error_and_changes_nothing(window, canvas) -> None:
    before, count = files.dumps(window.graph), window.undo_stack.count()
    insp = select(window, canvas, "c")
    enter(insp.fields["name"], "a")  # taken
    error = insp.fields["name"].error
    assert not error.isHidden() and "already named 'a'" in error.text()
    enter(insp.fields["name"], "2x")
    assert "not a valid name" in error.text()
    assert files.dumps(window.graph) == before and window.undo_stack.count() == count
    enter(insp.fields["name"], "prod")
    assert error.isHidden() and window.graph.has_name("prod")


def test_value_accepts_numbers_and_nested_lists(window, canvas) -> None:
    insp = select(window, canvas, "w")
    enter(insp.fields["value"], "3")
    assert window.graph.by_name("w").value == 3.0
    assert window.undo_stack.undoText() == "Set w = 3"
    assert canvas.item("w").display.value_text == "3"
    enter(insp.fields["value"], "[[1, 2], [3, 4]]")
    assert np.array_equal(window.graph.by_name("w").value, [[1, 2], [3, 4]])
    window.undo_stack.undo()
    assert window.graph.by_name("w").value == 3.0
    assert insp.fields["value"].edit.text() == "3"


def test_bad_value_shows_error_and_changes_nothing(window, canvas) -> None:
    before, count = files.dumps(window.graph), window.undo_stack.count()
    insp = select(window, canvas, "w")
    expected = {"abc": "is not a number or a nested list", "[[1, 2], [3]]": "same length",
                "NaN": "NaN is not a finite number", "": "enter a number"}
    rule = "is not a finite number: values must be finite numbers between -1.8e308 and 1.8e308"
    expected.update({"1e309": f"1e309 {rule}", "nan": f"nan {rule}", "[1, inf]": f"inf {rule}"})
    for bad, message in expected.items():
        insp.fields["value"].edit.clear()
        enter(insp.fields["value"], bad)
        assert message in insp.fields["value"].error.text(), bad
        assert not insp.fields["value"].error.isHidden()
    assert files.dumps(window.graph) == before and window.undo_stack.count() == count


def test_attribute_edit_and_refusal(window, canvas) -> None:
    insp = select(window, canvas, "sq")
    enter(insp.fields["attr_exponent"], "3")
    assert window.graph.by_name("sq").attrs["exponent"] == 3.0
    assert window.undo_stack.undoText() == "Set sq.exponent = 3"
    enter(insp.fields["attr_exponent"], "lots")
    assert "must be a finite number" in insp.fields["attr_exponent"].error.text()
    assert window.graph.by_name("sq").attrs["exponent"] == 3.0
    window.undo_stack.undo()
    assert window.graph.by_name("sq").attrs["exponent"] == 2.0


def test_trainable_and_output(window, canvas) -> None:
    insp = select(window, canvas, "y")
    insp.trainable.setChecked(True)
    assert window.graph.by_name("y").trainable
    assert window.undo_stack.undoText() == "Make y trainable"
    insp.output_button.click()
    assert window.graph.explicit_output == canvas.id("y")
    assert canvas.item("y").is_output and not insp.output_button.isEnabled()
    window.undo_stack.undo()
    assert window.graph.explicit_output is None and not canvas.item("y").is_output
    window.undo_stack.undo()
    assert not window.graph.by_name("y").trainable and not insp.trainable.isChecked()


def test_value_and_gradient_tables_show_every_number_and_copy_as_tsv(window, qtbot) -> None:
    from PySide6.QtGui import QGuiApplication

    from cgeditor.model.examples import load_example
    window.set_graph(load_example("matrix"))
    window.action("backward").trigger()
    w = window.graph.by_name("W").id
    window.scene.select_ids([w])
    tables = window.inspector.numbers
    assert tables.isVisible()
    model = tables.value_table.model
    assert (model.rowCount(), model.columnCount()) == (2, 3)
    assert model.data(model.index(1, 1)) == "2"
    grad = window.graph.run(backward=True).grads["W"]
    assert tables.grad_table.title.text().startswith("∂J/∂W")
    grads = tables.grad_table.model
    for i, j in np.ndindex(grad.shape):  # six digits shown, every digit on hover
        cell = grads.index(i, j)
        assert grads.data(cell) == f"{grad[i, j]:.6g}".replace("-", "\u2212")
        assert float(grads.data(cell, Qt.ItemDataRole.ToolTipRole).replace("\u2212", "-")) \
            == grad[i, j]
    qtbot.mouseClick(tables.grad_table.copy, Qt.MouseButton.LeftButton)
    pasted = np.array([[float(x) for x in line.split("\t")]
                       for line in QGuiApplication.clipboard().text().splitlines()])
    assert np.array_equal(pasted, grad)  # every element, at full precision
    window.scene.select_ids([])
    assert not tables.isVisible()
