"""The gradient graph: the backward pass written out as nodes of registry ops, so that it can be
seen, run and differentiated again.

``gradient_graph`` copies the forward graph and adds, for every node the output reads and some
input feeds, its adjoint ∂J/∂node: the chain rule ∂J/∂c = ∂J/∂a · ∂a/∂c from each consumer's
vjp template (model/adjoint_rules.py), summed over fan-out with add nodes in the order the
engine sums them, and named ``dJ_dc`` in the output's and the node's names.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from cgeditor.core.engine import backward_order
from cgeditor.core.ops import REGISTRY
from cgeditor.model import collector
from cgeditor.model.adjoint_helpers import HELPERS
from cgeditor.model.adjoint_rules import NotExpressible, RuleWriter, Shape
from cgeditor.model.errors import GradientGraphError
from cgeditor.model.graph import Graph
from cgeditor.model.graph_parts import node_parts
from cgeditor.model.layout import GAPS, TIGHT_GAP_X, layered_layout, nominal_sizes
from cgeditor.model.naming import usable
from cgeditor.model.node import MAX_NAME_LENGTH
from cgeditor.model.run import RunResult, run_graph
from cgeditor.model.values import coerce_attrs, parse_value

# (graph, shapes by node id) -> each node's outline (width, height) by id
Measure = Callable[[Graph, Mapping[str, Shape]], Mapping[str, tuple[float, float]]]


def gradient_name(output: str, name: str) -> str:
    """'dJ_dw': the name of ∂output/∂name (a Python identifier, as node names are)."""
    return f"d{output}_d{name}"


class _Builder:
    """The Sink adjoint_rules writes into: node records and edges kept for one
    ``Graph.add_parts`` (``finish``), named and given ids as add_node one by one would have
    named them, and their shapes. A node per add_node and connect re-announced and
    re-checked the graph each time: 3k nodes took seconds."""

    def __init__(self, graph: Graph, shapes: dict[str, Shape]) -> None:
        self.graph = graph
        self.shapes = shapes
        self.records: dict[str, dict[str, Any]] = {}  # by node id, in the order made
        self.edges: list[tuple[str, str, str]] = []
        self.names: set[str] = set()  # the records' names: taken as if in the graph

    @property
    def added(self) -> list[str]:
        """The ids of the nodes made, in order."""
        return list(self.records)

    def _record(self, op: str, name: str, **fields: Any) -> str:
        node_id = self.graph.new_id()
        self.records[node_id] = {"op": op, "name": name, "node_id": node_id, **fields}
        self.names.add(name)
        return node_id

    def op(self, op: str, args: Sequence[str], attrs: Mapping[str, Any]) -> str:
        spec = REGISTRY[op]
        attrs = coerce_attrs(spec, dict(attrs))
        node = self._record(op, self.graph.generated_name(op, self.names), attrs=attrs)
        self.edges += [(src, node, port) for port, src in zip(spec.inputs, args, strict=True)]
        self.shapes[node] = spec.shape(*(self.shapes[a] for a in args), **attrs)[0]
        return node

    def const(self, value: Any) -> str:
        value = parse_value(value)
        node = self._record("const", self.graph.generated_name("k", self.names), value=value)
        self.shapes[node] = np.shape(value)
        return node

    def shape(self, node_id: str) -> Shape:
        return self.shapes[node_id]

    def name(self, node_id: str, name: str) -> None:
        if len(name) > MAX_NAME_LENGTH:
            name = name[:MAX_NAME_LENGTH - 12]
        record = self.records[node_id]
        # Graph.unique_name over the graph's names and the records' (the old one still taken)
        if self.graph.has_name(name) or name in self.names or not usable(name):
            name = self.graph.generated_name(name, self.names)
        self.names.discard(record["name"])
        self.names.add(name)
        record["name"] = name

    def finish(self) -> None:
        """Add every record and edge to the graph as one edit. Their wiring is acyclic by
        construction: each new node reads only nodes made before it."""
        self.graph.add_parts(self.records.values(), self.edges, known_acyclic=True)


def gradient_graph(graph: Graph, output: str | None = None) -> Graph:
    """gradient_graph_named's graph alone."""
    return gradient_graph_named(graph, output)[0]


