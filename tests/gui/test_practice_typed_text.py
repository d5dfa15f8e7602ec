"""What a student types comes back in the Practice dock's feedback line as typed: the line
is rich text (it carries its colour), so a typed '<', '>' or '&' must be shown, not read as
markup that swallows the rest of the line or draws something else."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QTextDocument

from tests.gui.test_practice_dock import start, type_answer


def shown(label) -> str:
    """The feedback line as it reads on screen (rich text rendered to plain text)."""
    doc = QTextDocument()
    doc.setHtml(label.text())
    return doc.toPlainText()


@pytest.mark.parametrize("typed", ["x<y", "<b>4</b>", "1 & 2", "&lt;4", "4>3"])
def test_a_typed_answer_with_markup_characters_is_quoted_as_typed(window, qtbot, typed):
    panel = start(window, qtbot)
    type_answer(panel, qtbot, typed)
    assert shown(panel.feedback) == f"{typed!r} is not a number: type a number such as " \
                                    "−4, 0.5, 4e−3 or 1/2"
    assert panel.practice.position == 0 and panel.practice.tries == 0  # nothing used up
