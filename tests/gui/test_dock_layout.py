"""The default docks leave the canvas most of a 1280×800 window, and give room back when
closed: Learn docks tabbed in the right column, Messages and Trace in one short strip."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDockWidget

from cgeditor.gui.dock_layout import (
    BOTTOM_HEIGHT,
    COLUMN_SPLIT,
    LEARN_SPLIT,
    LEARN_WIDTH,
    PALETTE_WIDTH,
    RIGHT_WIDTH,
)
from tests.gui.conftest import shown_window

Area = Qt.DockWidgetArea


@pytest.fixture
def laptop(qtbot, tmp_path: Path):
    window = shown_window(qtbot, tmp_path)
    window.resize(1280, 800)
    QApplication.processEvents()
    return window


def dock(window, name: str) -> QDockWidget:
    return window.findChild(QDockWidget, name)


def canvas_size(window):
    QApplication.processEvents()
    return window.view.viewport().size()


def test_the_canvas_gets_most_of_a_laptop_window(laptop) -> None:
    size = canvas_size(laptop)
    assert size.width() >= 1280 - PALETTE_WIDTH - RIGHT_WIDTH - 20, size
    assert size.height() >= 800 - 160, size  # menu, tools, status and a short bottom strip
    assert dock(laptop, "messages").height() <= BOTTOM_HEIGHT
    assert dock(laptop, "trace") in laptop.tabifiedDockWidgets(dock(laptop, "messages"))
    for name in ("gradcheck", "cost", "train", "practice", "ordering"):
        assert laptop.dockWidgetArea(dock(laptop, name)) == Area.RightDockWidgetArea


def test_closing_docks_gives_the_canvas_their_room(laptop, qtbot) -> None:
    before = canvas_size(laptop)
    strip = dock(laptop, "messages").height()
    for name in ("messages", "trace"):
        dock(laptop, name).close()
    assert canvas_size(laptop).height() >= before.height() + strip
    for name in ("inspector", "explainer"):
        dock(laptop, name).close()
    assert canvas_size(laptop).width() >= before.width() + RIGHT_WIDTH


def test_a_learn_dock_widens_the_right_column_until_it_closes(laptop) -> None:
    before = canvas_size(laptop)
    laptop.learning.show("train")
    widened = canvas_size(laptop)
    assert dock(laptop, "train") in laptop.tabifiedDockWidgets(dock(laptop, "explainer"))
    assert dock(laptop, "train").isVisible() and widened.width() < before.width()
    # ...and taller: the loss plot gets the room the Inspector's tables had.
    # (less its tab bar)
    assert dock(laptop, "train").height() >= LEARN_SPLIT[1] - 40, dock(laptop, "train").height()
    dock(laptop, "train").close()
    assert abs(canvas_size(laptop).width() - before.width()) <= 12
    assert dock(laptop, "inspector").height() >= COLUMN_SPLIT[0] - 20


@pytest.mark.parametrize("name", ["gradcheck", "cost", "train", "practice", "ordering",
                                  "failure_lab"])
def test_each_learn_dock_fits_the_right_column(laptop, name: str) -> None:
    # A dock wider than the column's Learn width pushes the canvas down to a strip.
    laptop.learning.show(name)
    assert dock(laptop, name).isVisible()
    assert dock(laptop, name).minimumSizeHint().width() <= LEARN_WIDTH
    assert canvas_size(laptop).width() >= 0.5 * 1280


def test_a_selected_tensor_input_shows_its_value_from_the_start_and_its_tables(laptop,
                                                                                qtbot) -> None:
    from PySide6.QtWidgets import QLineEdit, QTableView

    from cgeditor.model.examples import load_example
    from tests.gui.conftest import Canvas

    laptop.set_graph(load_example("softmax"))
    QApplication.processEvents()
    laptop.action("forward").trigger()
    laptop.action("backward").trigger()
    canvas = Canvas(laptop)
    canvas.click(canvas.header("W"))
    QApplication.processEvents()
    field = dock(laptop, "inspector").findChild(QLineEdit, "field_value")
    assert field.text().startswith("[[") and field.cursorPosition() == 0
    for kind in ("value", "grad"):
        table = dock(laptop, "inspector").findChild(QTableView, f"{kind}_table")
        shown = table.viewport().visibleRegion().boundingRect()
        first_row = table.visualRect(table.model().index(0, 0))
        assert table.isVisible() and shown.contains(first_row), (kind, shown, first_row)
    chain = dock(laptop, "explainer")
    assert chain.isVisible() and chain.height() >= 180, chain.height()


def click_tab(window, qtbot, title: str) -> None:
    """Click the dock tab named ``title`` as a user would."""
    from PySide6.QtWidgets import QTabBar
    bar = next(b for b in window.findChildren(QTabBar) if not b.visibleRegion().isEmpty()
               and any(b.tabText(i) == title for i in range(b.count())))  # not a spare one
    index = next(i for i in range(bar.count()) if bar.tabText(i) == title)
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(index).center())
    QApplication.processEvents()


def test_the_trace_opens_showing_several_rows_and_gives_the_room_back(laptop, qtbot) -> None:
    from cgeditor.gui.docks.trace import OPEN_ROWS
    laptop.action("backward").trigger()
    before = canvas_size(laptop)
    click_tab(laptop, qtbot, "Trace")
    table = dock(laptop, "trace").widget().table
    last = OPEN_ROWS - 1
    assert table.model().rowCount() > OPEN_ROWS
    assert table.rowViewportPosition(last) >= 0 \
        and table.rowViewportPosition(last) + table.rowHeight(last) <= table.viewport().height()
    assert canvas_size(laptop).height() >= 0.5 * 800  # the canvas keeps most of the window
    click_tab(laptop, qtbot, "Messages")
    assert dock(laptop, "messages").height() <= BOTTOM_HEIGHT
    assert canvas_size(laptop) == before


def last_line_shown(log) -> bool:
    """Whether the log's last line lies wholly inside its viewport."""
    block = log.document().lastBlock()
    line = log.blockBoundingGeometry(block).translated(log.contentOffset())
    return line.top() >= 0 and line.bottom() <= log.viewport().height() + 1


