"""The Practice dock in a window: Ctrl+P hides the numbers, typed answers (real key events)
reveal them node by node, and edits, runs and new documents end practice cleanly."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent, QTextLayout, QTextOption
from PySide6.QtWidgets import QAbstractButton, QApplication, QLineEdit

from cgeditor.gui.docks.practice import CLOSED, EDITED, RAN, REPLACED, WORD_JOINER
from cgeditor.model import files
from cgeditor.model.examples import load_example
from cgeditor.model.practice import HIDDEN
from tests.graphs import open_port, seed_graph
from tests.gui.conftest import Canvas

# The lesson's numbers, by what the dock asks (the seed's sq = d², half = 0.5 and y, x too)
LESSON = {"c": "−4", "a": "4", "d": "2", "sq": "4", "J": "2", "∂J/∂sq": "0.5", "∂J/∂d": "2",
          "∂J/∂y": "-2", "∂J/∂a": "2", "∂J/∂c": "2", "∂J/∂b": "2", "∂J/∂x": "4",
          "∂J/∂w": "-4"}


def start(window, qtbot):
    """Ctrl+P on the canvas, as a student starts; the panel."""
    window.view.setFocus()
    qtbot.keyClick(window.view, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    QApplication.processEvents()
    return window.learning.practice


def type_answer(panel, qtbot, text: str) -> None:
    """Key events for ``text``, then Enter. QTest types only Latin-1, so a character past
    it (the true minus '−' a keyboard layout or a paste gives) goes as a key event with
    that text, as a platform input method delivers it."""
    field = panel.answer_field
    field.setFocus()
    for char in text:
        if ord(char) < 256:
            qtbot.keyClicks(field, char)
        else:
            for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
                QApplication.sendEvent(field, QKeyEvent(kind, Qt.Key.Key_unknown,
                                                        Qt.KeyboardModifier.NoModifier, char))
    qtbot.keyClick(field, Qt.Key.Key_Return)


def answer_asked(panel, qtbot) -> str:
    """Type the lesson's answer to the question the dock shows; what it asked."""
    shown = panel.prompt.text().replace(WORD_JOINER, "")
    label = shown.rsplit("What is ", 1)[1].split(" = ")[0].rstrip("?")
    type_answer(panel, qtbot, LESSON[label])
    shown = LESSON[label].replace("-", "−")
    said = panel.feedback.text().replace(WORD_JOINER, "")
    assert said.endswith(f"Right: {label} = {shown}</span>")
    return label


def rows(window, name: str) -> list[str]:
    return window.scene.nodes[window.graph.by_name(name).id].shown_rows()


def test_the_seed_answered_by_typing_reveals_node_by_node_and_scores(window, qtbot):
    saved = files.dumps(window.graph)
    panel = start(window, qtbot)
    assert window.learning.docks["practice"].isVisible()
    assert window.action("practice").isChecked()
    assert panel.prompt.text() == "c = w · x with w = 2, x = −2. What is c?"
    assert rows(window, "c") == [f"= {HIDDEN}"] and rows(window, "w") == ["= 2"]
    assert QApplication.focusWidget() is panel.answer_field
    type_answer(panel, qtbot, "-3")  # wrong: a hint, the same question, the text selected
    assert "Not −3. Hint: c = w · x = 2 · (−2)" in panel.feedback.text()
    assert rows(window, "c") == [f"= {HIDDEN}"]
    assert panel.answer_field.selectedText() == "-3"
    type_answer(panel, qtbot, "−4")  # the selection is replaced
    assert rows(window, "c") == ["= −4"]
    assert rows(window, "a") == [f"= {HIDDEN}"]
    assert panel.progress.text() == "Question 2 of 13 · forward pass"
    asked = ["c"]
    while panel.progress.text() != "Question 6 of 13 · backward pass":
        asked.append(answer_asked(panel, qtbot))
    assert asked == ["c", "a", "d", "sq", "J"]  # execution order
    assert rows(window, "J") == ["= 2", "∂J/∂J = 1"]  # the seed is given
    assert rows(window, "sq") == ["= 4", f"∂J/∂sq = {HIDDEN}"]
    assert rows(window, "w") == ["= 2", f"∂J/∂w = {HIDDEN}"]
    assert answer_asked(panel, qtbot) == "∂J/∂sq"
    assert rows(window, "sq") == ["= 4", "∂J/∂sq = 0.5"]
    while panel.answer_field.isEnabled():
        asked.append(answer_asked(panel, qtbot))
    asked.insert(5, "∂J/∂sq")
    assert sorted(asked) == sorted(LESSON) and len(asked) == 13
    at = asked.index  # reverse topological order: a gradient comes after its users'
    assert at("∂J/∂sq") < at("∂J/∂d") < min(at("∂J/∂y"), at("∂J/∂a")) \
        and at("∂J/∂a") < at("∂J/∂c") < min(at("∂J/∂w"), at("∂J/∂x"))
    assert rows(window, "w") == ["= 2", "∂J/∂w = −4"]
    assert rows(window, "x") == ["= −2", "∂J/∂x = 4"]
    assert "12 of 13 right at the first try, 1 after a hint" in panel.prompt.text()
    assert not panel.answer_field.isEnabled()
    assert QApplication.focusWidget() is panel.start_button  # Space starts again
    assert "Practice done: 12 of 13" in window.messages.toPlainText()
    # nothing of practice is in the document: no undo step, not modified, same file text
    assert window.undo_stack.count() == 0 and window.undo_stack.isClean()
    assert files.dumps(window.graph) == saved
    qtbot.mouseClick(panel.stop_button, Qt.MouseButton.LeftButton)
    assert rows(window, "c") == [] and rows(window, "w") == ["= 2"]  # the normal picture
    assert not window.action("practice").isChecked()


