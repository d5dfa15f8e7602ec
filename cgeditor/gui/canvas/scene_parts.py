"""What GraphScene's mixins (model sync, gestures) use of the scene, declared once."""

from __future__ import annotations

from typing import Any

from cgeditor.gui.canvas.node_item import NodeItem
from cgeditor.gui.canvas.wire_layer import Wire, WireLayer
from cgeditor.model.graph import Graph


class SceneParts:
    """The graph shown, its node items by id, its wires by (dst, port) and their layer."""

    graph: Graph
    nodes: dict[str, NodeItem]
    wires: dict[tuple[str, str], Wire]
    wire_layer: WireLayer
    selection: Any  # canvas.selection.Selection
