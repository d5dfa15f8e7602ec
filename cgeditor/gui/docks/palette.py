"""The op palette: every registry op grouped by category, searchable, dragged onto the canvas.

A drag carries the op name under OP_MIME; a double-click asks for the op at the view centre.
"""

from __future__ import annotations

from PySide6.QtCore import QMimeData, Qt, Signal
from PySide6.QtGui import QBrush, QDrag, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLineEdit,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from cgeditor.core.ops import CATEGORIES, REGISTRY, OpSpec
from cgeditor.gui import theme as T
from cgeditor.gui import theme_switch
from cgeditor.gui.canvas.view import OP_MIME

OP_ROLE = Qt.ItemDataRole.UserRole + 1


def op_mime(op: str) -> QMimeData:
    mime = QMimeData()
    mime.setData(OP_MIME, op.encode("utf-8"))
    mime.setText(op)
    return mime


def swatch(category: str, size: int = 12) -> QIcon:
    """A small rounded square in the category colour (the node header colour)."""
    pix = QPixmap(size, size)
    pix.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pix)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QBrush(T.category_color(category)))
    painter.drawRoundedRect(1, 1, size - 2, size - 2, 3, 3)
    painter.end()
    return QIcon(pix)


def op_label(spec: OpSpec) -> str:
    """The op's name after its symbol when the symbol is a glyph ('+  add', 'σ  sigmoid');
    the name alone when the symbol only abbreviates it in letters (CE, logsm, max), so the
    palette stays narrow."""
    if spec.symbol.isascii() and spec.symbol.isalpha():
        return spec.name
    return f"{spec.symbol}  {spec.name}"


def op_tip(spec: OpSpec) -> str:
    """The hover text: the op's whole label, then its doc. The narrow palette cuts a long
    name ('mᵀ  matrix_tr…'), and the doc alone did not say which op it was."""
    return f"{op_label(spec)}: {spec.doc}" if spec.doc else op_label(spec)


def matches(spec: OpSpec, text: str) -> bool:
    text = text.strip().lower()
    return not text or text in spec.name.lower() or text in spec.symbol.lower() \
        or text in spec.doc.lower() or text in spec.category.lower()


class OpTree(QTreeWidget):
    """The tree itself: starts a real QDrag with the op's mime data."""

    def startDrag(self, actions: Qt.DropAction) -> None:
        item = self.currentItem()
        op = item.data(0, OP_ROLE) if item is not None else None
        if not op:
            return
        drag = QDrag(self)
        drag.setMimeData(op_mime(op))
        drag.setPixmap(item.icon(0).pixmap(16, 16))
        drag.exec(Qt.DropAction.CopyAction)


class OpPalette(QWidget):
    """Search box over a category tree of ops."""

    op_activated = Signal(str)  # double-click or Enter: add at the view centre

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        theme_switch.follow(self)  # its swatches are painted once, in the colours of their day
        self.search = QLineEdit(self)
        self.search.setObjectName("palette_search")
        self.search.setPlaceholderText("Search ops…")
        self.search.setClearButtonEnabled(True)
        self.tree = OpTree(self)
        self.tree.setObjectName("palette_tree")
        self.tree.setHeaderHidden(True)
        self.tree.setDragEnabled(True)
        self.tree.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.tree.setIndentation(0)  # the bold category rows already group the ops
        self.tree.setRootIsDecorated(False)
        self.setMinimumWidth(140)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(4)
        layout.addWidget(self.search)
        layout.addWidget(self.tree)
        self._fill()
        self.search.textChanged.connect(self.filter)
        self.search.returnPressed.connect(self._activate_first)
        self.tree.itemActivated.connect(self._activated)
        self.tree.itemDoubleClicked.connect(self._activated)

    def _fill(self) -> None:
        for category in CATEGORIES:
            group = QTreeWidgetItem(self.tree, [category])
            group.setFlags(Qt.ItemFlag.ItemIsEnabled)
            font = group.font(0)
            font.setBold(True)
            group.setFont(0, font)
            for spec in REGISTRY.values():
                if spec.category == category:
                    item = QTreeWidgetItem(group, [op_label(spec)])
                    item.setData(0, OP_ROLE, spec.name)
                    item.setToolTip(0, op_tip(spec))
                    item.setIcon(0, swatch(category))
                    item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                                  | Qt.ItemFlag.ItemIsDragEnabled)
            group.setExpanded(True)

    def restyle(self) -> None:
        """Repaint the category swatches after a theme switch (the colours differ)."""
        for item in self.op_items():
            item.setIcon(0, swatch(REGISTRY[item.data(0, OP_ROLE)].category))

    def op_items(self) -> list[QTreeWidgetItem]:
        return [self.tree.topLevelItem(i).child(j)
                for i in range(self.tree.topLevelItemCount())
                for j in range(self.tree.topLevelItem(i).childCount())]

    def visible_ops(self) -> list[str]:
        return [i.data(0, OP_ROLE) for i in self.op_items() if not i.isHidden()]

    def filter(self, text: str) -> None:
        for i in range(self.tree.topLevelItemCount()):
            group = self.tree.topLevelItem(i)
            shown = 0
            for j in range(group.childCount()):
                item = group.child(j)
                ok = matches(REGISTRY[item.data(0, OP_ROLE)], text)
                item.setHidden(not ok)
                shown += ok
            group.setHidden(shown == 0)

    def _activate_first(self) -> None:
        ops = self.visible_ops()
        if ops:
            self.op_activated.emit(ops[0])

    def _activated(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        op = item.data(0, OP_ROLE)
        if op:
            self.op_activated.emit(op)
