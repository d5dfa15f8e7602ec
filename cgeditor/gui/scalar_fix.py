"""The one-click fix when backward is refused because the output is a tensor: insert
``sum`` or ``mean`` of it as the new output (one undo step, through the Editor), then run
backward again. The two actions (declared in actions.py) sit in the Run menu and, while they
apply, in the status bar.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QHBoxLayout, QToolButton, QWidget

from cgeditor.model.run import RunResult, RunState

if TYPE_CHECKING:
    from cgeditor.gui.context import Context

OPS = ("sum", "mean")


class ScalarFix(QObject):
    """Handlers of ``make_scalar_sum`` / ``make_scalar_mean``, offered only after a run whose
    tensor output refused backward; ``rerun`` is called after the insertion."""

    def __init__(self, ctx: Context, rerun: Callable[[], None]) -> None:
        super().__init__(ctx.window)
        self.ctx, self._rerun = ctx, rerun
        self.actions: dict[str, QAction] = {}
        self.bar = QWidget()
        self.bar.setObjectName("scalar_fix")
        QHBoxLayout(self.bar).setContentsMargins(0, 0, 0, 0)
        ctx.window.statusBar().addPermanentWidget(self.bar)
        self.bar.setVisible(False)

    def use_actions(self, actions: Mapping[str, QAction]) -> None:
        """The window's two actions (by objectName): a button each in the status bar."""
        for op in OPS:
            action = self.actions[op] = actions[f"make_scalar_{op}"]
            button = QToolButton(self.bar)
            button.setObjectName(f"make_scalar_{op}_button")
            button.setDefaultAction(action)
            self.bar.layout().addWidget(button)
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

    def show_state(self, state: RunState) -> None:
        """Follow the published run: a stale run offers no fix."""
        self.show(None if state.stale else state.result)

    def apply(self, op: str) -> None:
        if self.ctx.editor.make_output_scalar(op) is None:
            self._rerun()

    def insert_sum(self) -> None:
        self.apply("sum")

    def insert_mean(self) -> None:
        self.apply("mean")
