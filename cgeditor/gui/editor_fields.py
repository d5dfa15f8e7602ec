"""The Editor's edits of one node's fields, as the inspector makes them: rename, value,
attribute, trainable, output, and a sum or mean inserted to make a tensor output a scalar.
Each validates first and is one undo step (through ``Editor.push``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from cgeditor.gui import commands as C
from cgeditor.gui.placement import free_spot_right_of
from cgeditor.model.errors import GraphError
from cgeditor.model.values import coerce_attrs, parse_value_text

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from PySide6.QtGui import QUndoCommand

    from cgeditor.gui.context import Document
    from cgeditor.model.graph import Graph


class FieldEdits:
    """Mixed into Editor, whose push, refuse, report and settle it uses."""

    document: Document
    graph: Graph
    reveal: Callable[[Iterable[str]], None]

    def push(self, command: QUndoCommand | None) -> None:
        raise NotImplementedError

    def refuse(self, reason: str) -> str:
        raise NotImplementedError

    def report(self, line: str) -> None:
        raise NotImplementedError

    def _settle(self) -> None:
        raise NotImplementedError

    def rename(self, node_id: str, name: str) -> str | None:
        name = name.strip()
        if node_id not in self.graph.nodes or self.graph.nodes[node_id].name == name:
            return None
        try:
            self.graph.validate_name(name, node_id)
        except GraphError as exc:
            return str(exc)
        self._settle()
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
        self._settle()  # the value shown may be a training's, not yet the graph's
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
            self._settle()
            self.push(C.SetAttr(self.graph, node_id, attr, value))
        return None

    def set_trainable(self, node_id: str, trainable: bool) -> None:
        node = self.graph.nodes.get(node_id)
        if node is not None and node.is_input and node.trainable != trainable:
            self._settle()
            self.push(C.SetTrainable(self.graph, node_id, trainable))

    def set_output(self, node_id: str) -> None:
        if node_id in self.graph.nodes and self.graph.explicit_output != node_id:
            self._settle()
            self.push(C.SetOutput(self.graph, node_id))

    def make_output_scalar(self, op: str) -> str | None:
        """Insert ``sum`` or ``mean`` of the tensor output as the new output (one step)."""
        if op not in ("sum", "mean"):
            return self.refuse(f"{op} does not reduce a tensor to one number")
        if self.graph.output is None:
            return self.refuse("the graph has no output to reduce")
        self._settle()
        out = self.graph.nodes[self.graph.output].name
        cmd = C.reduce_output(self.graph, op,
                              free_spot_right_of(self.document.shown_scene(), self.graph.output))
        self.push(cmd)
        new = cmd.children_[0].node_id
        self.document.shown_scene().select_ids([new])
        self.reveal([new])  # it goes right of the output, which may be at the canvas's edge
        self.report(f"Made the output a scalar: {self.graph.nodes[new].name} = {op}({out})")
        return None


def _same(a: Any, b: Any) -> bool:
    return np.shape(a) == np.shape(b) and bool(np.array_equal(a, b))
