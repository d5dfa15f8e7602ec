"""The Messages dock: one line per message; a message that repeats the one before it is
counted on that line ('Gradient check: All 3 passed (ε = 1e−6). (×2)') instead of being
written again, as consoles collapse repeats, whichever controller sent it."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtGui import QResizeEvent, QTextCursor
from PySide6.QtWidgets import QPlainTextEdit, QWidget

MAX_LINES = 5000


def counted(text: str, count: int) -> str:
    """``text`` as shown after ``count`` times in a row: itself once, then '… (×N)'."""
    return text if count == 1 else f"{text} (×{count})"


class MessageLog(QPlainTextEdit):
    """A read-only log that collapses immediate repeats into a count on their line."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setReadOnly(True)
        self.setMaximumBlockCount(MAX_LINES)
        self._last = ""  # the last message, as sent
        self._count = 0  # how many times in a row it was sent

    def add(self, text: str) -> str:
        """Log ``text``; the line as it now reads (with its count when a repeat)."""
        if self._count and text == self._last and self._ends_with(counted(text, self._count)):
            self._count += 1
            cursor = QTextCursor(self.document())
            cursor.movePosition(QTextCursor.MoveOperation.End)
            # A message of several lines: only its last line carries the count.
            cursor.movePosition(QTextCursor.MoveOperation.StartOfBlock,
                                QTextCursor.MoveMode.KeepAnchor)
            cursor.insertText(counted(text, self._count).splitlines()[-1])
        else:
            self._last, self._count = text, 1
            self.appendPlainText(text)
        return counted(text, self._count)

    def add_many(self, texts: Sequence[str]) -> str:
        """Log each of ``texts`` in turn as ``add`` does, in one append: a run that skips
        5,000 nodes logs a line for each, and an append per line took ~0.1 ms. The last
        line as it now reads ('' when ``texts`` is empty)."""
        fresh: list[str] = []  # whole messages not yet in the document, the last counted
        for text in texts:
            if not fresh:
                if self._count and text == self._last:
                    self.add(text)  # counted on the document's last line, as add does
                    continue
            elif text == self._last:
                self._count += 1
                fresh[-1] = counted(text, self._count)
                continue
            self._last, self._count = text, 1
            fresh.append(text)
        if fresh:
            self.appendPlainText("\n".join(fresh))
        return counted(self._last, self._count) if texts else ""

    def resizeEvent(self, event: QResizeEvent) -> None:
        # Shown at the end, stay at the end: the strip comes back short after the tall
        # Trace covered it, and Qt would keep the top lines in view, hiding the newest.
        bar = self.verticalScrollBar()
        at_end = bar.value() >= bar.maximum()
        super().resizeEvent(event)
        if at_end:
            bar.setValue(bar.maximum())

    def _ends_with(self, shown: str) -> bool:
        """Whether the log's last line is still ``shown``'s (not cleared since)."""
        lines = shown.splitlines()
        return bool(lines) and self.document().lastBlock().text() == lines[-1]
