"""One channel for run results: a run calls the model once, and one typed RunState reaches
the canvas, the trace, the chain-rule dock and the inspector, whoever ran the graph."""

from __future__ import annotations

from cgeditor.model.display import MINUS
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


def test_an_edit_publishes_one_stale_state_and_a_paste_is_one_edit(window) -> None:
    window.action("backward").trigger()
    states, edits = [], []
    window.run.published.connect(states.append)
    window.doc.edited.connect(lambda: edits.append(1))
    window.editor.set_value(window.graph.by_name("w").id, "5")
    assert len(states) == 1 and states[0].stale and states[0].result is not None
    assert window.run.trace.stale_note.stale and len(edits) == 1
    window.action("select_all").trigger()
    window.action("duplicate").trigger()  # every node and wire again, in one batch
    assert len(edits) == 2 and len(states) == 1  # already stale: nothing new to show
