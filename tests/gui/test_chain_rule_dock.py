"""The chain-rule dock renders the explanation: formula, path count, every shown path."""

from cgeditor.gui.docks.chain_rule import HINT, ExplainerWidget, explanation_html
from cgeditor.model.explain import explain
from cgeditor.model.files import load
from cgeditor.model.number_text import MINUS
from cgeditor.paths import seed_example
from tests.graphs import doubling_chain


def test_hint_without_a_selection(qtbot):
    widget = ExplainerWidget()
    qtbot.addWidget(widget)
    assert widget.plain_text() == HINT


def test_seed_w_formula(qtbot):
    graph = load(seed_example())
    exp = explain(graph.run(), graph.by_name("w").id)
    widget = ExplainerWidget()
    qtbot.addWidget(widget)
    widget.show_explanation(exp, "w")
    assert exp.text in widget.plain_text()
    assert f"= 0.5 · 4 · 1 · 1 · ({MINUS}2) = {MINUS}4" in widget.plain_text()


def test_many_paths_list_the_shown_ones_and_the_count(qtbot):
    result = doubling_chain(4, 1.0).run()
    exp = explain(result, result.ids[0], max_paths=3)
    widget = ExplainerWidget()
    qtbot.addWidget(widget)
    widget.show_explanation(exp, "x0")
    text = widget.plain_text()
    assert "showing 3 of 16 paths" in text
    assert text.count("∂x4/∂x3[") == 3  # one numbered line per shown path
    assert "sum over 16 paths" in text


def test_stale_explanations_say_so():
    graph = load(seed_example())
    exp = explain(graph.run(), graph.by_name("w").id)
    assert "stale" in explanation_html(exp, "w", stale=True)
    assert "stale" not in explanation_html(exp, "w")
