"""The inspector: the selected node's name, op, attributes, value, trainable flag and output
button, each edit one undoable command; a bad entry shows its error in red and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QFrame,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from cgeditor.gui import theme as T
from cgeditor.gui import theme_switch
from cgeditor.gui.docks.numbers import NumbersPanel
from cgeditor.gui.keep_together import WrapLabel
from cgeditor.model.values import format_value

if TYPE_CHECKING:
    from cgeditor.gui.editor import Editor
    from cgeditor.model.display import RunDisplay
    from cgeditor.model.graph import Graph, Node


class Field(QWidget):
    """A line edit with a red error line under it; ``apply(text)`` returns an error or None."""

    def __init__(self, name: str, text: str, apply: Callable[[str], str | None],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.edit = QLineEdit(text, self)
        self.edit.setCursorPosition(0)  # a long value reads from its start: "[[0.2, -0.1, …"
        self.edit.setObjectName(f"field_{name}")
        self.error = WrapLabel("", self)
        self.error.setObjectName(f"error_{name}")
        self.error.setStyleSheet(f"color: {T.current().error.name()};")
        self.error.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.edit)
        layout.addWidget(self.error)
        self._apply = apply
        self.edit.editingFinished.connect(self.commit)

    def commit(self) -> None:
        problem = self._apply(self.edit.text())
        self.error.setText(problem or "")
        self.error.setVisible(bool(problem))

    def set_text(self, text: str) -> None:
        if not self.error.isVisible() and self.edit.text() != text:
            self.edit.setText(text)
            self.edit.setCursorPosition(0)


class Inspector(QWidget):
    """Shows nothing, one node's form, or a count of the selected nodes."""

    def __init__(self, editor: Editor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        theme_switch.follow(self)  # error labels keep the colour they were given
        self.editor = editor
        self.node_id: str | None = None
        self.fields: dict[str, Field] = {}
        self.trainable: QCheckBox | None = None
        self.output_button: QPushButton | None = None
        # A short dock scrolls instead of squeezing rows into each other (wrapped doc text
        # reports too small a minimum height to a QFormLayout).
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        body = QWidget(scroll)
        self.summary = WrapLabel("Select a node to edit it.", body)
        self.summary.setObjectName("inspector_summary")
        self.form_host = QWidget(body)
        self.form = QFormLayout(self.form_host)
        self.form.setContentsMargins(0, 0, 0, 0)
        self.form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        self.setMinimumWidth(230)
        self.numbers = NumbersPanel(body)  # the selected node's numbers from the last run
        self.numbers.hide()
        self.run_display: RunDisplay | None = None
        inner = QVBoxLayout(body)
        inner.addWidget(self.summary)
        inner.addWidget(self.form_host)
        inner.addWidget(self.numbers)
        inner.addStretch(1)
        scroll.setWidget(body)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)

    @property
    def graph(self) -> Graph:
        return self.editor.graph

    def show_nodes(self, ids: list[str]) -> None:
        self._clear()
        self.node_id = ids[0] if len(ids) == 1 else None
        if not ids:
            self.summary.setText("Select a node to edit it.")
        elif len(ids) > 1:
            self.summary.setText(f"{len(ids)} nodes selected")
        else:
            self._build(self.graph.node(ids[0]))
        self.summary.setVisible(self.node_id is None)
        self._show_numbers()

    def show_run(self, display: RunDisplay) -> None:
        """The run's numbers for the selected node (the run view publishes every change)."""
        self.run_display = display
        self._show_numbers()

    def _show_numbers(self) -> None:
        shown = None
        if self.node_id is not None and self.run_display is not None:
            shown = self.run_display.nodes.get(self.node_id)
        if shown is None or (shown.value is None and shown.grad is None and not shown.note):
            self.numbers.hide()
            return
        label = shown.grad_label or f"∂{shown.output}/∂{shown.name}"
        self.numbers.show_numbers(shown.name, label, shown.value, shown.grad, shown.note,
                                  self.run_display.stale)

    def _clear(self) -> None:
        while self.form.rowCount():
            self.form.removeRow(0)
        self.fields, self.trainable, self.output_button = {}, None, None

    def _build(self, node: Node) -> None:
        node_id = node.id
        self._add_field("name", "Name", node.name, lambda t: self.editor.rename(node_id, t))
        op = QLabel(f"{node.spec.symbol}   {node.op}", self.form_host)
        op.setObjectName("inspector_op")
        self.form.addRow("Op", op)
        doc = QLabel(node.spec.doc, self.form_host)
        doc.setWordWrap(True)
        doc.setStyleSheet(f"color: {T.current().node_muted.name()};")
        self.form.addRow(doc)
        for attr in node.spec.attrs:
            self._add_field(f"attr_{attr.name}", attr.name, _attr_text(node.attrs[attr.name]),
                            lambda t, a=attr.name: self.editor.set_attr(node_id, a, t))
            self.fields[f"attr_{attr.name}"].edit.setToolTip(attr.doc)
        if node.is_leaf:
            self._add_field("value", "Value", format_value(node.value),
                            lambda t: self.editor.set_value(node_id, t))
            self.fields["value"].edit.setPlaceholderText("2.5 or [[1, 2], [3, 4]]")
        if node.is_input:
            self.trainable = QCheckBox("trainable parameter", self.form_host)
            self.trainable.setObjectName("inspector_trainable")
            self.trainable.setChecked(node.trainable)
            self.trainable.toggled.connect(lambda on: self.editor.set_trainable(node_id, on))
            self.form.addRow("", self.trainable)
        self.output_button = QPushButton("Use as output", self.form_host)
        self.output_button.setObjectName("inspector_output")
        self.output_button.clicked.connect(lambda: self.editor.set_output(node_id))
        self.form.addRow("", self.output_button)
        self._sync_output(node)

    def _add_field(self, key: str, label: str, text: str,
                   apply: Callable[[str], str | None]) -> None:
        field = Field(key, text, apply, self.form_host)
        self.fields[key] = field
        self.form.addRow(label, field)

    def restyle(self) -> None:
        """Rebuild the form after a theme switch: its error and doc colours come from it."""
        self.show_nodes([self.node_id] if self.node_id is not None else [])

    def refresh(self) -> None:
        """Re-read the shown node after an edit or an undo (keeps fields showing an error)."""
        if self.node_id is None:
            return
        node = self.graph.nodes.get(self.node_id)
        if node is None:
            self.show_nodes([])
            return
        if "name" in self.fields:
            self.fields["name"].set_text(node.name)
        for attr in node.spec.attrs:
            field = self.fields.get(f"attr_{attr.name}")
            if field is not None:
                field.set_text(_attr_text(node.attrs[attr.name]))
        if "value" in self.fields:
            self.fields["value"].set_text(format_value(node.value))
        if self.trainable is not None and self.trainable.isChecked() != node.trainable:
            self.trainable.blockSignals(True)
            self.trainable.setChecked(node.trainable)
            self.trainable.blockSignals(False)
        self._sync_output(node)

    def _sync_output(self, node: Node) -> None:
        if self.output_button is not None:
            is_out = self.graph.explicit_output == node.id
            self.output_button.setEnabled(not is_out)
            self.output_button.setText("This is the output" if is_out else "Use as output")


def _attr_text(value: object) -> str:
    return "" if value is None else format_value(value) if isinstance(value, float) \
        else str(value)