def gradient_graph_named(graph: Graph, output: str | None = None, measure: Measure | None = None
                         ) -> tuple[Graph, dict[str, str]]:
    """A new Graph: ``graph``'s nodes (same ids, names, places and values) and, below them,
    the adjoint of every node between the inputs and the output (a node name; the graph's
    output by default), ending in one node ``dJ_dw`` per input w (a zero const where the
    output does not read w, as the engine gives). Running it
    forward gives the engine's backward gradients as those nodes' values; its output is the
    original one, so its own backward pass can differentiate the gradients again.

    Raises GradientGraphError when the graph cannot run backward (an open port, an output
    that is not one number) or when an op's vjp needs a helper no registry op spells (the
    message names the node and op); ``graph`` is never changed. Also returns the name of
    each input's gradient node by the input's name, in the graph's order. ``measure`` gives
    the outline each node will take (the canvas's boxes) from the graph and the shapes by
    node id; by default the layout's nominal scalar boxes."""
    result = run_graph(graph, output=output)
    _check_runs(graph, result)
    # ~5 lasting objects a node and no cycle among them: a collection walks them for nothing
    with collector.paused():
        return _built(graph, result, measure)


def _built(graph: Graph, result: RunResult, measure: Measure | None
           ) -> tuple[Graph, dict[str, str]]:
    """gradient_graph_named's work once ``graph`` is known to run backward."""
    new = Graph.from_parts(node_parts(graph), graph.edges)
    out_id = result.ids[result.plan.output]
    new.set_output(out_id)
    shapes = {node_id: np.shape(result.values[name])
              for name, node_id in zip(result.order, result.ids, strict=True)}
    builder = _Builder(new, shapes)
    adjoints = _write_adjoints(result, builder)
    builder.finish()
    sizes = nominal_sizes(new) if measure is None else measure(new, shapes)
    place_adjoints(new, list(graph.nodes), builder.added, sizes)
    return new, {graph.nodes[i].name: new.nodes[adjoints[i]].name for i in graph.order()
                 if graph.nodes[i].is_input}


def _check_runs(graph: Graph, result: RunResult) -> None:
    if not graph.nodes:
        raise GradientGraphError("no gradient graph: the graph is empty")
    if result.problems:
        node_id, message = next(iter(result.problems.items()))
        raise GradientGraphError(f"no gradient graph: {graph.node(node_id).name} cannot run "
                                 f"({message})")
    if result.grad_note is not None:
        raise GradientGraphError(f"no gradient graph: {result.grad_note}")
    if result.plan is None or any(v is None for v in result.values.values()):
        raise GradientGraphError("no gradient graph: every node needs a value first")


def _fed(steps: Sequence[Any]) -> list[bool]:
    """Per slot: some input feeds it (or it is one), so it needs an adjoint."""
    fed: list[bool] = []
    for step in steps:
        fed.append(REGISTRY[step.op].is_input or any(fed[j] for j in step.args))
    return fed


