"""The gradient graph built in bulk (one Graph.add_parts) is the graph the checked one-by-one
path builds (add_node, connect and rename_node per node): same ids, names, ops, attrs, values,
places, edges, output, order and run values, for examples, long chains, taken and overlong
names and random graphs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pytest

from cgeditor.core.ops import REGISTRY
from cgeditor.model import files
from cgeditor.model import gradient_graph as gradient_module
from cgeditor.model.gradient_graph import gradient_graph_named
from cgeditor.model.graph import Graph
from cgeditor.model.node import MAX_NAME_LENGTH
from cgeditor.paths import examples_dir
from tests.core.test_compiled_random import OPS, random_plan
from tests.model.test_moves_keep_bits_random import built


class OneByOne:
    """The Sink as the public, checked mutators build it: each node announced and checked on
    its own, each name made unique against the graph as it then is."""

    def __init__(self, graph: Graph, shapes: dict[str, tuple[int, ...]]) -> None:
        self.graph, self.shapes = graph, shapes
        self.added: list[str] = []

    def op(self, op: str, args: Sequence[str], attrs: Mapping[str, Any]) -> str:
        spec = REGISTRY[op]
        node = self.graph.add_node(op, attrs=attrs)
        for port, src in zip(spec.inputs, args, strict=True):
            self.graph.connect(src, node.id, port)  # with the cycle search
        self.shapes[node.id] = spec.shape(*(self.shapes[a] for a in args), **node.attrs)[0]
        self.added.append(node.id)
        return node.id

    def const(self, value: Any) -> str:
        node = self.graph.add_node("const", self.graph.generated_name("k"), value=value)
        self.shapes[node.id] = np.shape(node.value)
        self.added.append(node.id)
        return node.id

    def shape(self, node_id: str) -> tuple[int, ...]:
        return self.shapes[node_id]

    def name(self, node_id: str, name: str) -> None:
        self.graph.rename_node(node_id, self.graph.unique_name(name[:MAX_NAME_LENGTH - 12]
                                                              if len(name) > MAX_NAME_LENGTH
                                                              else name))

    def finish(self) -> None:
        """Everything is in the graph already."""


def snapshot(graph: Graph) -> dict[str, Any]:
    """All a gradient graph is made of, values as exact lists."""
    result = graph.run()
    return {
        "nodes": [(n.id, n.op, n.name, n.x, n.y, n.attrs, n.trainable,
                   None if n.value is None else np.asarray(n.value).tolist())
                  for n in graph.nodes.values()],
        "edges": list(graph.edge_triples()), "output": graph.output, "order": graph.order(),
        "values": {k: np.asarray(v).tolist() for k, v in result.values.items()},
        "grads": {k: None if v is None else np.asarray(v).tolist()
                  for k, v in result.grads.items()},
    }


def assert_bulk_is_one_by_one(graph: Graph, monkeypatch: pytest.MonkeyPatch) -> None:
    bulk, bulk_names = gradient_graph_named(graph)
    with monkeypatch.context() as patch:
        patch.setattr(gradient_module, "_Builder", OneByOne)
        reference, reference_names = gradient_graph_named(graph)
    assert len(bulk) > len(graph)
    assert bulk_names == reference_names
    assert snapshot(bulk) == snapshot(reference)


def wired(links: Sequence[tuple[str, str, Sequence[str]]]) -> Graph:
    """Inputs x = 0.5 and y = 1.5, then each (op, name, sources by name) in a row."""
    graph = Graph()
    for k, (name, value) in enumerate((("x", 0.5), ("y", 1.5))):
        graph.add_node("input", name, y=60.0 * k, value=value)
    for k, (op, name, sources) in enumerate(links, start=1):
        node = graph.add_node(op, name, x=100.0 * k)
        for port, source in zip(node.ports, sources, strict=True):
            graph.connect(graph.by_name(source).id, node.id, port)
    return graph


def taken_and_long_names() -> Graph:
    """Gradient names the graph already has (dJ_dx), and a name so long that ∂J/∂name is
    cut short."""
    long = "t" * (MAX_NAME_LENGTH - 2)
    return wired([("exp", "dJ_dx", ["x"]), ("tanh", long, ["dJ_dx"]),
                  ("mul", "dJ_dt", [long, "y"]), ("add", "dJ_dy", ["dJ_dt", "x"]),
                  ("log", "J", ["dJ_dy"])])


def long_chain() -> Graph:
    """60 nodes, each binary one reading x and y again (fan-out summed by add nodes)."""
    ops = ["tanh", "mul", "add", "exp", "sub", "sigmoid"] * 10
    links = [(op, f"h{k}", [f"h{k - 1}" if k else "x", "xy"[k % 2]][:len(REGISTRY[op].inputs)])
             for k, op in enumerate(ops)]
    return wired(links)


@pytest.mark.parametrize("path", sorted(examples_dir().glob("*.cgraph")), ids=lambda p: p.stem)
def test_every_example_is_built_as_one_by_one(path, monkeypatch) -> None:
    assert_bulk_is_one_by_one(files.load(path), monkeypatch)


@pytest.mark.parametrize("make", [taken_and_long_names, long_chain])
def test_named_and_long_graphs_are_built_as_one_by_one(make, monkeypatch) -> None:
    assert_bulk_is_one_by_one(make(), monkeypatch)


def test_random_graphs_are_built_as_one_by_one(monkeypatch) -> None:
    checked = 0
    for seed in range(80):  # with pow, log, sqrt… drawn too, under half of them run
        plan = random_plan(seed, 10, False, OPS)
        graph, _ = built(plan, np.random.default_rng(seed))
        result = graph.run()
        if result.ok and any(result.grads[n.name] is not None
                             for n in graph.nodes.values() if n.is_input):
            assert_bulk_is_one_by_one(graph, monkeypatch)
            checked += 1
    assert checked >= 15
