"""Paint a RunDisplay onto the canvas: each NodeItem gets its NodeDisplay, each wire its
highlight, and the scene the per-wire labels. The only place where run state meets items.

Cheap by construction: node states reused from the previous display are skipped by
identity, wire pens change only where the state does, and wire labels are formatted by the
scene when painted (only the ones in view).
"""

from __future__ import annotations

from typing import Any

from cgeditor.core.ops import REGISTRY
from cgeditor.gui.canvas.drag_follow import BULK_WIRES
from cgeditor.gui.canvas.wire_item import wire_label
from cgeditor.model.display import NodeDisplay, RunDisplay, idle_node
from cgeditor.model.graph import Graph

__all__ = ["idle_display", "paint_run", "wire_label"]

RUN_WIRE_STATES = ("normal", "highlight", "dim")  # states owned by the run, not by flashes


def idle_display(graph: Graph, node_id: str) -> NodeDisplay:
    """What a node shows with no run: inputs and consts show their own value."""
    node = graph.nodes.get(node_id)
    if node is not None and node.is_leaf:
        return idle_node(node.value)
    return NodeDisplay()


def paint_run(scene: Any, display: RunDisplay, graph: Graph) -> None:
    """Push ``display`` to every item of ``scene`` (a GraphScene); unchanged items skip.

    ``graph`` is the scene's graph; items already know what they show without a run."""
    scene.run_display = display  # what a node item made later (Undo brings one back) shows
    widened = []  # a value of another shape than reserved: its output port moved
    for node_id, item in scene.nodes.items():
        if item.set_display(display.shown(node_id, item.idle, REGISTRY[item.op].is_leaf)):
            widened.append(node_id)
    if widened:
        scene.reroute_wires(widened)
    _paint_wires(scene, display)
    scene.show_wire_labels(display.wires, display.stale)


def _paint_wires(scene: Any, display: RunDisplay) -> None:
    """Each wire's run state (lit, dimmed while stepping, or normal), repainted once."""
    lit, dimmed = display.lit_wires, display.dimmed
    changes = []
    for key, wire in scene.wires.items():
        if wire.state not in RUN_WIRE_STATES:
            continue
        state = "highlight" if key in lit else "dim" if key[0] in dimmed else "normal"
        if wire.state != state:
            changes.append((wire, state))
    if len(changes) > BULK_WIRES:
        scene.wire_layer.set_states(changes)
    else:  # a few: each repaints just its own rect
        for wire, state in changes:
            wire.set_state(state)
