"""Every text a window shows or can show on hover: labels, buttons, line edits that are
read-only, text views, table and tree cells (display and tooltip roles), tooltips, dock
titles, menu actions, the status line, and the canvas's node rows and tooltips. Editable
fields are left out: what a user types stays as typed."""

from __future__ import annotations

from collections.abc import Iterator

from PySide6.QtCore import QAbstractListModel, QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QDockWidget,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)

ROLES = (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole)


def _columns(model, parent: QModelIndex) -> int:
    """A list model's one column (Qt makes its columnCount private)."""
    return 1 if isinstance(model, QAbstractListModel) else model.columnCount(parent)


def _cells(model, parent: QModelIndex) -> Iterator[str]:
    columns = _columns(model, parent)
    for row in range(model.rowCount(parent)):
        for col in range(columns):
            index = model.index(row, col, parent)
            for role in ROLES:
                data = model.data(index, role)
                if isinstance(data, str):
                    yield data
            if col == 0 and not isinstance(model, QAbstractListModel | QAbstractTableModel) \
                    and model.hasChildren(index):
                yield from _cells(model, index)
    for col in range(columns):
        header = model.headerData(col, Qt.Orientation.Horizontal)
        if isinstance(header, str):
            yield header


def _widget_texts(widget: QWidget) -> Iterator[str]:
    yield widget.toolTip()
    if isinstance(widget, QLabel | QAbstractButton):
        yield widget.text()
    elif isinstance(widget, QLineEdit):
        if widget.isReadOnly():
            yield widget.text()
    elif isinstance(widget, QPlainTextEdit | QTextEdit):
        if widget.isReadOnly():
            yield widget.toPlainText()
    elif isinstance(widget, QGroupBox):
        yield widget.title()
    elif isinstance(widget, QDockWidget):
        yield widget.windowTitle()
    if isinstance(widget, QAbstractItemView) and widget.model() is not None:
        yield from _cells(widget.model(), QModelIndex())


def window_texts(window) -> dict[str, str]:
    """Every text of ``window`` keyed by where it is shown ('QLabel summary', 'node lg')."""
    found: dict[str, str] = {"status line": window.statusBar().currentMessage()}
    for k, widget in enumerate(window.findChildren(QWidget)):
        for j, text in enumerate(_widget_texts(widget)):
            if text:
                found[f"{type(widget).__name__} {widget.objectName()} #{k}.{j}"] = text
    for k, action in enumerate(window.findChildren(QAction)):  # menus: Undo Set w = −3
        found[f"action {action.objectName()} #{k}"] = f"{action.text()}\n{action.toolTip()}"
    for node_id, item in window.scene.nodes.items():
        rows = [text for _kind, text in item.info_rows()]
        found[f"node {item.name} ({node_id})"] = "\n".join([*rows, item.toolTip()])
    for item in window.scene.items():
        tip = item.toolTip()
        if tip:
            found[f"item {type(item).__name__} {id(item)}"] = tip
    return found
