"""The Ordering dock, "put the steps of the flow in the order they must run": the graph's
forward steps and gradients as shuffled cards, reordered by dragging or by keys; Check marks
each card that cannot run where it is with the reason, and counts the attempts.

The exercise never edits the document: it reads the graph, clears the run off the canvas
(the order badges and the trace would give the answer away), marks the selected card's node
and wires straight on the items, and stops with a message when the graph changes, a run shows
the order, a new document opens or the dock closes.
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from cgeditor.gui import shortcuts, theme_switch
from cgeditor.gui import theme as T
from cgeditor.gui.docks.card_list import CardList
from cgeditor.gui.docks.controls import fill_column, named_button, named_label
from cgeditor.gui.docks.follow import follow
from cgeditor.model.kept_run import RunSource
from cgeditor.model.ordering import LEVELS, Card, Ordering, OrderingRefused, ordering_of
from cgeditor.model.run import RunState

if TYPE_CHECKING:
    from cgeditor.gui.context import Context
    from cgeditor.gui.run_controller import RunController
    from cgeditor.model.graph import Graph

KEY = shortcuts.sequences("ordering")[0].toString()  # said in the messages
INTRO = ("Put the steps of the flow in an order they could run: a step after what it reads, "
         "a gradient after the gradients that flow into it. Any such order is right, not only "
         f"the editor's. Choose a level and press Start (or {KEY}).")
EDITED = f"The graph changed, so the exercise stopped; press Start (or {KEY}) to order it again."
RAN = (f"A run shows the execution order, so the exercise stopped; press Start (or {KEY}) to "
       "order the steps again.")
REPLACED = f"A new document: the exercise stopped; press Start (or {KEY}) to order its steps."
CLOSED = f"The ordering exercise stopped as its panel closed; press {KEY} to start again."
OTHER_STARTED = (f"The ordering exercise stopped: practice started (one exercise at a time); "
                 f"press Start (or {KEY}) to order the steps again.")
WRONG = "✗"  # before a card that cannot run where it is


def keys_hint() -> str:
    """How to move a card, with the keys the shortcut table binds."""
    up, down = (shortcuts.sequences(name) for name in ("ordering_up", "ordering_down"))
    keys = f"{up[0].toString()} / {down[0].toString()}" if up and down else "Learn > Move Card"
    return f"Drag a card, or select it and press {keys}."


class OrderingPanel(QWidget):
    """The ordering exercise of one window: the cards, Check, the score, Start again."""

    changed = Signal(bool)  # the exercise started (True) or stopped

    def __init__(self, ctx: Context, run: RunController) -> None:
        super().__init__()
        self.setObjectName("ordering_panel")
        self.ctx, self.run = ctx, run
        self.ordering: Ordering | None = None
        self._source: RunSource | None = None  # the graph as the cards were made of it
        self._graph: Graph | None = None
        self.marks: dict[str, str] = {}  # reason per misplaced card key, from the last check
        self._seed = random.randrange(1 << 30)  # each start shuffles anew
        self._build()
        run.published.connect(self._on_published)
        follow(ctx.document, self)
        theme_switch.follow(self)
        self._end(INTRO)

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        self.prompt = named_label("ordering_prompt")
        self.level = QComboBox()
        self.level.setObjectName("ordering_level")
        for level, title in LEVELS.items():
            self.level.addItem(title, level)
        self.level.activated.connect(lambda _index: self._level_chosen())
        self.start_button = named_button("ordering_start", "&Start", self.start)
        top = QHBoxLayout()
        top.addWidget(QLabel("Level:"))
        top.addWidget(self.level, 1)
        top.addWidget(self.start_button)
        self.cards = CardList()
        self.cards.setMinimumHeight(160)
        self.cards.currentRowChanged.connect(lambda _row: self._paint())
        self.cards.moved.connect(self._moved)
        self.check_button = named_button("ordering_check", "&Check", self.check)
        self.score = named_label("ordering_score")
        bottom = QHBoxLayout()
        bottom.addWidget(self.check_button)
        bottom.addWidget(self.score, 1)
        self.verdict = named_label("ordering_verdict")
        fill_column(layout, (self.prompt, top, self.cards, bottom, self.verdict), self.cards)

    def take_keys(self, up: QAction, down: QAction) -> None:
        """The Learn menu's Move Card actions: their keys act only while the cards have
        focus (Alt+Down elsewhere opens a combo box), their menu items act on the card
        selected."""
        for action in (up, down):
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.cards.addAction(action)

    @property
    def active(self) -> bool:
        return self.ordering is not None

    # --- starting and stopping ----------------------------------------------------------
    def start(self) -> bool:
        """Shuffle the cards of the graph as it is now, at the chosen level (again with a
        new shuffle when already running); False, with the reason shown, when it cannot."""
        graph = self.ctx.graph
        self._seed += 1
        try:
            ordering = ordering_of(graph, self.level.currentData(), self._seed)
        except OrderingRefused as exc:
            why = str(exc)[0].upper() + str(exc)[1:]
            self.stop(why)
            self.ctx.status(why, 8000)
            return False
        self.cards.clear()  # before the new cards: the old ones' keys are not theirs
        self.ordering, self._source, self._graph = ordering, RunSource.of(graph), graph
        self.marks = {}
        self.run.reset()  # the order badges and the trace would show the answer
        for key in ordering.start:
            item = QListWidgetItem()
            item.setData(Qt.ItemDataRole.UserRole, key)
            self.cards.addItem(item)
        self._show_cards()
        self.prompt.setText(f"{LEVELS[ordering.level]}: {len(ordering.cards)} steps. Put them "
                            f"in an order they could run in, then press Check. {keys_hint()}")
        self.verdict.setText("")
        self.score.setText(ordering.score_text())
        for widget in (self.cards, self.check_button):
            widget.setEnabled(True)
        self.start_button.setText("&Start again")
        self.cards.setCurrentRow(0)
        self.cards.setFocus()
        self.changed.emit(True)
        self.ctx.status("Ordering: drag the cards into an order that runs, then Check", 8000)
        return True

    def stop(self, why: str) -> None:
        """End the exercise with ``why`` shown; the canvas shows the run's picture again."""
        if self._end(why):
            self.run.republish()

    def _end(self, why: str) -> bool:
        """Forget the exercise and show ``why``; whether one was running."""
        was = self.ordering is not None
        self.ordering, self._source, self._graph, self.marks = None, None, None, {}
        self.cards.clear()
        self.prompt.setText(why)
        self.verdict.setText("")
        self.score.setText("")
        for widget in (self.cards, self.check_button):
            widget.setEnabled(False)
        self.start_button.setText("&Start")
        if was:
            self.changed.emit(False)
        return was

    def _level_chosen(self) -> None:
        """Another level: its cards at once, when an exercise is running."""
        if self.active:
            self.start()

    # --- ordering and checking ----------------------------------------------------------
    def order(self) -> list[str]:
        """The card keys in the order the list shows them."""
        return [self.cards.item(row).data(Qt.ItemDataRole.UserRole)
                for row in range(self.cards.count())]

    def move(self, step: int) -> None:
        """Move the selected card ``step`` places (the Move Card actions)."""
        if self.active:
            self.cards.move_current(step)
            self.cards.setFocus()

    def check(self) -> None:
        """Check the order shown: mark each card that cannot run where it is."""
        ordering = self.ordering
        if ordering is None:
            return
        verdict = ordering.submit(self.order())
        self.marks = dict(verdict.misplaced)
        self._show_cards()
        self.cards.setFocus()  # the keys that move cards act again at once
        self.score.setText(ordering.score_text())
        if verdict.right:
            self.ctx.log(f"Ordering exercise ({LEVELS[ordering.level].lower()}): "
                         f"{ordering.score_text().lower()}")
            self._say(f"Right: every step runs after what it needs. {ordering.score_text()}; "
                      "press Start again for a new shuffle, or choose another level.", True)
        else:
            count = len(verdict.misplaced)
            marked = f"the one marked {WRONG} needs" if count == 1 else \
                f"the {count} marked {WRONG} need"
            self._say(f"{verdict.placed} of {verdict.total} cards can run where they are; "
                      f"{marked} something that comes later.", False)

    def _moved(self, _row: int) -> None:
        """A moved card's mark is about where it was: gone until the next check."""
        item = self.cards.currentItem()
        if item is not None:
            self.marks.pop(item.data(Qt.ItemDataRole.UserRole), None)
        self._show_cards()

    def _show_cards(self) -> None:
        """Each card numbered in its place, with its mark and reason from the last check."""
        ordering = self.ordering
        if ordering is None:
            return
        pal = T.current()
        for row in range(self.cards.count()):
            item = self.cards.item(row)
            card = ordering.by_key[item.data(Qt.ItemDataRole.UserRole)]
            reason = self.marks.get(card.key)
            text = f"{row + 1}. {card.text}"
            # under its card the reason need not repeat the card ('… needs c, which …')
            said = reason.removeprefix(f"{card.formula} ") if reason else ""
            item.setText(f"{text}\n{WRONG} {said}" if reason else text)
            item.setToolTip(reason or card.text)
            # unmarked: no colour of its own, so the view's palette (light or dark) applies
            item.setData(Qt.ItemDataRole.ForegroundRole, pal.error if reason else None)

    def _say(self, text: str, good: bool) -> None:
        pal = T.current()
        color = pal.port_ok if good else pal.error
        self.verdict.setText(f"<span style='color:{color.name()}'>{text}</span>")

    def restyle(self) -> None:
        """View > Theme: the marks in the new palette's colours."""
        self._show_cards()

    # --- the canvas ---------------------------------------------------------------------
    def selected_card(self) -> Card | None:
        item = self.cards.currentItem()
        if self.ordering is None or item is None:
            return None
        return self.ordering.by_key[item.data(Qt.ItemDataRole.UserRole)]

    def _paint(self) -> None:
        """The run's picture again (no highlight of a card before), then the selected card's
        node and wires marked over it by ``_on_published``."""
        if self.active:
            self.run.republish()
            card = self.selected_card()
            if card is not None:
                self.ctx.view.reveal_nodes([card.node_id])

    def _highlight(self) -> None:
        card, scene = self.selected_card(), self.ctx.document.scene
        # Only on the graph the cards were made of: marks by node id on a new document's
        # nodes that share the old ids would be wrong.
        if card is None or scene is None or scene.graph is not self._graph \
                or self._graph is not self.ctx.graph:
            return
        item = scene.nodes.get(card.node_id)
        if item is not None:
            item.set_display(highlighted=True)
        for key in card.wires:
            wire = scene.wires.get(key)
            if wire is not None:
                wire.set_state("highlight")

    def _on_published(self, state: RunState) -> None:
        """The canvas was repainted: mark the selected card's node again; a run of its own
        shows the execution order, so the exercise ends."""
        if self.ordering is None:
            return
        if state.result is None:
            self._highlight()
            return
        why = EDITED if not self._matches(self.ctx.graph) else RAN
        self._end(why)
        self.ctx.status(why, 8000)

    def _matches(self, graph: Graph) -> bool:
        return self._source is not None and self._source.matches(graph)

    # --- following the document ---------------------------------------------------------
    def document_replaced(self, _graph: Graph) -> None:
        self._end(REPLACED if self.active else INTRO)

    def graph_edited(self) -> None:
        """Any edit ends the exercise: its cards were made of the graph before it."""
        if self.active and not self._matches(self.ctx.graph):
            self.stop(EDITED)
            self.ctx.status(EDITED, 8000)
