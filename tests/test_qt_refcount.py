"""Guard against PySide6 6.12.0 on CPython 3.11, which drops None's refcount on every void Qt
call and aborts ("none_dealloc") after a few thousand calls."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QGraphicsScene


def test_void_qt_calls_do_not_leak_none_references(qapp) -> None:
    scene = QGraphicsScene()
    before = sys.getrefcount(None)
    for _ in range(10_000):
        scene.update()
    after = sys.getrefcount(None)
    # Immortal None (3.12+) reports a huge constant; on 3.11 a buggy binding loses 10,000.
    assert after >= before - 100, f"None lost {before - after} references"