def _write_adjoints(result: RunResult, builder: _Builder) -> dict[str, str]:
    """Every adjoint written into builder's graph, in the engine's backward order; the
    adjoint node's id by forward node id."""
    plan, ids = result.plan, result.ids
    out_name = plan.steps[plan.output].name
    fed = _fed(plan.steps)
    # the seed ∂J/∂J = 1, where some input feeds J (else every input's gradient is 0)
    parts = {plan.output: [builder.const(1.0)]} if fed[plan.output] else {}
    adjoints: dict[str, str] = {}
    taken = set(ids)  # nodes that are some node's value or adjoint already
    for i in backward_order(plan.steps, plan.output):
        step = plan.steps[i]
        if not fed[i] or i not in parts:
            continue
        g = adjoints[ids[i]] = _total(builder, parts.pop(i), taken)
        taken.add(g)
        builder.name(g, gradient_name(out_name, step.name))
        spec = REGISTRY[step.op]
        bound = {"g": g, "out": ids[i], **spec.default_attrs(), **step.attrs,
                 **{port: ids[j] for port, j in zip(spec.inputs, step.args, strict=True)}}
        writer = RuleWriter(builder, bound, HELPERS)
        for k, j in enumerate(step.args):
            if not fed[j]:
                continue
            try:
                part = writer.unbroadcast(writer.write(spec.vjp_template[k]), builder.shape(ids[j]))
            except NotExpressible as exc:
                raise GradientGraphError(
                    f"no gradient graph: {step.name} is a {step.op} node, and its vjp for "
                    f"{spec.inputs[k]} {exc}") from None
            parts.setdefault(j, []).append(writer.node(part))
    _unread_inputs(result, builder, adjoints)
    return adjoints


def _unread_inputs(result: RunResult, builder: _Builder, adjoints: dict[str, str]) -> None:
    """A zero const dJ_dv for each input v the output does not read (the engine's 0)."""
    plan, ids = result.plan, result.ids
    out_name = plan.steps[plan.output].name
    for i, step in enumerate(plan.steps):
        if REGISTRY[step.op].is_input and ids[i] not in adjoints:
            adjoints[ids[i]] = builder.const(np.zeros(builder.shape(ids[i]))[()])
            builder.name(adjoints[ids[i]], gradient_name(out_name, step.name))


def _total(builder: _Builder, parts: list[str], taken: set[str]) -> str:
    """The sum of a node's gradient parts, in the order they came (as the engine's ``+=``),
    as a node of its own: a part that is another node (add passes ∂J/∂a on to c unchanged)
    is multiplied by its local derivative 1."""
    if len(parts) == 1 and parts[0] in taken:
        return builder.op("mul", [parts[0], builder.const(1.0)], {})
    total = parts[0]
    for part in parts[1:]:
        total = builder.op("add", [total, part], {})
    return total


def place_adjoints(graph: Graph, forward: Sequence[str], added: Sequence[str],
                   sizes: Mapping[str, tuple[float, float]]) -> None:
    """Lay the ``added`` nodes (the adjoint part) out below the ``forward`` ones, in
    columns flowing right to left, the input gradients under the inputs' left edge: the
    backward pass read as the lesson draws it. ``sizes``: each node's outline. Moves the
    added nodes only."""
    members = set(added)
    bottom = max((graph.nodes[n].y + sizes[n][1] for n in forward), default=0.0)
    # the layout reads ops, names (ties) and wires only: no values or attrs checked again
    part = Graph.from_parts(
        [{"id": n, "op": node.op, "name": node.name, "x": node.x, "y": node.y}
         for n, node in zip(added, map(graph.nodes.__getitem__, added), strict=True)],
        [e for e in graph.edges if e.src in members and e.dst in members])
    # tight columns: the backward pass has more of them than the forward one it sits under
    places = layered_layout(part, TIGHT_GAP_X, GAPS["LR"][1], sizes={n: sizes[n] for n in added})
    if not places:
        return
    left = min((graph.nodes[n].x for n in forward), default=0.0)
    # mirror each column by its span, not its left edge: a wide column (dJ_dmatrix_transpose1)
    # would otherwise reach over the narrower one that ends up on its right
    span: dict[float, float] = {}
    for n, (x, _) in places.items():
        span[x] = max(span.get(x, 0.0), sizes[n][0])
    right = max(x + width for x, width in span.items())
    below = bottom + 2 * GAPS["LR"][1] - min(y for _, y in places.values())
    graph.move_nodes({n: (left + right - x - span[x], y + below)
                      for n, (x, y) in places.items()})
