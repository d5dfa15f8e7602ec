"""Bulk edits on a big canvas, as the user does them: select all, copy, delete, undo, redo,
paste, a mouse drag of everything, and a duplicate of everything. Each is timed with the
events it posts processed (the view's repaint among them), so selection handlers, docks and
the canvas all count.

Used by canvas.py (its bulk-edit rows); run alone: python benchmarks/canvas_bulk.py
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("CGEDITOR_NO_SETTINGS", "1")

from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

OPS = ("select all", "copy", "delete", "undo", "redo", "paste", "undo paste", "redo paste",
       "delete pasted", "drag all", "duplicate")
ROOM = "  of it: make room"  # the paste's share spent moving old nodes from under the new


def _settled_ms(action: Callable[[], object], window) -> float:
    """CPU time of ``action`` plus the events it posted, the repaint among them. CPU, not
    wall time: on a shared machine the wall clock mostly measures the neighbours."""
    start = time.process_time()
    action()
    QApplication.processEvents()
    return (time.process_time() - start) * 1000


class _CpuTally:
    """CPU ms spent inside the functions it wraps (a breakdown of one measured edit)."""

    def __init__(self) -> None:
        self.ms = 0.0

    def wrap(self, func: Callable[..., object]) -> Callable[..., object]:
        def timed(*args: object) -> object:
            start = time.process_time()
            try:
                return func(*args)
            finally:
                self.ms += (time.process_time() - start) * 1000
        return timed


def _drag_all(window) -> None:
    """Press on one selected node's header, move in four steps, release: a real drag."""
    view = window.view
    vp = view.viewport()
    item = next(iter(window.scene.nodes.values()))
    view.centerOn(item.sceneBoundingRect().center())
    QApplication.processEvents()
    start = view.mapFromScene(item.pos() + QPointF(60, 12))
    QTest.mousePress(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    for k in range(1, 5):
        local = QPointF(start.x() + 10 * k, start.y() + 6 * k)
        QApplication.sendEvent(vp, QMouseEvent(
            QEvent.Type.MouseMove, local, QPointF(vp.mapToGlobal(local)),
            Qt.MouseButton.NoButton, Qt.MouseButton.LeftButton,
            Qt.KeyboardModifier.NoModifier))
    end = start + QPointF(40, 24).toPoint()
    QTest.mouseRelease(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, end)


def measure_bulk(window, graph) -> dict[str, float]:
    """Each bulk edit once on ``graph`` (already built, not yet shown); ms by OPS name."""
    window.set_graph(graph)
    QApplication.processEvents()
    act = window.action
    count = len(graph.nodes)
    out = {"select all": _settled_ms(act("select_all").trigger, window),
           "copy": _settled_ms(act("copy").trigger, window),
           "delete": _settled_ms(act("delete").trigger, window)}
    assert not graph.nodes, "delete left nodes behind"
    out["undo"] = _settled_ms(window.undo_stack.undo, window)
    out["redo"] = _settled_ms(window.undo_stack.redo, window)
    window.undo_stack.undo()
    QApplication.processEvents()
    window.scene.clearSelection()
    room = _CpuTally()
    editor = window.editor
    editor._room = room.wrap(editor._room)  # timed as it runs; it still does its work
    try:
        out["paste"] = _settled_ms(act("paste").trigger, window)
    finally:
        del editor._room
    out[ROOM] = room.ms
    assert len(graph.nodes) == 2 * count, "paste did not add every copied node"
    out.update(_paste_after(window, graph, count))
    act("select_all").trigger()
    QApplication.processEvents()
    out["drag all"] = _settled_ms(lambda: _drag_all(window), window)
    assert window.undo_stack.undoText().startswith("Move"), "the drag was not one move"
    window.undo_stack.undo()
    act("select_all").trigger()
    QApplication.processEvents()
    out["duplicate"] = _settled_ms(act("duplicate").trigger, window)  # a paste, uncopied
    assert len(graph.nodes) == 2 * count, "duplicate did not add every selected node"
    return out


def _paste_after(window, graph, count: int) -> dict[str, float]:
    """What follows a paste (made just now, its nodes selected): its undo and redo, and a
    Delete of the pasted block beside the originals; the paste is then undone."""
    pasted = window.scene.selected_ids()
    assert len(pasted) == count, "the paste did not select what it added"
    out = {"undo paste": _settled_ms(window.undo_stack.undo, window)}
    assert len(graph.nodes) == count, "undo of the paste left pasted nodes"
    out["redo paste"] = _settled_ms(window.undo_stack.redo, window)
    assert len(graph.nodes) == 2 * count, "redo of the paste did not add them again"
    window.scene.select_ids(pasted)
    QApplication.processEvents()
    out["delete pasted"] = _settled_ms(window.action("delete").trigger, window)
    assert len(graph.nodes) == count, "delete left pasted nodes behind"
    window.undo_stack.undo()  # the delete
    window.undo_stack.undo()  # the paste
    return out


def main() -> int:
    from canvas import layered_graph, make_window
    app = QApplication.instance() or QApplication(sys.argv)
    window = make_window(app)
    sizes = (1_000, 10_000)
    rows = {n: measure_bulk(window, layered_graph(n)) for n in sizes}
    print_table(rows)
    window.undo_stack.setClean()
    window.close()
    return 0


def print_table(rows: dict[int, dict[str, float]]) -> None:
    sizes = sorted(rows)
    print("bulk edits, offscreen (CPU ms, one run each; ratio = largest / smallest size)")
    print(f"{'edit':<20}" + "".join(f"{n:>12,}" for n in sizes) + f"{'ratio':>8}")
    for key in (*OPS[:6], ROOM, *OPS[6:]):  # the room row under the paste's
        ratio = rows[sizes[-1]][key] / max(rows[sizes[0]][key], 1e-3)
        print(f"{key:<20}" + "".join(f"{rows[n][key]:>12.1f}" for n in sizes)
              + f"{ratio:>8.1f}")


if __name__ == "__main__":
    raise SystemExit(main())
