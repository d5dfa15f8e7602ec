"""How every dock follows the document: it clears when the document is replaced (File > New,
Open, Examples, a recovered file) and marks what it shows stale when the graph or a value
changes. One mechanism: ``follow`` wires a dock's two handlers to the Document's signals,
and ``StaleNote`` is the one mark they show; it goes again when edits and undos bring the
graph back to exactly what the dock's numbers were computed from.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from PySide6.QtWidgets import QLabel, QWidget

from cgeditor.gui import theme as T
from cgeditor.model.kept_run import RunSource

if TYPE_CHECKING:
    from cgeditor.gui.context import Document
    from cgeditor.model.graph import Graph


class FollowsDocument(Protocol):
    def document_replaced(self, graph: Graph) -> None:
        """Show nothing of the old document (and stop work on it)."""

    def graph_edited(self) -> None:
        """What is shown was computed before this edit: mark it stale (or recompute)."""


def follow(document: Document, dock: FollowsDocument) -> None:
    """Have ``dock`` clear on a new document and mark itself stale on every edit."""
    document.replaced.connect(dock.document_replaced)
    document.edited.connect(dock.graph_edited)


class StaleNote(QLabel):
    """The stale mark of a dock: hidden while what the dock shows is current."""

    def __init__(self, redo: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("stale_note")
        self.setWordWrap(True)
        self.redo = redo  # how to get current numbers: "press Check gradients again"
        self._source: RunSource | None = None  # the graph the numbers shown were made of
        self.hide()

    @property
    def stale(self) -> bool:
        return not self.isHidden()

    def mark(self) -> None:
        """Show the mark (once: a burst of edits costs one text change)."""
        if self.isHidden():
            self.setText(f"<span style='color:{T.current().flash.name()}'><b>stale:</b> the "
                         f"graph changed after this; {self.redo} for current numbers.</span>")
            self.show()

    def fresh(self, graph: Graph) -> None:
        """The numbers shown were just computed from ``graph`` as it is: no mark, and none
        after edits that bring the graph back to exactly this (``follow``)."""
        self._source = RunSource.of(graph)
        self.hide()

    def matches(self, graph: Graph) -> bool:
        """``graph`` holds exactly what the numbers were computed from (no mark changes)."""
        # What a training trains or a check of the trainable inputs checks is theirs too.
        return self._source is not None and self._source.matches(graph, trainable=True)

    def follow(self, graph: Graph) -> bool:
        """After an edit of ``graph``: the mark, unless the graph is back to what the
        numbers were computed from (then none); whether they are current."""
        if self.matches(graph):
            self.hide()
            return True
        self.mark()
        return False

    def clear(self) -> None:
        """No mark, and nothing shown to be current about."""
        self._source = None
        self.hide()
