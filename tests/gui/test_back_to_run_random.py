"""Random edit sequences made of the editor's own undoable commands (values, -0.0 and arrays
of the same bytes, renames and name swaps, attrs, wires, output, deletes, adds, moves,
undo, redo, runs): whenever the kept run is declared current again (KeptRun.back), a fresh
run of the graph must give the very numbers, gradients, names, issues and notes it shows."""

from __future__ import annotations

import random

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PySide6.QtGui import QUndoStack

from cgeditor.gui import commands as C
from cgeditor.gui.bulk_commands import DeleteNodes
from cgeditor.model.errors import GraphError
from cgeditor.model.kept_run import KeptRun
from tests.graphs import seed_graph

VALUES = (0.0, -0.0, 2.0, -2.0, 1e-320, [2.0], [[2.0]], [2.0, 2.0], [0.0, -0.0], 8.0)
NAMES = ("w", "x", "b", "y", "c", "a", "d", "sq", "half", "J", "t", "u")
EDITS = ("value", "value", "rename", "swap", "attr", "wire", "output", "delete", "add",
         "move", "undo", "undo", "undo", "redo", "run")


def bits(value):
    return None if value is None else (np.shape(value), np.asarray(value).tobytes())


def numbers(result):
    """Per node id: its name, value and gradient to the bit; and what the run says."""
    by_id = {i: (name, bits(v)) for i, name, v in zip(result.ids, result.order,
                                                       result.raw_values)}
    return (by_id, result.output, {k: bits(g) for k, g in result.grads.items()},
            {k: (i.kind, i.message) for k, i in result.issues.items()}, result.grad_note,
            dict(result.problems))


def set_value(graph, stack, rng) -> None:
    leaves = [i for i in graph.nodes if graph.nodes[i].is_leaf]
    if leaves:
        stack.push(C.SetValue(graph, rng.choice(leaves), rng.choice(VALUES)))


def rename(graph, stack, rng) -> None:
    name = rng.choice(NAMES)
    if not graph.has_name(name):
        stack.push(C.Rename(graph, rng.choice(list(graph.nodes)), name))


def swap(graph, stack, rng) -> None:
    if len(graph.nodes) >= 2:
        i, j = rng.sample(list(graph.nodes), 2)
        a, b = graph.nodes[i].name, graph.nodes[j].name
        stack.push(C.Rename(graph, i, "tmp_"))
        stack.push(C.Rename(graph, j, a))
        stack.push(C.Rename(graph, i, b))


def set_attr(graph, stack, rng) -> None:
    powers = [i for i in graph.nodes if graph.nodes[i].op == "powc"]
    if powers:
        stack.push(C.SetAttr(graph, rng.choice(powers), "exponent",
                             rng.choice((2.0, 3.0, -0.0, 0.0, 1.0))))


def rewire(graph, stack, rng) -> None:
    dst = rng.choice(list(graph.nodes))
    if not graph.nodes[dst].ports:
        return
    port = rng.choice(graph.nodes[dst].ports)
    if graph.source_of(dst, port) is not None:
        stack.push(C.Disconnect(graph, dst, port))
        return
    src = rng.choice(list(graph.nodes))
    if graph.can_connect(src, dst, port) in (None, True):
        stack.push(C.Connect(graph, src, dst, port))


def add(graph, stack, rng) -> None:
    name, op = rng.choice(NAMES), rng.choice(("input", "const", "neg", "powc"))
    if not graph.has_name(name):
        value = 2.0 if op in ("input", "const") else None
        stack.push(C.AddNode(graph, op, name, 0.0, 0.0, value=value))


def move(graph, stack, rng) -> None:
    node_id = rng.choice(list(graph.nodes))
    node = graph.nodes[node_id]
    to = (rng.uniform(-500, 1500), rng.uniform(-100, 400))
    stack.push(C.MoveNodes(graph, {node_id: ((node.x, node.y), to)}))


def delete(graph, stack, rng) -> None:
    ids = list(graph.nodes)
    stack.push(DeleteNodes(graph, rng.sample(ids, rng.randint(1, min(3, len(ids))))))


EDIT = {"value": set_value, "rename": rename, "swap": swap, "attr": set_attr,
        "wire": rewire, "add": add, "move": move, "delete": delete,
        "output": lambda g, s, rng: s.push(C.SetOutput(g, rng.choice([*g.nodes, None]))),
        "undo": lambda _g, s, _rng: s.undo(), "redo": lambda _g, s, _rng: s.redo()}


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.randoms(use_true_random=False), st.lists(st.sampled_from(EDITS), max_size=40))
def test_a_run_declared_current_again_is_what_a_fresh_run_gives(rng: random.Random,
                                                                 kinds: list[str]) -> None:
    graph, stack, kept = seed_graph(), QUndoStack(), KeptRun()
    kept.attach(graph)
    kept.ran(graph.run())
    for kind in kinds:
        if kind == "run":
            kept.ran(graph.run())
            continue
        try:
            EDIT[kind](graph, stack, rng)
        except GraphError:
            continue  # refused, and so changed nothing
        back = kept.back()
        if back is not None:
            assert numbers(back) == numbers(graph.run())
