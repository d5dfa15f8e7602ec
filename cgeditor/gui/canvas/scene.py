"""The canvas scene: observes a Graph's signals to keep node and wire items in step with it
(scene_sync.py), and turns mouse gestures (wiring, picking up wires, dragging nodes) into
intent signals (scene_gestures.py; a wiring gesture itself lives in wiring.py).

It never changes the Graph; the window turns intent into undoable commands.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, KeysView, Mapping
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
from cgeditor.gui.canvas.drag_follow import DragFollow
from cgeditor.gui.canvas.node_geometry import outline_at
from cgeditor.gui.canvas.node_item import OUT_PORT_Y, NodeItem
from cgeditor.gui.canvas.scene_gestures import SceneGestures
from cgeditor.gui.canvas.scene_labels import RunLabels
from cgeditor.gui.canvas.scene_sync import Held, ModelSync
from cgeditor.gui.canvas.selection import Selection
from cgeditor.gui.canvas.wire_item import WireItem, WireLabels
from cgeditor.gui.canvas.wire_layer import Wire, WireLayer
from cgeditor.gui.canvas.wiring import WireDrag
from cgeditor.model import collector
from cgeditor.model.display import RunDisplay
from cgeditor.model.graph import Graph
from cgeditor.model.room import Point, Rect

# Where the nodes of a graph whose outlines (by node id) lie on others go, by node id.
Parting = Callable[[Graph, Mapping[str, Rect]], Mapping[str, Point]]

_CACHED = QGraphicsItem.CacheMode.DeviceCoordinateCache
SCENE_MARGIN = 3000.0
# The graph's signals after which node shapes or gradient labels may differ.
RESHAPING = ("node_added", "node_removed", "node_renamed", "value_changed", "attrs_changed",
             "edge_added", "edge_removed", "output_changed", "parts_added", "parts_removed")


def _outlines(items: dict[str, NodeItem], nodes: dict[str, Any],
              dragged: KeysView[str]) -> dict[str, Rect]:
    """Every item's outline where it stands, in plain floats: a paste of 10k asks twice, and
    a QPointF and two QRectF per node were most of the cost. Places are the model's floats
    (its items stand there) except for the nodes a mouse drag is moving right now: two Qt
    calls a node were a third of what remained. outline_at's sums, written out: a call a
    node was a third of the rest."""
    left, top, bottom = T.OUTSET_X, T.OUTSET_TOP, T.OUTSET_BOTTOM
    wider = 2 * left
    rects = {}
    for node_id, item in items.items():
        box, node = item.box, nodes.get(node_id)
        if node is None or (dragged and node_id in dragged):
            x, y = item.x(), item.y()
        else:
            x, y = node.x, node.y
        rects[node_id] = (x - left, y - top, box.width + wider, box.height + top + bottom)
    return rects


class GraphScene(ModelSync, SceneGestures, RunLabels, QGraphicsScene):
    """Items for one Graph. Emits what the user wants; the window decides."""

    connect_requested = Signal(str, str, str)  # src, dst, port
    detach_requested = Signal(str, str)  # dst, port
    reconnect_requested = Signal(str, str, str, str, str)  # src, old dst/port, new dst/port
    nodes_moved = Signal(dict)  # {id: ((old x, old y), (new x, new y))}

    def __init__(self, graph: Graph, parent: Any = None,
                 item_class: type[NodeItem] = NodeItem, part: Parting | None = None) -> None:
        """``part``: where the nodes that lie on others go (a file being opened), asked
        with every new item's outline before the items and wires enter the scene."""
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
        self.run_display: RunDisplay | None = None  # the run's picture painted last
        self._marked_output: str | None = None  # the node showing the OUT tag
        self.item_cache = False  # whether node items keep their paint in a pixmap
        self.selection = Selection(self)  # handlers connect to selection.changed
        self._held: Held | None = None  # what a graph batch changed, shown at its end
        self.setBackgroundBrush(T.current().canvas)
        self._reserve_timer = QTimer(self)  # a burst of edits re-infers shapes once
        self._reserve_timer.setSingleShot(True)
        self._reserve_timer.timeout.connect(self.reserve_shapes)
        self._shapes: dict[str, tuple] = {}
        self._out_name = "J"
        # Since the editor last asked: outlines of nodes before they grew, and new nodes.
        self._grown: dict[str, Rect] = {}
        self._added: list[str] = []
        # A node moved or came since note_outgrown last looked: only then can a node kept
        # larger than reserved cover one it did not cover after the room made then.
        self._placed = True
        self._outdated = False  # shapes may have changed since the last reserve
        self.parted: list[str] = []  # the names of the nodes ``part`` moved
        self._build(part)
        self._slots = {
            "node_added": self._on_node_added, "node_removed": self._on_node_removed,
            "node_moved": self._on_node_moved, "node_renamed": self._on_node_renamed,
            "value_changed": self._on_value_changed, "attrs_changed": self._on_attrs_changed,
            "edge_added": self._on_edge_added, "edge_removed": self._on_edge_removed,
            "parts_added": self._on_parts_added, "parts_removed": self._on_parts_removed,
            "nodes_moved": self._on_nodes_moved,
            "output_changed": self._on_output_changed,
            "batch_started": self._on_batch_started, "batch_finished": self._on_batch_finished,
        }
        for name, slot in self._slots.items():
            getattr(graph, name).connect(slot)
        # Before ``changed`` (which the run view follows): an edit that may change shapes
        # leaves the reserve out of date until the timer fires or the editor asks.
        for name in RESHAPING:
            getattr(graph, name).connect(self._reserve_outdated)
        graph.changed.connect(self._reserve_later)

    def detach(self) -> None:
        """Stop observing the graph (before this scene is thrown away)."""
        for name, slot in self._slots.items():
            getattr(self.graph, name).disconnect(slot)
        if self._slots:
            for name in RESHAPING:
                getattr(self.graph, name).disconnect(self._reserve_outdated)
            self.graph.changed.disconnect(self._reserve_later)
        self._slots = {}
        self._reserve_timer.stop()

    # --- building -----------------------------------------------------------------------
    def _build(self, part: Parting | None) -> None:
        # Python's cyclic collector would run full passes over the growing heap while 30k
        # items are made (all long-lived, no cycles to find): paused, building is ~2x faster.
        # Sized right from the start: resizing 10k items already in the index costs seconds.
        self._shapes, self._out_name = self._reserved()
        with collector.paused():
            self.addItem(self.wire_layer)
            items = self.make_node_items(self.graph.nodes.values())
            if part is not None:
                self._part(part)
            add = self.addItem
            for item in items:
                add(item)
            self.wire_layer.add_all(self._wire_ends())
        self._mark_output()
        self._fit_rect()

    def _part(self, part: Parting) -> None:
        """Move the nodes ``part`` places elsewhere, in the graph (one announcement; this
        scene does not follow it yet) and their items, before any item is indexed or any
        wire routed: moving 5k parted items and re-routing their wires afterwards cost
        ~0.1 s at 10k nodes."""
        nodes, items = self.graph.nodes, self.nodes
        moves = part(self.graph, _outlines(items, nodes, {}.keys()))
        if moves:
            with self.graph.batch():
                self.graph.move_nodes(moves)
            for node_id, (x, y) in moves.items():
                items[node_id].setPos(x, y)
        self.parted = sorted(nodes[node_id].name for node_id in moves)

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

    def graph_rect(self, ids: Iterable[str] | None = None) -> QRectF:
        """The rectangle around every node (what Fit shows), or around the nodes ``ids``
        that are on the canvas (null if none is). Read from plain numbers: 10k
        sceneBoundingRect calls and unions cost a fifth of a second."""
        items = list(self.nodes.values() if ids is None
                     else (self.nodes[i] for i in ids if i in self.nodes))
        if not items:
            return QRectF()
        left = right = items[0].x()
        top = bottom = items[0].y()
        for item in items:  # one pass, two Qt calls a node
            x, y, box = item.x(), item.y(), item.box
            left = x if x < left else left
            top = y if y < top else top
            low = y + box.height
            bottom = low if low > bottom else bottom
            far = x + box.width
            right = far if far > right else right
        return QRectF(left, top, right - left, bottom - top)

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

    # --- growth: what the editor makes room for -----------------------------------------
    def note_grown(self, item: NodeItem, width: float, height: float) -> None:
        """Node ``item``, whose body was ``width`` × ``height``, got wider or taller (10k at
        once when a paste's output name widens every gradient row), noted at the place the
        model holds (its item stands there, unless dragged), as ``_outlines`` reads it."""
        node_id, grown = item.node_id, self._grown
        if node_id not in grown:
            node = self.graph.nodes.get(node_id)
            x, y = (item.x(), item.y()) if node is None or node_id in self.dragged_ids() \
                else (node.x, node.y)
            grown[node_id] = outline_at(x, y, width, height)

    def note_outgrown(self) -> None:
        """Every node a run keeps larger than reserved counts as grown once more: an undo of
        the room made for it may have put a neighbour back under it. Nothing moved or came
        since the last call: no node can be under one now that was not then (a grown one
        is noted as it grows), so the 10k nodes are not asked again."""
        if not self._placed:
            return
        self._placed = False
        for item in self.nodes.values():
            size = item.outgrown()
            if size is not None:
                self.note_grown(item, *size)

    def take_changes(self) -> tuple[dict[str, Rect], list[str]]:
        """The nodes that grew (their outlines before) and the nodes added since the last
        call, after any pending reservation is applied; both are then forgotten."""
        if self._outdated:
            self.reserve_shapes()
        grown, added = self._grown, [n for n in self._added if n in self.nodes]
        self._grown, self._added = {}, []
        return grown, added

    def _reserve_outdated(self, *_args: object) -> None:
        self._outdated = True

    def _reserve_later(self) -> None:
        """After a burst of edits, once; a move changes no shape and reserves nothing."""
        if self._outdated:
            self._reserve_timer.start()

    def outlines(self) -> dict[str, Rect]:
        """Every node's whole outline (ports, badge, reserved rows) as (x, y, w, h)."""
        with collector.paused():  # 10^4 lasting tuples: no cycles to look for
            return _outlines(self.nodes, self.graph.nodes, self.dragged_ids())

    # --- selection helpers --------------------------------------------------------------
    def selected_ids(self) -> list[str]:
        return self.selection.ids()

    def select_ids(self, ids: Iterable[str]) -> None:
        """Select exactly the nodes ``ids``: one ``selection.changed``, however many."""
        items = self.nodes  # read once: an attribute of a QObject costs a lookup
        chosen: list[str] = []
        with self.selection.bulk(chosen):
            self.clearSelection()
            for node_id in ids:
                item = items.get(node_id)
                if item is not None:
                    item.setSelected(True)
                    chosen.append(node_id)

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

    def dragged_ids(self) -> KeysView[str]:
        """The nodes a mouse drag may be moving right now (their items lead the model)."""
        return self._press_positions.keys()

    def loose_wires(self) -> list[WireItem]:
        """The wires drawn as items of their own: the one being dragged and ghosts."""
        ghosts = [thing[1] for thing in self._flashed if isinstance(thing, tuple)]
        return ghosts + ([self._wiring.wire] if self._wiring is not None else [])

    def paint_overview(self, painter: QPainter, rect: QRectF) -> None:
        """The whole canvas zoomed far out, in one pass (the view calls this)."""
        overview.paint_overview(painter, self, rect)
