"""The Learn menu's controller: the gradient check, cost of gradients, training, practice,
ordering and failure-mode lab docks, and what the Gradient Check, Nudge, Cost, Train, Stop
Training, Practice, Ordering Exercise, Move Card and Failure-mode Lab actions do with them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QApplication, QDockWidget, QFrame, QScrollArea, QWidget

from cgeditor.gui.docks import ordering as ordering_dock
from cgeditor.gui.docks import practice as practice_dock
from cgeditor.gui.docks.cost import CostPanel
from cgeditor.gui.docks.failure_lab import FailureLabPanel
from cgeditor.gui.docks.gradcheck import GradcheckPanel
from cgeditor.gui.docks.ordering import OrderingPanel
from cgeditor.gui.docks.practice import PracticePanel
from cgeditor.gui.docks.training import TrainPanel
from cgeditor.gui.teardown import while_alive

if TYPE_CHECKING:
    from cgeditor.gui.context import Context
    from cgeditor.gui.run_controller import RunController


def scrolled(panel: QWidget) -> QScrollArea:
    """``panel`` in a frameless scroll area: the right column, shared with the Inspector
    (and shortened by a raised Trace), can be shorter than the panel's wrapped lines and
    plot need, and the panel then scrolls rather than drawing its rows over each other."""
    area = QScrollArea()
    area.setObjectName(f"{panel.objectName() or 'learn'}_scroll")
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setWidgetResizable(True)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)  # text wraps
    area.setWidget(panel)
    return area


class Learning(QObject):
    """The six Learn docks of one window and the Learn actions' handlers. ``open_case(path)``
    opens a failure-lab case as File > Examples opens an example."""

    training_changed = Signal(bool)  # training started (True) or ended: Stop is enabled
    practice_changed = Signal(bool)  # practice started (True) or stopped: the action's check
    ordering_changed = Signal(bool)  # the ordering exercise started or stopped: Move Card

    def __init__(self, ctx: Context, run: RunController,
                 open_case: Callable[[str], bool]) -> None:
        super().__init__(ctx.window)
        self.ctx = ctx
        self.gradcheck = GradcheckPanel(ctx, run)
        self.cost = CostPanel(ctx)
        self.train = TrainPanel(ctx, run)
        self.practice = PracticePanel(ctx, run)
        self.ordering = OrderingPanel(ctx, run)
        self.lab = FailureLabPanel(ctx, run, open_case, self.train.lr.setValue)
        self.docks: dict[str, QDockWidget] = {
            name: ctx.add_dock(name, title, scrolled(panel), Qt.DockWidgetArea.RightDockWidgetArea)
            for name, title, panel in (("gradcheck", "Gradient check", self.gradcheck),
                                       ("cost", "Cost", self.cost),  # 5 tabs in 400 px
                                       ("train", "Training", self.train),
                                       ("practice", "Practice", self.practice),
                                       ("ordering", "Ordering", self.ordering),
                                       ("failure_lab", "Failure lab", self.lab))}
        first = self.docks["gradcheck"]
        for dock in list(self.docks.values())[1:]:
            ctx.window.tabifyDockWidget(first, dock)
        for dock in self.docks.values():
            dock.hide()  # out of the way until asked for (View menu or a Learn action)
        # a training stopped as the window is destroyed reports after this object is gone
        self.train.started.connect(while_alive(lambda: self.training_changed.emit(True), self))
        self.train.stopped.connect(
            while_alive(lambda _why: self.training_changed.emit(False), self))
        self.practice.changed.connect(while_alive(self.practice_changed.emit, self))
        self._wire_lab()
        self.ordering.changed.connect(while_alive(self.ordering_changed.emit, self))
        # Closing the dock ends the exercise: no '?' or mark stays on a canvas with nowhere
        # to answer it (another tab raised over the dock hides it too, but not isHidden).
        for name, panel, why in (("practice", self.practice, practice_dock.CLOSED),
                                 ("ordering", self.ordering, ordering_dock.CLOSED)):
            self.docks[name].visibilityChanged.connect(while_alive(
                lambda _shown, name=name, panel=panel, why=why: self._end_if_closed(
                    name, panel, why), self))
        # One exercise at a time: both mark the canvas, and each would clear the other's.
        for started, other, why in (
                (self.practice, self.ordering, ordering_dock.OTHER_STARTED),
                (self.ordering, self.practice, practice_dock.OTHER_STARTED)):
            started.changed.connect(while_alive(
                lambda on, other=other, why=why: on and self._end_other(other, why), self))
        # A check, a nudge or a training shows the gradients practice asks for.
        for shows, what in ((self.gradcheck.showing, "the gradient check shows"),
                            (self.train.started, "training changes")):
            shows.connect(while_alive(lambda what=what: self.practice.stop(
                f"Practice stopped: {what} the numbers it asks for."), self))

    def _wire_lab(self) -> None:
        """The failure lab follows the runs and trainings it diagnoses and scrolls to a
        remedy it shows."""
        # A failure shown scrolls the lab to its remedy: now, and again as its wrapped
        # lines take their heights (a layout pass or two later, growing the scroll range),
        # until the user scrolls: a resize later must not pull the lab back to it.
        self._remedy_due = False
        bar = self.docks["failure_lab"].widget().verticalScrollBar()
        self.lab.diagnosed.connect(while_alive(self._remedy_shown, self))
        bar.rangeChanged.connect(while_alive(lambda *_range: self._show_remedy(), self))
        bar.actionTriggered.connect(while_alive(self._user_scrolled, self))
        self.docks["failure_lab"].visibilityChanged.connect(while_alive(self.lab.in_view, self))
        self.lab.wants_training.connect(while_alive(self._show_training, self))
        self.train.stopped.connect(while_alive(lambda why: self.lab.training_ended(
            why, self.train.history, self.train.lr.value(), self.train.trained_loss,
            self.train.optimizer.currentText()), self))

    def show(self, name: str) -> None:
        dock = self.docks[name]
        dock.show()  # the right column widens for it (dock_layout), and narrows after
        dock.raise_()

    def check(self) -> None:
        self.show("gradcheck")
        self.gradcheck.start_check()

    def nudge(self) -> None:
        self.show("gradcheck")
        self.gradcheck.nudge_selected()
        self._scroll_to("gradcheck", self.gradcheck.nudge_result)

    def _scroll_to(self, name: str, widget: QWidget) -> None:
        """Scroll dock ``name`` so ``widget`` shows: what a Learn action answers with, at
        the panel's foot (the nudge), would otherwise wait below the fold of a short dock."""
        area = self.docks[name].widget()
        if isinstance(area, QScrollArea):
            layout = area.widget().layout()
            if layout is not None:
                layout.activate()  # the answer's new lines laid out before measuring
            area.ensureWidgetVisible(widget)

    def _remedy_shown(self) -> None:
        self._remedy_due = True
        self._show_remedy()

    def _user_scrolled(self, *_action: object) -> None:
        self._remedy_due = False

    def _show_remedy(self) -> None:
        if self._remedy_due and self.lab.shown:
            self._scroll_to("failure_lab", self.lab.remedy_text)

    def measure(self) -> None:
        self.show("cost")
        self.cost.start_measure()

    def start_training(self) -> None:
        self.show("train")
        self.train.prefill()
        self.train.start()

    def _show_training(self) -> None:
        """The Training dock raised and its learning rate focused, nothing trained yet."""
        self.show("train")
        self.train.prefill()  # the new document's settings, before anything is typed
        self.train.lr.setFocus()
        self.train.lr.selectAll()

    def stop_training(self) -> None:
        self.train.stop()

    def show_failure_lab(self) -> None:
        """Learn > Failure-mode Lab: the cases and the diagnosis of the open graph."""
        self.show("failure_lab")
        self.lab.cases.setFocus()

    def set_practising(self, on: bool) -> None:
        """Learn > Practice: start (the dock shown, the answer field focused) or stop. The
        action follows the dock too (``practice_changed``), which toggles it again: only a
        change of state does anything."""
        if on == self.practice.active:
            return
        if on:
            self.show("practice")
            self.practice.start()
        else:
            self.practice.stop()

    def _end_if_closed(self, name: str, panel: PracticePanel | OrderingPanel,
                       why: str) -> None:
        if self.docks[name].isHidden() and panel.active:
            panel.stop(why)

    def _end_other(self, other: PracticePanel | OrderingPanel, why: str) -> None:
        """End the exercise ``other`` as another starts, the new one keeping the focus."""
        if other.active:
            focused = QApplication.focusWidget()
            other.stop(why)
            if focused is not None:
                focused.setFocus()

    def order(self) -> None:
        """Learn > Ordering Exercise: the dock shown and, unless one is running, the cards
        of the graph as it is now (the cards focused either way, to move them by keys)."""
        self.show("ordering")
        if not self.ordering.active:
            self.ordering.start()
        self.ordering.cards.setFocus()

    def move_card_up(self) -> None:
        self.ordering.move(-1)

    def move_card_down(self) -> None:
        self.ordering.move(+1)

