"""Hostile values through the public API, the inspector, the CLI and .cgraph files: each gets a
clear message and changes nothing (or works), never an unhandled exception.

"Bad input — a malformed file, a cycle, a bad value typed in a field, log of a negative
number — gets a clear message and changes nothing else."
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cgeditor.model import export, files
from cgeditor.model.errors import FormulaError, GraphError, LoadError
from cgeditor.model.formula import from_formula
from cgeditor.model.graph import Graph
from cgeditor.model.values import parse_value_text

HOSTILE_VALUES = ["1e999", "-1e999", "nan", "NaN", "Infinity", "[[1,2],[3]]", "[", "]", "",
                  "   ", "[]", "[[]]", "1" * 5000, "9" * 400, "[" * 100_000, "[1," * 50_000,
                  "x" * 100_000, "１２", "٣", "🙂", "true", "null", '"1"', "{}", "1 2",
                  "0x10", "1_000", "--1", "[1, nan]", "[[1e308, 1e308]]"]
HOSTILE_NAMES = ["", " ", "  ", "for", "None", "True", "lambda", "np", "torch", "a b", "2x",
                 "x-y", "🙂", "x🙂", "ℌ", "ﬁ", "x" * 10_000 + "-", "\n", "a\0b", "é-"]


def seed() -> Graph:
    return from_formula("c = w*x; a = c + b; d = a - y; J = 0.5*d**2", w=2.0, x=-2.0, b=8.0,
                        y=2.0)


# --- values and names through the model ------------------------------------------------------
@pytest.mark.parametrize("text", HOSTILE_VALUES, ids=lambda t: repr(t)[:20])
def test_hostile_value_text_is_refused_or_finite(text: str) -> None:
    try:
        value = parse_value_text(text)
    except GraphError as exc:
        assert str(exc) and len(str(exc)) < 300  # a short, readable reason
        return
    assert np.isfinite(value).all()


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_any_typed_text_is_a_value_or_a_clear_refusal(text: str) -> None:
    try:
        value = parse_value_text(text)
    except GraphError:
        return
    assert np.asarray(value).dtype == np.float64 and np.isfinite(value).all()


@pytest.mark.parametrize("name", HOSTILE_NAMES, ids=lambda t: repr(t)[:20])
def test_hostile_names_are_refused_and_change_nothing(name: str) -> None:
    graph = seed()
    before = files.dumps(graph)
    with pytest.raises(GraphError):
        graph.rename_node(graph.by_name("c").id, name)
    with pytest.raises(GraphError):
        graph.add_node("input", name)
    assert files.dumps(graph) == before


def test_long_and_unicode_names_that_are_allowed_survive_export_and_files() -> None:
    graph = seed()
    graph.rename_node(graph.by_name("c").id, "é_" + "x" * 126)  # the longest a file holds
    graph.rename_node(graph.by_name("a").id, "ñandú")
    text = files.dumps(graph)
    assert files.dumps(files.loads(text)) == text
    namespace: dict = {}
    exec(compile(export.to_numpy_module(graph), "<export>", "exec"), namespace)
    values, _grads = namespace["forward_backward"]()
    assert values["J"] == pytest.approx(graph.run().values["J"]) == 2.0


def test_a_name_too_long_for_the_file_is_refused_so_saved_work_reopens() -> None:
    graph = seed()
    with pytest.raises(GraphError, match="at most 128 characters"):
        graph.rename_node(graph.by_name("c").id, "x" * 10_000)
    graph.rename_node(graph.by_name("c").id, "x" * 128)
    copy = graph.add_node("mul", graph.generated_name("x" * 128))  # as paste names a copy
    assert len(copy.name) <= 128
    assert files.dumps(files.loads(files.dumps(graph))) == files.dumps(graph)


def test_names_python_reads_as_another_name_are_refused() -> None:
    """ℌ is H to Python: exported code would merge the two nodes and compute a wrong J."""
    graph = seed()
    with pytest.raises(GraphError, match="Python reads it as 'H'"):
        graph.rename_node(graph.by_name("c").id, "ℌ")


# --- attributes and runs ---------------------------------------------------------------------
def run_issues(formula: str, **values):
    graph = from_formula(formula, **values)
    result = graph.run()
    return graph, result


@pytest.mark.parametrize("raw", ["99", "1e999", "nan", "[1]", "x", "1.5", "true", "-65"])
def test_bad_attrs_are_refused(raw: str) -> None:
    graph = from_formula("s = sum(x)", x=[[1.0, 2.0], [3.0, 4.0]])
    with pytest.raises(GraphError):
        graph.set_attrs(graph.by_name("s").id, {"axis": raw})
    with pytest.raises(GraphError):
        graph.set_attrs(graph.by_name("s").id, {"nope": 1})


@pytest.mark.parametrize("op", ["sum", "mean", "softmax", "log_softmax"])
def test_axis_out_of_range_is_a_per_node_error_on_run(op: str) -> None:
    graph = Graph()
    x = graph.add_node("input", "x", value=np.ones((2, 3)))
    s = graph.add_node(op, "s", attrs={"axis": 5})
    graph.connect(x.id, s.id, "x")
    result = graph.run()
    assert not result.ok and set(result.issues) == {"s"}
    assert "axis" in result.issues["s"].message


@pytest.mark.parametrize(("formula", "values", "origin", "words"), [
    ("J = log(x)", {"x": -1.0}, "J", "log"),
    ("y = 1 / x; J = y * 2", {"x": 0.0}, "y", ""),
    ("y = exp(x); J = y * 2", {"x": 1000.0}, "y", ""),
    ("y = sqrt(x); J = y + 1", {"x": -4.0}, "y", ""),
    ("y = x ** 0.5; J = y + 1", {"x": -8.0}, "y", ""),
])
def test_non_finite_results_are_per_node_issues_with_an_origin(formula, values, origin,
                                                               words) -> None:
    graph = from_formula(formula, **values)
    before = files.dumps(graph)
    result = graph.run()
    assert not result.ok and result.origin() == origin
    assert words in result.issues[origin].message
    assert files.dumps(graph) == before  # a run never edits the document


def test_shape_mismatch_is_a_per_node_error_and_the_explainer_copes() -> None:
    from cgeditor.model.explain import explain
    graph = from_formula("m = matmul(a, b); s = sum(m)", a=np.ones((2, 3)), b=np.ones((2, 3)))
    result = graph.run()
    assert "m" in result.issues and result.issues["m"].kind == "error"
    assert "(2, 3)" in result.issues["m"].message or "shape" in result.issues["m"].message
    for node in graph.nodes.values():  # an input has a value, but the output has none
        assert "no value" in explain(result, node.id).text


# --- formulas --------------------------------------------------------------------------------
@pytest.mark.parametrize("text", [
    "(" * 10_000, "(" * 300 + "x" + ")" * 300, "-" * 100_000 + "x", "x" + "+x" * 50_000,
    "exp(" * 500 + "x" + ")" * 500, "x\0", "__import__('os')", "x.__class__",
    "(lambda: 1)()", "x * 1" + "0" * 5000, "x * 1e999", "🙂 = 1", "for = 1", "np = x",
    "", "\n\n", "#", "x = ", "[x, y]", "x if y else z", "f(x)", "sum(x, axis=99)",
])
def test_hostile_formulas_raise_formula_error(text: str) -> None:
    with pytest.raises(FormulaError) as info:
        from_formula(text)
    assert str(info.value)


def test_a_huge_flat_formula_builds() -> None:
    graph = from_formula(";".join(f"a{i} = x * {i}" for i in range(3000)))
    assert len(graph) > 3000


# --- files -----------------------------------------------------------------------------------
def cgraph(nodes: list[dict], edges: list | None = None) -> str:
    return json.dumps({"format": "cgeditor-graph", "version": 1, "nodes": nodes,
                       "edges": edges or [], "output": None, "meta": {}})


def node(i: int, name: str, x: float = 0.0, y: float = 0.0) -> dict:
    return {"id": f"n{i}", "op": "input", "name": name, "x": x, "y": y, "value": 1.0}


def loads_or_load_error(text: str) -> Graph | None:
    try:
        graph = files.loads(text)
    except LoadError as exc:
        assert str(exc)
        return None
    again = files.dumps(graph)
    assert files.dumps(files.loads(again)) == again
    return graph


@pytest.mark.parametrize("coords", [(1e308, -1e308), (-1e308, 1e308), (1.7e308, 1.7e308),
                                    (5e-324, -5e-324), (1e20, 1e20)])
def test_absurd_coordinates_load_or_are_refused(coords) -> None:
    loads_or_load_error(cgraph([node(0, "a", *coords), node(1, "b", 0, 0)]))


@pytest.mark.parametrize("name", ["x" * 10_000, "é" * 5000, "ℌ", "for", "", "a b", "np"])
def test_odd_names_in_files_load_or_are_refused(name: str) -> None:
    loads_or_load_error(cgraph([node(0, name)]))


def test_template_real_file_probe() -> None:
    """The probe file used above really is a loadable .cgraph."""
    assert loads_or_load_error(cgraph([node(0, "a", 1, 2)])) is not None


# --- the CLI ---------------------------------------------------------------------------------
def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cgeditor", *args], capture_output=True,
                          text=True, timeout=120)


def test_cli_reports_hostile_runs_and_files_without_tracebacks(tmp_path: Path) -> None:
    bad = tmp_path / "bad.cgraph"
    files.save(from_formula("y = log(x); J = y * 2", x=-1.0), bad)
    done = cli("run", str(bad))
    assert done.returncode == 1 and "first non-finite" in done.stdout
    broken = tmp_path / "broken.cgraph"
    broken.write_text("{" * 100_000)
    odd = tmp_path / "odd.cgraph"
    odd.write_text(cgraph([node(0, "a", 1e308, -1e308)]))
    for args in (("run", str(broken)), ("check", str(broken)), ("run", str(tmp_path / "nope")),
                 ("build", "(" * 10_000, "-o", str(tmp_path / "f.cgraph")),
                 ("run", str(bad), "--set", "x=nan"), ("run", str(bad), "--set", "x=[[1],[2,3]]"),
                 ("run", str(odd)), ("check", str(odd))):
        done = cli(*args)
        assert "Traceback" not in done.stderr + done.stdout, args
        assert done.returncode in (0, 1, 2), (args, done.returncode)


# --- the inspector, as typed ------------------------------------------------------------------
@pytest.fixture
def window(qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    # Imported here so the model and CLI tests above run without Qt.
    from PySide6.QtWidgets import QMessageBox

    from cgeditor.gui import document
    from tests.gui.conftest import shown_window
    monkeypatch.setattr(document, "ask_save_changes",
                        lambda *_a: QMessageBox.StandardButton.Discard)
    monkeypatch.setattr(document, "ask_recover", lambda *_a: False)
    monkeypatch.setattr(document, "show_error", lambda *_a: None)
    win = shown_window(qtbot, tmp_path)
    win.set_graph(seed())
    return win


def type_into(window, node_name: str, field: str, text: str):
    """Select the node, put ``text`` in the field as a paste would, press Enter."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    window.scene.select_ids([window.graph.by_name(node_name).id])
    edit = window.inspector.fields[field]
    edit.edit.setText(text)
    QTest.keyClick(edit.edit, Qt.Key.Key_Return)
    return edit


