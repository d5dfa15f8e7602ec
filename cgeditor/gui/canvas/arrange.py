"""Auto layout by the nodes' real sizes: each node's whole outline (ports, badge, the rows a
run fills) is spaced from its neighbours, with room between layers for the wire labels."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

from cgeditor.gui import theme as T
from cgeditor.gui.canvas.node_geometry import box_of, footprint
from cgeditor.gui.canvas.scene import GraphScene
from cgeditor.model import files
from cgeditor.model.layout import Positions, apply_layout, layered_layout

if TYPE_CHECKING:
    from cgeditor.model.graph import Graph

# Gaps between outlines: across a layer, and between layers (where wire labels sit).
GAPS = {"LR": (68.0, 22.0), "TB": (36.0, 64.0)}  # direction -> (horizontal, vertical)


def layout_by_size(graph: Graph, sizes: dict[str, tuple[float, float]],
                   direction: str = "LR", max_aspect: float | None = None) -> Positions:
    """Node positions (whole scene units) that keep outlines of ``sizes`` apart; with
    ``max_aspect`` a long chain folds into bands side by side (see layered_layout)."""
    gap_x, gap_y = GAPS[direction]
    corners = layered_layout(graph, gap_x, gap_y, sizes=sizes, direction=direction,
                             max_aspect=max_aspect)
    # The layout places outlines; a node's position is its body's top-left corner.
    return {n: (float(round(x + T.OUTSET_X)), float(round(y + T.OUTSET_TOP)))
            for n, (x, y) in corners.items()}


def scene_layout(scene: GraphScene, direction: str = "LR",
                 max_aspect: float | None = None) -> Positions:
    """Positions for the scene's graph, spaced by what each item reserves."""
    sizes = {node_id: footprint(item.box) for node_id, item in scene.nodes.items()}
    return layout_by_size(scene.graph, sizes, direction, max_aspect)


def predicted_layout(graph: Graph, shapes: dict[str, tuple], out_name: str,
                     direction: str = "LR") -> Positions:
    """Positions for a graph that has no items yet (a formula about to be inserted), from
    the boxes its nodes will take: ``shapes`` by node name, ``out_name`` the output's."""
    sizes = {n.id: footprint(box_of(n.op, n.name, n.trainable, shapes.get(n.name), out_name))
             for n in graph.nodes.values()}
    return layout_by_size(graph, sizes, direction)


def arrange_file(path: str, direction: str = "LR") -> None:
    """Lay out the graph in ``path`` by its nodes' sizes and save it in place (the bundled
    examples are written by the model, then placed by this)."""
    graph = files.load(path)
    scene = GraphScene(graph)
    try:
        apply_layout(graph, scene_layout(scene, direction))
    finally:
        scene.detach()
    files.save(graph, path)


def main(paths: list[str]) -> int:
    """``python -m cgeditor.gui.canvas.arrange FILE...``: lay out each file in place."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    # After the platform is chosen: Qt reads it when the application starts.
    from PySide6.QtWidgets import QApplication
    _app = QApplication.instance() or QApplication([])
    for path in paths:
        arrange_file(path)
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
