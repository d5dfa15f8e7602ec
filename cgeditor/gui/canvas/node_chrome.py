"""How a node looks around its numbers: frame, header (symbol, name, OUT / TRAIN tag), ports
and the order badge; NodeItem mixes this in and paints the value rows with node_paint."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPainter, QPainterPath, QPen, QStaticText

from cgeditor.gui import theme as T

_NO_PEN = Qt.PenStyle.NoPen


@lru_cache(maxsize=4096)
def static_text(text: str, role: str) -> QStaticText:
    """Laid-out text shared by every item that shows it (port names repeat a lot)."""
    static = QStaticText(text)
    static.setTextFormat(Qt.TextFormat.PlainText)
    static.prepare(font=T.font(role))
    return static


@lru_cache(maxsize=1024)
def header_path(width: float) -> QPainterPath:
    """The header band of a node ``width`` wide: rounded at the top, square at the bottom.
    Shared by every node of that width (a path intersection per paint cost 10k nodes ~0.2 s
    of an SVG export)."""
    header = QPainterPath()
    header.addRoundedRect(QRectF(0, 0, width, T.HEADER_HEIGHT + T.CORNER), T.CORNER, T.CORNER)
    clip = QPainterPath()
    clip.addRect(QRectF(0, 0, width, T.HEADER_HEIGHT))
    return header.intersected(clip)


class NodeChrome:
    """The frame, header, ports and badge of a NodeItem (which provides the attributes)."""

    category: str
    ports: tuple[str, ...]
    display: Any
    flashing: bool
    is_output: bool
    trainable: bool
    node_id: str
    _hover: str | None
    box: Any
    _rect: QRectF
    _symbol: QStaticText
    _symbol_w: float

    def accent(self, pal: T.Palette) -> QColor:
        return pal.categories.get(self.category, pal.node_muted)

    def marked(self) -> bool:
        """Outlined for something other than selection: flashing, in error or lit by a run
        (what ``outline`` checks besides isSelected, without a Qt call or a pen)."""
        d = self.display
        return self.flashing or bool(d.error_text) or d.current or d.highlighted

    def outline(self, pal: T.Palette) -> QPen | None:
        """The pen around the node when it is flashing, selected, in error or lit."""
        d = self.display
        if self.flashing:
            return QPen(pal.flash, 3.0)
        if self.isSelected():
            return QPen(pal.selection, 2.5)
        if d.error_text:
            return QPen(pal.error, 2.0)
        if d.current:
            return QPen(pal.port_ok, 3.0)
        if d.highlighted:
            return QPen(pal.value_text, 2.5)
        return None

    def paint_block(self, painter: QPainter, pal: T.Palette) -> None:
        """Zoomed out: a block in the category colour, outlined when selected or lit (filled
        in the outline's colour when too small to show both)."""
        outline = self.outline(pal)
        if outline is None:
            painter.setPen(_NO_PEN)
            painter.setBrush(self.accent(pal))
        elif painter.worldTransform().m11() < T.LOD_SOLID_OUTLINE:
            painter.setPen(_NO_PEN)
            painter.setBrush(outline.color())
        else:
            painter.setPen(T.pixel_pen(outline, 2.0))
            painter.setBrush(self.accent(pal))
        painter.drawRect(self._rect)

    def _paint_frame(self, painter: QPainter, pal: T.Palette) -> None:
        rect = self.rect()
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(pal.shadow)
        painter.drawRoundedRect(rect.translated(0, 2.5), T.CORNER + 1, T.CORNER + 1)
        painter.setBrush(pal.node_body)
        painter.setPen(QPen(pal.node_border, 1.0))
        painter.drawRoundedRect(rect, T.CORNER, T.CORNER)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(self.accent(pal))
        painter.drawPath(header_path(rect.width()))
        outline = self.outline(pal)
        if outline is not None:
            painter.setPen(outline)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(rect.adjusted(-1, -1, 1, 1), T.CORNER + 1, T.CORNER + 1)

    def _paint_header(self, painter: QPainter, pal: T.Palette) -> None:
        pill = QRectF(6, 4, self._symbol_w + 12, T.HEADER_HEIGHT - 8)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(255, 255, 255, 56))
        painter.drawRoundedRect(pill, 5, 5)
        painter.setPen(QColor("white"))
        painter.setFont(T.font("symbol"))
        sym_y = pill.center().y() - self._symbol.size().height() / 2
        painter.drawStaticText(QPointF(pill.x() + 6, sym_y), self._symbol)
        painter.setFont(T.font("title"))
        title = self._title_text()
        title_y = (T.HEADER_HEIGHT - title.size().height()) / 2
        painter.drawStaticText(QPointF(pill.right() + 7, title_y), title)
        tags = ("OUT" if self.is_output else "") or ("TRAIN" if self.trainable else "")
        if tags:
            painter.setFont(T.font("badge"))
            tag = static_text(tags, "badge")
            w = tag.size().width() + 8
            box = QRectF(self.box.width - w - 6, 6, w, T.HEADER_HEIGHT - 12)
            painter.setBrush(QColor(0, 0, 0, 60))
            painter.setPen(Qt.PenStyle.NoPen)
            painter.drawRoundedRect(box, 3, 3)
            painter.setPen(QColor("white"))
            painter.drawStaticText(QPointF(box.x() + 4, box.center().y()
                                           - tag.size().height() / 2), tag)

    def _port_colors(self, pal: T.Palette, kind: str, port: str) -> tuple[QColor, bool]:
        """Port colour, and whether it is lit (hovered or a compatible wiring target)."""
        scene = self.scene()
        lit = self._hover == kind + port
        if scene is not None and getattr(scene, "wiring_mode", None) == kind \
                and self.node_id not in scene.wiring_blocked:
            lit = True
        return (pal.port_ok if lit else pal.port), lit

    def _paint_port(self, painter: QPainter, pal: T.Palette, center: QPointF, kind: str,
                    port: str, filled: bool) -> None:
        color, lit = self._port_colors(pal, kind, port)
        radius = T.PORT_RADIUS + (1.5 if lit else 0.0)
        painter.setPen(QPen(color, 2.0))
        painter.setBrush(color if filled or lit else pal.node_body)
        painter.drawEllipse(center, radius, radius)

    def _paint_ports(self, painter: QPainter, pal: T.Palette) -> None:
        painter.setFont(T.font("port"))
        port_h = T.metrics("port").height()
        # Circles first, then names: alternating pens started a new SVG group per call.
        centres = [self.in_port_local(port) for port in self.ports]
        for port, c in zip(self.ports, centres):
            self._paint_port(painter, pal, c, "in", port, port in self.connected)
        self._paint_port(painter, pal, self.out_port_local(), "out", "", True)
        painter.setPen(pal.node_muted)
        for port, c in zip(self.ports, centres):
            painter.drawStaticText(QPointF(12, c.y() - port_h / 2), static_text(port, "port"))

    def _paint_badge(self, painter: QPainter, pal: T.Palette) -> None:
        painter.setFont(T.font("badge"))
        tag = static_text(self.display.order_badge, "badge")
        w = max(16.0, tag.size().width() + 8)
        box = QRectF(-T.OUTSET_X, -T.OUTSET_TOP, w, 16)  # inside the node's outline
        painter.setPen(QPen(pal.node_body, 1.5))
        painter.setBrush(QBrush(pal.node_text))
        painter.drawRoundedRect(box, 8, 8)
        painter.setPen(pal.node_body)
        painter.drawStaticText(QPointF(box.center().x() - tag.size().width() / 2,
                                       box.center().y() - tag.size().height() / 2), tag)
