"""The default dock arrangement, sized for a 1280×800 laptop window: Ops narrow on the
left; the Inspector over the Chain rule and the Learn docks, tabbed, in one right column
(which widens while a Learn dock is open, taking the room of Ops when the canvas would
otherwise be too narrow to show the bundled examples whole and readable);
Messages and Trace tabbed in one short strip below, which grows while the Trace is shown
so that it opens showing several rows, but never so far that the open graph, shown whole and
readable before, is cut (see _grow_room). The canvas keeps the rest, and a closed dock gives
its room back (a restored layout from the last session wins over this).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget, QMainWindow, QTabBar

from cgeditor.gui.canvas.arrange import LAPTOP_CANVAS
from cgeditor.gui.canvas.view import GraphView
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
LEARN_DOCKS = ("gradcheck", "cost", "train", "practice", "ordering", "failure_lab")
GROWN = "opened_at"  # dock property: the height it grew to on showing (see _open_tall)
LENT = "lent_to_learn"  # palette property: hidden to give a Learn dock its room
SEPARATORS = 12  # the splitter handles between the docks and the canvas, in pixels


def docks_of(window: QMainWindow) -> dict[str, QDockWidget]:
    return {dock.objectName(): dock for dock in window.findChildren(QDockWidget)}


def arrange_docks(window: QMainWindow, canvas: GraphView | None = None) -> None:
    """Tab and size the window's docks as described above (missing docks are skipped);
    ``canvas`` is the view whose graph a growing dock must leave whole."""
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
                while_alive(lambda on, d=dock, w=window: _open_tall(w, d, on, canvas),
                            window, dock))
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
            compact = _strip_height(window, dock, getattr(dock.widget(), "compact_height", int)())
            now = dock.height() + _tab_bar_height(window, dock)
            # Never taller than now: the strip may have grown less to keep the graph whole.
            height = min(now, max(grown[0], compact))
            if height < now:  # once: after that the strip is the user's to resize
                _regrown(dock, grown[0], height)
                window.resizeDocks([dock], [height], Qt.Orientation.Vertical)
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


def _open_tall(window: QMainWindow, dock: QDockWidget, shown: bool,
               canvas: GraphView | None) -> None:
    """A dock whose widget says how tall it must open (``opening_height()``, the Trace's
    header and several rows) grows to it when shown in a shorter strip, as far as the
    canvas's graph stays whole (_grow_room), and gives the room back when hidden again (a
    tab switch, a close) unless the user resized it meanwhile."""
    if dock.isFloating() or (shown and window.isHidden()):
        return
    orientation = Qt.Orientation.Vertical
    tabs = _tab_bar_height(window, dock)  # heights below are resizeDocks', tab bar included
    if shown:
        wanted = _strip_height(window, dock, dock.widget().opening_height())
        wanted = min(wanted, dock.height() + tabs + _grow_room(canvas))
        if dock.height() + tabs < wanted:
            dock.setProperty(GROWN, (dock.height() + tabs, wanted))
            window.resizeDocks([dock], [wanted], orientation)
        return
    grown = dock.property(GROWN)
    dock.setProperty(GROWN, None)
    strip = [d for d in window.tabifiedDockWidgets(dock) if not d.isHidden()]
    if grown and strip and abs(strip[0].height() + tabs - grown[1]) <= 2:
        window.resizeDocks([strip[0]], [grown[0]], orientation)


def _grow_room(canvas: GraphView | None) -> int:
    """How many pixels the canvas may give a growing bottom dock: all but what its graph
    needs to stay whole and readable (the Trace raised after a run must not push the
    output off the canvas); any amount when no height would show the graph whole."""
    needed = canvas.readable_height() if canvas is not None else None
    if needed is None:
        return 1 << 20
    return max(0, canvas.viewport().height() - needed)


def keep_graph_whole(window: QMainWindow, canvas: GraphView) -> None:
    """A bottom dock that grew on showing (the Trace) gives back what a newly opened graph
    needs to be seen whole and readable, down to the height it had before growing."""
    needed = canvas.readable_height()
    short = needed - canvas.viewport().height() if needed is not None else 0
    if short <= 0:
        return
    docks = docks_of(window)
    for name in BOTTOM_DOCKS:
        dock = docks.get(name)
        grown = dock.property(GROWN) if dock is not None else None
        if short <= 0 or not grown or not dock.isVisible() or dock.isFloating():
            continue
        now = dock.height() + _tab_bar_height(window, dock)
        if abs(now - grown[1]) > 2:  # the user resized it since: theirs to keep
            continue
        height = max(grown[0], now - short)
        _regrown(dock, grown[0], height)
        window.resizeDocks([dock], [height], Qt.Orientation.Vertical)
        short -= now - height


def _regrown(dock: QDockWidget, before: int, height: int) -> None:
    """Note that ``dock``, ``before`` tall until it grew, is now ``height`` tall (no note
    once it is back to ``before``): hiding it gives that room back (see _open_tall)."""
    dock.setProperty(GROWN, (before, height) if height > before else None)


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