@pytest.mark.parametrize("text", HOSTILE_VALUES[:20], ids=lambda t: repr(t)[:20])
def test_inspector_value_field_refuses_hostile_text(window, text: str) -> None:
    before, steps = files.dumps(window.graph), window.undo_stack.count()
    field = type_into(window, "w", "value", text)
    if files.dumps(window.graph) != before:  # accepted: one undo step, finite value
        assert window.undo_stack.count() == steps + 1
        assert np.isfinite(window.graph.by_name("w").value).all()
    else:
        assert not field.error.isHidden() and field.error.text()
        assert window.undo_stack.count() == steps


@pytest.mark.parametrize("name", HOSTILE_NAMES, ids=lambda t: repr(t)[:20])
def test_inspector_name_field_refuses_hostile_names(window, name: str) -> None:
    before, steps = files.dumps(window.graph), window.undo_stack.count()
    field = type_into(window, "c", "name", name)
    assert files.dumps(window.graph) == before and window.undo_stack.count() == steps
    if name.strip():  # an empty field after strip is "no change"
        assert not field.error.isHidden() and field.error.text()


def test_inspector_axis_out_of_range_runs_to_a_node_error(window) -> None:
    window.set_graph(from_formula("s = sum(x)", x=[[1.0, 2.0], [3.0, 4.0]]))
    field = type_into(window, "s", "attr_axis", "9")
    assert field.error.isHidden() and window.graph.by_name("s").attrs["axis"] == 9
    window.findChild(type(window.action("forward")), "backward").trigger()
    assert "axis" in window.messages.toPlainText()


