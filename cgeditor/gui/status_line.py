"""The window's status bar: a message too long for its width ends in "…" where the bar
ends, and the whole of it is the bar's tooltip (and, for what the editor logs, a line in
the Messages dock), as desktop editors do; one that fits shows as QStatusBar shows it.

Every status message goes through QStatusBar.showMessage: this bar paints the current one
itself, elided to the room Qt gives a message (from the left edge to the first visible
permanent widget, such as the scalar-fix buttons), so ``currentMessage()`` still reads the
whole text.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QRect, Qt
from PySide6.QtGui import QPainter, QPaintEvent
from PySide6.QtWidgets import QSizeGrip, QStatusBar, QStyle, QStyleOption, QWidget

LEFT, RIGHT = 6, 12  # QStatusBar's own margins around a message


class StatusLine(QStatusBar):
    """A QStatusBar whose message is elided at the end when it does not fit, the full text
    then in its tooltip."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("status_line")
        self.messageChanged.connect(self._update_tooltip)

    def _items(self) -> list[QWidget]:
        """The widgets shown in the bar: while a message shows, the permanent ones (Qt
        hides the others), not the size grip."""
        return [w for w in self.findChildren(QWidget, options=Qt.FindChildOption
                                             .FindDirectChildrenOnly)
                if w.isVisible() and not isinstance(w, QSizeGrip)]

    def message_rect(self) -> QRect:
        """Where the message is drawn: QStatusBar's rule, up to the first permanent widget
        shown."""
        right = min([self.width() - RIGHT, *(w.x() - 2 for w in self._items())])
        return QRect(LEFT, 0, max(0, right - LEFT), self.height())

    def shown_text(self) -> str:
        """The message as painted: whole when it fits, else cut with "…" at the end."""
        text = " ".join(self.currentMessage().splitlines())  # one line, as Qt paints it
        return self.fontMetrics().elidedText(text, Qt.TextElideMode.ElideRight,
                                             self.message_rect().width())

    def is_elided(self) -> bool:
        return self.shown_text() != " ".join(self.currentMessage().splitlines())

    def _update_tooltip(self, *_args: object) -> None:
        self.setToolTip(self.currentMessage() if self.is_elided() else "")

    def event(self, event: QEvent) -> bool:
        # the room changes with the bar's width and its permanent widgets (shown, hidden)
        if event.type() in (QEvent.Type.ToolTip, QEvent.Type.LayoutRequest,
                            QEvent.Type.Resize):
            self._update_tooltip()
        return super().event(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        """QStatusBar's painting (panel, permanent items' frames, message) with the message
        elided."""
        if not self.currentMessage():
            super().paintEvent(event)
            return
        painter = QPainter(self)
        option = QStyleOption()
        option.initFrom(self)
        style = self.style()
        style.drawPrimitive(QStyle.PrimitiveElement.PE_PanelStatusBar, option, painter, self)
        for widget in self._items():
            frame = QStyleOption()
            frame.rect = widget.geometry().adjusted(-2, -1, 2, 1)
            frame.palette = self.palette()
            style.drawPrimitive(QStyle.PrimitiveElement.PE_FrameStatusBarItem, frame,
                                painter, widget)
        self._update_tooltip()  # for the room as it is now, after any relayout
        painter.setPen(self.palette().windowText().color())
        painter.drawText(self.message_rect(), Qt.AlignmentFlag.AlignLeading
                         | Qt.AlignmentFlag.AlignVCenter | Qt.TextFlag.TextSingleLine,
                         self.shown_text())
        painter.end()
