"""Running a Graph: compiling it to a plan, the forward, backward and forward-mode passes,
and forgetting the last run when an edit makes it stale: the Running part of Graph."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cgeditor.core.engine import Plan
    from cgeditor.model.run import RunResult
    from cgeditor.model.signals import Signal


class Running:
    """A mixin of Graph, which provides the attributes annotated here."""

    last_result: RunResult | None
    evaluated: Signal
    invalidated: Signal

    def compile(self, output: str | None = None) -> Plan:
        """The plan of the whole graph in execution order; ``output`` is a node id."""
        from cgeditor.model.run import compile_graph  # here: run.py imports the graph module
        return compile_graph(self, output)  # type: ignore[arg-type]

    def run(self, feeds: Mapping[str, Any] | None = None, output: str | None = None,
            backward: bool = True, jvp: str | Mapping[str, Any] | None = None) -> RunResult:
        """Forward (and backward) pass; values and gradients by node name. ``output`` is a
        node name; feeds override input values for this run only. A gradient that was not
        computed is None, never 0: backward needs a computed, single-number output, and
        ``RunResult.grad_note`` says once why it did not run.

        ``jvp`` adds forward mode: ``run(jvp="w").tangents`` holds every node's ∂v/∂w, by
        name (a scalar, or an array of the node's shape); ``{"w": t, "b": u}`` seeds a
        direction over several leaves. Raises UnknownNodeError, NotALeafError or GraphError
        for a bad seed (model.run.run_graph), before anything is announced.
        """
        from cgeditor.model.run import run_graph  # here: run.py imports the graph module
        result = run_graph(self, feeds, output, backward, jvp)  # type: ignore[arg-type]
        self.last_result = result
        self.evaluated.emit(result)
        return result

    def invalidate(self) -> None:
        """Forget the last run (announced once), as every edit does."""
        if self.last_result is not None:
            self.last_result = None
            self.invalidated.emit()
