"""The canvas view: zoom at the cursor, middle- or Space-drag to pan, fit, a dot grid, and
ops dropped from the palette turned into a signal, and Tab/typing asking for quick add.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import shiboken6
from PySide6.QtCore import (
    QEvent,
    QPoint,
    QPointF,
    QRectF,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import (
    QDragEnterEvent,
    QDropEvent,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QResizeEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QGraphicsView,
    QWidget,
)

from cgeditor.gui import theme as T
from cgeditor.gui import theme_switch
from cgeditor.gui.canvas.grid import paint_background
from cgeditor.gui.canvas.view_far import FarPainting

OP_MIME = "application/x-cgeditor-op"
# Zoom out stops at MIN_SCALE, or further for a graph too big to show whole there (a 10k
# graph pasted into itself): far enough to see the whole canvas, nodes then as blocks.
MIN_SCALE, MAX_SCALE = 0.03, 4.0
FIT_MARGIN = 24.0  # scene units around a fitted graph's nodes (ports and badges stick out)
# Fit keeps text readable for graphs up to this many views across (and down); past that
# the graph is shown whole, as blocks, to see its shape.
READABLE_REACH = 4.0
FIT_READABLE = 0.76  # the zoom such a fit takes: a little above the readable minimum


def readable_room(width: float, height: float) -> tuple[float, float]:
    """The width and height of node outlines (see node_geometry.outline) that a fit shows
    whole, at the readable zoom, in a viewport of ``width`` × ``height`` pixels."""
    return (width / FIT_READABLE - 2 * FIT_MARGIN + 2 * T.OUTSET_X,
            height / FIT_READABLE - 2 * FIT_MARGIN + T.OUTSET_TOP + T.OUTSET_BOTTOM)


def _least_shift(low: float, high: float, start: float, end: float) -> float:
    """How far a view spanning ``low``..``high`` along one axis must move to hold
    ``start``..``end``: 0 if it does, else the least move; to ``start`` if it cannot."""
    if end - start > high - low or start < low:
        return start - low
    return max(0.0, end - high)


class GraphView(FarPainting):
    """A QGraphicsView tuned for a node canvas."""

    op_dropped = Signal(str, QPointF)  # op name, scene position
    quick_add_requested = Signal(str, QPoint)  # typed text, global position

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("canvas")
        theme_switch.follow(self)
        self.setRenderHints(QPainter.RenderHint.Antialiasing
                            | QPainter.RenderHint.TextAntialiasing)
        # Smart: a few small regions while dragging one node, one rect when many wires move.
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.SmartViewportUpdate)
        self.setOptimizationFlags(QGraphicsView.OptimizationFlag.DontAdjustForAntialiasing)
        self.setCacheMode(QGraphicsView.CacheModeFlag.CacheBackground)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setDragMode(QGraphicsView.DragMode.RubberBandDrag)
        self.setAcceptDrops(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setFrameShape(QGraphicsView.Shape.NoFrame)
        # A canvas pans by dragging; scroll bars would only eat space.
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._pan_from: QPoint | None = None
        self._space = False
        # True from a fit until the user zooms or pans: while it holds, a resize (a dock
        # opening or closing, the window resized) fits again, so the graph stays whole.
        self._fitted = False
        self._refit_pending = False

    # --- zoom ---------------------------------------------------------------------------
    def min_zoom(self) -> float:
        """The furthest zoom out: MIN_SCALE, or the zoom that shows the whole scene rect
        (every node and wire, with margins) when that is further out."""
        scene, size = self.scene(), self.viewport().size()
        if scene is None or size.isEmpty():
            return MIN_SCALE
        rect = scene.sceneRect()
        whole = min(size.width() / max(rect.width(), 1.0),
                    size.height() / max(rect.height(), 1.0))
        return min(MIN_SCALE, whole)

    def zoom_by(self, factor: float) -> None:
        target = min(MAX_SCALE, max(self.min_zoom(), self.zoom() * factor))
        factor = target / self.zoom()
        if not math.isclose(factor, 1.0):
            self.scale(factor, factor)

    def wheelEvent(self, event: QWheelEvent) -> None:
        delta = event.angleDelta().y() or event.angleDelta().x()
        if delta:
            self.zoom_at(1.0015 ** delta, event.position().toPoint())
        event.accept()

    def zoom_at(self, factor: float, at: QPoint) -> None:
        """Zoom keeping the scene point under ``at`` (viewport pixels) where it is. Done by
        hand: Qt's AnchorUnderMouse reads the real cursor, which synthetic events lack."""
        self._fitted = False
        before = self.mapToScene(at)
        anchor = self.transformationAnchor()
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.NoAnchor)
        self.zoom_by(factor)
        self.setTransformationAnchor(anchor)
        shift = self.mapToScene(at) - before
        self.centerOn(self.center_scene_pos() - shift)

    def zoom_in(self) -> None:
        self._zoom_at_center(1.25)

    def zoom_out(self) -> None:
        self._zoom_at_center(0.8)

    def _zoom_at_center(self, factor: float) -> None:
        self._fitted = False
        anchor = self.transformationAnchor()
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.zoom_by(factor)
        self.setTransformationAnchor(anchor)

    def fit_rect(self, rect: QRectF) -> None:
        """Show ``rect`` whole, never magnified past 1.25, when its text stays readable
        (T.READABLE_ZOOM). A graph a few views across is shown at the readable zoom from its
        start (top left: the inputs) instead; a bigger one is shown whole, as blocks."""
        if rect.isNull() or rect.isEmpty():
            self.resetTransform()
            self.centerOn(0, 0)
            return
        padded = rect.adjusted(-FIT_MARGIN, -FIT_MARGIN, FIT_MARGIN, FIT_MARGIN)
        self.fitInView(padded, Qt.AspectRatioMode.KeepAspectRatio)
        if self.zoom() > 1.25:
            self.zoom_by(1.25 / self.zoom())
        elif self.zoom() < self.min_zoom():
            self.zoom_by(self.min_zoom() / self.zoom())
        # Whole and readable wins; only a graph too big for that shows from its start.
        if T.READABLE_ZOOM / READABLE_REACH <= self.zoom() < T.READABLE_ZOOM:
            self.zoom_by(FIT_READABLE / self.zoom())
        self._centre_from_start(padded)
        self._fitted = True

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self._fitted and not self._refit_pending:  # once per burst of resizes
            self._refit_pending = True
            QTimer.singleShot(0, self._refit)

    def _refit(self) -> None:
        if not shiboken6.isValid(self):  # deleted while the fit was pending
            return
        self._refit_pending = False
        if self._fitted:
            self.fit_graph()

    def _centre_from_start(self, rect: QRectF) -> None:
        """Centre ``rect``; along a side where it is larger than the view, show its start
        (top, left: where the inputs are)."""
        seen = self.mapToScene(self.viewport().rect()).boundingRect()
        center = rect.center()
        if rect.width() > seen.width():
            center.setX(rect.left() + seen.width() / 2)
        if rect.height() > seen.height():
            center.setY(rect.top() + seen.height() / 2)
        self.centerOn(center)

    def readable_room(self) -> tuple[float, float]:
        """What an auto layout may fill: see ``readable_room``."""
        size = self.viewport().size()
        return readable_room(size.width(), size.height())

    def readable_height(self) -> int | None:
        """The least viewport height (pixels) at which Fit shows the current graph whole with
        readable text, at the viewport's width; None when no height does (no graph, or one
        too wide to read whole: it is shown from its start anyway)."""
        scene = self.scene()
        rect = scene.graph_rect() if scene is not None else QRectF()  # type: ignore[attr-defined]
        if rect.isNull() or rect.isEmpty():
            return None
        # fitInView keeps a 2-pixel border each side, and a pixel each way for rounding.
        border = 6
        width = (rect.width() + 2 * FIT_MARGIN) * T.READABLE_ZOOM + border
        if width > self.viewport().width():
            return None
        return math.ceil((rect.height() + 2 * FIT_MARGIN) * T.READABLE_ZOOM) + border

    def restyle(self) -> None:
        """Repaint in the theme's colours what keeps the old ones: the scene's background,
        each node's cached pixmap and the cached dot grid (wires and labels take the palette
        as they paint)."""
        scene = self.scene()
        if scene is not None:
            scene.setBackgroundBrush(T.current().canvas)
            for node in scene.items():
                node.update()  # a node's update also drops its pixmap cache
            scene.update()
        self.resetCachedContent()
        self.viewport().update()

    def fit_graph(self, keep: Iterable[str] = ()) -> None:
        """Show the whole graph of the current scene (View > Fit Graph); where that shows
        only its start (too wide to read whole), the nodes ``keep`` are brought into view
        too: what an edit just added is what the user wants to see."""
        scene = self.scene()
        if scene is not None:
            self.fit_rect(scene.graph_rect())  # type: ignore[attr-defined]
            self.reveal_nodes(keep)

    def reveal_nodes(self, ids: Iterable[str]) -> None:
        """Bring the nodes ``ids`` (what an edit added) whole into view, keeping the part of
        the graph that was in view: by the least scroll, else by zooming out as far as text
        stays readable; past that by the least scroll that shows them (their top left
        first when they are larger than the view)."""
        ids = list(ids)
        scene = self.scene()
        if not ids or scene is None:
            return
        rect = scene.graph_rect(ids).adjusted(  # type: ignore[attr-defined]
            -FIT_MARGIN, -FIT_MARGIN, FIT_MARGIN, FIT_MARGIN)
        seen = self.mapToScene(self.viewport().rect()).boundingRect()
        if rect.isNull() or seen.contains(rect):
            return
        self._fitted = False
        # what was in view, with the margin it had (badges and ports stick out of the nodes)
        kept = seen.intersected(scene.graph_rect().adjusted(  # type: ignore[attr-defined]
            -FIT_MARGIN, -FIT_MARGIN, FIT_MARGIN, FIT_MARGIN))
        both = rect.united(kept) if not kept.isEmpty() else rect
        size = self.viewport().size()
        zoom = min(size.width() / both.width(), size.height() / both.height())
        if zoom < self.zoom() and zoom >= T.READABLE_ZOOM:
            self.zoom_by(zoom / self.zoom())
            self.centerOn(both.center())
            return
        want = both if zoom >= self.zoom() else rect
        dx = _least_shift(seen.left(), seen.right(), want.left(), want.right())
        dy = _least_shift(seen.top(), seen.bottom(), want.top(), want.bottom())
        self.centerOn(seen.center() + QPointF(dx, dy))

    def center_scene_pos(self) -> QPointF:
        return self.mapToScene(self.viewport().rect().center())

    # --- panning ------------------------------------------------------------------------
    def mousePressEvent(self, event: QMouseEvent) -> None:
        middle = event.button() == Qt.MouseButton.MiddleButton
        if middle or (self._space and event.button() == Qt.MouseButton.LeftButton):
            self._pan_from = event.position().toPoint()
            self.viewport().setCursor(Qt.CursorShape.ClosedHandCursor)
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._pan_from is not None:
            pos = event.position().toPoint()
            delta = pos - self._pan_from
            self._pan_from = pos
            self._fitted = False
            self.horizontalScrollBar().setValue(self.horizontalScrollBar().value() - delta.x())
            self.verticalScrollBar().setValue(self.verticalScrollBar().value() - delta.y())
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._pan_from is not None:
            self._pan_from = None
            self.viewport().unsetCursor()
            event.accept()
            return
        super().mouseReleaseEvent(event)

    # --- keys ---------------------------------------------------------------------------
    def event(self, event: QEvent) -> bool:
        # Tab would move focus to the next widget before keyPressEvent ever saw it.
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent) \
                and event.key() == Qt.Key.Key_Tab:
            self.quick_add_requested.emit("", self._cursor_global())
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space = True
            self.viewport().setCursor(Qt.CursorShape.OpenHandCursor)
            return
        text = event.text()
        plain = event.modifiers() & ~Qt.KeyboardModifier.ShiftModifier \
            == Qt.KeyboardModifier.NoModifier
        if plain and len(text) == 1 and text.isalpha():
            self.quick_add_requested.emit(text, self._cursor_global())
            return
        super().keyPressEvent(event)

    def keyReleaseEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space = False
            self.viewport().unsetCursor()
            return
        super().keyReleaseEvent(event)

    def _cursor_global(self) -> QPoint:
        local = self.viewport().mapFromGlobal(self.cursor().pos())
        if not self.viewport().rect().contains(local):
            local = self.viewport().rect().center()
        return self.viewport().mapToGlobal(local)

    # --- drops --------------------------------------------------------------------------
    def _wanted(self, event: QDragEnterEvent | QDropEvent) -> bool:
        # .cgraph files are caught earlier by the document controller's event filter
        return event.mimeData().hasFormat(OP_MIME)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self._wanted(event):
            event.acceptProposedAction()
        else:
            super().dragEnterEvent(event)

    def dragMoveEvent(self, event: QDragEnterEvent) -> None:  # type: ignore[override]
        if self._wanted(event):
            event.acceptProposedAction()
        else:
            super().dragMoveEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:
        mime = event.mimeData()
        if mime.hasFormat(OP_MIME):
            name = bytes(mime.data(OP_MIME).data()).decode("utf-8", "replace")
            self.op_dropped.emit(name, self.mapToScene(event.position().toPoint()))
            event.acceptProposedAction()
        else:
            super().dropEvent(event)

    # --- grid ---------------------------------------------------------------------------
    def drawBackground(self, painter: QPainter, rect: QRectF) -> None:
        paint_background(painter, rect, self.zoom())
