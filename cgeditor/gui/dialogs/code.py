"""Graph out as text: the formula view (with Copy) and the NumPy / PyTorch module export, each
previewed in a read-only code dialog before it is copied or saved atomically (QSaveFile).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSaveFile
from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from cgeditor.gui import theme as T
from cgeditor.gui.keep_together import WrapLabel
from cgeditor.model import export
from cgeditor.model.errors import GraphError
from cgeditor.model.formula_text import to_formula
from cgeditor.model.graph import Graph
from cgeditor.model.number_text import true_minus

KINDS = {  # kind -> (dialog title, file name suffix)
    "numpy": ("Export as NumPy module", "_numpy.py"),
    "torch": ("Export as PyTorch module", "_torch.py"),
}


def formula_text(graph: Graph) -> str:
    """The graph as statements, one per named node in execution order."""
    return to_formula(graph) if graph.nodes else ""


def module_text(graph: Graph, kind: str) -> str:
    """The generated module's source; ExportError (a GraphError) says why there is none."""
    make = {"numpy": export.to_numpy_module, "torch": export.to_torch_module}[kind]
    return make(graph)


def write_atomically(path: str | Path, text: str) -> None:
    """Write ``text`` so that ``path`` holds the old or the new content, never a mix; OSError
    with Qt's reason when it cannot."""
    saver = QSaveFile(str(path))
    saver.setDirectWriteFallback(False)  # a folder we cannot create files in is an error
    if not saver.open(QSaveFile.OpenModeFlag.WriteOnly):
        raise OSError(f"cannot write {path}: {saver.errorString()}")
    data = text.encode("utf-8")
    if saver.write(data) != len(data) or not saver.commit():
        reason = saver.errorString()
        saver.cancelWriting()
        raise OSError(f"cannot write {path}: {reason}")


class CodeDialog(QDialog):
    """Read-only monospaced text with Copy (and Save… when ``save_title`` is given)."""

    def __init__(self, title: str, text: str, parent: QWidget | None = None,
                 object_name: str = "code_view", error: str = "", save_title: str = "",
                 suggested_path: str = "") -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        self.setWindowTitle(title)
        self.save_title, self.suggested_path = save_title, suggested_path
        self.saved_path: str | None = None
        self.text = QPlainTextEdit(self)
        self.text.setObjectName("code_text")
        self.text.setReadOnly(True)
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.text.setPlainText(text)
        self.status = WrapLabel(error, self)
        self.status.setObjectName("code_status")
        if error:
            self.status.setStyleSheet(f"color: {T.current().error.name()};")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        self.copy_button = self._button(buttons, "&Copy", "code_copy", self.copy)
        self.copy_button.setEnabled(bool(text))
        self.save_button: QPushButton | None = None
        if save_title:
            self.save_button = self._button(buttons, "&Save…", "code_save", self.save)
            self.save_button.setEnabled(bool(text) and not error)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.status)
        layout.addWidget(buttons)
        self.resize(760, 560)

    def _button(self, box: QDialogButtonBox, text: str, name: str, slot: object) -> QPushButton:
        button = box.addButton(text, QDialogButtonBox.ButtonRole.ActionRole)
        button.setObjectName(name)
        button.clicked.connect(lambda _checked=False: slot())
        return button

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.text.toPlainText())
        self.status.setStyleSheet("")
        self.status.setText("Copied to the clipboard.")

    def save(self) -> str | None:
        """Ask where, then write atomically; the path written, or None."""
        path, _filter = QFileDialog.getSaveFileName(self, self.save_title, self.suggested_path,
                                                    "Python files (*.py)")
        if not path:
            return None
        if not path.endswith(".py"):
            path += ".py"
        try:
            write_atomically(path, self.text.toPlainText())
        except OSError as exc:
            self.status.setStyleSheet(f"color: {T.current().error.name()};")
            self.status.setText(str(exc))
            return None
        self.status.setStyleSheet("")
        self.status.setText(f"Saved {path}")
        self.saved_path = path
        return path


def formula_dialog(graph: Graph, parent: QWidget | None = None) -> CodeDialog:
    """The graph as a formula, ready to copy (and to paste back into Insert formula)."""
    try:
        text = formula_text(graph)
        error = "" if text else "The graph is empty."
    except GraphError as exc:  # e.g. an unconnected input: say why instead of raising
        text, error = "", f"Cannot show as a formula: {true_minus(str(exc))}"
    return CodeDialog("Graph as formula", text, parent, "formula_view", error=error)


def export_dialog(graph: Graph, kind: str, parent: QWidget | None = None,
                  document_path: str | None = None) -> CodeDialog:
    """A preview of the generated ``kind`` ("numpy" or "torch") module with Save… and Copy;
    when the graph cannot be exported the dialog says why and offers nothing to save."""
    title, suffix = KINDS[kind]
    try:
        text, error = module_text(graph, kind), ""
    except GraphError as exc:
        text, error = "", f"Cannot export: {true_minus(str(exc))}"  # the engine's words
    stem = Path(document_path).stem if document_path else "graph"
    folder = Path(document_path).parent if document_path else Path.home()
    suggested = str(folder / f"{stem}{suffix}")
    return CodeDialog(title, text, parent, f"export_{kind}", error=error,
                      save_title=title + "…", suggested_path=suggested)