def test_reveal_gives_the_answer_and_no_other_dock_shows_one(window, qtbot):
    window.action("backward").trigger()  # a run on screen before practice starts
    assert rows(window, "c") == ["= −4", "∂J/∂c = 2"]
    panel = start(window, qtbot)
    assert rows(window, "c") == [f"= {HIDDEN}"]
    assert window.run.result is None  # the trace, chain rule and inspector show no run
    assert "∂J/∂w" not in window.statusBar().currentMessage()
    Canvas(window).click(Canvas(window).header("d"))  # a selection repaints the canvas
    QApplication.processEvents()
    assert rows(window, "c") == [f"= {HIDDEN}"]
    qtbot.mouseClick(panel.reveal_button, Qt.MouseButton.LeftButton)
    assert "Revealed: c = −4" in panel.feedback.text()
    assert rows(window, "c") == ["= −4"]
    assert panel.practice.outcomes == ["revealed"]


def test_an_edit_stops_practice_and_no_question_mark_stays(window, qtbot):
    panel = start(window, qtbot)
    type_answer(panel, qtbot, "-4")
    canvas = Canvas(window)
    canvas.click(canvas.header("w"))
    QApplication.processEvents()
    field = window.inspector.findChild(QLineEdit, "field_value")
    field.setFocus()
    field.selectAll()
    qtbot.keyClicks(field, "3")
    qtbot.keyClick(field, Qt.Key.Key_Return)
    QApplication.processEvents()
    assert window.graph.by_name("w").value == 3
    assert panel.practice is None and panel.prompt.text().startswith(EDITED)
    assert "Score: 1 of 1 right at the first try" in panel.prompt.text()
    assert not window.action("practice").isChecked()
    assert not any(HIDDEN in row for item in window.scene.nodes.values()
                   for row in item.shown_rows())
    # started again, it asks about the graph as it is now: c = 3 · (−2)
    panel = start(window, qtbot)
    assert panel.prompt.text() == "c = w · x with w = 3, x = −2. What is c?"
    type_answer(panel, qtbot, "-4")
    assert "Not −4" in panel.feedback.text()


def test_a_run_shows_every_answer_so_practice_stops(window, qtbot):
    panel = start(window, qtbot)
    qtbot.keyClick(window.view, Qt.Key.Key_F5)  # Forward
    QApplication.processEvents()
    assert panel.practice is None and panel.prompt.text() == RAN
    assert rows(window, "c") == ["= −4"]
    assert not window.action("practice").isChecked()


def test_a_graph_that_cannot_run_is_refused_with_the_reason(window, qtbot):
    graph, _node = open_port()
    window.set_graph(graph)
    panel = start(window, qtbot)
    assert panel.practice is None
    assert panel.prompt.text().startswith("Practice needs a graph that runs")
    assert window.statusBar().currentMessage() == panel.prompt.text()  # one sentence, both
    assert not window.action("practice").isChecked()
    assert not any(HIDDEN in row for item in window.scene.nodes.values()
                   for row in item.shown_rows())


def test_a_new_document_ends_practice(window, qtbot):
    panel = start(window, qtbot)
    window.set_graph(seed_graph())
    QApplication.processEvents()
    assert panel.practice is None and panel.prompt.text() == REPLACED
    assert not window.action("practice").isChecked()


def test_practice_ended_by_a_run_or_a_new_document_gives_the_score_so_far(window, qtbot):
    """Stop and an edit gave the score; a run or a new document dropped it."""
    panel = start(window, qtbot)
    type_answer(panel, qtbot, "-4")
    qtbot.keyClick(window.view, Qt.Key.Key_F5)  # a run
    QApplication.processEvents()
    assert panel.prompt.text() == f"{RAN} Score: 1 of 1 right at the first try."
    panel = start(window, qtbot)
    type_answer(panel, qtbot, "5")  # c = −4: wrong, then right after the hint
    type_answer(panel, qtbot, "-4")
    window.set_graph(seed_graph())
    QApplication.processEvents()
    score = "Score: 0 of 1 right at the first try, 1 after a hint."
    assert panel.prompt.text() == f"{REPLACED} {score}"
    assert panel.practice is None


