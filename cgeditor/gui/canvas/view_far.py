"""Painting the canvas view zoomed far out: below the wire level of detail the scene paints
its overview in one pass (see overview.py) instead of item by item. A mixin of GraphView."""

from __future__ import annotations

from collections.abc import Callable

import shiboken6
from PySide6.QtCore import SIGNAL, SLOT, QObject, QRectF
from PySide6.QtGui import QPainter, QPaintEvent, QRegion
from PySide6.QtWidgets import (
    QGraphicsScene,
    QGraphicsView,
    QRubberBand,
    QStyle,
    QStyleOptionRubberBand,
)

from cgeditor.gui import theme as T


class FarPainting(QGraphicsView):
    """The paint event of GraphView: item caches by zoom, and the overview when far out."""

    _watched: QGraphicsScene | None = None  # repainted whole on change (overview)

    def zoom(self) -> float:
        """The view's scale: the canvas only scales, so this is the level of detail."""
        return self.transform().m11()

    def paintEvent(self, event: QPaintEvent) -> None:
        # Node pixmap caches pay off only where nodes show text (see set_item_cache); the
        # zoom decides, checked before each frame so no zoom path can be missed.
        detail = self.zoom() >= T.LOD_TEXT
        scene = self.scene()
        if getattr(scene, "item_cache", detail) != detail:
            scene.set_item_cache(detail)
        paint_overview = getattr(scene, "paint_overview", None)
        overview = paint_overview is not None and self.zoom() < T.LOD_WIRES
        self._watch(scene if overview else None)
        if overview:
            self._paint_overview(event, paint_overview)
        else:
            super().paintEvent(event)

    def _watch(self, scene: QGraphicsScene | None) -> None:
        """Repaint the whole viewport on any change of ``scene`` (None: stop).

        Qt repaints a moved, removed or updated item where it last painted it, and skips it
        when it never did: the overview paints no item, so its blocks, lines and loose wires
        would stay on screen or never show. A listener on ``changed`` makes the scene report
        every change, old geometry included; only while the overview shows, since it turns
        off Qt's direct per-view updates (its own listener, the view's, is dropped too)."""
        old = self._watched
        if scene is old:
            return
        # Connected C++ to C++ by signature: a Python slot would have each change's list of
        # rects converted, 10k of them after a drag of 10k nodes.
        changed, repaint = SIGNAL("changed(QList<QRectF>)"), SLOT("update()")
        if old is not None and shiboken6.isValid(old):
            QObject.disconnect(old, changed, self.viewport(), repaint)
            QObject.disconnect(old, changed, self, SLOT("updateScene(QList<QRectF>)"))
        self._watched = scene
        if scene is not None:
            QObject.connect(scene, changed, self.viewport(), repaint)

    def _paint_overview(self, event: QPaintEvent,
                        paint_overview: Callable[[QPainter, QRectF], None]) -> None:
        """Zoomed far out the scene paints itself in one pass (see overview.py); the
        background and the rubber band are drawn here as QGraphicsView would."""
        # Qt's own paint, of nothing: it clears the scene's "everything changed" mark, which
        # only drawing items resets; left set, Qt drops every later item update.
        super().paintEvent(QPaintEvent(QRegion()))
        painter = QPainter(self.viewport())
        painter.setClipRegion(event.region())
        painter.setRenderHints(self.renderHints())
        painter.setWorldTransform(self.viewportTransform())
        exposed = self.mapToScene(event.region().boundingRect()).boundingRect()
        self.drawBackground(painter, exposed)
        paint_overview(painter, exposed)
        painter.resetTransform()
        band = self.rubberBandRect()
        if not band.isEmpty():
            option = QStyleOptionRubberBand()
            option.initFrom(self.viewport())
            option.rect = band
            option.shape = QRubberBand.Shape.Rectangle
            self.style().drawControl(QStyle.ControlElement.CE_RubberBand, option, painter,
                                     self.viewport())
        painter.end()
