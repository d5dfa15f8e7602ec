"""Small graphs the tests share, built with the Graph API so that a test of loading, running
or painting does not depend on the file reader: the seed example J = ½(w·x + b − y)² in any
layout, the x·x + x fan-out, a chain of one-input ops, a mul with an open port and a
doubling chain of many paths; and the bundled seed file loaded and run."""

from __future__ import annotations

from collections.abc import Mapping

from cgeditor.model.files import load
from cgeditor.model.graph import Graph
from cgeditor.model.node import Node
from cgeditor.model.run import RunResult
from cgeditor.paths import seed_example

# The seed's nodes in insertion order (their ids n1…n10 follow it, as in the seed file),
# its input values and its wires (src, dst, port).
SEED_NODES: tuple[tuple[str, str], ...] = (
    ("w", "input"), ("x", "input"), ("b", "input"), ("y", "input"), ("c", "mul"),
    ("a", "add"), ("d", "sub"), ("sq", "powc"), ("half", "const"), ("J", "mul"))
SEED_VALUES: dict[str, float] = {"w": 2.0, "x": -2.0, "b": 8.0, "y": 2.0, "half": 0.5}
SEED_WIRES: tuple[tuple[str, str, str], ...] = (
    ("w", "c", "a"), ("x", "c", "b"), ("c", "a", "a"), ("b", "a", "b"), ("a", "d", "a"),
    ("y", "d", "b"), ("d", "sq", "x"), ("half", "J", "a"), ("sq", "J", "b"))

# Left to right with the inputs in a column: room for a node's width between columns.
CANVAS_LAYOUT: dict[str, tuple[float, float]] = {
    "w": (0, 0), "x": (0, 90), "b": (0, 180), "y": (0, 270), "c": (220, 20), "a": (420, 90),
    "d": (620, 160), "sq": (820, 160), "half": (820, 290), "J": (1020, 220)}


def seed_graph(layout: Mapping[str, tuple[float, float]] = CANVAS_LAYOUT) -> Graph:
    """J = ½(w·x + b − y)² with each node at ``layout[name]`` (execution order breaks ties by
    x, so a layout decides where ``half`` runs)."""
    g = Graph()
    for name, op in SEED_NODES:
        x, y = layout[name]
        g.add_node(op, name, x=x, y=y, value=SEED_VALUES.get(name))
    for src, dst, port in SEED_WIRES:
        g.connect(g.by_name(src).id, g.by_name(dst).id, port)
    return g


def fan_out(x_value: float = 3.0, step: float = 100) -> Graph:
    """f = x·x + x: three paths from x to f (m.a, m.b and f.b), so ∂f/∂x = 2x + 1."""
    graph = Graph()
    x = graph.add_node("input", "x", value=x_value)
    m = graph.add_node("mul", "m", x=step)
    f = graph.add_node("add", "f", x=2 * step)
    graph.connect(x.id, m.id, "a")
    graph.connect(x.id, m.id, "b")
    graph.connect(m.id, f.id, "a")
    graph.connect(x.id, f.id, "b")
    return graph


def chain(*links: tuple[str, str], start: float = 1.0,
          step: float = 100) -> tuple[Graph, list[Node]]:
    """Input x = ``start`` feeding one-input ops (op, name) in a row ``step`` apart, each into
    the next one's port x; returns the graph and its nodes, x first."""
    graph = Graph()
    nodes = [graph.add_node("input", "x", value=start)]
    for k, (op, name) in enumerate(links, start=1):
        nodes.append(graph.add_node(op, name, x=k * step))
        graph.connect(nodes[-2].id, nodes[-1].id, "x")
    return graph, nodes


def open_port(step: float = 100) -> tuple[Graph, Node]:
    """x = 1 wired into port a of mul m, port b left open; returns the graph and m."""
    graph = Graph()
    x = graph.add_node("input", "x", value=1.0)
    m = graph.add_node("mul", "m", x=step)
    graph.connect(x.id, m.id, "a")
    return graph, m


def doubling_chain(layers: int, start: float, step: float = 100) -> Graph:
    """x_k = x_{k-1} · x_{k-1} from x0 = ``start``: each layer doubles the paths to x0.
    Nodes ``step`` apart (a node is 156 wide: 250 leaves room to see the wires)."""
    graph = Graph()
    prev = graph.add_node("input", "x0", value=start)
    for k in range(1, layers + 1):
        node = graph.add_node("mul", f"x{k}", x=k * step)
        graph.connect(prev.id, node.id, "a")
        graph.connect(prev.id, node.id, "b")
        prev = node
    return graph


def seed_run() -> tuple[Graph, RunResult]:
    """The bundled seed file, loaded and run forward and backward."""
    graph = load(seed_example())
    return graph, graph.run()
