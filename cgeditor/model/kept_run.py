"""The last run kept beside the graph it ran on, while edits may have made it stale.

A stale run's numbers stay those of the run, but every label it shows names what the graph
calls each node now: renames are followed, and a node deleted whose name another node took
reads 'y (deleted)'. What the run read of the graph is kept too (``RunSource``), so edits
and undos that bring the graph back to exactly that make the run current again. No Qt: the
graph's own signals say when names may have changed.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from operator import attrgetter, is_
from typing import TYPE_CHECKING, Any

import numpy as np

from cgeditor.model import collector

if TYPE_CHECKING:
    from cgeditor.model.graph import Graph
    from cgeditor.model.run import RunResult


def same_value(a: Any, b: Any) -> bool:
    """The same number(s) to the bit (a value is replaced, never changed in place, so the
    same object is the common case)."""
    if a is b:
        return True
    if a is None or b is None:
        return False
    return bool(np.shape(a) == np.shape(b) and np.asarray(a).tobytes() == np.asarray(b).tobytes())


_META = attrgetter("op", "name", "attrs")
_VALUE = attrgetter("value")
_TRAINABLE = attrgetter("trainable")


@dataclass(frozen=True)
class RunSource:
    """Everything of a graph a run's numbers and labels depend on: each node's op, name,
    attrs and value, the wiring and the output. Positions are not part of it: a move
    changes no number (a move that hands the output to another sink changes ``output``).
    Which inputs are trainable is kept too, compared only when asked: no run reads it, but
    a training and a check of the trainable inputs do.
    Taken at every run, so read in bulk (attrgetter over the nodes: ~4× cheaper than a
    tuple built per node in Python at 10k nodes, benchmarks/stale.py)."""

    ids: list[str]  # in the graph's order of nodes
    meta: list[tuple[str, str, dict[str, Any]]]  # (op, name, attrs) of each
    values: list[Any]
    inputs: dict[tuple[str, str], str]  # (dst, port) -> src
    output: str | None
    trainable: list[bool]  # of each node, in ``ids``' order

    @classmethod
    def of(cls, graph: Graph) -> RunSource:
        """What ``graph`` holds now. Attrs and values are kept by reference: an edit
        replaces a node's attrs dict or value, never changes one in place."""
        nodes = graph.nodes.values()
        with collector.paused():  # 10^4 lasting tuples, no cycles
            return cls(list(graph.nodes), list(map(_META, nodes)), list(map(_VALUE, nodes)),
                       graph.input_map(), graph.output, list(map(_TRAINABLE, nodes)))

    def with_values(self, graph: Graph) -> RunSource:
        """This source with ``graph``'s values now, for a graph whose structure_version
        is unchanged since this was taken (the same nodes, in the same order; a trainable
        flag is no structure, so it is read again too)."""
        nodes = graph.nodes.values()
        return replace(self, values=list(map(_VALUE, nodes)),
                       trainable=list(map(_TRAINABLE, nodes)))

    def matches(self, graph: Graph, trainable: bool = False) -> bool:
        """``graph`` holds exactly this again (the cheap differences are looked at first);
        with ``trainable``, the same inputs are trainable too."""
        nodes = graph.nodes
        if len(nodes) != len(self.ids) or graph.output != self.output:
            return False
        if list(nodes) == self.ids:
            now = list(nodes.values())
        else:  # a node deleted and restored by undo comes back last
            try:
                now = [nodes[i] for i in self.ids]
            except KeyError:
                return False
        if list(map(_META, now)) != self.meta or (
                trainable and list(map(_TRAINABLE, now)) != self.trainable):
            return False
        values = list(map(_VALUE, now))
        return (all(map(is_, values, self.values))
                or all(map(same_value, values, self.values))) \
            and graph.input_map() == self.inputs


class KeptRun:
    """Follows one graph's renames for the run kept of it (``follow_names``) and tells when
    the graph is back to what the run read (``back``)."""

    def __init__(self) -> None:
        self.graph: Graph | None = None
        self._result: RunResult | None = None  # as it came, under the names it ran with
        self._source: RunSource | None = None
        self._version = -1  # the graph's structure_version when the source was taken
        self._order: list[str] = []  # the execution order it ran in
        # A node was renamed since the run's names were last followed: mapping 10k names
        # again on every edit of a stale run cost ~40 ms a mark at 10k nodes.
        self._renamed = False
        # A node of the run was gone at the last follow ('y (deleted)'): one coming back follows.
        self._gone = False

    def attach(self, graph: Graph | None) -> None:
        """Follow ``graph``'s names from now on (a new document), not the old one's."""
        self._result, self._source, self._version = None, None, -1
        if self.graph is not None:
            self.graph.node_renamed.disconnect(self._on_renamed)
            self.graph.node_added.disconnect(self._on_added)
            self.graph.parts_added.disconnect(self._on_added)
            self.graph.node_removed.disconnect(self._on_removed)
            self.graph.parts_removed.disconnect(self._on_removed)
        self.graph = graph
        if graph is not None:
            graph.node_renamed.connect(self._on_renamed)
            graph.node_added.connect(self._on_added)
            graph.parts_added.connect(self._on_added)
            graph.node_removed.connect(self._on_removed)
            graph.parts_removed.connect(self._on_removed)

    def ran(self, result: RunResult) -> None:
        """A fresh run of the graph as it is now: its names are the graph's own."""
        self._renamed = self._gone = False
        graph, source = self.graph, self._source
        self._result = result
        if graph is None:
            self._source, self._order = None, []
            return
        if source is not None and self._version == graph.structure_version:
            # Only values can have changed (a Live or typed-value re-run): the rest holds.
            self._source = source.with_values(graph)
        else:
            self._source = RunSource.of(graph)
        self._version = graph.structure_version
        self._order = graph.order()

    def back(self, in_order: bool = False) -> RunResult | None:
        """The kept run as it came, when the graph holds exactly what it read again (with
        ``in_order``, only if the execution order is the run's too: a step-by-step walk
        goes in it); else None."""
        graph, source = self.graph, self._source
        if graph is None or source is None or not source.matches(graph) \
                or (in_order and graph.order() != self._order):
            return None
        self._renamed = self._gone = False
        return self._result

    def follow_names(self, result: RunResult) -> RunResult:
        """The kept run with its nodes called by their current names (``result``, as shown
        now, when no name can have changed since the last follow). Labels are worked out
        from the names the run had, so 'y (deleted)' reads 'y' again once no node is y."""
        graph, kept = self.graph, self._result
        if graph is None or kept is None or not self._renamed:
            return result  # no rename since the run or the last follow: every name holds
        self._renamed = False
        # Every node's name: one pasted since may have taken a gone node's.
        names = {i: node.name for i, node in graph.nodes.items()}
        self._gone = any(i not in names for i in kept.ids)
        renamed = kept.renamed(names)
        return result if renamed.order == result.order else renamed

    def _on_renamed(self, _node: object) -> None:
        self._renamed = True  # the kept run's labels follow at the edit's announcement

    def _on_added(self, *_added: object) -> None:
        self._renamed = self._renamed or self._gone  # it may take a gone node's name

    def _on_removed(self, *_removed: object) -> None:
        # A node of the run may be gone, and a name it had taken from one gone before
        # is free again ('y (deleted)' reads 'y' while no live node is called y).
        self._renamed = True
