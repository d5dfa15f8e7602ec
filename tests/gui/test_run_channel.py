"""One channel for run results: a run calls the model once, and one typed RunState reaches
the canvas, the trace, the chain-rule dock and the inspector, whoever ran the graph."""

from __future__ import annotations

from cgeditor.model.number_text import MINUS
from cgeditor.model.run import RunState


def item(window, name):
    return window.scene.nodes[window.graph.by_name(name).id]


def test_backward_runs_the_model_once_and_publishes_one_state(window) -> None:
    runs, states = [], []
    window.graph.evaluated.connect(runs.append)
    window.run.published.connect(states.append)
    window.action("backward").trigger()
    assert len(runs) == 1 and len(states) == 1
    state = states[0]
    assert isinstance(state, RunState) and state.result is runs[0] and not state.stale
    w = window.graph.by_name("w").id
    assert state.display.node(w).grad_text == f"∂J/∂w = {MINUS}4"
    assert item(window, "w").display is state.display.node(w)  # the canvas painted it


def test_a_script_run_reaches_canvas_trace_and_chain_rule(window) -> None:
    """graph.run() outside the Run menu still shows everywhere: the controller hears the
    model's ``evaluated`` signal."""
    window.scene.select_ids([window.graph.by_name("w").id])
    window.graph.run()
    assert item(window, "J").display.value_text == "2"
    assert item(window, "w").display.grad_text == f"∂J/∂w = {MINUS}4"
    rows = {row[1]: row for row in window.run.trace.model.rows}
    assert rows["J"][4] == "2" and rows["w"][5] == f"{MINUS}4"
    assert "∂J/∂w" in window.run.explainer.plain_text()


def test_an_edit_publishes_one_state_and_a_paste_is_one_edit(window) -> None:
    """A value edit re-runs once (one fresh state); a structural edit publishes one stale
    state; a paste of every node is one edit."""
    window.action("backward").trigger()
    states, edits, runs = [], [], []
    window.run.published.connect(states.append)
    window.doc.edited.connect(lambda: edits.append(1))
    window.graph.evaluated.connect(runs.append)
    window.editor.set_value(window.graph.by_name("w").id, "5")
    assert len(runs) == 1 and len(states) == 1 and not states[0].stale
    assert states[0].result is runs[0] and runs[0].values["c"] == -10
    window.editor.rename(window.graph.by_name("c").id, "wx")
    assert len(states) == 2 and states[1].stale
    kept = states[1].result  # the same run's numbers, under today's names
    assert kept.raw_values is runs[0].raw_values and kept.values["wx"] == -10
    assert window.run.trace.stale_note.stale and len(edits) == 2
    window.action("select_all").trigger()
    window.action("duplicate").trigger()  # every node and wire again, in one batch
    assert len(edits) == 3 and len(states) == 2  # already stale: nothing new to show