def test_messages_shows_its_latest_line_after_the_trace_was_raised(laptop, qtbot) -> None:
    """Messages logged while the tall Trace covered them: raising Messages again (its strip
    short once more) shows the newest line, not the oldest."""
    log = dock(laptop, "messages").widget()
    laptop.view.setFocus()
    for _ in range(3):  # Auto Layout (Ctrl+L) and its undo each log a line
        qtbot.keyClick(laptop.view.viewport(), Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
        qtbot.keyClick(laptop.view.viewport(), Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert last_line_shown(log)
    click_tab(laptop, qtbot, "Trace")
    laptop.action("backward").trigger()
    qtbot.keyClick(laptop.view.viewport(), Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    newest = log.document().lastBlock().text()
    assert newest.startswith("Auto layout"), newest
    click_tab(laptop, qtbot, "Messages")
    assert dock(laptop, "messages").height() <= BOTTOM_HEIGHT
    assert last_line_shown(log), (log.verticalScrollBar().value(),
                                  log.verticalScrollBar().maximum())


def test_ops_lent_to_a_learn_dock_comes_back_after_a_restart(laptop, qtbot, tmp_path) -> None:
    from PySide6.QtCore import QSettings

    from cgeditor.gui import settings as app_settings
    from tests.gui.conftest import shown_window
    laptop.learning.show("cost")
    QApplication.processEvents()
    assert not dock(laptop, "palette").isVisible()  # lent: the canvas keeps its room
    settings = QSettings(str(tmp_path / "layout.ini"), QSettings.Format.IniFormat)
    app_settings.save_layout(laptop, settings)
    again = shown_window(qtbot, tmp_path / "again")
    again.resize(1280, 800)
    assert app_settings.restore_layout(again, settings)
    QApplication.processEvents()
    dock(again, "cost").close()
    QApplication.processEvents()
    assert dock(again, "palette").isVisible()


def test_the_trace_follows_the_step_and_marks_it(laptop, qtbot) -> None:
    """F10 nine times on the seed with the Trace raised: the step the canvas outlines (sq,
    the ninth) is in view in the Trace, in bold, and no other row is."""
    click_tab(laptop, qtbot, "Trace")
    laptop.view.setFocus()
    for _ in range(9):
        qtbot.keyClick(laptop.view.viewport(), Qt.Key.Key_F10)
    table = dock(laptop, "trace").widget().table
    model = table.model()
    current = laptop.run.display.current
    row = model.ids.index(current)
    assert laptop.graph.nodes[current].name == "sq" and laptop.scene.nodes[current].display.current
    top = table.rowViewportPosition(row)
    assert top >= 0 and top + table.rowHeight(row) <= table.viewport().height(), top
    bold = [r for r in range(model.rowCount())
            if (font := model.data(model.index(r, 1), Qt.ItemDataRole.FontRole)) is not None
            and font.bold()]
    assert bold == [row]
