"""The trace dock: rows in execution order, selection both ways, copy as TSV."""

from PySide6.QtGui import QGuiApplication

from cgeditor.gui.docks.trace import COLUMNS, TraceWidget, trace_rows
from cgeditor.model.display import build_display
from cgeditor.model.files import load
from cgeditor.model.number_text import MINUS
from cgeditor.model.stepping import Stepper
from cgeditor.paths import seed_example


def seed():
    graph = load(seed_example())
    return graph, graph.run()


def test_rows_follow_the_execution_order():
    _graph, result = seed()
    rows = trace_rows(result, build_display(result))
    assert [r[1] for r in rows] == result.order
    j = rows[-1]
    assert j == (str(len(rows)), "J", "mul", "a=half, b=sq", "2", "1")
    assert next(r for r in rows if r[1] == "w")[4:] == ("2", f"{MINUS}4")


def test_rows_only_show_what_the_stepper_revealed():
    _graph, result = seed()
    stepper = Stepper(result)
    stepper.step()
    rows = trace_rows(result, build_display(result, stepper))
    assert rows[0][4] != "" and all(r[4] == "" for r in rows[1:])
    assert all(r[5] == "" for r in rows)


def test_selection_both_ways_and_copy(qtbot):
    graph, result = seed()
    widget = TraceWidget()
    qtbot.addWidget(widget)
    widget.show_run(result, build_display(result))
    c = graph.by_name("c").id
    with qtbot.assertNotEmitted(widget.node_selected):
        widget.select_node(c)
    assert widget.selected_id() == c
    widget.show_run(result, build_display(result))  # a refresh keeps the selection
    assert widget.selected_id() == c
    with qtbot.waitSignal(widget.node_selected) as sig:
        widget.table.selectRow(0)
    assert sig.args == [result.ids[0]]
    widget.copy_action.trigger()
    lines = QGuiApplication.clipboard().text().splitlines()
    assert lines[0].split("\t") == list(COLUMNS) and len(lines) == len(result.ids) + 1
