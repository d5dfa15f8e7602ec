"""Dialogs and many-node edits on a real MainWindow: formula insertion and auto-layout as
one undo step each, code views, the gallery opening an example, help dialogs, icons and the
first-run hint."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication, QLineEdit, QMessageBox, QWidget

from cgeditor.gui.canvas.arrange import scene_layout
from cgeditor.gui.dialogs.help import FirstRunHint
from cgeditor.model import files
from cgeditor.model.export import to_numpy_module
from cgeditor.model.formula_text import to_formula
from cgeditor.paths import examples_dir

NAMES = ("formula", "layout", "show_formula", "export_numpy", "export_torch", "gallery",
         "shortcuts_help", "about", "export_code")


def names(graph) -> set[str]:
    return {n.name for n in graph.nodes.values()}


def test_actions_exist_with_icons_and_tooltips(window) -> None:
    for name in NAMES:
        action = window.action(name)
        assert action is not None, name
        assert not action.icon().isNull(), name
        assert action.toolTip(), name
    assert window.toolbar.findChild(QLineEdit, "formula_field") is not None
    file_texts = [a.text() for a in window.menus["file"].actions()]
    assert file_texts.index("&Examples…") < file_texts.index("&Save")
    for name in ("new", "open", "save", "undo", "forward", "backward"):
        assert not window.action(name).icon().isNull(), name


def _insert_via_dialog(window, qtbot, text: str, wire: bool = True) -> None:
    window.action("formula").trigger()
    dialog = window.dialogs.dialogs["formula"]
    dialog.editor.setPlainText(text)
    dialog.refresh()
    dialog.wire_box.setChecked(wire)
    qtbot.mouseClick(dialog.insert_button, Qt.MouseButton.LeftButton)


def test_formula_dialog_inserts_wired_to_existing_nodes_as_one_step(window, qtbot) -> None:
    graph = window.graph
    before, steps = files.dumps(graph), window.undo_stack.count()
    _insert_via_dialog(window, qtbot, "e = w*x + q")
    assert window.undo_stack.count() == steps + 1
    assert window.undo_stack.undoText() == "Insert formula e"
    assert names(graph) >= {"e", "q"} and "w1" not in names(graph)
    mul = graph.by_name("e").id
    fed = {graph.nodes[e.src].name for e in graph.edges}
    assert {"w", "x", "q"} <= fed and graph.in_edges(mul)
    window.undo_stack.undo()
    assert files.dumps(graph) == before
    window.undo_stack.redo()
    assert "e" in names(graph)


def test_unchecked_wiring_makes_fresh_inputs(window, qtbot) -> None:
    _insert_via_dialog(window, qtbot, "e = w*x", wire=False)
    graph = window.graph
    assert {"w1", "x1"} <= names(graph)
    assert {graph.nodes[e.src].name for e in graph.in_edges(graph.by_name("e").id)} == \
        {"w1", "x1"}


def test_inserted_formula_sits_right_of_the_graph(window, qtbot) -> None:
    right = max(n.x for n in window.graph.nodes.values())
    field = window.toolbar.findChild(QLineEdit, "formula_field")
    qtbot.keyClicks(field, "z = tanh(v)")
    qtbot.keyClick(field, Qt.Key.Key_Return)
    graph = window.graph
    assert graph.by_name("z").x > right and graph.by_name("v").x > right
    assert window.undo_stack.undoText() == "Insert formula z"
    assert set(window.scene.selected_ids()) == {graph.by_name("z").id, graph.by_name("v").id}


def test_layout_is_one_undo_step(window) -> None:
    graph = window.graph
    rng = random.Random(3)
    for node_id in list(graph.nodes):
        graph.move_node(node_id, rng.uniform(-500, 500), rng.uniform(-500, 500))
    window.undo_stack.clear()
    before = files.dumps(graph)
    window.action("layout").trigger()
    assert window.undo_stack.count() == 1
    assert window.undo_stack.undoText() == "Auto layout"
    expected = scene_layout(window.scene, room=window.view.readable_room())
    assert {i: (n.x, n.y) for i, n in graph.nodes.items()} == expected
    items = list(window.scene.nodes.values())
    assert not any(a.sceneBoundingRect().intersects(b.sceneBoundingRect())
                   for i, a in enumerate(items) for b in items[i + 1:])
    window.undo_stack.undo()
    assert files.dumps(graph) == before
    window.action("layout").trigger()  # a second layout moves nothing: no empty step
    window.action("layout").trigger()
    assert window.undo_stack.count() == 1


def test_show_formula_and_export(window) -> None:
    window.action("show_formula").trigger()
    assert window.dialogs.dialogs["show_formula"].text.toPlainText() == to_formula(window.graph)
    window.action("export_numpy").trigger()
    dialog = window.dialogs.dialogs["export_numpy"]
    assert dialog.text.toPlainText() == to_numpy_module(window.graph)
    window.action("export_code").trigger()  # the toolbar button's default is NumPy
    assert window.dialogs.dialogs["export_numpy"] is not dialog


def test_gallery_opens_an_example_as_untitled(window, qtbot) -> None:
    window.action("gallery").trigger()
    dialog = window.dialogs.dialogs["gallery"]
    assert dialog.objectName() == "gallery" and dialog.isVisible()
    neuron = examples_dir() / "neuron.cgraph"
    row = [Path(dialog.list.item(i).data(Qt.ItemDataRole.UserRole)).name
           for i in range(dialog.list.count())].index("neuron.cgraph")
    dialog.list.setCurrentRow(row)
    dialog.choose()
    assert files.dumps(window.graph) == files.dumps(files.load(neuron))
    assert window.document.path is None  # Save asks where: the bundled file stays as it is
    assert "neuron" in window.windowTitle()


def test_help_dialogs_open(window) -> None:
    window.action("shortcuts_help").trigger()
    table = window.dialogs.dialogs["shortcuts_help"].table
    assert table.rowCount() > 20
    window.action("about").trigger()
    assert window.dialogs.dialogs["about"].isVisible()


@pytest.fixture
def fresh_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> QSettings:
    from cgeditor.gui import document
    monkeypatch.setattr(document, "ask_save_changes",
                        lambda *_a: QMessageBox.StandardButton.Discard)
    monkeypatch.setattr(document, "ask_recover", lambda *_a: False)
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    settings.setValue("recovery_dir", str(tmp_path / "recovery"))
    return settings


def _started(qtbot, settings: QSettings):
    from cgeditor.gui.window import MainWindow
    win = MainWindow(settings=settings)
    qtbot.addWidget(win)
    with qtbot.waitExposed(win):
        win.show()
    QApplication.processEvents()
    return win


def test_first_run_hint_on_the_seed_until_dismissed(qtbot, fresh_settings) -> None:
    first = _started(qtbot, fresh_settings)
    hint = first.view.findChild(FirstRunHint)
    assert hint is not None and hint.isVisible()
    hint.findChild(QWidget, "first_run_hint_close").click()
    assert not hint.isVisible()
    second = _started(qtbot, fresh_settings)
    assert second.view.findChild(FirstRunHint) is None


def test_runs_after_got_it_raise_nothing(qtbot, fresh_settings) -> None:
    """'Got it' deletes the hint: F5 and F6 afterwards run without a traceback per publish
    (the launcher asked the deleted widget whether it was visible)."""
    from PySide6.QtCore import QCoreApplication, QEvent

    win = _started(qtbot, fresh_settings)
    hint = win.view.findChild(FirstRunHint)
    qtbot.mouseClick(hint.findChild(QWidget, "first_run_hint_close"), Qt.MouseButton.LeftButton)
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    assert win.view.findChild(FirstRunHint) is None
    with qtbot.captureExceptions() as raised:
        for key in (Qt.Key.Key_F5, Qt.Key.Key_F6):
            win.view.setFocus()
            qtbot.keyClick(win.view.viewport(), key)
    assert raised == []
    assert win.run.result.grads["w"] == -4.0


def test_pressing_backward_retires_the_hint(qtbot, fresh_settings) -> None:
    win = _started(qtbot, fresh_settings)
    hint = win.view.findChild(FirstRunHint)
    win.action("forward").trigger()
    assert hint.isVisible()
    win.action("backward").trigger()
    assert not hint.isVisible()
    assert FirstRunHint.was_dismissed(fresh_settings)


def test_stepping_into_the_backward_pass_retires_the_hint(qtbot, fresh_settings) -> None:
    """F10 through the forward pass keeps the hint; the first backward step shows a
    gradient, and the hint has done its job as if Backward had been pressed."""
    win = _started(qtbot, fresh_settings)
    hint = win.view.findChild(FirstRunHint)
    for _ in range(len(win.graph)):
        win.action("step").trigger()
    assert win.run.state.display.phase == "forward" and hint.isVisible()
    win.action("step").trigger()
    assert win.run.state.display.phase == "backward"
    assert not hint.isVisible()
    assert FirstRunHint.was_dismissed(fresh_settings)


def test_a_new_document_hides_the_hint_without_retiring_it(qtbot, fresh_settings) -> None:
    win = _started(qtbot, fresh_settings)
    hint = win.view.findChild(FirstRunHint)
    assert hint.isVisible()
    win.action("new").trigger()  # the seed is unmodified: no Save/Discard question
    assert len(win.graph) == 0
    assert not hint.isVisible()
    assert not FirstRunHint.was_dismissed(fresh_settings)  # the next start shows it again


def test_practice_hides_the_first_run_hint_without_dismissing_it(qtbot, fresh_settings) -> None:
    """The hint says 'press Forward', which would end practice: it steps aside, and the next
    start still shows it (practice is not what it asked for)."""
    first = _started(qtbot, fresh_settings)
    hint = first.view.findChild(FirstRunHint)
    first.view.setFocus()
    qtbot.keyClick(first.view, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    assert first.learning.practice.active and not hint.isVisible()
    second = _started(qtbot, fresh_settings)
    assert second.view.findChild(FirstRunHint).isVisible()
