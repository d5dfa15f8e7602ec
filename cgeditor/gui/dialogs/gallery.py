"""File > Examples: a gallery with a picture and one line per bundled example, plus the graph
pictures it needs (also used by the formula dialog's preview): the canvas scene, rendered small.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QIcon, QImage, QPainter, QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGraphicsScene,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from cgeditor.gui import theme as T
from cgeditor.gui.canvas.scene import GraphScene
from cgeditor.gui.icons import is_dark
from cgeditor.model import files
from cgeditor.model.errors import LoadError
from cgeditor.model.examples import CATALOGUE
from cgeditor.model.graph import Graph
from cgeditor.paths import examples_dir

THUMB_SIZE = QSize(280, 170)
# Pictures are drawn at twice their size: crisp on high-DPI screens, and the canvas keeps
# node text (it drops detail below a zoom of about 0.45) for graphs of a dozen nodes.
PICTURE_SCALE = 2.0
DETAIL_ZOOM = 0.5  # draw at least this zoom, so node text and wires are kept
MAX_OVERSAMPLE = 4.0
PATH_ROLE = Qt.ItemDataRole.UserRole


# --- graph pictures ---------------------------------------------------------------------
def preview_scene(graph: Graph, parent: QWidget | None = None) -> QGraphicsScene:
    """A scene showing ``graph`` as the canvas draws it. Call ``release_scene`` before
    dropping it."""
    return GraphScene(graph, parent)


def release_scene(scene: QGraphicsScene) -> None:
    """Stop a preview scene from observing its graph (GraphScene holds signal connections)."""
    detach = getattr(scene, "detach", None)
    if callable(detach):
        detach()


def content_rect(scene: QGraphicsScene) -> QRectF:
    """The rectangle around the drawn graph (GraphScene's own, or all items)."""
    graph_rect = getattr(scene, "graph_rect", None)
    rect = graph_rect() if callable(graph_rect) else scene.itemsBoundingRect()
    return rect.adjusted(-24, -24, 24, 24)


def render_graph(graph: Graph, size: QSize = THUMB_SIZE, scale: float = PICTURE_SCALE) -> QImage:
    """A picture of ``graph`` fitted into ``size`` logical pixels (aspect kept, centred),
    drawn at ``scale`` device pixels per logical pixel."""
    width, height = round(size.width() * scale), round(size.height() * scale)
    scene = preview_scene(graph)
    try:
        source = content_rect(scene)
        zoom = min(width / max(source.width(), 1.0), height / max(source.height(), 1.0))
        # Big graphs would fall below the canvas's level of detail and lose their wires and
        # ports: draw them larger, then scale the picture down smoothly.
        over = min(MAX_OVERSAMPLE, max(1.0, DETAIL_ZOOM / zoom))
        image = QImage(round(width * over), round(height * over),
                       QImage.Format.Format_ARGB32_Premultiplied)
        brush = scene.backgroundBrush()
        image.fill(brush.color() if brush.style() != Qt.BrushStyle.NoBrush
                   else T.current().canvas)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        scene.render(painter, _centred(source, image.width(), image.height()), source)
        painter.end()
    finally:
        release_scene(scene)
    if over > 1.0:
        image = image.scaled(width, height, Qt.AspectRatioMode.IgnoreAspectRatio,
                             Qt.TransformationMode.SmoothTransformation)
    image.setDevicePixelRatio(scale)
    return image


def _centred(source: QRectF, width: float, height: float) -> QRectF:
    """The rectangle ``source`` fills when fitted into width × height, centred (Qt's own
    KeepAspectRatio pins it to the top left)."""
    zoom = min(width / max(source.width(), 1.0), height / max(source.height(), 1.0))
    w, h = source.width() * zoom, source.height() * zoom
    return QRectF((width - w) / 2, (height - h) / 2, w, h)


# --- the catalogue ----------------------------------------------------------------------
@dataclass(frozen=True)
class Example:
    path: Path
    title: str
    description: str


def load_example(path: Path) -> Graph:
    """The example graph in ``path`` (LoadError if it cannot be read)."""
    return files.load(path)


def list_examples(folder: Path | None = None) -> list[Example]:
    """Every example in ``folder`` (the bundled ones by default) that loads: first those of
    the model's catalogue in its order with its titles, then any others with their meta."""
    folder = examples_dir() if folder is None else folder
    rank = {entry.file: i for i, entry in enumerate(CATALOGUE.values())}
    by_file = {entry.file: entry for entry in CATALOGUE.values()}
    paths = sorted(folder.glob("*.cgraph"), key=lambda p: (rank.get(p.name, len(rank)), p.name))
    found = []
    for path in paths:
        try:
            meta = load_example(path).meta
        except (LoadError, OSError):
            continue  # a broken file must not take the whole gallery down
        entry = by_file.get(path.name)
        title = entry.title if entry else str(meta.get("title") or path.stem)
        line = entry.description if entry else str(meta.get("description") or "")
        found.append(Example(path, title, line))
    return found


_thumbnails: dict[tuple[str, float, bool], QPixmap] = {}


def thumbnail(path: Path) -> QPixmap:
    """The example's picture, cached per file version and theme."""
    key = (str(path), os.stat(path).st_mtime, is_dark())
    if key not in _thumbnails:
        _thumbnails[key] = QPixmap.fromImage(render_graph(load_example(path)))
    return _thumbnails[key]


# --- the dialog -------------------------------------------------------------------------
class GalleryDialog(QDialog):
    """The examples, each with a picture, a title and a line; emits the chosen file."""

    example_chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None, folder: Path | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("gallery")
        self.setWindowTitle("Examples")
        self.list = QListWidget(self)
        self.list.setObjectName("gallery_list")
        self.list.setViewMode(QListView.ViewMode.IconMode)
        self.list.setIconSize(THUMB_SIZE)
        self.list.setGridSize(QSize(THUMB_SIZE.width() + 24, THUMB_SIZE.height() + 70))
        self.list.setResizeMode(QListView.ResizeMode.Adjust)
        self.list.setMovement(QListView.Movement.Static)
        self.list.setWordWrap(True)
        self.list.setSpacing(6)
        self.list.itemActivated.connect(lambda _item: self.choose())
        self.list.currentItemChanged.connect(self._update_buttons)
        hint = QLabel("Double-click an example to open it. Each one runs forward and backward "
                      "and passes the gradient check.", self)
        hint.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Open
                                   | QDialogButtonBox.StandardButton.Cancel, self)
        self.open_button = buttons.button(QDialogButtonBox.StandardButton.Open)
        buttons.accepted.connect(self.choose)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(hint)
        layout.addWidget(self.list, 1)
        layout.addWidget(buttons)
        self.examples = list_examples(folder)
        self._fill()
        self.resize(3 * self.list.gridSize().width() + 60, 2 * self.list.gridSize().height() + 120)

    def _fill(self) -> None:
        for example in self.examples:
            text = f"{example.title}\n{example.description}" if example.description \
                else example.title
            picture = QIcon(thumbnail(example.path))
            # The same picture when selected: Qt's default tint would hide the graph.
            picture.addPixmap(thumbnail(example.path), QIcon.Mode.Selected)
            item = QListWidgetItem(picture, text, self.list)
            item.setData(PATH_ROLE, str(example.path))
            item.setToolTip(f"{example.title}\n{example.description}\n{example.path.name}")
            item.setTextAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        if self.list.count():
            self.list.setCurrentRow(0)
        self._update_buttons()

    def _update_buttons(self, *_args: object) -> None:
        self.open_button.setEnabled(self.list.currentItem() is not None)

    def chosen_path(self) -> str | None:
        item = self.list.currentItem()
        return None if item is None else str(item.data(PATH_ROLE))

    def choose(self) -> None:
        """Open the current example: emit it and close."""
        path = self.chosen_path()
        if path is None:
            return
        self.example_chosen.emit(path)
        self.accept()
