"""File > Export Image…: choose how the picture is drawn (scale, theme, what to show,
background, margin, layout direction), then where it goes; the choices are remembered."""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, fields
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEventLoop, QSettings, Qt
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from cgeditor.gui.canvas import image_export
from cgeditor.gui.canvas.picture import PictureOptions, export_picture

if TYPE_CHECKING:
    from cgeditor.model.display import RunDisplay
    from cgeditor.model.graph import Graph

OPTIONS_KEY = "export/picture"
# (field, label, [(value, text)]) for each choice shown as a combo box
CHOICES: tuple[tuple[str, str, tuple[tuple[Any, str], ...]], ...] = (
    ("scale", "&Scale", ((1.0, "1×"), (2.0, "2× (slides, high-DPI)"), (4.0, "4× (print)"))),
    ("theme", "&Theme", (("light", "Light"), ("dark", "Dark"), ("screen", "As on screen"))),
    ("background", "&Background", (("white", "White"), ("transparent", "Transparent"),
                                   ("canvas", "Canvas colour"))),
    ("direction", "&Layout", (("placed", "As placed on the canvas"),
                              ("LR", "Left to right"), ("TB", "Top to bottom (wide graphs)"))),
)
SHOWN = (("values", "&Values"), ("gradients", "&Gradients"), ("wire_labels", "&Wire labels"),
         ("badges", "&Order badges"))


class ExportDialog(QDialog):
    """The picture options as widgets; ``options()`` reads them back."""

    def __init__(self, options: PictureOptions, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("export_dialog")
        self.setWindowTitle("Export image")
        form = QFormLayout()
        self.combos: dict[str, QComboBox] = {}
        for name, label, items in CHOICES:
            combo = QComboBox(self)
            combo.setObjectName(f"export_{name}")
            for value, text in items:
                combo.addItem(text, value)
            combo.setCurrentIndex(max(0, combo.findData(getattr(options, name))))
            form.addRow(label, combo)
            self.combos[name] = combo
        self.checks: dict[str, QCheckBox] = {}
        for name, label in SHOWN:
            check = QCheckBox(label.replace("&", ""), self)
            check.setObjectName(f"export_{name}")
            check.setChecked(bool(getattr(options, name)))
            form.addRow("Draw" if name == "values" else "", check)
            self.checks[name] = check
        self.margin = QDoubleSpinBox(self)
        self.margin.setObjectName("export_margin")
        self.margin.setRange(0, 1000)
        self.margin.setDecimals(0)
        self.margin.setSuffix(" px")
        self.margin.setValue(options.margin)
        form.addRow("&Margin", self.margin)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel, parent=self)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Export…")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def options(self) -> PictureOptions:
        values: dict[str, Any] = {name: combo.currentData() for name, combo in self.combos.items()}
        values.update({name: check.isChecked() for name, check in self.checks.items()})
        return PictureOptions(margin=self.margin.value(), **values).check()


def stored_options(settings: QSettings) -> PictureOptions:
    """The choices of the last export in ``settings``, or the defaults (a stored value that
    is no longer valid is dropped)."""
    try:
        data = json.loads(str(settings.value(OPTIONS_KEY, "{}")))
        known = {f.name for f in fields(PictureOptions)}
        return PictureOptions(**{k: v for k, v in data.items() if k in known}).check()
    except (TypeError, ValueError, AttributeError):
        return PictureOptions()


def ask_options(parent: QWidget, settings: QSettings) -> PictureOptions | None:
    """Show the dialog; the chosen options (remembered in ``settings``), or None when
    cancelled."""
    dialog = ExportDialog(stored_options(settings), parent)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    options = dialog.options()
    settings.setValue(OPTIONS_KEY, json.dumps(asdict(options)))
    return options


@dataclass(frozen=True)
class ExportRequest:
    """What one Export Image draws and where its dialogs and messages go: the graph, the
    run shown on the canvas (None before a run), the folder and name to suggest."""

    parent: QWidget
    settings: QSettings
    log: Callable[[str], None]
    graph: Graph
    display: RunDisplay | None
    directory: str
    name: str


def export_dialog(request: ExportRequest) -> bool:
    """Ask how, then where, to export the graph (with its run, if any); errors are shown
    in a dialog and the messages dock. True when a picture was written."""
    options = ask_options(request.parent, request.settings)
    if options is None:
        return False
    stem = os.path.splitext(request.name.split(" (")[0])[0] or "graph"
    path, chosen = QFileDialog.getSaveFileName(request.parent, "Export image",
                                               os.path.join(request.directory, f"{stem}.png"),
                                               image_export.IMAGE_FILTER)
    if not path:
        return False
    if not os.path.splitext(path)[1]:
        path += ".svg" if "svg" in chosen.lower() else ".png"
    start = time.perf_counter()
    try:
        with busy(request, f"Exporting {len(request.graph.nodes):,} nodes to {path}…"):
            done = export_picture(request.graph, request.display, path, options)
    except image_export.ImageExportError as exc:
        QMessageBox.warning(request.parent, "Could not export", str(exc))
        request.log(f"Export failed: {exc}")
        return False
    took = f"{time.perf_counter() - start:.1f} s"
    size = f"{done.size.width()}×{done.size.height()}"
    request.log(f"Exported the graph to {path} ({size}; {done.note}) in {took}" if done.note
                else f"Exported the graph to {path} ({size}) in {took}")
    return True


@contextlib.contextmanager
def busy(request: ExportRequest, message: str) -> Iterator[None]:
    """A wait cursor and ``message`` in the messages while a picture is drawn: seconds for
    10k nodes (Qt's SVG generator, PNG compression), during which nothing else can paint."""
    request.log(message)
    QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        # Paint the message and the cursor now; user input waits until the picture is done.
        QApplication.processEvents(QEventLoop.ProcessEventsFlag.ExcludeUserInputEvents)
        yield
    finally:
        QApplication.restoreOverrideCursor()
