"""The canvas scene kept in step with its Graph: the handlers of the model's signals. A mixin
of GraphScene, which provides ``graph``, ``nodes``, ``wire_layer``, ``selection`` and the
reserve timer.

Inside a batch (``Graph.batch``: paste, a bulk delete and its undo, a drag's move) nodes and
wires that arrive are held and shown in one pass at its end: each node's box is measured once,
for the output name and shapes the graph has then, and every wire is routed once.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from PySide6.QtCore import QTimer

from cgeditor.core.ops import REGISTRY
from cgeditor.gui.canvas.drag_follow import DragFollow, place_wires, wires_of
from cgeditor.gui.canvas.node_geometry import BoxArgs, NodeBox, box_for_output
from cgeditor.gui.canvas.node_item import NodeItem
from cgeditor.gui.canvas.scene_parts import SceneParts
from cgeditor.gui.canvas.wire_layer import Wire
from cgeditor.model import collector
from cgeditor.model.display import BLANK_NODE, idle_node
from cgeditor.model.errors import GraphError
from cgeditor.model.graph import Edge, Node
from cgeditor.model.room import Rect
from cgeditor.model.run import infer_shapes

# Up to this many nodes every node reserves room for its value's inferred shape (one
# evaluation on zeros per structural edit); past it the nodes of a graph too big to read
# reserve a scalar's rows and grow when a run shows a tensor.
RESERVE_LIMIT = 3000
Ends = tuple[float, float, float, float]


@dataclass
class Held:
    """What a batch changed, shown at its end."""

    nodes: dict[str, Node] = field(default_factory=dict)  # added: items made at the end
    wires: dict[tuple[str, str], str] = field(default_factory=dict)  # added: (dst, port) -> src
    moves: set[str] = field(default_factory=set)  # nodes with items whose wires reroute
    places: list[tuple[float, float]] = field(default_factory=list)  # to grow the rect to
    removed_wires: bool = False  # the wire layer repaints once


class ModelSync(SceneParts):
    """Model observers for GraphScene."""

    item_class: type[NodeItem]
    item_cache: bool
    _reserve_timer: QTimer
    _held: Held | None
    _shapes: dict[str, tuple]
    _out_name: str
    _grown: dict[str, Rect]  # outlines of nodes before they grew, since the editor asked
    _marked_output: str | None
    _added: list[str]
    _placed: bool
    _outdated: bool
    _follow: DragFollow | None

    def add_node_items(self, nodes: Iterable[Node]) -> None:
        """An item for each of ``nodes``, at its place, added to the scene."""
        add = self.addItem
        for item in self.make_node_items(nodes):
            add(item)

    def make_node_items(self, nodes: Iterable[Node]) -> list[NodeItem]:
        """An item for each of ``nodes``, at its place, measured for the reserve the scene
        has now, filed in ``self.nodes`` but not yet in the scene (10k when a file opens or
        a paste lands: the scene's attributes, each a lookup on a QObject, are read once)."""
        make, items, made = self.item_class, self.nodes, []
        shapes, out_name, cached = self._shapes, self._out_name, self.item_cache
        run = self.run_display
        for node in nodes:  # the op's is_leaf: a new Node's cached one costs more at first
            leaf = REGISTRY[node.op].is_leaf
            shown = idle_node(node.value) if leaf else None
            if run is not None and node.id in run.nodes:
                # a node Undo brings back: the run's numbers for it (stale), as its
                # neighbours show theirs
                shown = run.shown(node.id, shown or BLANK_NODE, leaf)
            item = make(node, shown, shapes.get(node.name), out_name)
            if cached:
                item.setCacheMode(NodeItem.CacheMode.DeviceCoordinateCache)
            items[node.id] = item
            made.append(item)
        return made

    def _ends(self, src: str, dst: str, port: str) -> Ends:
        """Where the wire src -> dst.port runs now: from the items, which lead the model
        while a drag moves them."""
        return (*self.nodes[src].out_port_xy(), *self.nodes[dst].in_port_xy(port))

    def _ends_now(self, wires: list[Wire]) -> Iterator[Ends]:
        """Where each of ``wires`` runs now, as _ends says, with each node's place read
        once: from the model's floats, where its item stands, except for the nodes a mouse
        drag is moving (their items lead the model). A paste that widens 10k nodes
        re-routes 20k wires, and two Qt calls a node were a fifth of it."""
        items, nodes, dragged = self.nodes, self.graph.nodes, self.dragged_ids()
        places: dict[str, tuple[float, float]] = {}

        def place(node_id: str) -> tuple[float, float]:
            node = nodes.get(node_id)
            if node is None or node_id in dragged:
                item = items[node_id]
                return item.x(), item.y()
            return node.x, node.y

        outs: dict[str, tuple[float, float]] = {}
        for wire in wires:
            src, dst = wire.src, wire.dst
            out = outs.get(src)
            if out is None:
                out = outs[src] = items[src].out_port_at(*place(src))
            at = places.get(dst)
            if at is None:
                at = places[dst] = place(dst)
            yield (*out, *items[dst].in_port_at(*at, wire.port))

    def _held_wire_ends(self, held: Held) -> Iterator[tuple[str, str, str, Ends]]:
        """Each wire ``held`` adds with its ends. The items made for ``held``'s nodes stand
        where those say: their ports are found from the nodes' floats (a 10k paste's 20k
        wires asked Qt for 80k coordinates)."""
        items, made = self.nodes, held.nodes
        outs: dict[str, tuple[float, float]] = {}  # each source's port, found once
        for (dst, port), src in held.wires.items():
            item, node = items[dst], made.get(dst)
            item.connected.add(port)
            into = item.in_port_xy(port) if node is None else item.in_port_at(node.x, node.y,
                                                                               port)
            out = outs.get(src)
            if out is None:
                node = made.get(src)
                out = outs[src] = items[src].out_port_xy() if node is None else \
                    items[src].out_port_at(node.x, node.y)
            yield src, dst, port, (*out, *into)

    def _mark_output(self) -> None:
        out = self.graph.explicit_output
        for node_id in {self._marked_output, out} - {None}:
            item = self.nodes.get(node_id)
            if item is not None and item.set_marks(node_id == out, item.trainable):
                self.reroute_wires([node_id])
        self._marked_output = out

    # --- observing the model ------------------------------------------------------------
    def _on_node_added(self, node: Node) -> None:
        self._added.append(node.id)  # the editor moves it if it lands on another node
        self._placed = True
        if self._held is not None:
            self._held.nodes[node.id] = node
            self._held.places.append((node.x, node.y))
            return
        self.add_node_items((node,))
        self._grow_rect(node.x, node.y)

    def _on_parts_added(self, nodes: list[Node], edges: list[tuple[str, str, str]]) -> None:
        """Many nodes and wires at once (Graph.add_parts): held, and shown in one pass at
        the end of the batch, or right away in one pass of their own."""
        if self._held is None:
            self._on_batch_started()
            try:
                self._hold_parts(nodes, edges)
            finally:
                self._on_batch_finished()
        else:
            self._hold_parts(nodes, edges)

    def _hold_parts(self, nodes: list[Node], edges: list[tuple[str, str, str]]) -> None:
        held = self._held
        assert held is not None, "parts are held inside a batch"
        held.nodes.update((node.id, node) for node in nodes)
        held.places.extend((node.x, node.y) for node in nodes)
        held.wires.update(((dst, port), src) for src, dst, port in edges)
        self._added.extend(node.id for node in nodes)
        self._placed = True

    def _on_node_removed(self, node: Node) -> None:
        if self._held is not None and self._held.nodes.pop(node.id, None) is not None:
            return
        item = self.nodes.pop(node.id, None)
        if item is not None:
            self.removeItem(item)

    def _on_node_moved(self, node: Node) -> None:
        self._on_nodes_moved([node])

    def _on_nodes_moved(self, nodes: list[Node]) -> None:
        """Items to where the model has their nodes and their wires re-routed, once each;
        in a batch only the wires of items that were not there yet (a drag left its items
        there, and DragFollow their wires)."""
        held = self._held
        items = self.nodes
        placed = []
        self._placed = True
        for node in nodes:
            if held is not None and node.id in held.nodes:  # its item is made at the end
                continue
            item = items[node.id]
            if item.x() != node.x or item.y() != node.y:
                item.setPos(node.x, node.y)
                placed.append(node.id)
        if held is not None:
            held.places.extend((node.x, node.y) for node in nodes)
            held.moves.update(placed)
        else:
            self.reroute_wires(node.id for node in nodes)
            self._grow_over([(node.x, node.y) for node in nodes])

    def _on_batch_started(self) -> None:
        self.selection.hold()
        self._held = Held()

    def _on_batch_finished(self) -> None:
        held, self._held = self._held or Held(), None
        # After Graph.batch has let the collector run again: 10k lasting items and 20k wires
        # would trigger full passes over the heap, each finding nothing.
        with collector.paused():
            self._show_held(held)
        self.selection.release()

    def _show_held(self, held: Held) -> None:
        """Put what the batch ``held`` changed on the canvas, each node and wire once."""
        self._grow_over(held.places)
        # Old items first take the final reserve, so the new ones are measured once with it.
        refit = self.reserve_shapes(reroute=False)
        self.add_node_items(held.nodes.values())
        self._mark_output()
        if held.wires:
            self.wire_layer.add_all(self._held_wire_ends(held))
            for dst in {dst for dst, _port in held.wires} - held.nodes.keys():
                self.nodes[dst].update()  # an old node's port now shows a wire
        elif held.removed_wires:
            self.wire_layer.changed(self.wire_layer.boundingRect())
        self.reroute_wires(held.moves.union(refit))  # each wire once

    def _grow_over(self, places: list[tuple[float, float]]) -> None:
        """Grow the scene rect over every (x, y) of ``places``, in two steps."""
        if places:
            xs, ys = [p[0] for p in places], [p[1] for p in places]
            self._grow_rect(min(xs), min(ys))
            self._grow_rect(max(xs), max(ys))

    def _held_node(self, node: Node) -> bool:
        """Whether ``node`` arrived in this batch (its item, made at the end, shows all)."""
        return self._held is not None and node.id in self._held.nodes

    def _on_node_renamed(self, node: Node) -> None:
        if self._held_node(node):
            return
        if self.nodes[node.id].set_name(node.name):
            self.reroute_wires([node.id])
        if self._held is None and node.id == self.graph.output:  # every gradient row names it
            self.reserve_shapes()

    def reserve_shapes(self, reroute: bool = True) -> list[str]:
        """Have every node reserve room for its value's shape (inferred on zeros, without a
        run) and for the gradient row of the current output; wires follow widened nodes
        (unless ``reroute`` is False: the caller reroutes). The ids of the widened nodes."""
        self._reserve_timer.stop()
        self._outdated = False
        shapes, out_name = self._reserved()
        if (shapes, out_name) == (self._shapes, self._out_name):
            # Every item took these when made or at the last reserve (a drag's end: 10k
            # items asked for nothing new).
            return []
        self._shapes, self._out_name = shapes, out_name
        # A new output name remeasures every box and re-routes 20k wires: lasting tuples
        # whose count set off full collections of the whole heap (~0.15 s at 10k nodes).
        with collector.paused():
            moved = self._refit_all(shapes, out_name)
            if reroute:
                self.reroute_wires(moved)
        return moved

    def _refit_all(self, shapes: dict[str, tuple], out_name: str) -> list[str]:
        """Every item's box for ``shapes`` and the output ``out_name``; the ids of those
        whose width changed. An item whose shape stays (every item of a graph past
        RESERVE_LIMIT) and shows no stale run is measured by one addition (a paste's new
        output name: 10k items), and only one whose size changes is touched; what grew is
        noted (note_grown)."""
        moved = []
        boxes: dict[BoxArgs, NodeBox] = {}  # 10k nodes share a few sets of box args
        for node_id, item in self.nodes.items():
            shape = shapes.get(item.name)
            if shape != item.value_shape or item.display.stale:
                if item.set_reserve(shape, out_name):
                    moved.append(node_id)
                continue
            args = item.box_args
            box = boxes.get(args)
            if box is None:
                box = boxes[args] = box_for_output(args, out_name)
            old = item.refit_for_output(out_name, box)
            if old is None:
                continue
            if box.width != old.width:
                moved.append(node_id)
            if box.width > old.width or box.height > old.height:
                self.note_grown(item, old.width, old.height)
        return moved

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
        if self._held_node(node):
            return
        item = self.nodes[node.id]
        item.idle = idle_node(node.value)
        idle = item.idle
        # The value too: the box follows its shape (a scalar edited to a matrix grows rows).
        item.set_display(value_text=idle.value_text, grid=idle.grid, heatmap=idle.heatmap,
                         value=idle.value)

    def _on_attrs_changed(self, node: Node) -> None:
        if self._held_node(node):
            return
        item = self.nodes[node.id]
        if item.set_marks(item.is_output, node.trainable):
            self.reroute_wires([node.id])

    def _on_edge_added(self, edge: Edge) -> None:
        if self._held is not None:
            self._held.wires[(edge.dst, edge.port)] = edge.src
            return
        self.wire_layer.add(edge.src, edge.dst, edge.port,
                            self._ends(edge.src, edge.dst, edge.port))
        item = self.nodes[edge.dst]
        item.connected.add(edge.port)
        item.update()

    def _on_edge_removed(self, edge: Edge) -> None:
        key = (edge.dst, edge.port)
        held = self._held
        if held is not None:
            if held.wires.pop(key, None) is not None:
                return
            held.removed_wires = True
        self.wire_layer.remove(key, repaint=held is None)
        self._unplug(edge)

    def _unplug(self, edge: Edge) -> None:
        """The target's port of a removed wire shows no wire now."""
        dst = self.nodes.get(edge.dst)
        if dst is not None:
            dst.connected.discard(edge.port)
            dst.update()

    def _on_parts_removed(self, nodes: list[Node], edges: list[Edge]) -> None:
        """Many nodes and every wire touching them at once (Graph.remove_parts): the wire
        layer repaints once and the selection is announced once."""
        held = self._held
        gone = {node.id for node in nodes}
        keys = [(edge.dst, edge.port) for edge in edges]
        if held is not None:  # wires added in this batch have no place in the layer yet
            keys = [key for key in keys if held.wires.pop(key, None) is None]
        self.wire_layer.remove_many(keys)
        for edge in edges:
            if edge.dst not in gone:
                self._unplug(edge)
        with self.selection.held():
            # Deselected at once, not by each removal: Qt announces every selected item
            # it removes, and re-counts the selection each time.
            if self.selection.id_set() <= gone:
                self.clearSelection()
            for node in nodes:
                self._on_node_removed(node)

    def _on_output_changed(self, _node_id: str | None) -> None:
        if self._held is None:  # a batch marks the output and reserves at its end
            self._mark_output()
            self.reserve_shapes()

    def reroute_wires(self, node_ids: Iterable[str]) -> None:
        """Re-route the wires of the nodes ``node_ids``, each wire once. Many at a time
        (dragging a big selection) repaint as one region instead of two per wire."""
        ids = {i for i in node_ids if i in self.nodes and i in self.graph.nodes}
        wires = wires_of(ids, self.graph, self.wires)
        placed = list(zip(wires, self._ends_now(wires), strict=True))
        follow = self._follow  # a drag under way: its wires follow from these ends now
        if follow is not None:
            follow.settle()  # a riding layer back in place: the ends are the items'
        place_wires(self.wire_layer, placed)
        if follow is not None:
            follow.retake(placed)
