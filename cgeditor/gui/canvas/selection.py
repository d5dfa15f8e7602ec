"""The canvas selection as node ids, announced once per change the user sees.

Qt emits ``selectionChanged`` once per item when a program selects or removes items one by
one; a handler that re-reads the selection each time makes selecting or deleting 10k nodes
quadratic. Here Qt's signal only marks the selection stale while a bulk edit holds it, the ids
are read once when the hold ends, and ``changed`` fires once. Handlers then read the count or
the single selected id in O(1).
"""

from __future__ import annotations

from collections.abc import Iterator, KeysView
from contextlib import contextmanager

import shiboken6
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QGraphicsScene


class Selection(QObject):
    """Selected node ids of one scene; ``changed`` once per gesture or bulk edit."""

    changed = Signal()

    def __init__(self, scene: QGraphicsScene) -> None:
        super().__init__(scene)
        self._scene = scene
        self._ids: dict[str, None] = {}  # insertion-ordered set
        self._holds = 0
        self._stale = False  # Qt changed it during a hold: read before answering
        self._announced: dict[str, None] = {}  # what ``changed`` last told handlers
        scene.selectionChanged.connect(self._on_qt_change)

    def _on_qt_change(self) -> None:
        if not shiboken6.isValid(self._scene):
            return  # a scene being destroyed deselects its items one by one
        if self._holds:
            self._stale = True
            return
        self._read()
        self._announce()

    def _announce(self) -> None:
        if self._ids != self._announced:
            self._announced = self._ids
            self.changed.emit()

    def _read(self) -> None:
        self._stale = False
        self._ids = {i.node_id: None for i in self._scene.selectedItems()
                     if hasattr(i, "node_id")}

    @contextmanager
    def held(self) -> Iterator[None]:
        """Per-item selection changes inside are announced as one, at the end."""
        self.hold()
        try:
            yield
        finally:
            self.release()

    @contextmanager
    def bulk(self, result: list[str] | None = None) -> Iterator[None]:
        """Like ``held``, for a program selecting many items one by one: Qt's per-item
        signal is not even delivered (10k calls of a slot for a paste's 10k nodes); the
        selection is read once at the end, or taken from ``result`` when the caller knows
        it will be exactly those ids (asking Qt for 10k selected items is then spared)."""
        with self.held():
            blocked = self._scene.blockSignals(True)
            try:
                yield
            finally:
                self._scene.blockSignals(blocked)
                if result is None:
                    self._stale = True
                else:
                    self._ids, self._stale = dict.fromkeys(result), False

    def hold(self) -> None:
        self._holds += 1

    def release(self) -> None:
        """End one hold; the last one reads the selection once and announces it if it
        changed."""
        self._holds = max(0, self._holds - 1)
        if self._holds == 0:
            if self._stale:
                self._read()
            self._announce()

    # --- reading: O(1) except ids() -----------------------------------------------------
    def ids(self) -> list[str]:
        """The selected node ids (read afresh if a hold left them stale)."""
        if self._stale:
            self._read()
        return list(self._ids)

    def id_set(self) -> KeysView[str]:
        """The selected node ids as a live set view, for membership tests (no copy)."""
        if self._stale:
            self._read()
        return self._ids.keys()

    def count(self) -> int:
        if self._stale:
            self._read()
        return len(self._ids)

    def single(self) -> str | None:
        """The selected node's id when exactly one is selected, else None."""
        if self._stale:
            self._read()
        return next(iter(self._ids)) if len(self._ids) == 1 else None
