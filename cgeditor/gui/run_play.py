"""Play for the Run menu: Step again and again at the toolbar's chosen interval."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QSpinBox

PLAY_MS = 600  # default interval between animated steps


class Player(QObject):
    """Calls ``tick`` every ``speed`` ms while playing; ``changed`` says when that starts
    or stops."""

    changed = Signal(bool)

    def __init__(self, parent: QObject, tick: Callable[[], None]) -> None:
        super().__init__(parent)
        self.on = False
        self._timer = QTimer(self)
        self._timer.timeout.connect(tick)
        self._timer.setInterval(PLAY_MS)
        self.speed = self._make_speed()

    def _make_speed(self) -> QSpinBox:
        """The toolbar's Play speed (the window places it beside the Run actions)."""
        speed = QSpinBox()
        speed.setObjectName("play_speed")
        speed.setRange(50, 5000)
        speed.setSingleStep(100)
        speed.setValue(PLAY_MS)
        speed.setSuffix(" ms")
        speed.setToolTip("Time between steps when playing")
        speed.valueChanged.connect(self._timer.setInterval)
        return speed

    def set(self, on: bool) -> None:
        """Start or stop stepping (``changed`` once per change)."""
        if on == self.on:
            return
        self.on = on
        self.changed.emit(on)
        if on:
            self._timer.start()
        else:
            self._timer.stop()
