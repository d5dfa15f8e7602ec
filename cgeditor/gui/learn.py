"""Adds the Learn menu to a MainWindow: gradient check, nudge, cost of gradients and training,
each an action (menu and toolbar) that shows and drives its dock.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDockWidget, QMenu, QWidget

from cgeditor.gui import shortcuts
from cgeditor.gui.docks.cost import CostPanel
from cgeditor.gui.docks.gradcheck import GradcheckPanel
from cgeditor.gui.docks.training import TrainPanel

if TYPE_CHECKING:
    from cgeditor.gui.window import MainWindow

DOCK_HEIGHT, DOCK_WIDTH = 330, 900

# objectName, menu text, tooltip, on the toolbar
ACTIONS: tuple[tuple[str, str, str, bool], ...] = (
    ("gradcheck", "&Gradient Check", "Compare every backprop gradient with central finite "
     "differences", True),
    ("nudge", "&Nudge Selected Input", "Move the selected input by ε and compare the output "
     "with J + ∂J/∂θ·ε", False),
    ("cost", "&Cost of Gradients", "Op evaluations and time: backprop against finite "
     "differences", True),
    ("train", "&Train", "Gradient descent on the trainable inputs (one undo step)", True),
    ("stop_training", "&Stop Training", "Stop and keep the parameters learned so far", False),
)


class Learning(QObject):
    """The three docks and their actions for one window."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.gradcheck = GradcheckPanel(window)
        self.cost = CostPanel(window)
        self.train = TrainPanel(window)
        self.docks = {name: self._dock(name, title, panel) for name, title, panel in (
            ("gradcheck", "Gradient check", self.gradcheck),
            ("cost", "Cost of gradients", self.cost),
            ("train", "Training", self.train))}
        first = self.docks["gradcheck"]
        for dock in (self.docks["cost"], self.docks["train"]):
            window.tabifyDockWidget(first, dock)
        for dock in self.docks.values():
            dock.hide()  # out of the way until asked for (View menu or a Learn action)
        self.actions = self._make_actions()
        run = getattr(window, "run", None)
        if run is not None:  # a new document: the training panel takes its suggestions
            run.display_changed.connect(self.train.prefill)
        stop = self.actions["stop_training"]
        self.train.started.connect(lambda: stop.setEnabled(True))
        self.train.stopped.connect(lambda _why: stop.setEnabled(False))

    def _dock(self, name: str, title: str, panel: QWidget) -> QDockWidget:
        dock = QDockWidget(title, self.window)
        dock.setObjectName(name)
        dock.setWidget(panel)
        self.window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)
        view = getattr(self.window, "menus", {}).get("view")
        if view is not None:
            view.addAction(dock.toggleViewAction())
        return dock

    def _make_actions(self) -> dict[str, QAction]:
        menu = self._menu()
        handlers: dict[str, Callable[[], object]] = {
            "gradcheck": self.check, "nudge": self.nudge, "cost": self.measure,
            "train": self.start_training, "stop_training": self.train.stop}
        actions = {}
        for name, text, tip, on_toolbar in ACTIONS:
            action = QAction(text, self.window)
            action.setObjectName(name)
            action.setToolTip(tip)
            action.setStatusTip(tip)
            _set_icon(action)
            action.triggered.connect(lambda _checked=False, slot=handlers[name]: slot())
            shortcuts.apply(action)
            menu.addAction(action)
            toolbar = getattr(self.window, "toolbar", None)
            if on_toolbar and toolbar is not None:
                toolbar.addAction(action)
            actions[name] = action
        actions["stop_training"].setEnabled(False)
        return actions

    def _menu(self) -> QMenu:
        menus = getattr(self.window, "menus", None)
        if menus is None:
            menus = self.window.menus = {}
        if "learn" not in menus:
            menu = QMenu("&Learn", self.window)
            bar = self.window.menuBar()
            help_menu = menus.get("help")
            if help_menu is not None:
                bar.insertMenu(help_menu.menuAction(), menu)
            else:
                bar.addMenu(menu)
            menus["learn"] = menu
        return menus["learn"]

    def show(self, name: str) -> None:
        dock = self.docks[name]
        was_hidden = dock.isHidden()
        dock.show()
        dock.raise_()
        if was_hidden:  # room for a table or a plot under the canvas
            self.window.resizeDocks([dock], [DOCK_HEIGHT], Qt.Orientation.Vertical)
            self.window.resizeDocks([dock], [DOCK_WIDTH], Qt.Orientation.Horizontal)

    def check(self) -> None:
        self.show("gradcheck")
        self.gradcheck.start_check()

    def nudge(self) -> None:
        self.show("gradcheck")
        self.gradcheck.nudge_selected()

    def measure(self) -> None:
        self.show("cost")
        self.cost.start_measure()

    def start_training(self) -> None:
        self.show("train")
        self.train.prefill()
        self.train.start()


def _set_icon(action: QAction) -> None:
    try:
        from cgeditor.gui.icons import icon, names
    except ImportError:  # icons are a nicety
        return
    if action.objectName() in names():
        action.setIcon(icon(action.objectName()))


def install_learning(window: MainWindow) -> Learning:
    """Give ``window`` the Learn menu and docks (once; a second call returns the first)."""
    existing = getattr(window, "learning", None)
    if isinstance(existing, Learning):
        return existing
    window.learning = Learning(window)
    return window.learning
