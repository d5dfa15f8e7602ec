"""The formula dialog and the toolbar's quick field: parse as you type, underline errors at
their column, preview the graph, and report which names wire to existing nodes."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent, QTextCharFormat
from PySide6.QtWidgets import QApplication

from cgeditor.gui.dialogs.formula import FormulaDialog, FormulaField, error_span
from cgeditor.model import files
from cgeditor.paths import seed_example

SEED = "c = w*x; a = c + b; d = a - y; J = 0.5*d**2"


@pytest.mark.parametrize(("text", "line", "column", "span"), [
    ("a = w.T + 1", 1, 5, "w.T"),  # the whole dotted name
    ("a = foo(x)", 1, 5, "foo"),
    ("a = 1 +", 1, 8, "+"),  # past the end: the last character
    ("c = w*x\na = c + * b", 2, 9, "*"),
    ("c = w*x\nd = 12 % 3", 2, 5, "12"),
])
def test_error_span_covers_the_token(text: str, line: int, column: int, span: str) -> None:
    start, end = error_span(text, line, column)
    assert text[start:end] == span


def _dialog(qtbot, text: str = "", target=None) -> FormulaDialog:
    dialog = FormulaDialog(target, text=text)
    qtbot.addWidget(dialog)
    return dialog


def _preview_rows(dialog: FormulaDialog, name: str) -> list[str]:
    scene = dialog.preview.scene()
    return scene.nodes[scene.graph.by_name(name).id].shown_rows()


def test_preview_shows_the_value_of_the_node_an_input_is_wired_to(qtbot) -> None:
    """Over the seed, b is wired to the seed's b = 8: the preview says 8, not the fresh 0;
    unchecked, b is a new input again; what is inserted keeps its own value either way."""
    dialog = _dialog(qtbot, "z = w1*x1 + b", target=files.load(seed_example()))
    assert "= 8" in _preview_rows(dialog, "b")
    assert "= 0" in _preview_rows(dialog, "x1")
    assert dialog.result_graph().by_name("b").value == 0
    dialog.wire_box.setChecked(False)
    assert "= 0" in _preview_rows(dialog, "b")


def test_valid_formula_previews_the_graph(qtbot) -> None:
    dialog = _dialog(qtbot, SEED)
    graph = dialog.result_graph()
    assert graph is not None
    assert {"w", "x", "b", "y", "c", "a", "d", "J"} <= {n.name for n in graph.nodes.values()}
    assert graph.nodes[graph.output].name == "J"
    assert dialog.error_label.text() == ""
    assert dialog.insert_button.isEnabled()
    preview = dialog.preview.scene()
    assert set(preview.nodes) == set(graph.nodes)
    assert set(preview.wires) == {(e.dst, e.port) for e in graph.edges}


def test_error_is_underlined_at_its_column(qtbot) -> None:
    text = "c = w*x; d = c - y.T"
    dialog = _dialog(qtbot, text)
    assert dialog.result_graph() is None
    assert not dialog.insert_button.isEnabled()
    assert "line 1, column 18" in dialog.error_label.text().lower()
    assert "attribute" in dialog.error_label.text()
    (selection,) = dialog.editor.extraSelections()
    assert selection.cursor.selectedText() == "y.T"
    assert selection.format.underlineStyle() == QTextCharFormat.UnderlineStyle.WaveUnderline
    assert dialog.preview.scene().items() == []


def test_typing_reparses_after_a_pause(qtbot) -> None:
    dialog = _dialog(qtbot)
    assert dialog.result_graph() is None
    qtbot.keyClicks(dialog.editor, "tanh(w*x + b)")
    qtbot.waitUntil(lambda: dialog.result_graph() is not None)
    assert dialog.result_graph().nodes[dialog.result_graph().output].op == "tanh"
    qtbot.keyClicks(dialog.editor, " +")
    qtbot.waitUntil(lambda: dialog.result_graph() is None)
    assert "syntax" in dialog.error_label.text()
    assert dialog.editor.extraSelections()


def test_clearing_the_text_clears_the_error(qtbot) -> None:
    dialog = _dialog(qtbot, "a = (")
    assert dialog.error_label.text()
    dialog.editor.setPlainText("")
    dialog.refresh()
    assert dialog.error_label.text() == "" and dialog.editor.extraSelections() == []


def test_matching_names_are_offered_for_wiring(qtbot) -> None:
    target = files.load(seed_example())
    dialog = _dialog(qtbot, "e = w*x + q", target)
    assert dialog.wire_box.isEnabled()
    assert dialog.matched_names() == ["w", "x"]
    assert "w, x" in dialog.match_label.text()
    dialog.wire_box.setChecked(False)
    assert dialog.matched_names() == []


def test_no_matches_without_a_target(qtbot) -> None:
    dialog = _dialog(qtbot, SEED)
    assert dialog.matched_names() == []
    assert not dialog.wire_box.isEnabled()


def test_insert_accepts_only_a_valid_formula(qtbot) -> None:
    dialog = _dialog(qtbot, "a = ")
    dialog.buttons.accepted.emit()
    assert dialog.result() == dialog.DialogCode.Rejected
    dialog.editor.setPlainText("a = 2*x")  # accepted before the debounce fires
    dialog.buttons.accepted.emit()
    assert dialog.result() == dialog.DialogCode.Accepted
    assert dialog.result_graph() is not None


def test_quick_field_enter_emits_the_graph_and_clears(qtbot) -> None:
    field = FormulaField()
    qtbot.addWidget(field)
    assert field.objectName() == "formula_field"
    qtbot.keyClicks(field, "J = 0.5*(w*x - y)**2")
    with qtbot.waitSignal(field.formula_entered) as blocker:
        qtbot.keyClick(field, Qt.Key.Key_Return)
    assert blocker.args[0].nodes[blocker.args[0].output].name == "J"
    assert field.text() == "" and field.error is None


def test_quick_field_keeps_a_bad_formula_and_says_why(qtbot) -> None:
    field = FormulaField()
    qtbot.addWidget(field)
    qtbot.keyClicks(field, "a = x % 2")
    with qtbot.assertNotEmitted(field.formula_entered):
        qtbot.keyClick(field, Qt.Key.Key_Return)
    assert field.text() == "a = x % 2"
    assert field.error is not None and "column 5" in field.toolTip()
    assert field.cursorPosition() == 4


def test_full_width_name_is_refused_and_underlined(qtbot) -> None:
    dialog = _dialog(qtbot)
    # A full-width letter arrives as text with no key code (as an input method sends it):
    # QTest has no key for it.
    for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
        QApplication.sendEvent(dialog.editor.viewport(), QKeyEvent(
            kind, Qt.Key.Key_unknown, Qt.KeyboardModifier.NoModifier, "ｗ"))
    qtbot.keyClicks(dialog.editor, " = w*x")
    qtbot.waitUntil(lambda: "reads it as" in dialog.error_label.text())
    assert dialog.result_graph() is None and not dialog.insert_button.isEnabled()
    assert "'ｗ' is not a valid name: Python reads it as 'w'" in dialog.error_label.text()
    (selection,) = dialog.editor.extraSelections()
    assert selection.cursor.selectedText() == "ｗ"
