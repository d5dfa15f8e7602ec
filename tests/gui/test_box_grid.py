"""BoxGrid, the index wire labels are placed with, answers exactly as scanning every box."""

from __future__ import annotations

import random

from PySide6.QtCore import QRectF

from cgeditor.gui.canvas.wire_item import BoxGrid


def test_meets_agrees_with_a_scan_of_every_box(qapp) -> None:
    rng = random.Random(7)

    def box() -> QRectF:  # negative corners, boxes across cells, and many near misses
        return QRectF(rng.uniform(-900, 900), rng.uniform(-900, 900),
                      rng.uniform(1, 400), rng.uniform(1, 120))
    filed = [box() for _ in range(300)]
    grid = BoxGrid(filed)
    probes = [box() for _ in range(2000)]
    probes += [QRectF(f.right(), f.top(), 10, 10) for f in filed[:50]]  # edge to edge
    answers = [grid.meets(p) for p in probes]
    assert answers == [any(p.intersects(f) for f in filed) for p in probes]
    assert 0 < sum(answers) < len(answers)
    assert not BoxGrid().meets(QRectF(0, 0, 10, 10))
