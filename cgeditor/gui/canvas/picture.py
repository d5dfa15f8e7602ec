"""Slide-quality pictures of a graph: what to draw (values, gradients, wire labels, order
badges), in which theme, on which background, at which scale, and laid out left to right or
top to bottom, whatever the window shows. Used by the export dialog and the CLI alike.

The picture is drawn by a scene of its own over a copy of the graph, so choosing a layout
direction or leaving out the numbers never touches the document or the canvas.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from cgeditor.gui import theme as T
from cgeditor.gui.canvas import image_export
from cgeditor.gui.canvas.arrange import scene_layout
from cgeditor.gui.canvas.node_item import NodeItem
from cgeditor.gui.canvas.node_vertical import VerticalNodeItem
from cgeditor.gui.canvas.run_paint import paint_run
from cgeditor.gui.canvas.scene import GraphScene
from cgeditor.model.display import NodeDisplay, RunDisplay
from cgeditor.model.layout import apply_layout

if TYPE_CHECKING:
    from cgeditor.model.graph import Graph

SCALES = (1.0, 2.0, 4.0)
THEMES = ("light", "dark", "screen")  # screen: as the window shows it now
BACKGROUNDS = ("white", "transparent", "canvas")  # canvas: the theme's canvas colour
DIRECTIONS = ("placed", "LR", "TB")  # placed: where the nodes are on the canvas
MAX_ASPECT = 2.0  # a top-to-bottom picture folds a long chain into bands past this


@dataclass(frozen=True)
class PictureOptions:
    """How to draw a picture. Raises ValueError from ``check`` for a choice not offered."""

    scale: float = 2.0
    theme: str = "light"
    values: bool = True
    gradients: bool = True
    wire_labels: bool = True
    badges: bool = True
    background: str = "white"
    margin: float = image_export.MARGIN
    direction: str = "placed"

    def check(self) -> PictureOptions:
        for name, value, allowed in (("scale", self.scale, SCALES),
                                     ("theme", self.theme, THEMES),
                                     ("background", self.background, BACKGROUNDS),
                                     ("direction", self.direction, DIRECTIONS)):
            if value not in allowed:
                raise ValueError(f"{name} must be one of {', '.join(map(str, allowed))}, "
                                 f"not {value!r}")
        if not 0 <= self.margin <= 1000:
            raise ValueError(f"margin must be between 0 and 1000, not {self.margin}")
        return self


def _shown(node: NodeDisplay, options: PictureOptions) -> NodeDisplay:
    """``node`` without what the picture leaves out."""
    changes: dict[str, object] = {}
    if not options.values:
        changes.update(value_text="", grid=None, heatmap=None)
    if not options.gradients:
        changes.update(grad_value="", grad_label="", grad_grid=None, grad_heatmap=None)
    if not options.badges:
        changes.update(order_badge="")
    return replace(node, **changes) if changes else node


def picture_scene(graph: Graph, display: RunDisplay | None,
                  options: PictureOptions) -> GraphScene:
    """A scene over a copy of ``graph`` painted with ``display`` (a run's, or None for no
    numbers beyond the inputs' own) as ``options`` ask; the caller detaches it."""
    copy = graph.copy()  # the same node ids, so the display applies
    down = options.direction == "TB"
    scene = GraphScene(copy, item_class=VerticalNodeItem if down else NodeItem)
    scene.wire_layer.vertical = down
    shown = display if display is not None else RunDisplay()
    nodes = {node_id: _shown(shown.node(node_id), options) for node_id in scene.nodes}
    idle = {node_id: item.idle for node_id, item in scene.nodes.items()}
    for node_id, item in scene.nodes.items():  # inputs show their own value without a run
        item.idle = _shown(idle[node_id], options)
    picture = replace(shown, nodes={k: v for k, v in nodes.items() if k in shown.nodes},
                      wires=shown.wires if options.wire_labels else {})
    paint_run(scene, picture, copy)
    if options.direction != "placed":  # by the sizes the items take with the run's rows
        apply_layout(copy, scene_layout(scene, options.direction,
                                        MAX_ASPECT if down else None))
    scene.reroute_wires(list(scene.nodes))
    return scene


def export_picture(graph: Graph, display: RunDisplay | None, path: str,
                   options: PictureOptions) -> image_export.Exported:
    """Write ``graph`` as a PNG or SVG picture (by ``path``'s suffix) drawn as ``options``
    ask; its size and the scale used (a large PNG's lowered to fit, as its note says).
    Raises image_export.ImageExportError when it cannot be written."""
    options.check()
    theme = None if options.theme == "screen" else options.theme
    with T.palette_as(theme):
        scene = picture_scene(graph, display, options)
        try:
            background = {"white": image_export.WHITE, "transparent": image_export.CLEAR,
                          "canvas": T.current().canvas}[options.background]
            return image_export.export_file(scene, path, options.scale, background,
                                            options.margin)
        finally:
            scene.detach()
