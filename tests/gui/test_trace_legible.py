"""The Trace in a 1280×800 window reads whole: a long inputs cell ('a=a, b=y (deleted)')
widens its column on one line instead of wrapping out of its row, and the strip keeps a
few whole rows when a Learn dock takes its room back, stale note shown or not."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from cgeditor.gui.docks.trace import COMPACT_ROWS
from tests.gui.conftest import Canvas
from tests.gui.test_deleted_labels import delete_and_paste_a_copy
from tests.gui.test_dock_layout import click_tab, dock, laptop  # noqa: F401 (fixture)


@pytest.fixture
def edited(laptop, monkeypatch):  # noqa: F811
    """The laptop window, closed without asking about the edits a test makes."""
    from cgeditor.gui import document
    monkeypatch.setattr(document, "ask_save_changes",
                        lambda *_a: QMessageBox.StandardButton.Discard)
    return laptop


def whole_rows(table) -> list[int]:
    """The rows drawn wholly inside the table's viewport."""
    height = table.viewport().height()
    return [r for r in range(table.model().rowCount())
            if table.rowViewportPosition(r) >= 0
            and table.rowViewportPosition(r) + table.rowHeight(r) <= height]


def test_a_long_inputs_cell_is_one_whole_line(edited, qtbot) -> None:
    window = edited
    window.action("backward").trigger()
    click_tab(window, qtbot, "Trace")
    delete_and_paste_a_copy(window, Canvas(window), "y")
    table = dock(window, "trace").widget().table
    model = table.model()
    row = next(r for r in range(model.rowCount()) if model.rows[r][1] == "d")
    text = model.data(model.index(row, 3))
    assert text == "a=a, b=y (deleted)"
    table.scrollTo(model.index(row, 3))
    QApplication.processEvents()
    metrics = table.fontMetrics()
    assert not table.wordWrap()
    assert table.columnWidth(3) > metrics.horizontalAdvance(text)
    assert table.rowHeight(row) < 2 * metrics.height()  # one line a row
    for col in range(5):  # every column but the stretched gradient holds its cells whole
        for r in whole_rows(table):
            cell = model.data(model.index(r, col))
            assert table.columnWidth(col) > metrics.horizontalAdvance(cell), (r, col, cell)


def test_the_trace_keeps_whole_rows_when_a_learn_dock_opens(edited, qtbot) -> None:
    window = edited
    window.action("backward").trigger()
    click_tab(window, qtbot, "Trace")
    table = dock(window, "trace").widget().table
    window.action("gradcheck").trigger()  # Learn > Gradient Check: the column takes room
    qtbot.waitUntil(lambda: window.learning.gradcheck.table.rowCount() > 0, timeout=30_000)
    QApplication.processEvents()
    assert len(whole_rows(table)) >= COMPACT_ROWS
    canvas = Canvas(window)
    canvas.click(canvas.header("y"))
    window.view.setFocus()
    qtbot.keyClick(window.view.viewport(), Qt.Key.Key_Delete)
    QApplication.processEvents()  # an edit: the Trace's numbers are stale
    assert dock(window, "trace").widget().stale_note.stale
    assert len(whole_rows(table)) >= COMPACT_ROWS

