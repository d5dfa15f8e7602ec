"""Review of the wire layer and the zoomed-out overview: what the screen keeps after a change
must be what a fresh paint shows. Incremental repaints are read from the window's backing
store (grabWindow, offscreen), which a grab() of the viewport would repaint from scratch."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QFrame

from cgeditor.gui import theme as T
from cgeditor.model.graph import Graph
from tests.gui.conftest import Canvas

OVERVIEW = T.LOD_WIRES * 0.75


def on_screen(window) -> QImage:
    """The viewport as the backing store holds it: only what repaints have touched."""
    for _ in range(3):  # the scene reports changes a turn or two of the event loop later
        QApplication.processEvents()
    vp = window.view.viewport()
    at = vp.mapTo(window, QPoint(0, 0))
    pixmap = QApplication.primaryScreen().grabWindow(window.winId(), at.x(), at.y(),
                                                     vp.width(), vp.height())
    return pixmap.toImage().convertToFormat(QImage.Format.Format_RGB32)


def repainted(window) -> QImage:
    """The viewport painted from scratch."""
    return window.view.viewport().grab().toImage().convertToFormat(QImage.Format.Format_RGB32)


def stale_pixels(window) -> int:
    """Pixels the screen shows that a fresh paint would not."""
    shown, fresh = on_screen(window), repainted(window)
    assert shown.size() == fresh.size()
    return sum(1 for y in range(shown.height()) for x in range(shown.width())
               if shown.pixel(x, y) != fresh.pixel(x, y))


def settle(window, zoom: float | None = None) -> None:
    """Hide the first-run banner (a child of the view) and wait for the canvas to paint."""
    for hint in window.findChildren(QFrame, "first_run_hint"):
        hint.hide()
    if zoom is not None:
        window.view.resetTransform()
        window.view.scale(zoom, zoom)
        window.view.centerOn(window.scene.graph_rect().center())
    on_screen(window)


def wide_graph(window) -> Graph:
    """Nodes far apart, opened fresh: Fit lands below LOD_WIRES before any item paint."""
    graph = Graph()
    x = graph.add_node("input", "x", x=0, y=0, value=1.0)
    n = graph.add_node("neg", "n", x=9000, y=0)
    graph.add_node("input", "lone", x=4000, y=3000, value=2.0)
    graph.connect(x.id, n.id, "x")
    window.set_graph(graph)
    settle(window)
    assert window.view.zoom() < T.LOD_WIRES
    return graph


# --- the overview repaints what changed ---------------------------------------------------
def test_overview_repaints_a_dragged_block_in_a_freshly_opened_graph(window) -> None:
    wide_graph(window)
    canvas = Canvas(window)
    start = canvas.item("lone").sceneBoundingRect().center()
    canvas.drag(start, start + QPointF(1500, 900))
    assert canvas.item("lone").pos() != QPointF(4000, 3000)
    assert stale_pixels(window) == 0


def test_overview_repaints_a_deleted_lone_block(window) -> None:
    wide_graph(window)
    canvas = Canvas(window)
    window.editor.delete([canvas.id("lone")])
    assert stale_pixels(window) == 0


def test_overview_repaints_a_node_selected_by_click(window) -> None:
    wide_graph(window)
    canvas = Canvas(window)
    canvas.click(canvas.item("lone").sceneBoundingRect().center())
    assert window.scene.selected_ids() == [canvas.id("lone")]
    assert stale_pixels(window) == 0


def test_overview_erases_a_refused_cycles_ghost(window) -> None:
    canvas = Canvas(window)
    settle(window, OVERVIEW)
    window.scene.flash([canvas.id("a"), canvas.id("d"), canvas.id("sq")],
                       (canvas.id("J"), canvas.id("c"), "a"))
    on_screen(window)
    window.scene.clear_flash()
    assert stale_pixels(window) == 0


def test_overview_erases_a_dragged_wire(window) -> None:
    canvas = Canvas(window)
    settle(window, OVERVIEW)
    start = canvas.in_port("sq", "x")  # picks up d -> sq.x
    canvas.press(start)
    for k in range(1, 7):
        canvas.move(start + QPointF(50 * k, 80 * k))
        on_screen(window)
    assert stale_pixels(window) == 0  # no trail while it moves
    canvas.release(start + QPointF(300, 480))
    assert stale_pixels(window) == 0  # and nothing once dropped


def test_overview_shows_blocks_grown_by_a_run(window) -> None:
    settle(window, OVERVIEW)
    window.run.forward()
    on_screen(window)
    window.run.backward()
    assert stale_pixels(window) == 0


def test_item_painting_resumes_after_the_overview(window) -> None:
    """Back above LOD_WIRES Qt paints items again and tracks their updates itself."""
    canvas = Canvas(window)
    settle(window, OVERVIEW)
    settle(window, 1.0)
    start = canvas.header("d")
    canvas.drag(start, start + QPointF(120, 200))
    assert stale_pixels(window) == 0


# --- a node drag zoomed out touches only its own wires -----------------------------------
def test_moving_a_node_zoomed_out_redraws_only_its_wires_lines(window, monkeypatch) -> None:
    from cgeditor.gui.canvas import wire_layer

    canvas = Canvas(window)
    settle(window, OVERVIEW)  # the layer's line lists are built
    made: list[object] = []
    real = wire_layer.QLineF

    def counted(*args: float) -> object:
        made.append(args)
        return real(*args)

    monkeypatch.setattr(wire_layer, "QLineF", counted)
    d = canvas.id("d")
    own = len(window.graph.in_edges(d)) + len(window.graph.out_edges(d))
    window.graph.move_node(d, 700, 600)
    assert stale_pixels(window) == 0  # its wires are drawn where they now run
    # Its lines are set in place (at most one new per own wire), not one line per wire of
    # the canvas (20k at 10k nodes), and show what lines built afresh from every wire show.
    assert len(made) <= own
    kept = repainted(window)
    layer = window.scene.wire_layer
    layer.changed(layer.boundingRect())  # every line made again from its wire's ends
    assert repainted(window) == kept