@settings(max_examples=8, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(coords=st.tuples(st.sampled_from([1e9, -1e9, 1e308, -1e308, 1.7e308, 0.0]),
                        st.sampled_from([1e9, -1e9, -1e308, 5e-324, 0.0])))
def test_window_opens_far_coordinates_or_refuses_them(window, tmp_path: Path,
                                                      coords) -> None:
    """Within the schema's ±1e9 the file opens and the canvas copes; beyond, the loader's
    message is shown and the open graph stays as it was."""
    from PySide6.QtWidgets import QApplication

    from cgeditor.gui import document
    window.set_graph(seed())
    before = files.dumps(window.graph)
    shown: list[str] = []
    document.show_error = lambda _parent, _title, text: shown.append(text)
    path = tmp_path / "far.cgraph"
    path.write_text(cgraph([node(0, "far", *coords), node(1, "near")]))
    opened = window.document.open_path(str(path), ask=False)
    if max(map(abs, coords)) > 1e9:
        assert not opened and "out of range" in shown[-1]
        assert files.dumps(window.graph) == before
    for name in ("fit", "zoom_in", "zoom_out", "select_all", "duplicate", "forward",
                 "layout", "undo", "redo"):
        window.action(name).trigger()
        QApplication.processEvents()
    window.view.viewport().grab()  # paints without raising
    text = files.dumps(window.graph)
    assert files.dumps(files.loads(text)) == text
