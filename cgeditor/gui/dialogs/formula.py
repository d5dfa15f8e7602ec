"""Formula in: a dialog that parses statements as you type, underlines errors at their column,
previews the graph it will make, and can wire names to nodes already on the canvas.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFontDatabase, QPainter, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QGraphicsScene,
    QGraphicsView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from cgeditor.gui import theme as T
from cgeditor.gui.dialogs.gallery import content_rect, preview_scene, release_scene
from cgeditor.gui.keep_together import WrapLabel
from cgeditor.model.errors import FormulaError, GraphError
from cgeditor.model.formula import from_formula
from cgeditor.model.graph import Graph

DEBOUNCE_MS = 250
EXAMPLE = "c = w*x; a = c + b; d = a - y; J = 0.5*d**2"


def parse(text: str) -> Graph:
    """The graph ``text`` makes (FormulaError or GraphError when it makes none)."""
    return from_formula(text)


def matching_inputs(formula: Graph, target: Graph | None) -> list[str]:
    """Names of the formula's inputs that name a node of ``target``, sorted."""
    if target is None:
        return []
    return sorted(node.name for node in formula.nodes.values()
                  if node.is_input and target.has_name(node.name))


def error_span(text: str, line: int, column: int) -> tuple[int, int]:
    """Character range (start, end) to underline for an error at 1-based ``line``/``column``:
    the identifier or number starting there, else one character (the last one past the end)."""
    lines = text.split("\n")
    line = min(max(line, 1), len(lines))
    start = sum(len(s) + 1 for s in lines[:line - 1])
    row = lines[line - 1]
    col = min(max(column - 1, 0), len(row))
    if col == len(row):  # the error is at the end of the line: mark the last character
        return (start + col - 1, start + col) if col else (start, start)
    end = col + 1
    if row[col].isalnum() or row[col] in "_.":
        while end < len(row) and (row[end].isalnum() or row[end] in "_."):
            end += 1
    return start + col, start + end


def make_editor(parent: QWidget | None = None) -> QPlainTextEdit:
    editor = QPlainTextEdit(parent)
    editor.setObjectName("formula_text")
    font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
    font.setPointSizeF(max(font.pointSizeF(), 11.0))
    editor.setFont(font)
    editor.setPlaceholderText(f"e.g.  {EXAMPLE}\n  or  tanh(w1*x1 + w2*x2 + b)")
    editor.setTabChangesFocus(True)
    editor.setToolTip("Statements separated by ; or new lines. Names used before they are "
                      "assigned become inputs; the last statement is the output.")
    return editor


