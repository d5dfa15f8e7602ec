"""The default dock arrangement, sized for a 1280×800 laptop window: Ops narrow on the
left; the Inspector over the Chain rule and the Learn docks, tabbed, in one right column
(which widens while a Learn dock is open, taking the room of Ops when the canvas would
otherwise be too narrow to show the bundled examples whole and readable);
Messages and Trace tabbed in one short strip below, which grows while the Trace is shown
so that it opens showing several rows. The canvas keeps the rest, and a closed dock gives its
room back (a restored layout from the last session wins over this).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget, QMainWindow, QTabBar

from cgeditor.gui.canvas.arrange import LAPTOP_CANVAS
from cgeditor.gui.teardown import while_alive

PALETTE_WIDTH = 140
RIGHT_WIDTH = 240
LEARN_WIDTH = 400  # the right column while a Learn dock (tables, plots) is open
BOTTOM_HEIGHT = 56  # the latest message line (drag the splitter for more); a text view asks for 70
BOTTOM_DOCKS = ("messages", "trace")
# The right column's split, (Inspector, Chain rule and Learn tabs): an input's whole form with
# its value and gradient tables over a tensor path's vjp chain; while a Learn dock is open,
# its table or loss plot gets the room.
COLUMN_SPLIT = (440, 200)
LEARN_SPLIT = (230, 410)
LEARN_DOCKS = ("gradcheck", "cost", "train", "practice")
GROWN = "opened_at"  # dock property: the height it grew to on showing (see _open_tall)
LENT = "lent_to_learn"  # palette property: hidden to give a Learn dock its room
SEPARATORS = 12  # the splitter handles between the docks and the canvas, in pixels


def docks_of(window: QMainWindow) -> dict[str, QDockWidget]:
    return {dock.objectName(): dock for dock in window.findChildren(QDockWidget)}


def arrange_docks(window: QMainWindow) -> None:
    """Tab and size the window's docks as described above (missing docks are skipped)."""
    docks = docks_of(window)
    for name in BOTTOM_DOCKS:
        if name in docks:
            docks[name].widget().setMinimumHeight(BOTTOM_HEIGHT // 2)
    for first, others in (("messages", BOTTOM_DOCKS[1:]), ("explainer", LEARN_DOCKS)):
        if first not in docks:
            continue
        for name in others:
            if name in docks:
                window.tabifyDockWidget(docks[first], docks[name])
        docks[first].raise_()
    for name, size, orientation in (
            ("palette", PALETTE_WIDTH, Qt.Orientation.Horizontal),
            ("inspector", RIGHT_WIDTH, Qt.Orientation.Horizontal),
            ("messages", BOTTOM_HEIGHT, Qt.Orientation.Vertical)):
        if name in docks:
            window.resizeDocks([docks[name]], [size], orientation)
    _split_column(window, COLUMN_SPLIT)
    for dock in docks.values():
        if hasattr(dock.widget(), "opening_height"):
            dock.visibilityChanged.connect(
                while_alive(lambda on, d=dock, w=window: _open_tall(w, d, on), window, dock))
    for name in LEARN_DOCKS:
        if name in docks:
            docks[name].visibilityChanged.connect(
                while_alive(lambda _on, w=window: _learn_width(w), window))


def _learn_width(window: QMainWindow) -> None:
    """Widen the right column while a Learn dock is open; narrow it when the last closes
    (a dock tabbed behind another is not hidden, only covered)."""
    docks = docks_of(window)
    column = docks.get("inspector") or docks.get("explainer")
    if column is None or column.isFloating():
        return
    learning = any(name in docks and not docks[name].isHidden() and not docks[name].isFloating()
                   for name in LEARN_DOCKS)
    width = LEARN_WIDTH if learning else RIGHT_WIDTH
    if (column.width() < width) if learning else (column.width() > width):
        window.resizeDocks([column], [width], Qt.Orientation.Horizontal)
        _split_column(window, LEARN_SPLIT if learning else COLUMN_SPLIT)
    if learning:
        _shrink_grown_strip(window, docks)
    _lend_palette(window, docks.get("palette"), learning)


def _shrink_grown_strip(window: QMainWindow, docks: dict[str, QDockWidget]) -> None:
    """A bottom dock that grew on showing (the Trace) gives that room back to the right
    column when a Learn dock opens, down to its compact height (a few rows, still a
    table): the Inspector over a table or plot needs the height (what still does not fit
    scrolls, see learn.scrolled)."""
    for name in BOTTOM_DOCKS:
        dock = docks.get(name)
        grown = dock.property(GROWN) if dock is not None else None
        if grown and dock.isVisible() and not dock.isFloating():
            dock.setProperty(GROWN, None)
            compact = _strip_height(window, dock, getattr(dock.widget(), "compact_height", int)())
            window.resizeDocks([dock], [max(grown[0], compact)], Qt.Orientation.Vertical)
            _split_column(window, LEARN_SPLIT)


def _strip_height(window: QMainWindow, dock: QDockWidget, content: int) -> int:
    """The height resizeDocks takes for ``dock`` to hold ``content`` pixels of its widget:
    its title bar and, when tabbed, the tab bar below."""
    chrome = dock.height() - dock.widget().height()
    return chrome + content + _tab_bar_height(window, dock)


def _lend_palette(window: QMainWindow, palette: QDockWidget | None, learning: bool) -> None:
    """While a Learn dock is open, hide Ops if the canvas would be narrower than the one
    the examples are laid out for (LAPTOP_CANVAS, a 1280×800 window's): a lesson is read
    on the whole graph, and adding ops still works by Tab, typing or the formula field.
    Ops comes back when the last Learn dock closes, unless the user hid or showed it
    meanwhile (View menu)."""
    if palette is None or palette.isFloating():
        return
    if learning and not palette.isHidden() and not palette.property(LENT):
        canvas = window.width() - LEARN_WIDTH - palette.width() - SEPARATORS
        if canvas < LAPTOP_CANVAS[0]:
            palette.setProperty(LENT, True)
            palette.hide()
    elif not learning and palette.property(LENT):
        palette.setProperty(LENT, False)
        if palette.isHidden():
            palette.show()


def _open_tall(window: QMainWindow, dock: QDockWidget, shown: bool) -> None:
    """A dock whose widget says how tall it must open (``opening_height()``, the Trace's
    header and several rows) grows to it when shown in a shorter strip, and gives the room
    back when hidden again (a tab switch, a close) unless the user resized it meanwhile."""
    if dock.isFloating() or (shown and window.isHidden()):
        return
    orientation = Qt.Orientation.Vertical
    tabs = _tab_bar_height(window, dock)  # heights below are resizeDocks', tab bar included
    if shown:
        wanted = _strip_height(window, dock, dock.widget().opening_height())
        if dock.height() + tabs < wanted:
            dock.setProperty(GROWN, (dock.height() + tabs, wanted))
            window.resizeDocks([dock], [wanted], orientation)
        return
    grown = dock.property(GROWN)
    dock.setProperty(GROWN, None)
    strip = [d for d in window.tabifiedDockWidgets(dock) if not d.isHidden()]
    if grown and strip and abs(strip[0].height() + tabs - grown[1]) <= 2:
        window.resizeDocks([strip[0]], [grown[0]], orientation)


def give_back_palette(window: QMainWindow) -> None:
    """Show Ops again if a Learn dock has it (before the layout is saved)."""
    palette = docks_of(window).get("palette")
    if palette is not None and palette.property(LENT):
        _lend_palette(window, palette, learning=False)


def _tab_bar_height(window: QMainWindow, dock: QDockWidget) -> int:
    """The height of the tab bar under ``dock`` when it is tabbed (resizeDocks sizes the
    tab group, tab bar included), else 0."""
    if not window.tabifiedDockWidgets(dock):
        return 0
    title = dock.windowTitle()
    bars = [bar for bar in window.findChildren(QTabBar) if not bar.visibleRegion().isEmpty()
            and any(bar.tabText(i) == title for i in range(bar.count()))]  # not a spare one
    return bars[0].sizeHint().height() if bars else 0


def _split_column(window: QMainWindow, heights: tuple[int, int]) -> None:
    """Share the right column's height between the Inspector and the tabs below it (both
    named: a lone size is shared out in proportion instead)."""
    docks = docks_of(window)
    column = [docks[name] for name in ("inspector", "explainer") if name in docks]
    if len(column) == 2 and not any(dock.isFloating() for dock in column):
        window.resizeDocks(column, list(heights), Qt.Orientation.Vertical)
