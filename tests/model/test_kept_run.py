"""RunSource: what a run read of a graph, and whether the graph holds exactly that again."""

from __future__ import annotations

from cgeditor.model import files
from cgeditor.model.kept_run import KeptRun, RunSource
from tests.graphs import seed_graph


def test_each_kind_of_change_differs_and_changing_it_back_matches() -> None:
    graph = seed_graph()
    source = RunSource.of(graph)
    ids = {name: graph.by_name(name).id for name in ("w", "y", "c", "sq", "J")}
    changes = [
        (lambda: graph.set_value(ids["w"], 3.0), lambda: graph.set_value(ids["w"], 2.0)),
        (lambda: graph.set_value(ids["w"], [2.0]), lambda: graph.set_value(ids["w"], 2.0)),
        (lambda: graph.rename_node(ids["w"], "v"), lambda: graph.rename_node(ids["w"], "w")),
        (lambda: graph.set_attrs(ids["sq"], {"exponent": 3}),
         lambda: graph.set_attrs(ids["sq"], {"exponent": 2})),
        (lambda: graph.disconnect(ids["c"], "a"), lambda: graph.connect(ids["w"], ids["c"], "a")),
        (lambda: graph.set_output(ids["sq"]), lambda: graph.set_output(None)),
    ]
    for change, back in changes:
        change()
        assert not source.matches(graph)
        back()
        assert source.matches(graph)
    node = graph.add_node("input", "z", value=1.0)
    assert not source.matches(graph)
    graph.remove_node(node.id)
    assert source.matches(graph)


def test_a_move_matches_and_minus_zero_does_not() -> None:
    graph = seed_graph()
    w = graph.by_name("w").id
    graph.set_value(w, 0.0)
    source = RunSource.of(graph)
    graph.move_node(w, 500.0, -40.0)
    assert source.matches(graph)
    graph.set_value(w, -0.0)  # 1/w would differ: not the same value
    assert not source.matches(graph)


def test_kept_run_gives_back_the_result_only_while_the_graph_matches() -> None:
    graph = seed_graph()
    kept = KeptRun()
    kept.attach(graph)
    result = graph.run()
    kept.ran(result)
    assert kept.back() is result
    y = graph.by_name("y").id
    graph.set_value(y, 5.0)
    assert kept.back() is None
    graph.set_value(y, 2.0)
    assert kept.back() is result


def test_a_node_added_to_an_opened_file_never_takes_a_deleted_nodes_id() -> None:
    """Ids of an opened file were handed out again once their node was deleted, so a new
    node passed for the deleted one: the stale run showed y's row under the new node's name."""
    graph = files.loads(files.dumps(seed_graph()))
    kept = KeptRun()
    kept.attach(graph)
    result = graph.run()
    kept.ran(result)
    y = graph.by_name("y").id
    graph.remove_node(y)
    added = graph.add_node("input", "q", value=1.0)
    assert added.id not in result.ids
    shown = kept.follow_names(result)
    assert shown.order[shown.ids.index(y)] == "y" and "q" not in shown.order
    last = max(int(i[1:]) for i in result.ids)
    graph.remove_node(graph.by_name("J").id)
    assert graph.add_node("const", value=1.0).id == f"n{last + 2}"  # past every id seen


def test_a_rerun_after_a_value_edit_keeps_the_new_values() -> None:
    """A re-run with only values changed reuses the rest of the source: the values kept
    must still be the new ones, and another document's graph never reuses it."""
    graph = seed_graph()
    kept = KeptRun()
    kept.attach(graph)
    kept.ran(graph.run())
    w = graph.by_name("w").id
    graph.set_value(w, 3.0)
    second = graph.run()
    kept.ran(second)
    assert kept.back() is second
    graph.set_value(w, 2.0)
    assert kept.back() is None
    graph.set_value(w, 3.0)
    assert kept.back() is second
    other = seed_graph()
    other.set_value(other.by_name("w").id, 3.0)
    kept.attach(other)
    assert kept.back() is None  # nothing was run of this graph yet


def test_which_inputs_are_trainable_matters_only_when_asked() -> None:
    """No run's number depends on it, but what a training trains and a 'trainable inputs'
    gradient check checks does; a re-run after values only keeps it current too."""
    graph = seed_graph()
    w = graph.by_name("w").id
    source = RunSource.of(graph)
    graph.set_trainable(w, not graph.nodes[w].trainable)
    assert source.matches(graph)
    assert not source.matches(graph, trainable=True)
    graph.set_trainable(w, not graph.nodes[w].trainable)
    assert source.matches(graph, trainable=True)
    graph.set_trainable(w, True)
    assert source.with_values(graph).matches(graph, trainable=True)
