"""The Run menu's controller: Forward, Backward, Step/Play, Run to end, Reset and Live.

RunController runs the document's Graph once per request (the result comes back through the
model's ``evaluated`` signal), drives a Stepper, and publishes one typed RunState through
``published``: the canvas, the trace, the chain-rule dock, the inspector and the Learn docks
all paint from it. Problems go to the messages dock and the status bar.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer, Signal

from cgeditor.gui.docks.chain_rule import ExplainerWidget
from cgeditor.gui.docks.follow import follow
from cgeditor.gui.docks.trace import TraceWidget
from cgeditor.gui.run_play import Player
from cgeditor.gui.scalar_fix import ScalarFix
from cgeditor.model import collector
from cgeditor.model.display import RunDisplay, build_display
from cgeditor.model.explain import Explanation, explain
from cgeditor.model.kept_run import KeptRun
from cgeditor.model.number_text import issue_line, status_text, true_minus
from cgeditor.model.run import RunResult, RunState
from cgeditor.model.stepping import Stepper

if TYPE_CHECKING:
    from cgeditor.core.tangents import Seeds
    from cgeditor.gui.canvas.scene import GraphScene
    from cgeditor.gui.context import Context
    from cgeditor.model.graph import Graph

STATUS_MS = 15000  # how long the status bar keeps a run's root cause
STALE_STATUS = "The graph changed: the numbers shown are from the last run (stale); run again"


class RunController(QObject):
    """Owns the run state of one window: the last result, the stepper, staleness, selection."""

    published = Signal(object)  # RunState: once per change of what a run shows
    node_selected = Signal(str)  # the user picked a node in the trace: select it on the canvas
    live_changed = Signal(bool)
    playing_changed = Signal(bool)

    def __init__(self, ctx: Context, docks: bool = True) -> None:
        super().__init__(ctx.window)
        self.ctx = ctx
        self.graph: Graph | None = None
        self.result: RunResult | None = None
        self.stepper: Stepper | None = None
        self.stale = False
        self.selected: str | None = None
        self.explanation: Explanation | None = None
        self.state = RunState(None, RunDisplay())
        self._live = self._running = False
        self._summary = True  # the status line may show the run's numbers
        self._logged: set[str] = set()
        self._held = False  # marked stale by training: only a run makes it current
        self.kept = KeptRun()  # the run's labels follow renames while it is stale
        self._order: list[str] | None = None  # the execution order last published
        self._live_timer = QTimer(self)  # coalesces a burst of edits into one Live re-run
        self._live_timer.setSingleShot(True)
        self._live_timer.setInterval(0)
        self._live_timer.timeout.connect(self._live_run)
        self.player = Player(self, self.step)
        self.player.changed.connect(self.playing_changed)
        self.speed = self.player.speed
        self.explainer = ExplainerWidget()
        self.trace = TraceWidget()
        self.trace.node_selected.connect(self._on_trace_selected)
        self.scalar_fix = ScalarFix(ctx, self.backward)
        for subscriber in (self.trace.show_state, self.explainer.show_state,
                           self.scalar_fix.show_state):
            self.published.connect(subscriber)
        if docks:
            ctx.add_dock("explainer", "Chain rule", self.explainer,
                         Qt.DockWidgetArea.RightDockWidgetArea)
            ctx.add_dock("trace", "Trace", self.trace, Qt.DockWidgetArea.BottomDockWidgetArea)
        follow(ctx.document, self)
        ctx.document.moved.connect(self._on_moved)
        self.attach(ctx.graph)

    @property
    def display(self) -> RunDisplay:
        return self.state.display

    # --- setup --------------------------------------------------------------------------
    def attach(self, graph: Graph | None) -> None:
        """Follow ``graph`` (a new document): results of the old one are dropped."""
        if graph is self.graph:
            return
        if self.graph is not None:
            self.graph.evaluated.disconnect(self._on_evaluated)
        self.graph = graph
        if graph is not None:
            graph.evaluated.connect(self._on_evaluated)
        self.kept.attach(graph)
        scene = self._scene()
        if scene is not None:  # a new document comes with a new scene
            scene.selection.changed.connect(self._on_scene_selection)
        # The old document's selected id may name another node of the new one (ids restart
        # at n1): explain only what the new scene has selected.
        self.selected = scene.selection.single() if scene is not None else None
        self._clear()

    def document_replaced(self, graph: Graph) -> None:
        self.attach(graph)
        self.ctx.status("", 0)  # the old document's 'J = …' is no number of the new one

    def graph_edited(self) -> None:
        """A current run follows an edit of values only (the inspector, training, undo of
        either) by running again at once, inside the edit's undo step, so no number on
        screen predates the values and the room its numbers need is part of that step.
        Live: any other edit runs again once its burst is over. Else, after a structural
        edit the run is stale."""
        current = self.result is not None and not self.stale
        if self.live and current and not self.ctx.document.structural:
            self._rerun()  # a failed run shows its issues, as a Live run does
        elif self.live:
            self._live_timer.start()
        elif current and (
                self.ctx.document.structural or not self._rerun()):
            self.mark_stale()
            self.ctx.status(STALE_STATUS, STATUS_MS)  # not the old run's "J = …" any longer
        elif self.stale and not self._back_to_run():
            self.mark_stale()  # a rename still reaches the stale run's labels

    def _on_moved(self) -> None:
        """A move can reorder ties in the execution order: the badges and the trace follow
        at once, and a step-by-step walk, which goes in the run's order, ends stale (the
        next Step walks the new order). Without an explicit output the last sink in that
        order is the output: the run shown may then differentiate what is no longer the
        output, which every follower must hear as a structural edit."""
        result, graph = self.result, self.graph
        if result is None or graph is None or graph.order() == self._order:
            return
        if not self.stale and graph.explicit_output is None and result.plan is not None \
                and result.ids and graph.output != result.ids[result.plan.output]:
            self.ctx.document.announce_structural()  # marks the run stale, and publishes
        elif self.stepper is not None and not self.stepper.done and not self.stale:
            self.mark_stale()
        elif not (self.stale and self._back_to_run()):
            self._publish()

    def mark_stale(self, held: bool = False) -> None:
        """The shown run no longer describes what the canvas shows (an edit, or training
        painting new parameter values): dimmed and marked until the next run. ``held``
        (training): not even edits back to the graph that was run make it current."""
        if self.result is None:
            return
        self._held = self._held or held
        if self.stale:  # marked already: only a rename can change what it shows
            if self._follow_names():
                self._explain()
                self._publish()
            return
        self.stale = True
        self._follow_names()
        self._logged = set()  # the next run's lines are news: they hold after this edit
        self.set_playing(False)
        self._explain()
        self._publish()

    def _back_to_run(self) -> bool:
        """Edits and undos brought the graph back to exactly what the stale run read: its
        numbers are current again, under the names it ran with. A step-by-step walk goes
        on only while the execution order is the run's."""
        stepper = self.stepper
        walking = stepper is not None and not stepper.done
        result = None if self._held else self.kept.back(in_order=walking)
        if result is None:
            return False
        self.result, self.stale = result, False
        self._explain()
        self._publish()
        # "J = 2" again, not STALE_STATUS; a walk keeps the gradients it has yet to show
        self.ctx.status(status_text(result, numbers=not walking), STATUS_MS)
        return True

    def _follow_names(self) -> bool:
        """Call the kept run's nodes by their current names, so every label shown of it
        (node rows, wires, inspector, trace, chain rule) names what the canvas does while
        its numbers stay marked stale; whether a name changed."""
        result = self.result
        if result is None:
            return False
        self.result = self.kept.follow_names(result)
        return self.result is not result

    def _scene(self) -> GraphScene | None:
        """The canvas scene, if there is one and it shows this graph."""
        scene = self.ctx.document.scene
        return scene if scene is not None and scene.graph is self.graph else None

    def _on_scene_selection(self) -> None:
        scene = self._scene()
        node_id = scene.selection.single() if scene is not None else None
        if node_id != self.selected:
            self.select_node(node_id)

    # --- actions ------------------------------------------------------------------------
    def forward(self) -> None:
        self._run(backward=False)

    def backward(self) -> None:
        self._run(backward=True)

    def forward_mode(self, name: str) -> None:
        """Forward, then forward mode from leaf ``name``: each node shows ∂node/∂name."""
        self.set_playing(False)
        if self._execute(backward=False, jvp=name):
            self._reveal_all()

    def step(self) -> None:
        """Reveal one more node; starts a fresh run when there is nothing current to step."""
        if self.stepper is None or self.stale or self.stepper.done:
            if not self._execute(backward=True, summary=False):
                return
            self.stepper = Stepper(self.result)
        self.stepper.step()
        if self.stepper.done:
            self.set_playing(False)
            self.ctx.status(status_text(self.result), STATUS_MS)  # now they are all shown
        self._publish()

    def run_all(self) -> None:
        if self.stepper is not None and not self.stale and not self.stepper.done:
            self.set_playing(False)
            self.stepper.run_to_end()
            self._publish()
        else:
            self._run(backward=True)

    def reset(self) -> None:
        self._clear()
        self.ctx.status("Results cleared", 3000)

    def set_live(self, on: bool) -> None:
        """Live mode: re-run forward and backward after every edit (``live_changed``)."""
        if on == self._live:
            return
        self._live = on
        self.live_changed.emit(on)
        if on:
            self._run(backward=True)

    def set_playing(self, on: bool) -> None:
        """Step automatically at the speed's interval (``playing_changed``)."""
        self.player.set(on)

    @property
    def live(self) -> bool:
        return self._live

    @property
    def playing(self) -> bool:
        return self.player.on

    # --- selection ----------------------------------------------------------------------
    def select_node(self, node_id: str | None) -> None:
        """The canvas selection changed: explain that node and select its trace row."""
        self.selected = node_id
        self._explain()
        self._publish()

    def _on_trace_selected(self, node_id: str) -> None:
        self.select_node(node_id)
        scene = self._scene()
        if scene is not None:
            scene.select_ids([node_id])
        self.node_selected.emit(node_id)

    def _explain(self) -> None:
        node_id, result = self.selected, self.result
        if node_id is None or result is None or node_id not in result.ids:
            self.explanation = None
        else:
            self.explanation = explain(result, node_id)

    # --- running ------------------------------------------------------------------------
    def _run(self, backward: bool) -> None:
        self.set_playing(False)
        if self._execute(backward):
            self._reveal_all()

    def _rerun(self) -> bool:
        """Run the shown run again (Backward if it asked for gradients, else Forward), at
        the same step when stepping through it; False if the run failed."""
        result, stepper = self.result, self.stepper
        assert result is not None
        position = stepper.position if stepper is not None and not stepper.done else None
        backward = bool(result.grads) or result.grad_note is not None
        if not self._execute(backward, position is None, result.seeds_again() or None):
            return False
        if position is None:
            self._reveal_all()
            return True
        self.stepper = stepper = Stepper(self.result)
        while stepper.position < position and not stepper.done:
            stepper.step()
        self._explain()
        self._publish()
        return True

    def _reveal_all(self) -> None:
        # A finished stepper holds the per-wire numbers once, for every repaint of this run.
        with collector.paused():  # its sets of 10^4 slots and wires last as long as the run
            self.stepper = Stepper(self.result)
            self.stepper.run_to_end()
        self._explain()
        self._publish()

    def _execute(self, backward: bool, summary: bool = True, jvp: Seeds | None = None) -> bool:
        """Run the graph once (with forward mode from ``jvp``'s seeds when given); problems
        become messages, never exceptions. Without ``summary`` (stepping) the status line
        names only problems, not the numbers the steps have yet to reveal."""
        if self.graph is None:
            return False
        self._running, self._summary = True, summary
        try:
            with collector.paused():  # the run's values and gradients outlive it
                # the result arrives through ``evaluated``
                self.graph.run(backward=backward, jvp=jvp)
        except Exception as exc:  # a bug in an op rule must not take the editor down
            self._log_lines([f"run failed: {true_minus(str(exc))}"])
            return False
        finally:
            self._running = False
        return self.result is not None

    def _on_evaluated(self, result: RunResult) -> None:
        """A run of the document, ours or a script's: take it and report its problems."""
        self.result, self.stale, self._held = result, False, False
        self.kept.ran(result)
        names = {self.graph.nodes[i].name for i in result.problems} if self.graph else set()
        lines = [f"not run: {true_minus(message)}" for message in result.problems.values()]
        lines += [issue_line(name, issue) for name, issue in
                  (*result.issues.items(), *result.tangent_issues.items()) if name not in names]
        if result.grad_note:
            lines.append(result.grad_note)
        self._log_lines(lines)
        status = status_text(result, numbers=self._summary or not self._running)
        if status:  # the cause to fix, not the last node skipped because of it
            self.ctx.status(status, STATUS_MS)
        if not self._running:  # not asked for here: show it whole
            self._reveal_all()

    def _live_run(self) -> None:
        if self.live:  # forward mode, when shown, goes on from the seeds still leaves
            self.set_playing(False)
            graph, seeds = self.graph, self.result.seeds_again() if self.result else {}
            kept = {name: seed for name, seed in seeds.items()
                    if graph is not None and graph.has_name(name) and graph.by_name(name).is_leaf}
            if self._execute(True, jvp=kept or None):
                self._reveal_all()

    def _clear(self) -> None:
        self.set_playing(False)
        self.result, self.stepper, self.stale = None, None, False
        self._logged = set()
        self._explain()
        self._publish()

    def _publish(self) -> None:
        exp = self.explanation
        # The order badges number by the graph's order now: a move can reorder ties.
        self._order = self.graph.order() if self.graph is not None and self.result else None
        # What every node shows, 10^4 lasting states and the items' texts and boxes: the
        # full collections their count triggered walked the whole heap of a big canvas.
        with collector.paused():
            display = build_display(
                self.result, self.stepper, self.stale,
                exp.node_ids() if exp else (), exp.wire_keys() if exp else (), self._order)
            self.state = RunState(self.result, display, self.stale, self.selected, exp)
            self.published.emit(self.state)

    def show_current(self) -> None:
        """After numbers changed elsewhere (training): a run of the graph as it is now, the
        shown one when current, else a fresh Backward."""
        if self.result is None or self.stale:
            self.backward()
        else:
            self.republish()

    def republish(self) -> None:
        """Publish the current state again, e.g. so the canvas shows the run's own picture
        after a dock drew over it."""
        self.published.emit(self.state)

    def _log_lines(self, lines: list[str]) -> None:
        """Messages for the run, each once: a run repeats none of the previous run's lines
        (Forward then Backward, a Live or value-edit re-run) unless a structural edit came
        between (``mark_stale``)."""
        logged = self._logged
        self.ctx.log_lines([line for line in lines if line not in logged])
        self._logged = set(lines)

