"""Text for wrapped labels and rich-text views in which a shape never breaks across lines:
'(2, 3)' split as '(2,' / '3)' reads as two things. (A minus sign needs nothing: Unicode's
line breaking already keeps '−4' and '-4' together, which the tests check.) Word wrap stays
free everywhere else."""

from __future__ import annotations

import re

from PySide6.QtWidgets import QLabel, QWidget

NBSP = "\u00a0"
# a shape: '(2, 3)', '(4, 2, 1)' (the one-element '(2,)' has no space to break at)
SHAPE = re.compile(r"\(\d+(?:, \d+)+\)")


def keep_together(text: str) -> str:
    """``text`` with non-breaking spaces inside its shapes (they render as spaces, and a
    QTextDocument's plain text turns them back into spaces)."""
    return SHAPE.sub(lambda m: m.group(0).replace(" ", NBSP), text)


class WrapLabel(QLabel):
    """A word-wrapped QLabel whose shapes stay whole on one line (see keep_together)."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(keep_together(text), parent)
        self.setWordWrap(True)

    def setText(self, text: str) -> None:
        super().setText(keep_together(text))
