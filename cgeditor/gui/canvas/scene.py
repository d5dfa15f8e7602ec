"""The canvas scene: observes a Graph's signals to keep node and wire items in step with it,
and turns mouse gestures (wiring, picking up wires, dragging nodes) into intent signals;
a wiring gesture itself lives in wiring.py.

It never changes the Graph; the window turns intent into undoable commands.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from PySide6.QtCore import QPointF, QRectF, QTimer, Signal
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsScene,
    QGraphicsSceneHelpEvent,
    QToolTip,
)

from cgeditor.gui import theme as T
from cgeditor.gui.canvas import overview
from cgeditor.gui.canvas.drag_follow import BULK_WIRES, DragFollow
from cgeditor.gui.canvas.node_item import OUT_PORT_Y, NodeItem
from cgeditor.gui.canvas.scene_gestures import SceneGestures
from cgeditor.gui.canvas.scene_labels import RunLabels
from cgeditor.gui.canvas.selection import Selection
from cgeditor.gui.canvas.wire_item import WireItem, WireLabels
from cgeditor.gui.canvas.wire_layer import Wire, WireLayer
from cgeditor.gui.canvas.wiring import WireDrag
from cgeditor.model import collector
from cgeditor.model.display import idle_node
from cgeditor.model.errors import GraphError
from cgeditor.model.graph import Edge, Graph, Node
from cgeditor.model.run import infer_shapes

_CACHED = QGraphicsItem.CacheMode.DeviceCoordinateCache
SCENE_MARGIN = 3000.0
# Up to this many nodes every node reserves room for its value's inferred shape (one
# evaluation on zeros per structural edit); past it the nodes of a graph too big to read
# reserve a scalar's rows and grow when a run shows a tensor.
RESERVE_LIMIT = 3000


class GraphScene(SceneGestures, RunLabels, QGraphicsScene):
    """Items for one Graph. Emits what the user wants; the window decides."""

    connect_requested = Signal(str, str, str)  # src, dst, port
    detach_requested = Signal(str, str)  # dst, port
    reconnect_requested = Signal(str, str, str, str, str)  # src, old dst/port, new dst/port
    nodes_moved = Signal(dict)  # {id: ((old x, old y), (new x, new y))}

    def __init__(self, graph: Graph, parent: Any = None,
                 item_class: type[NodeItem] = NodeItem) -> None:
        super().__init__(parent)
        self.item_class = item_class  # a picture drawn top to bottom uses VerticalNodeItem
        self.graph = graph
        self.nodes: dict[str, NodeItem] = {}
        self.wire_layer = WireLayer()  # paints every wire; ``wires`` maps (dst, port) to one
        self.wires: dict[tuple[str, str], Wire] = self.wire_layer.wires
        self.wiring_mode: str | None = None  # "in" lights input ports, "out" output ports
        self.wiring_blocked: set[str] = set()
        self._wiring: WireDrag | None = None  # a wire being dragged out of a port
        self._press_positions: dict[str, QPointF] = {}
        self._follow: DragFollow | None = None  # made at a drag's first move
        self._flashed: list[Any] = []
        self._flash_timer = QTimer(self)
        self._flash_timer.setSingleShot(True)
        self._flash_timer.timeout.connect(self.clear_flash)
        self.labels = WireLabels()  # the run's wire labels, painted in drawForeground
        self._marked_output: str | None = None  # the node showing the OUT tag
        self.item_cache = False  # whether node items keep their paint in a pixmap
        self.selection = Selection(self)  # handlers connect to selection.changed
        # In a graph batch: nodes moved (rerouted at its end) and places to grow the rect to.
        self._held_moves: set[str] | None = None
        self._held_places: list[tuple[float, float]] | None = None
        self.setBackgroundBrush(T.current().canvas)
        self._reserve_timer = QTimer(self)  # a burst of edits re-infers shapes once
        self._reserve_timer.setSingleShot(True)
        self._reserve_timer.timeout.connect(self.reserve_shapes)
        self._shapes: dict[str, tuple] = {}
        self._out_name = "J"
        self._build()
        self._slots = {
            "node_added": self._on_node_added, "node_removed": self._on_node_removed,
            "node_moved": self._on_node_moved, "node_renamed": self._on_node_renamed,
            "value_changed": self._on_value_changed, "attrs_changed": self._on_attrs_changed,
            "edge_added": self._on_edge_added, "edge_removed": self._on_edge_removed,
            "output_changed": self._on_output_changed,
            "batch_started": self._on_batch_started, "batch_finished": self._on_batch_finished,
        }
        for name, slot in self._slots.items():
            getattr(graph, name).connect(slot)
        graph.changed.connect(self._reserve_timer.start)

    def detach(self) -> None:
        """Stop observing the graph (before this scene is thrown away)."""
        for name, slot in self._slots.items():
            getattr(self.graph, name).disconnect(slot)
        if self._slots:
            self.graph.changed.disconnect(self._reserve_timer.start)
        self._slots = {}
        self._reserve_timer.stop()

    # --- building -----------------------------------------------------------------------
    def _build(self) -> None:
        # Python's cyclic collector would run full passes over the growing heap while 30k
        # items are made (all long-lived, no cycles to find): paused, building is ~2x faster.
        # Sized right from the start: resizing 10k items already in the index costs seconds.
        self._shapes, self._out_name = self._reserved()
        with collector.paused():
            self.addItem(self.wire_layer)
            for node in self.graph.nodes.values():
                self._add_node_item(node)
            self.wire_layer.add_all(self._wire_ends())
        self._mark_output()
        self._fit_rect()

    def _fit_rect(self) -> None:
        nodes = self.graph.nodes.values()
        if not nodes:
            self._set_rect(QRectF(-SCENE_MARGIN, -SCENE_MARGIN, 2 * SCENE_MARGIN,
                                  2 * SCENE_MARGIN))
            return
        xs = [n.x for n in nodes]
        ys = [n.y for n in nodes]
        rect = QRectF(min(xs), min(ys), max(xs) - min(xs) + T.NODE_WIDTH,
                      max(ys) - min(ys) + 200)
        self._set_rect(rect.adjusted(-SCENE_MARGIN, -SCENE_MARGIN, SCENE_MARGIN, SCENE_MARGIN))

    def _grow_rect(self, x: float, y: float) -> None:
        rect = self.sceneRect()
        inner = rect.adjusted(SCENE_MARGIN / 2, SCENE_MARGIN / 2, -SCENE_MARGIN / 2,
                              -SCENE_MARGIN / 2)
        if not inner.contains(x, y):
            self._set_rect(rect.united(QRectF(x - SCENE_MARGIN, y - SCENE_MARGIN,
                                              2 * SCENE_MARGIN, 2 * SCENE_MARGIN)))

    def _set_rect(self, rect: QRectF) -> None:
        # Every node, and so every wire, lies inside the scene rect: the wire layer's bounds.
        self.setSceneRect(rect)
        self.wire_layer.set_bounds(rect)

    def graph_rect(self) -> QRectF:
        """The rectangle around every node (what Fit shows). Read from plain numbers:
        10k sceneBoundingRect calls and unions cost a fifth of a second."""
        if not self.nodes:
            return QRectF()
        first = next(iter(self.nodes.values())).pos()
        left = right = first.x()
        top = bottom = first.y()
        for item in self.nodes.values():  # one pass, one Qt call a node
            pos = item.pos()
            x, y = pos.x(), pos.y()
            left = x if x < left else left
            top = y if y < top else top
            low = y + item.rect_height()
            bottom = low if low > bottom else bottom
            far = x + item.width()
            right = far if far > right else right
        return QRectF(left, top, right - left, bottom - top)

    def _add_node_item(self, node: Node) -> NodeItem:
        shown = idle_node(node.value) if node.is_leaf else None
        item = self.item_class(node, shown, self._shapes.get(node.name), self._out_name)
        if self.item_cache:
            item.setCacheMode(_CACHED)
        self.nodes[node.id] = item
        self.addItem(item)
        return item

    def set_item_cache(self, on: bool) -> None:
        """Keep each node's paint in a pixmap (``on``) or paint it every frame.

        The view turns this on when zoomed in to read text: a detailed node costs far more
        to paint than to blit, so pans and unchanged Live re-runs become blits. Zoomed out a
        node is one rectangle, cheaper to draw than to cache (10k pixmaps on opening)."""
        if on != self.item_cache:
            self.item_cache = on
            mode = _CACHED if on else QGraphicsItem.CacheMode.NoCache
            for item in self.nodes.values():
                item.setCacheMode(mode)

    def _wire_ends(self) -> Iterator[tuple[str, str, str, tuple[float, float, float, float]]]:
        """Every edge with its ports' scene positions, read from the model's plain floats
        (the items stand where their nodes say while the scene is being built)."""
        nodes, items = self.graph.nodes, self.nodes
        for src_id, dst_id, port in self.graph.edge_triples():
            src, dst, item = nodes[src_id], nodes[dst_id], items[dst_id]
            item.connected.add(port)
            yield src_id, dst_id, port, (src.x + items[src_id].width(), src.y + OUT_PORT_Y,
                                         dst.x, dst.y + item.port_y(port))

    def _add_wire(self, edge: Edge) -> None:
        self.wire_layer.add(edge.src, edge.dst, edge.port,
                            self._ends(edge.src, edge.dst, edge.port))
        self.nodes[edge.dst].connected.add(edge.port)

    def _ends(self, src: str, dst: str, port: str) -> tuple[float, float, float, float]:
        """Where the wire src -> dst.port runs now: from the items, which lead the model
        while a drag moves them."""
        return (*self.nodes[src].out_port_xy(), *self.nodes[dst].in_port_xy(port))

    def _mark_output(self) -> None:
        out = self.graph.explicit_output
        for node_id in {self._marked_output, out} - {None}:
            item = self.nodes.get(node_id)
            if item is not None and item.set_marks(node_id == out, item.trainable):
                self.reroute_wires([node_id])
        self._marked_output = out

    # --- observing the model ------------------------------------------------------------
    def _on_node_added(self, node: Node) -> None:
        self._add_node_item(node)
        self._grow_for(node)

    def _on_node_removed(self, node: Node) -> None:
        item = self.nodes.pop(node.id, None)
        if item is not None:
            self.removeItem(item)

    def _on_node_moved(self, node: Node) -> None:
        item = self.nodes[node.id]
        if item.pos() != QPointF(node.x, node.y):
            item.setPos(node.x, node.y)
        if self._held_moves is not None:
            self._held_moves.add(node.id)
        else:
            self.reroute_wires([node.id])
        self._grow_for(node)

    def _grow_for(self, node: Node) -> None:
        if self._held_places is not None:  # in a batch: grow once, around all of them
            self._held_places.append((node.x, node.y))
        else:
            self._grow_rect(node.x, node.y)

    def _on_batch_started(self) -> None:
        self.selection.hold()
        self._held_moves, self._held_places = set(), []

    def _on_batch_finished(self) -> None:
        moved, self._held_moves = self._held_moves or set(), None
        places, self._held_places = self._held_places or [], None
        if places:
            xs, ys = [p[0] for p in places], [p[1] for p in places]
            self._grow_rect(min(xs), min(ys))
            self._grow_rect(max(xs), max(ys))
        self.reroute_wires(moved)  # each wire once, however many of its nodes moved
        self.selection.release()

    def _on_node_renamed(self, node: Node) -> None:
        if self.nodes[node.id].set_name(node.name):
            self.reroute_wires([node.id])
        if node.id == self.graph.output:  # every gradient row names the output
            self.reserve_shapes()

    def reserve_shapes(self) -> None:
        """Have every node reserve room for its value's shape (inferred on zeros, without a
        run) and for the gradient row of the current output; wires follow widened nodes."""
        self._reserve_timer.stop()
        self._shapes, self._out_name = shapes, out_name = self._reserved()
        moved = [node_id for node_id, item in self.nodes.items()
                 if item.set_reserve(shapes.get(item.name), out_name)]
        self.reroute_wires(moved)

    def _reserved(self) -> tuple[dict[str, tuple], str]:
        """Value shapes by node name (none past RESERVE_LIMIT) and the output's name."""
        shapes: dict[str, tuple] = {}
        if len(self.graph.nodes) <= RESERVE_LIMIT:
            try:
                shapes = infer_shapes(self.graph)[0]
            except GraphError:
                shapes = {}
        out = self.graph.output
        return shapes, self.graph.nodes[out].name if out is not None else "J"

    def _on_value_changed(self, node: Node) -> None:
        item = self.nodes[node.id]
        item.idle = idle_node(node.value)
        idle = item.idle
        item.set_display(value_text=idle.value_text, grid=idle.grid, heatmap=idle.heatmap)

    def _on_attrs_changed(self, node: Node) -> None:
        item = self.nodes[node.id]
        if item.set_marks(item.is_output, node.trainable):
            self.reroute_wires([node.id])

    def _on_edge_added(self, edge: Edge) -> None:
        self._add_wire(edge)
        self.nodes[edge.dst].update()

    def _on_edge_removed(self, edge: Edge) -> None:
        self.wire_layer.remove((edge.dst, edge.port))
        dst = self.nodes.get(edge.dst)
        if dst is not None:
            dst.connected.discard(edge.port)
            dst.update()

    def _on_output_changed(self, _node_id: str | None) -> None:
        self._mark_output()
        self.reserve_shapes()

    def reroute_wires(self, node_ids: Iterable[str]) -> None:
        """Re-route the wires of the nodes ``node_ids``, each wire once. Many at a time
        (dragging a big selection) repaint as one region instead of two per wire."""
        graph, nodes = self.graph, self.nodes
        keys = {key for node_id in node_ids if node_id in nodes and node_id in graph.nodes
                for key in graph.wire_keys(node_id)}
        one_by_one = len(keys) <= BULK_WIRES
        for key in keys:
            wire = self.wires.get(key)
            if wire is not None:
                wire.set_ends_xy(*self._ends(wire.src, wire.dst, wire.port), one_by_one)
        if not one_by_one:  # each moved wire already updated its own cached line
            self.wire_layer.update()

    # --- selection helpers --------------------------------------------------------------
    def selected_ids(self) -> list[str]:
        return self.selection.ids()

    def select_ids(self, ids: Iterable[str]) -> None:
        """Select exactly the nodes ``ids``: one ``selection.changed``, however many."""
        with self.selection.held():
            self.clearSelection()
            for node_id in ids:
                item = self.nodes.get(node_id)
                if item is not None:
                    item.setSelected(True)

    def select_all(self) -> None:
        self.select_ids(self.nodes)

    def node_at(self, pos: QPointF) -> NodeItem | None:
        for item in self.items(pos):
            if isinstance(item, NodeItem):
                return item
        return None

    def helpEvent(self, event: QGraphicsSceneHelpEvent) -> None:
        # Tooltips are formatted on hover only: full-precision text for 10k nodes per run
        # would cost more than the whole repaint.
        item = self.node_at(event.scenePos())
        text = item.toolTip() if item is not None else ""
        if text:
            QToolTip.showText(event.screenPos(), text)
        else:
            QToolTip.hideText()
        event.accept()

    def dragged_ids(self) -> set[str]:
        """The nodes a mouse drag may be moving right now (their items lead the model)."""
        return set(self._press_positions)

    def loose_wires(self) -> list[WireItem]:
        """The wires drawn as items of their own: the one being dragged and ghosts."""
        ghosts = [thing[1] for thing in self._flashed if isinstance(thing, tuple)]
        return ghosts + ([self._wiring.wire] if self._wiring is not None else [])

    def paint_overview(self, painter: QPainter, rect: QRectF) -> None:
        """The whole canvas zoomed far out, in one pass (the view calls this)."""
        overview.paint_overview(painter, self, rect)
