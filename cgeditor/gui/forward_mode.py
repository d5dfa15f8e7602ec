"""Run > Forward Mode from <input>: seed the selected input with 1 and carry its tangent
forward, so every node shows ∂node/∂input (the RunController paints it as any run).

The action (declared in actions.py) is named after the selected leaf as the selection
changes; with no leaf selected it says so on the status line and changes nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction

from cgeditor.model.run import RunState

if TYPE_CHECKING:
    from cgeditor.gui.context import Context
    from cgeditor.gui.run_controller import RunController
    from cgeditor.model.node import Node

NO_SEED = ("Forward mode: select an input on the canvas first (its tangent is seeded with 1 "
           "and carried forward to every node)")
NOT_A_SEED = ("Forward mode: {name} is computed ({op}), not an input: select an input or a "
              "const{inputs} (its tangent is seeded with 1 and carried forward to every node)")
NAMED = 4  # the inputs a refusal names
SEED_MS = 8000


class ForwardMode(QObject):
    """Handler of the ``forward_mode`` action; follows the run's selection."""

    def __init__(self, ctx: Context, run: RunController) -> None:
        super().__init__(ctx.window)
        self.ctx, self.run = ctx, run
        self.action: QAction | None = None
        run.published.connect(self._follow)

    def use_action(self, action: QAction) -> None:
        """The window's ``forward_mode`` action, renamed after the selected leaf."""
        self.action = action
        self._follow(self.run.state)

    def seed(self) -> str | None:
        """The name of the selected node when it is a leaf (an input or a const), else None."""
        node = self._selected()
        return node.name if node is not None and node.is_leaf else None

    def _selected(self) -> Node | None:
        graph, node_id = self.run.graph, self.run.selected
        return graph.nodes.get(node_id) if graph is not None and node_id is not None else None

    def _follow(self, _state: RunState) -> None:
        if self.action is not None:
            name = self.seed()
            self.action.setText(f"Forward &Mode from {name}" if name
                                else "Forward &Mode from the Selected Input")

    def start(self) -> None:
        """Run forward mode from the selected leaf, or say what to select."""
        name = self.seed()
        if name is None:
            self.ctx.status(self._no_seed(), SEED_MS)
            return
        self.run.forward_mode(name)

    def _no_seed(self) -> str:
        """What to select: a computed node selected is named, with the inputs to pick."""
        node = self._selected()
        if node is None:
            return NO_SEED
        inputs = [n.name for n in self.run.graph.nodes.values() if n.is_input]
        listed = ", ".join(inputs[:NAMED]) + (", …" if len(inputs) > NAMED else "")
        return NOT_A_SEED.format(name=node.name, op=node.op,
                                 inputs=f" such as {listed}" if inputs else "")
