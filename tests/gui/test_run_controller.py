"""RunController with a bare Context: actions, display states, stale, Live, stepping, errors."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtGui import QGuiApplication, QKeySequence
from PySide6.QtWidgets import QDockWidget, QMainWindow, QToolBar

from cgeditor.gui import actions as A
from cgeditor.gui.canvas.view import GraphView
from cgeditor.gui.context import Context, Document
from cgeditor.gui.editor import Editor
from cgeditor.gui.run_controller import RunController
from cgeditor.model.files import load
from cgeditor.model.graph import Graph
from cgeditor.model.number_text import MINUS
from cgeditor.paths import seed_example
from tests.graphs import chain, open_port


class BareWindow(QMainWindow):
    """A window with just what RunController is handed: a Context (document, log, menus,
    toolbar) and the Run rows of the action table, built as the real window builds them."""

    def __init__(self, graph: Graph) -> None:
        super().__init__()
        self.doc = Document(graph, self)
        self.lines: list[str] = []
        self.menus = A.make_menus(self)
        self.toolbar = QToolBar("Main", self)
        self.addToolBar(self.toolbar)
        editor = Editor(self.doc, self.log, lambda _ids: None)
        self.ctx = Context(self.doc, editor, GraphView(self), self.log, self.lines.extend,
                           lambda *_: None,
                           self.menus, self.toolbar, QSettings(), self)
        self.controller = RunController(self.ctx)
        rows = [r for r in A.ACTIONS if isinstance(r, A.Action) and r.handler.startswith("run.")]
        self.actions = {r.name: A.make_action(r, self, {"run": self.controller}) for r in rows}
        self.controller.live_changed.connect(self.actions["live"].setChecked)
        self.controller.playing_changed.connect(self.actions["play"].setChecked)

    @property
    def graph(self) -> Graph:
        return self.doc.graph

    def log(self, text: str) -> None:
        self.lines.append(text)


@pytest.fixture
def setup(qtbot):
    window = BareWindow(load(seed_example()))
    qtbot.addWidget(window)
    controller = window.controller
    published = []
    controller.published.connect(lambda state: published.append(state.display))
    return window, controller, published


def shown(window, controller, name, field="value_text"):
    return getattr(controller.display.node(window.graph.by_name(name).id), field)


def test_actions_have_names_shortcuts_tooltips_and_docks(setup):
    window, _controller, _ = setup
    for name in ("forward", "backward", "step", "play", "run_all", "reset", "live"):
        action = window.actions[name]
        assert action.objectName() == name and action.toolTip()
    assert window.actions["forward"].shortcut() == QKeySequence("F5")
    assert window.actions["step"].shortcut() == QKeySequence("F10")
    assert window.actions["live"].isCheckable() and window.actions["play"].isCheckable()
    assert window.findChild(QDockWidget, "explainer") is not None
    assert window.findChild(QDockWidget, "trace") is not None


def test_forward_shows_values_only(setup):
    window, controller, published = setup
    window.actions["forward"].trigger()
    assert [shown(window, controller, n) for n in "cadJ"] == [f"{MINUS}4", "4", "2", "2"]
    assert shown(window, controller, "w", "grad_text") == ""
    assert published[-1] is controller.display and not controller.display.stale


def test_backward_shows_gradients_and_order_badges(setup):
    window, controller, _ = setup
    window.actions["backward"].trigger()
    assert shown(window, controller, "w", "grad_text") == f"∂J/∂w = {MINUS}4"
    assert shown(window, controller, "d", "grad_text") == "∂J/∂d = 2"
    order = window.graph.order()
    assert [controller.display.node(i).order_badge for i in order] == \
        [str(k) for k in range(1, len(order) + 1)]
    c = window.graph.by_name("c").id
    assert controller.display.wire(c, "a").local_text == f"∂c/∂w = {MINUS}2"


def test_a_value_edit_reruns_a_structural_edit_marks_stale_until_a_run(setup):
    window, controller, _ = setup
    window.actions["backward"].trigger()
    graph = window.graph
    graph.set_value(graph.by_name("w").id, 5.0)  # values only: the run follows them
    assert not controller.stale and shown(window, controller, "c") == f"{MINUS}10"
    assert shown(window, controller, "w", "grad_text") == "∂J/∂w = 8"  # d·x = (−4)(−2)
    graph.set_attrs(graph.by_name("sq").id, {"exponent": 3})  # structure: marked stale
    assert controller.stale and controller.display.stale
    assert shown(window, controller, "c", "stale") is True
    assert shown(window, controller, "sq") == "16"  # old number (d² = 16), marked stale
    window.actions["forward"].trigger()
    assert not controller.display.stale and shown(window, controller, "sq") == f"{MINUS}64"


def test_live_reruns_after_each_edit(setup, qtbot):
    window, controller, _ = setup
    window.actions["live"].trigger()
    assert controller.live and shown(window, controller, "J") == "2"
    graph = window.graph
    graph.set_value(graph.by_name("w").id, 3.0)
    graph.set_value(graph.by_name("w").id, 4.0)  # two edits, one coalesced re-run
    qtbot.waitUntil(lambda: shown(window, controller, "c") == f"{MINUS}8")
    assert not controller.display.stale
    assert shown(window, controller, "w", "grad_text") == "∂J/∂w = 4"  # d = −2, x = −2


def test_step_forward_in_order_then_backward_in_reverse(setup):
    window, controller, _ = setup
    order = window.graph.order()
    visits = []
    for _ in range(2 * len(order)):
        window.actions["step"].trigger()
        visits.append((controller.display.phase, controller.display.current))
    assert visits[:len(order)] == [("forward", i) for i in order]
    assert visits[len(order):] == [("backward", i) for i in reversed(order)]
    window.actions["step"].trigger()
    assert controller.display.phase == "done"


def test_mid_step_dims_unreached_nodes_and_highlights_read_wires(setup):
    window, controller, _ = setup
    order = window.graph.order()
    c = window.graph.by_name("c").id
    while controller.display.current != c:
        window.actions["step"].trigger()
    state = controller.display
    assert state.node(c).current and not state.node(c).dimmed
    assert state.node(order[-1]).dimmed and state.node(order[-1]).value_text == ""
    assert state.wire(c, "a").highlighted and state.wire(c, "b").current


def test_run_all_finishes_stepping_and_reset_clears(setup):
    window, controller, _ = setup
    window.actions["step"].trigger()
    window.actions["run_all"].trigger()
    assert shown(window, controller, "w", "grad_text") == f"∂J/∂w = {MINUS}4"
    window.actions["reset"].trigger()
    assert controller.result is None and shown(window, controller, "J") == ""


def test_play_steps_on_a_timer_until_done(setup, qtbot):
    window, controller, _ = setup
    controller.speed.setValue(50)
    window.actions["play"].trigger()
    qtbot.waitUntil(lambda: controller.display.phase == "done", timeout=10000)
    assert not window.actions["play"].isChecked()


def test_selecting_a_node_explains_it_and_highlights_its_path(setup):
    window, controller, _ = setup
    window.actions["backward"].trigger()
    w = window.graph.by_name("w").id
    controller.select_node(w)
    text = controller.explainer.plain_text()
    assert f"0.5 · 4 · 1 · 1 · ({MINUS}2) = {MINUS}4" in text
    assert controller.display.node(w).highlighted
    assert controller.display.wire(window.graph.by_name("J").id, "b").highlighted
    assert not controller.display.node(window.graph.by_name("y").id).highlighted
    assert controller.trace.selected_id() == w


def test_trace_rows_selection_and_copy(setup, qtbot):
    window, controller, _ = setup
    window.actions["backward"].trigger()
    rows = controller.trace.model.rows
    assert rows[0][0] == "1" and [r[1] for r in rows] == window.graph.names(window.graph.order())
    c_row = next(r for r in rows if r[1] == "c")
    assert c_row[2:] == ("mul", "a=w, b=x", f"{MINUS}4", "2")
    with qtbot.waitSignal(controller.node_selected) as sig:
        controller.trace.table.selectRow(rows.index(c_row))
    assert sig.args == [window.graph.by_name("c").id]
    text = controller.trace.copy()
    assert text.splitlines()[0] == "step\tnode\top\tinputs\tvalue\tgradient"
    assert QGuiApplication.clipboard().text() == text


def test_nan_origin_is_logged_and_marked(qtbot):
    graph, (_x, lg, sq) = chain(("log", "lg"), ("square", "sq"), start=-1.0)
    window = BareWindow(graph)
    qtbot.addWidget(window)
    controller = window.controller
    window.actions["backward"].trigger()
    assert controller.display.node(lg.id).origin
    assert "log at x = −1 gives nan" in controller.display.node(lg.id).error_text
    assert controller.display.node(sq.id).error_text and not controller.display.node(sq.id).origin
    origin_lines = [line for line in window.lines if "[origin" in line]
    assert len(origin_lines) == 1 and origin_lines[0].startswith("lg: non-finite value")


def test_unconnected_port_is_named_before_running(qtbot):
    graph, m = open_port()
    window = BareWindow(graph)
    qtbot.addWidget(window)
    controller = window.controller
    window.actions["forward"].trigger()
    assert window.lines[0] == "not run: input port b of m not connected"
    assert "not connected" in controller.display.node(m.id).error_text


def test_a_new_document_drops_old_results(setup):
    window, controller, _ = setup
    window.actions["backward"].trigger()
    window.doc.replace(load(seed_example()))
    window.actions["forward"].trigger()
    assert controller.graph is window.graph
    assert shown(window, controller, "w", "grad_text") == ""
