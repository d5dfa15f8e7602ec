"""Pointer work over a big canvas at 1:1, as the user does it between edits: hover moves,
repaints, pan steps, clicks and rubber bands over the layered graph. What an item index
choice costs the interaction that a bulk edit may gain (CPU ms with the events they post).

Run: python benchmarks/canvas_hover.py [nodes]   (default 20000)
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("CGEDITOR_NO_SETTINGS", "1")

from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

LEFT, NONE = Qt.MouseButton.LeftButton, Qt.MouseButton.NoButton
NO_KEYS = Qt.KeyboardModifier.NoModifier


def _cpu_ms(action: Callable[[], None]) -> float:
    start = time.process_time()
    action()
    QApplication.processEvents()
    return (time.process_time() - start) * 1000


def _move(viewport: QWidget, at: QPointF, buttons: Qt.MouseButton) -> None:
    QApplication.sendEvent(viewport, QMouseEvent(
        QEvent.Type.MouseMove, at, QPointF(viewport.mapToGlobal(at)), NONE, buttons, NO_KEYS))
    QApplication.processEvents()


def _spot(k: int) -> QPointF:
    """Points spread over a 1100×700 part of the viewport, no two alike in a run."""
    return QPointF(50 + (k * 37) % 1100, 40 + (k * 23) % 700)


def measure(window) -> dict[str, float]:
    """Each pointer action's CPU ms on the graph ``window`` shows, at 1:1."""
    view = window.view
    vp = view.viewport()
    view.resetTransform()
    view.centerOn(QPointF(3000, 3000))
    QApplication.processEvents()
    bar = view.horizontalScrollBar()

    def hover() -> None:
        for k in range(300):
            _move(vp, _spot(k), NONE)

    def pan() -> None:
        for _ in range(20):
            bar.setValue(bar.value() + 40)
            QApplication.processEvents()

    def clicks() -> None:
        for k in range(30):
            QTest.mouseClick(vp, LEFT, NO_KEYS, _spot(k).toPoint())

    def rubber_bands() -> None:
        for _ in range(5):
            QTest.mousePress(vp, LEFT, NO_KEYS, QPoint(5, 5))
            for j in range(10):
                _move(vp, QPointF(5 + 60 * j, 5 + 40 * j), LEFT)
            QTest.mouseRelease(vp, LEFT, NO_KEYS, QPoint(605, 405))

    return {"300 hover moves": _cpu_ms(hover),
            "10 repaints": _cpu_ms(lambda: [vp.repaint() for _ in range(10)]),
            "20 pan steps": _cpu_ms(pan),
            "30 clicks": _cpu_ms(clicks),
            "5 rubber bands": _cpu_ms(rubber_bands)}


def main(argv: list[str]) -> int:
    from canvas import layered_graph, make_window
    app = QApplication.instance() or QApplication(sys.argv)
    window = make_window(app)
    count = int(argv[0]) if argv else 20_000
    window.set_graph(layered_graph(count))
    QApplication.processEvents()
    print(f"pointer work over {count:,} nodes at 1:1, "
          f"index {window.scene.itemIndexMethod().name} (CPU ms)")
    for name, ms in measure(window).items():
        print(f"{name:<20}{ms:>10.1f}")
    window.undo_stack.setClean()
    window.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