def test_the_finished_practice_names_the_button_as_it_reads(window, qtbot):
    panel = start(window, qtbot)
    while panel.practice.current is not None:
        qtbot.mouseClick(panel.reveal_button, Qt.MouseButton.LeftButton)
    label = panel.start_button.text().replace("&", "")
    assert label == "Start again"
    assert f"press {label} (or Ctrl+P)" in panel.prompt.text()


def test_tensor_steps_are_named_as_shown_not_asked(window, qtbot):
    window.set_graph(load_example("matrix"))
    QApplication.processEvents()
    panel = start(window, qtbot)
    assert "shown, not asked" in panel.notes.text() and "matmul1" in panel.notes.text()
    # the tensor the question reads is on the canvas, every number of it, as in the prompt
    assert panel.prompt.text() == "sum1 = sum(powc1) with powc1 = [0.0625, 25]. What is sum1?"
    powc1 = window.scene.nodes[window.graph.by_name("powc1").id]
    assert powc1.display.grid is not None and powc1.display.grid.cells == ("0.0625", "25")
    assert rows(window, "sum1") == [f"= {HIDDEN}"]
    type_answer(panel, qtbot, "1/2")  # a fraction is read, not evaluated: wrong here
    assert "Not 0.5" in panel.feedback.text()
    type_answer(panel, qtbot, "25.0625")
    assert rows(window, "sum1") == ["= 25.06"]
    assert panel.prompt.text().startswith("J = const1 · sum1 with const1 = 0.5, sum1 = 25.06")


