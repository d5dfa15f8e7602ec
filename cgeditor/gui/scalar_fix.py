"""The one-click fix when backward is refused because the output is a tensor: insert
``sum`` or ``mean`` of it as the new output (one undo step, through the Editor), then run
backward again. The two actions sit in the Run menu and, while they apply, in the status bar.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QHBoxLayout, QMainWindow, QToolButton, QWidget

from cgeditor.model.run import RunResult

OPS = ("sum", "mean")


class ScalarFix(QObject):
    """Actions ``make_scalar_sum`` / ``make_scalar_mean``, enabled only after a run whose
    tensor output refused backward; ``rerun`` is called after the insertion."""

    def __init__(self, window: QMainWindow, rerun: Callable[[], None]) -> None:
        super().__init__(window)
        self.window, self._rerun = window, rerun
        self.actions: dict[str, QAction] = {}
        self.bar = QWidget()
        self.bar.setObjectName("scalar_fix")
        layout = QHBoxLayout(self.bar)
        layout.setContentsMargins(0, 0, 0, 0)
        menu = getattr(window, "menus", {}).get("run")
        for op in OPS:
            action = QAction(f"Insert {op} as the output", window)
            action.setObjectName(f"make_scalar_{op}")
            action.triggered.connect(lambda _=False, o=op: self.apply(o))
            self.actions[op] = action
            button = QToolButton(self.bar)
            button.setObjectName(f"make_scalar_{op}_button")
            button.setDefaultAction(action)
            layout.addWidget(button)
            if menu is not None:
                menu.addAction(action)
        status = getattr(window, "statusBar", None)
        if status is not None:
            status().addPermanentWidget(self.bar)
        self.show(None)

    def show(self, result: RunResult | None) -> None:
        """Offer the fix exactly when ``result`` refused backward for a tensor output."""
        needed = result is not None and result.needs_scalar
        output = result.output if needed and result is not None else ""
        for op, action in self.actions.items():
            action.setEnabled(needed)
            action.setText(f"Insert {op}({output}) as the output" if needed
                           else f"Insert {op} as the output")
            action.setToolTip("Backward needs a single number: differentiate the " + op
                              + " of the output instead (one undo step)")
        self.bar.setVisible(needed)

    def apply(self, op: str) -> None:
        editor: Any = getattr(self.window, "editor", None)
        if editor is None or editor.make_output_scalar(op) is not None:
            return
        self._rerun()
