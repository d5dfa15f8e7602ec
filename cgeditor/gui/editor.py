"""Turning what the user wants (canvas, palette, inspector intent) into undoable commands.

Everything is validated against the Graph first; a refusal is reported (messages, status bar,
flash on the canvas) and changes nothing. Methods return an error text or None.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QPointF
from PySide6.QtGui import QUndoCommand

from cgeditor.core.ops import REGISTRY
from cgeditor.gui import commands as C
from cgeditor.gui import theme as T
from cgeditor.model.errors import CycleError, GraphError, SelfLoopError
from cgeditor.model.values import coerce_attrs, parse_value_text

if TYPE_CHECKING:
    from cgeditor.gui.window import MainWindow
    from cgeditor.model.graph import Graph

PASTE_OFFSET = 40.0


class Editor:
    """The window's edit operations; each successful one is exactly one undo step."""

    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self._paste_counts: dict[str, int] = {}

    @property
    def graph(self) -> Graph:
        return self.window.graph

    def push(self, command: QUndoCommand | None) -> None:
        if command is not None:
            self.window.undo_stack.push(command)

    def refuse(self, reason: str) -> str:
        self.window.log(f"Refused: {reason}")
        return reason

    # --- nodes --------------------------------------------------------------------------
    def add_op(self, op: str, at: QPointF) -> str | None:
        """Add an ``op`` node whose header is centred on ``at``; its id, or None."""
        if op not in REGISTRY:
            self.refuse(f"unknown op {op!r}")
            return None
        cmd = C.AddNode(self.graph, op, self.graph.generated_name(op),
                        round(at.x() - T.NODE_WIDTH / 2), round(at.y() - T.HEADER_HEIGHT / 2))
        self.push(cmd)
        self.window.scene.select_ids([cmd.node_id])
        return cmd.node_id

    def delete(self, ids: list[str]) -> None:
        if ids:
            self.push(C.delete_nodes(self.graph, ids))

    def move(self, moves: dict[str, Any]) -> None:
        moves = {k: v for k, v in moves.items() if k in self.graph.nodes}
        if moves:
            self.push(C.MoveNodes(self.graph, moves))

    # --- wires --------------------------------------------------------------------------
    def connect(self, src: str, dst: str, port: str) -> str | None:
        refusal = self.graph.can_connect(src, dst, port)
        if refusal is not None:
            return self._refuse_wire(refusal, src, dst, port)
        self.push(C.connect(self.graph, src, dst, port))
        return None

    def detach(self, dst: str, port: str) -> None:
        if self.graph.source_of(dst, port) is not None:
            self.push(C.Disconnect(self.graph, dst, port))

    def reconnect(self, src: str, old_dst: str, old_port: str, dst: str, port: str) -> None:
        """Move the wire src -> old_dst.old_port to dst.port; dropped back on its own port
        it stays as it is."""
        if self.graph.source_of(old_dst, old_port) != src:
            self.refuse(f"there is no wire from {src!r} into {old_dst!r}.{old_port}")
            return
        if (dst, port) == (old_dst, old_port):
            return
        refusal = self.graph.can_connect(src, dst, port)
        if refusal is not None:
            self._refuse_wire(refusal, src, dst, port)
            return
        self.push(C.reconnect(self.graph, src, old_dst, old_port, dst, port))

    def _refuse_wire(self, refusal: GraphError, src: str, dst: str, port: str) -> str:
        """Light what the refusal names (the cycle the wire would close, or the node asked
        to feed itself) and log its reason."""
        if isinstance(refusal, CycleError):
            self.window.scene.flash(refusal.path, (src, dst, port))
        elif isinstance(refusal, SelfLoopError):
            self.window.scene.flash([src])
        return self.refuse(str(refusal))

    # --- properties (the inspector's fields) --------------------------------------------
    def rename(self, node_id: str, name: str) -> str | None:
        name = name.strip()
        if node_id not in self.graph.nodes or self.graph.nodes[node_id].name == name:
            return None
        try:
            self.graph.validate_name(name, node_id)
        except GraphError as exc:
            return str(exc)
        self.push(C.Rename(self.graph, node_id, name))
        return None

    def set_value(self, node_id: str, text: str) -> str | None:
        try:
            value = parse_value_text(text)
        except GraphError as exc:
            return str(exc)
        node = self.graph.nodes.get(node_id)
        if node is None:
            return None
        if not node.is_leaf:
            return f"{node.name} computes its value"
        if _same(node.value, value):
            return None
        self.push(C.SetValue(self.graph, node_id, value))
        return None

    def set_attr(self, node_id: str, attr: str, text: str) -> str | None:
        node = self.graph.nodes.get(node_id)
        if node is None:
            return None
        try:
            value = coerce_attrs(node.spec, {attr: text})[attr]
        except GraphError as exc:
            return str(exc)
        if node.attrs.get(attr) != value:
            self.push(C.SetAttr(self.graph, node_id, attr, value))
        return None

    def set_trainable(self, node_id: str, trainable: bool) -> None:
        node = self.graph.nodes.get(node_id)
        if node is not None and node.is_input and node.trainable != trainable:
            self.push(C.SetTrainable(self.graph, node_id, trainable))

    def set_output(self, node_id: str) -> None:
        if node_id in self.graph.nodes and self.graph.explicit_output != node_id:
            self.push(C.SetOutput(self.graph, node_id))

    def make_output_scalar(self, op: str) -> str | None:
        """Insert ``sum`` or ``mean`` of the tensor output as the new output (one step)."""
        if op not in ("sum", "mean"):
            return self.refuse(f"{op} does not reduce a tensor to one number")
        if self.graph.output is None:
            return self.refuse("the graph has no output to reduce")
        cmd = C.reduce_output(self.graph, op)
        self.push(cmd)
        self.window.scene.select_ids([cmd.children_[0].node_id])
        return None

    # --- clipboard ----------------------------------------------------------------------
    def paste_payload(self, payload: dict[str, Any], key: str) -> list[str]:
        """Paste a validated clipboard payload, each repeat a further step down-right."""
        count = self._paste_counts.get(key, 0) + 1
        offset = PASTE_OFFSET * count
        try:
            cmd, ids = C.paste(self.graph, payload["nodes"], payload["edges"], offset, offset)
        except GraphError as exc:  # nothing was changed: the command was never pushed
            self.refuse(f"cannot paste: {exc}")
            return []
        self._paste_counts[key] = count
        self.push(cmd)
        self.window.scene.select_ids(ids)
        return ids


def _same(a: Any, b: Any) -> bool:
    import numpy as np
    return np.shape(a) == np.shape(b) and bool(np.array_equal(a, b))
