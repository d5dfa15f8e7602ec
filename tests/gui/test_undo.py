"""Undo as a property: random edit sequences through the QUndoStack; undoing everything gives
back the exact starting file and redoing everything gives back the final one."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PySide6.QtGui import QUndoStack

from cgeditor import paths
from cgeditor.gui import bulk_commands as B
from cgeditor.gui import clipboard
from cgeditor.gui import commands as C
from cgeditor.model import files
from cgeditor.model.graph import Graph

OPS = ("input", "const", "add", "mul", "powc", "tanh", "sum")
KINDS = ("add", "delete", "move", "connect", "disconnect", "rename", "value", "attr",
         "paste", "output", "trainable", "undo")

step = st.tuples(st.sampled_from(KINDS), st.integers(0, 10_000), st.integers(0, 10_000),
                 st.integers(-500, 500))


def pick(seq: list, k: int):
    return seq[k % len(seq)] if seq else None


def command_for(g: Graph, kind: str, a: int, b: int, n: int):
    """The command a user could have asked for (validated as the Editor does), or None."""
    ids = list(g.nodes)
    node = g.nodes.get(pick(ids, a)) if ids else None
    if kind == "add":
        op = pick(list(OPS), a)
        return C.AddNode(g, op, g.unique_name(op), n, b % 400)
    if node is None:
        return None
    if kind == "delete":
        return B.delete_nodes(g, {node.id, pick(ids, b)})
    if kind == "move":
        return C.MoveNodes(g, {node.id: ((node.x, node.y), (node.x + n, node.y - n))})
    if kind == "connect":
        dst = g.nodes[pick(ids, b)]
        port = pick(list(dst.ports), n)
        ok = port is not None and g.can_connect(node.id, dst.id, port) is None
        return C.connect(g, node.id, dst.id, port) if ok else None
    if kind == "disconnect":
        edge = pick(g.edges, a)
        return C.Disconnect(g, edge.dst, edge.port) if edge else None
    if kind == "rename":
        name = f"r{b}"
        return None if g.has_name(name) else C.Rename(g, node.id, name)
    if kind == "value" and node.op in ("input", "const"):
        return C.SetValue(g, node.id, float(n) if b % 2 else [[float(n), 1.0]])
    if kind == "attr" and node.op == "powc":
        return C.SetAttr(g, node.id, "exponent", float(n % 5))
    if kind == "output":
        return C.SetOutput(g, node.id)
    if kind == "trainable" and node.op == "input":
        return C.SetTrainable(g, node.id, not node.trainable)
    if kind == "paste":
        chosen = {node.id, pick(ids, b)}
        payload = clipboard.validate(clipboard.snapshot(g, chosen))
        return B.add_parts(g, "Paste", payload["nodes"], payload["edges"], 40, 40)[0]
    return None


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(steps=st.lists(step, max_size=30))
def test_undo_all_then_redo_all_round_trips(qapp, steps) -> None:
    g = files.load(paths.seed_example())
    stack = QUndoStack()
    start = files.dumps(g)
    for kind, a, b, n in steps:
        if kind == "undo":
            stack.undo()
            continue
        cmd = command_for(g, kind, a, b, n)
        if cmd is not None:
            stack.push(cmd)
    final, final_index = files.dumps(g), stack.index()
    while stack.canUndo():
        stack.undo()
    assert files.dumps(g) == start
    while stack.index() < final_index:  # steps undone inside the sequence stay undone
        stack.redo()
    assert files.dumps(g) == final


def test_delete_restores_the_node_its_wires_and_its_place(qapp) -> None:
    g = files.load(paths.seed_example())
    stack = QUndoStack()
    start = files.dumps(g)
    victim = g.by_name("a")
    stack.push(B.delete_nodes(g, [victim.id]))
    assert stack.undoText() == "Delete a" and victim.id not in g.nodes
    assert not any(victim.id in (e.src, e.dst) for e in g.edges)
    stack.undo()
    assert files.dumps(g) == start


def test_command_texts_are_readable(qapp) -> None:
    g = files.load(paths.seed_example())
    w, c = g.by_name("w").id, g.by_name("c").id
    assert C.Disconnect(g, c, "a").text() == "Disconnect w → c.a"
    assert C.Rename(g, c, "prod").text() == "Rename c to prod"
    assert C.SetValue(g, w, 3.0).text() == "Set w = 3"
    assert C.MoveNodes(g, {w: ((0, 0), (1, 1)), c: ((0, 0), (1, 1))}).text() == "Move 2 nodes"
    assert B.delete_nodes(g, [w, c]).text() == "Delete 2 nodes"
