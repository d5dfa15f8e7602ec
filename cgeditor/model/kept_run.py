"""The last run kept beside the graph it ran on, while edits may have made it stale.

A stale run's numbers stay those of the run, but every label it shows names what the graph
calls each node now: renames are followed, and a node deleted whose name another node took
reads 'y (deleted)'. No Qt: the graph's own signals say when names may have changed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cgeditor.model.graph import Graph
    from cgeditor.model.run import RunResult


class KeptRun:
    """Follows one graph's renames for the run kept of it (``follow_names``)."""

    def __init__(self) -> None:
        self.graph: Graph | None = None
        # A node was renamed since the run's names were last followed: mapping 10k names
        # again on every edit of a stale run cost ~40 ms a mark at 10k nodes.
        self._renamed = False
        # A node of the run was gone at the last follow ('y (deleted)'): one coming back follows.
        self._gone = False

    def attach(self, graph: Graph | None) -> None:
        """Follow ``graph``'s names from now on (a new document), not the old one's."""
        if self.graph is not None:
            self.graph.node_renamed.disconnect(self._on_renamed)
            self.graph.node_added.disconnect(self._on_added)
            self.graph.parts_added.disconnect(self._on_added)
        self.graph = graph
        if graph is not None:
            graph.node_renamed.connect(self._on_renamed)
            graph.node_added.connect(self._on_added)
            graph.parts_added.connect(self._on_added)

    def ran(self) -> None:
        """A fresh run: its names are the graph's own."""
        self._renamed = self._gone = False

    def follow_names(self, result: RunResult) -> RunResult:
        """``result`` with its nodes called by their current names (``result`` itself when
        no name can have changed since the last follow)."""
        graph = self.graph
        if graph is None or not self._renamed:
            return result  # no rename since the run or the last follow: every name holds
        self._renamed = False
        nodes = graph.nodes
        names = {i: nodes[i].name for i in result.ids if i in nodes}
        self._gone = len(names) < len(result.ids)
        return result.renamed(names)

    def _on_renamed(self, _node: object) -> None:
        self._renamed = True  # the kept run's labels follow at the edit's announcement

    def _on_added(self, *_added: object) -> None:
        self._renamed = self._renamed or self._gone
