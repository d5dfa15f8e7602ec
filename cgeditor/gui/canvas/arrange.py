"""Auto layout by the nodes' real sizes: each node's whole outline (ports, badge, the rows a
run fills) is spaced from its neighbours, with room between layers for the wire labels."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING

from cgeditor.gui import theme as T
from cgeditor.gui.canvas.node_geometry import box_of, footprint
from cgeditor.gui.canvas.scene import GraphScene
from cgeditor.gui.canvas.view import readable_room
from cgeditor.model import files
from cgeditor.model.layout import (
    FOLD_LIMIT,
    GAPS,
    TIGHT_GAP_X,
    Positions,
    apply_layout,
    fit_layout,
)

if TYPE_CHECKING:
    from cgeditor.model.graph import Graph

__all__ = ["FOLD_LIMIT", "GAPS", "TIGHT_GAP_X", "layout_by_size", "scene_layout"]
# The canvas of a first start in a 1280×800 window, in pixels: the bundled examples are
# laid out to open whole in it at a readable zoom.
LAPTOP_CANVAS = (888, 640)


def layout_by_size(graph: Graph, sizes: dict[str, tuple[float, float]],
                   direction: str = "LR", max_aspect: float | None = None,
                   room: tuple[float, float] | None = None) -> Positions:
    """Node positions (whole scene units) that keep outlines of ``sizes`` apart; with
    ``max_aspect`` a long chain folds into bands side by side, with ``room`` into as few
    bands as fit that width and height (see layered_layout): one band first, with the
    roomy gap between columns, then the tight one, and only then folded."""
    corners = fit_layout(graph, sizes, room, direction, max_aspect)
    # The layout places outlines; a node's position is its body's top-left corner.
    return {n: (float(round(x + T.OUTSET_X)), float(round(y + T.OUTSET_TOP)))
            for n, (x, y) in corners.items()}


def scene_layout(scene: GraphScene, direction: str = "LR", max_aspect: float | None = None,
                 room: tuple[float, float] | None = None) -> Positions:
    """Positions for the scene's graph, spaced by what each item reserves; with ``room``,
    folded to fit a view that shows that much (see layout_by_size)."""
    sizes = {node_id: footprint(item.box) for node_id, item in scene.nodes.items()}
    return layout_by_size(scene.graph, sizes, direction, max_aspect, room)


def predicted_layout(graph: Graph, shapes: dict[str, tuple], out_name: str,
                     room: tuple[float, float] | None = None) -> Positions:
    """Positions for a graph that has no items yet (a formula about to be inserted), from
    the boxes its nodes will take: ``shapes`` by node name, ``out_name`` the output's;
    folded as Auto Layout would to fit ``room``."""
    by_id = {n.id: shapes.get(n.name) for n in graph.nodes.values()}
    return layout_by_size(graph, predicted_sizes(graph, by_id, out_name), room=room)


def predicted_sizes(graph: Graph, shapes: Mapping[str, tuple | None],
                    out_name: str | None = None) -> dict[str, tuple[float, float]]:
    """The outline each node of ``graph`` will take, by id, before it has an item: its
    value's shape from ``shapes`` (by id), the output's name ``out_name`` (the graph's
    output's by default)."""
    if out_name is None:
        out_name = graph.nodes[graph.output].name if graph.output else "J"
    return {n.id: footprint(box_of(n.op, n.name, n.trainable, shapes.get(n.id), out_name))
            for n in graph.nodes.values()}


def arrange_file(path: str, canvas: tuple[int, int] = LAPTOP_CANVAS) -> None:
    """Lay out the graph in ``path`` by its nodes' sizes to open whole and readable in a
    ``canvas`` (pixels) and save it in place (the bundled examples are written by the
    model, then placed by this)."""
    room = readable_room(*canvas)
    graph = files.load(path)
    scene = GraphScene(graph)
    try:
        scene.reserve_shapes()
        apply_layout(graph, scene_layout(scene, room=room))
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
