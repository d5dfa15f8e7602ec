"""Callbacks that stand down while their owner is being destroyed.

While a window is destroyed, its children still emit signals: a shown dock is hidden (its
``visibilityChanged``), the undo stack and the scene announce their own teardown. PySide has
already marked the window's Python wrapper deleted by then, so a callable that touches the
window raises "Internal C++ object already deleted", which Qt prints on the terminal. A
bound method of a QObject is disconnected by Qt once its receiver is gone; a plain callable
(a lambda, a module function given the window) is not, so it goes through ``while_alive``.
"""

from __future__ import annotations

from collections.abc import Callable

import shiboken6
from PySide6.QtCore import QObject


def while_alive(callback: Callable[..., object], *owners: QObject) -> Callable[..., None]:
    """``callback`` for a signal's ``connect``: called with the signal's arguments only
    while every one of ``owners`` (the objects it touches) still exists."""
    def call(*args: object) -> None:
        if all(shiboken6.isValid(owner) for owner in owners):
            callback(*args)
    return call
