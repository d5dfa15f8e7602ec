"""Paint a RunDisplay onto the canvas: each NodeItem gets its NodeDisplay, each wire its
gradient label and highlight. The only place where run state meets scene items.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from cgeditor.model.display import NodeDisplay, RunDisplay, WireDisplay, value_text
from cgeditor.model.graph import LEAF_OPS, Graph

# Above this many wires, labels appear only on highlighted wires (the current node's, or an
# explained path's): thousands of text items would cost more than the Live budget allows.
MAX_LABELLED_WIRES = 200
RUN_WIRE_STATES = ("normal", "highlight", "dim")  # states owned by the run, not by flashes


def idle_display(graph: Graph, node_id: str) -> NodeDisplay:
    """What a node shows with no run: inputs and consts show their own value."""
    node = graph.nodes.get(node_id)
    if node is not None and node.op in LEAF_OPS:
        return NodeDisplay(value_text=value_text(node.value))
    return NodeDisplay()


def wire_label(wire: WireDisplay) -> str:
    """Two short lines: '← −4' (the gradient flowing back), then '∂c/∂w = −2'. Short because
    wires between neighbouring nodes are short; the full wording is in WireDisplay.grad_text."""
    back = f"← {wire.grad_value}" if wire.grad_value else ""
    return "\n".join(t for t in (back, wire.local_text) if t)


def paint_run(scene: Any, display: RunDisplay, graph: Graph) -> None:
    """Push ``display`` to every item of ``scene`` (a GraphScene); unchanged items skip."""
    for node_id, item in scene.nodes.items():
        shown = display.nodes.get(node_id)
        if shown is None:
            shown = idle_display(graph, node_id)
        elif display.stale and graph.nodes[node_id].op in LEAF_OPS:
            # An edited input shows what the user typed, not the stale run's copy of it.
            shown = replace(shown, value_text=value_text(graph.nodes[node_id].value))
        item.set_display(shown)
    all_labels = len(scene.wires) <= MAX_LABELLED_WIRES
    for key, wire in scene.wires.items():
        shown = display.wires.get(key)
        if shown is None:
            wire.set_label("")
            state = "normal"
        else:
            wire.set_label(wire_label(shown) if all_labels or shown.highlighted else "")
            dst = display.nodes.get(key[0])
            dimmed = dst is not None and dst.dimmed and not shown.highlighted
            state = "highlight" if shown.highlighted else "dim" if dimmed else "normal"
        if wire.state in RUN_WIRE_STATES:
            wire.set_state(state)