class FormulaDialog(QDialog):
    """Type a formula, see the graph, insert it. ``result_graph`` and ``matched_names`` say
    what to insert once the dialog is accepted."""

    def __init__(self, target: Graph | None = None, parent: QWidget | None = None,
                 text: str = "", computed: Mapping[str, Any] | None = None) -> None:
        """``computed``: the values of the canvas's current run by node name, which the
        preview shows on the ops a formula's names are wired to."""
        super().__init__(parent)
        self.setObjectName("formula_dialog")
        self.setWindowTitle("Insert formula")
        self.target = target
        self.computed: Mapping[str, Any] = computed or {}
        self._graph: Graph | None = None
        self._scene: QGraphicsScene | None = None
        self._build_widgets()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self.refresh)
        self.editor.textChanged.connect(self._timer.start)
        self.wire_box.toggled.connect(self._show_matches)
        self.wire_box.toggled.connect(self._show_preview)
        self.editor.setPlainText(text)
        self.refresh()
        self.resize(640, 520)

    def _build_widgets(self) -> None:
        self.editor = make_editor(self)
        self.error_label = WrapLabel(parent=self)
        self.error_label.setObjectName("formula_error")
        self.error_label.setStyleSheet(f"color: {T.current().error.name()};")
        self.wire_box = QCheckBox("Wire names that match existing nodes", self)
        self.wire_box.setObjectName("wire_matches")
        self.wire_box.setChecked(True)
        self.wire_box.setToolTip("Checked: a formula input named like a node on the canvas "
                                 "is wired to that node instead of becoming a new input.")
        self.match_label = QLabel(self)
        self.match_label.setObjectName("formula_matches")
        self.preview = QGraphicsView(self)
        self.preview.setObjectName("formula_preview")
        self.preview.setInteractive(False)
        self.preview.setRenderHints(QPainter.RenderHint.Antialiasing
                                    | QPainter.RenderHint.TextAntialiasing)
        self.preview.setMinimumHeight(220)
        # The canvas scene keeps a wide margin around the graph; the preview always fits.
        self.preview.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.preview.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel, self)
        self.insert_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.insert_button.setText("Insert")
        self.buttons.accepted.connect(self._accept_if_valid)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Formula:", self))
        layout.addWidget(self.editor, 1)
        layout.addWidget(self.error_label)
        layout.addWidget(self.wire_box)
        layout.addWidget(self.match_label)
        layout.addWidget(QLabel("Preview:", self))
        layout.addWidget(self.preview, 2)
        layout.addWidget(self.buttons)

    # --- parsing ----------------------------------------------------------------------
    def refresh(self) -> None:
        """Parse the text now (edits call this after a short pause)."""
        self._timer.stop()
        text = self.editor.toPlainText()
        self._graph = None
        self.editor.setExtraSelections([])
        if not text.strip():
            self.error_label.setText("")
        else:
            try:
                self._graph = parse(text)
                self.error_label.setText("")
            except FormulaError as exc:
                self._show_error(text, exc)
            except GraphError as exc:
                self.error_label.setText(str(exc))
        self.insert_button.setEnabled(self._graph is not None)
        self._show_matches()
        self._show_preview()

    def _show_error(self, text: str, exc: FormulaError) -> None:
        self.error_label.setText(f"Line {exc.line}, column {exc.column}: {exc.reason}")
        start, end = error_span(text, exc.line, exc.column)
        selection = QTextEdit.ExtraSelection()
        cursor = QTextCursor(self.editor.document())
        cursor.setPosition(start)
        cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
        selection.cursor = cursor
        fmt = QTextCharFormat()
        fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
        error = T.current().error
        fmt.setUnderlineColor(error)
        fmt.setBackground(QColor(error.red(), error.green(), error.blue(), 40))
        fmt.setToolTip(exc.reason)
        selection.format = fmt
        self.editor.setExtraSelections([selection])

    def _show_matches(self, *_args: object) -> None:
        names = self.matched_names()
        self.match_label.setText(f"Wired to existing nodes: {', '.join(names)}" if names else "")
        self.match_label.setVisible(bool(names))
        self.wire_box.setEnabled(bool(self._graph and matching_inputs(self._graph,
                                                                       self.target)))

    def _preview_graph(self) -> Graph | None:
        """The formula as it will compute: an input to be wired to a node of the canvas
        shows that node's value (on a second parse: what is inserted keeps its own)."""
        names = self.matched_names()
        if self._graph is None or self.target is None or not names:
            return self._graph
        shown = parse(self.editor.toPlainText())  # the text refresh() has just parsed
        for name in names:
            value = self.target.by_name(name).value
            if value is None:  # an op's value is computed, not stored: the run's, if any
                value = self.computed.get(name)
            if value is not None:
                shown.set_value(shown.by_name(name).id, value)
        return shown

    def _show_preview(self, *_args: object) -> None:
        old, graph = self._scene, self._preview_graph()
        self._scene = preview_scene(graph) if graph is not None else QGraphicsScene()
        self._scene.setParent(self)
        self.preview.setScene(self._scene)
        if old is not None:
            release_scene(old)
            old.deleteLater()
        if self._graph is not None:
            self.preview.fitInView(content_rect(self._scene), Qt.AspectRatioMode.KeepAspectRatio)

    def resizeEvent(self, event: object) -> None:  # keep the preview fitted
        super().resizeEvent(event)
        if self._graph is not None and self._scene is not None:
            self.preview.fitInView(content_rect(self._scene), Qt.AspectRatioMode.KeepAspectRatio)

    # --- results ----------------------------------------------------------------------
    def _accept_if_valid(self) -> None:
        self.refresh()  # the text may have changed within the debounce pause
        if self._graph is not None:
            self.accept()

    def result_graph(self) -> Graph | None:
        """The graph the formula makes (laid out), or None while the text has an error."""
        return self._graph

    def matched_names(self) -> list[str]:
        """Formula inputs to wire to the target's nodes of the same name (none if unchecked)."""
        if self._graph is None or not self.wire_box.isChecked():
            return []
        return matching_inputs(self._graph, self.target)

    def closeEvent(self, event: object) -> None:
        if self._scene is not None:
            release_scene(self._scene)
        super().closeEvent(event)


class FormulaField(QLineEdit):
    """The toolbar's quick formula field: Enter emits the parsed graph, errors show in red."""

    formula_entered = Signal(object)  # Graph

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("formula_field")
        self.setPlaceholderText("formula, e.g. tanh(w*x + b)")
        self.setClearButtonEnabled(True)
        self.setMaximumWidth(320)
        self._tip = "Type a formula and press Enter to insert it (Ctrl+K for the full dialog)"
        self.setToolTip(self._tip)
        self.error: Exception | None = None
        self.returnPressed.connect(self.submit)
        self.textEdited.connect(lambda _text: self._mark(None))

    def submit(self) -> Graph | None:
        """Parse the text; on success emit it and clear the field, else show why."""
        text = self.text()
        if not text.strip():
            return None
        try:
            graph = parse(text)
        except (FormulaError, GraphError) as exc:
            self._mark(exc)
            if isinstance(exc, FormulaError) and exc.line == 1:
                self.setCursorPosition(exc.column - 1)
            return None
        self._mark(None)
        self.formula_entered.emit(graph)
        self.clear()
        return graph

    def _mark(self, exc: Exception | None) -> None:
        self.setStyleSheet("" if exc is None else f"border: 1px solid {T.current().error.name()};")
        self.setToolTip(self._tip if exc is None else str(exc))
        self.error = exc