def test_ctrl_p_again_stops(window, qtbot):
    panel = start(window, qtbot)
    assert panel.practice is not None
    window.view.setFocus()
    qtbot.keyClick(window.view, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    assert panel.practice is None and rows(window, "c") == []


def test_a_gradient_check_or_training_ends_practice_before_showing_a_gradient(window, qtbot):
    panel = start(window, qtbot)
    window.action("gradcheck").trigger()
    assert panel.practice is None
    assert panel.prompt.text().startswith("Practice stopped: the gradient check shows")
    assert not window.action("practice").isChecked()
    learn = window.learning
    window.set_graph(load_example("seed"))  # w and b trainable
    panel = start(window, qtbot)
    learn.train.steps.setValue(5)
    window.action("train").trigger()
    assert panel.practice is None and panel.prompt.text().startswith(
        "Practice stopped: training changes")
    qtbot.waitUntil(lambda: not learn.train.running, timeout=30_000)


def test_the_feedback_line_follows_the_theme(window, qtbot):
    from cgeditor.gui import theme as T

    panel = start(window, qtbot)
    type_answer(panel, qtbot, "3")
    before = T.current().error.name()
    assert before in panel.feedback.text()
    window.theme_menu.choose("dark" if T.current().name != "dark" else "light")
    after = T.current().error.name()
    assert after != before and after in panel.feedback.text()
    assert "Not 3" in panel.feedback.text()
    window.theme_menu.choose("system")



def test_a_new_document_opened_mid_practice_shows_its_own_numbers(window, qtbot):
    """Opening another example while practising shows that graph as it opens on its own:
    none of the old practice's '?', step badges or numbers land on the new nodes."""
    window.set_graph(load_example("neuron"))
    QApplication.processEvents()
    alone = {node.name: rows(window, node.name) for node in window.graph.nodes.values()}
    window.set_graph(load_example("seed"))
    QApplication.processEvents()
    panel = start(window, qtbot)
    type_answer(panel, qtbot, "-4")
    window.set_graph(load_example("neuron"))
    QApplication.processEvents()
    assert panel.practice is None and panel.prompt.text().startswith(REPLACED)
    shown = {node.name: rows(window, node.name) for node in window.graph.nodes.values()}
    assert shown == alone
    assert rows(window, "mul1") == [] and rows(window, "w1") == ["= 2"]


def test_every_way_practice_stops_names_the_button_that_starts_it(window, qtbot):
    """The idle dock's text tells a student what to press, by the label the button has."""
    panel = window.learning.practice
    label = panel.start_button.text().replace("&", "")
    assert f"Press {label} (or Ctrl+P)" in panel.prompt.text()  # before any practice
    start(window, qtbot)
    qtbot.keyClick(window.view, Qt.Key.Key_F5)  # a run
    QApplication.processEvents()
    assert panel.prompt.text() == RAN and f"press {label} (or Ctrl+P)" in RAN
    start(window, qtbot)
    window.set_graph(seed_graph())  # a new document
    QApplication.processEvents()
    assert panel.prompt.text() == REPLACED and f"press {label} (or Ctrl+P)" in REPLACED
    start(window, qtbot)
    canvas = Canvas(window)
    canvas.click(canvas.header("y"))
    qtbot.keyClick(window.view, Qt.Key.Key_Delete)  # an edit
    QApplication.processEvents()
    assert panel.prompt.text().startswith(EDITED) and f"press {label} (or Ctrl+P)" in EDITED


def test_the_node_asked_about_is_brought_into_view(window, qtbot):
    """XOR's one question is about its output J, at the bottom of the graph; with the
    canvas at 1:1 on the top-left corner (as a 1280×800 window opens it) practice
    scrolls to J so the green-framed node the dock asks about is on screen."""
    window.set_graph(load_example("xor"))
    window.learning.show("practice")  # open already, as after an earlier practice
    QApplication.processEvents()
    view = window.view
    asked = window.scene.nodes[window.graph.by_name("J").id]
    view.zoom_at(1 / view.zoom(), view.viewport().rect().topLeft())  # as a wheel zooms
    for bar in (view.horizontalScrollBar(), view.verticalScrollBar()):
        bar.setValue(bar.minimum())  # scrolled to the top-left corner
    QApplication.processEvents()

    def on_screen() -> bool:
        seen = view.mapToScene(view.viewport().rect()).boundingRect()
        return seen.contains(asked.sceneBoundingRect())

    assert not on_screen()  # the premise: opened, J is out of view
    panel = start(window, qtbot)
    assert panel.prompt.text().endswith("What is J?")
    assert on_screen()


def test_clicking_start_lets_the_student_type_the_answer_at_once(window, qtbot):
    """The dock's Start (and Start again) button hands the keyboard to the answer field:
    what is typed next, wherever the focus is, is the answer."""
    window.learning.show("practice")
    panel = window.learning.practice
    for button_text in ("Start", "Start again"):
        assert panel.start_button.text().replace("&", "") == button_text
        qtbot.mouseClick(panel.start_button, Qt.MouseButton.LeftButton)
        QApplication.processEvents()
        typed_into = QApplication.focusWidget()
        qtbot.keyClicks(typed_into, "-4")
        qtbot.keyClick(typed_into, Qt.Key.Key_Return)
        assert panel.feedback.text().endswith("Right: c = −4</span>")


def test_closing_the_practice_dock_ends_practice_but_a_tab_switch_does_not(window, qtbot):
    """The dock's close button leaves no '?' on a canvas with nowhere to answer them;
    raising another Learn tab over it keeps the practice going."""
    panel = start(window, qtbot)
    type_answer(panel, qtbot, "-4")
    dock = window.learning.docks["practice"]
    window.learning.show("train")  # a tab over the practice
    QApplication.processEvents()
    assert panel.practice is not None and rows(window, "a") == [f"= {HIDDEN}"]
    window.learning.show("practice")
    close = next(button for button in dock.findChildren(QAbstractButton)
                 if button.objectName() == "qt_dockwidget_closebutton")
    qtbot.mouseClick(close, Qt.MouseButton.LeftButton)
    QApplication.processEvents()
    assert dock.isHidden() and panel.practice is None
    assert not window.action("practice").isChecked()
    assert not any(HIDDEN in row for item in window.scene.nodes.values()
                   for row in item.shown_rows())
    assert window.statusBar().currentMessage().startswith(CLOSED)
    assert "Score: 1 of 1 right at the first try" in window.statusBar().currentMessage()


def wrapped_lines(label, width: int) -> list[str]:
    """The lines ``label``'s text breaks into at ``width`` pixels, in its font."""
    text = label.text()
    layout = QTextLayout(text, label.font())
    option = QTextOption()
    option.setWrapMode(QTextOption.WrapMode.WordWrap)
    layout.setTextOption(option)
    layout.beginLayout()
    lines = []
    while (line := layout.createLine()).isValid():
        line.setLineWidth(width)
        lines.append(text[line.textStart():line.textStart() + line.textLength()])
    layout.endLayout()
    return lines


def test_a_wrapped_question_never_splits_a_derivative_after_its_slash(window, qtbot):
    """'∂J/' at a line's end and '∂c' on the next read as two things."""
    panel = start(window, qtbot)
    while panel.practice.current.phase == panel.practice.questions[0].phase:
        qtbot.mouseClick(panel.reveal_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(panel.reveal_button, Qt.MouseButton.LeftButton)  # past ∂J/∂sq
    assert "∂J/" in panel.prompt.text()
    ends = {line.rstrip()[-1:] for width in range(40, 400, 3)
            for line in wrapped_lines(panel.prompt, width)}
    assert "/" not in ends
