"""FileText: the cached text of a graph is byte-for-byte what files.dumps writes, after any
sequence of edits, including those that keep a value equal but change its text."""

from __future__ import annotations

import contextlib

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from cgeditor.model import files
from cgeditor.model.errors import GraphError
from cgeditor.model.files_text import FileText
from cgeditor.model.graph import Graph
from tests.model.test_files import build_seed


def chain(n: int) -> Graph:
    g = Graph()
    prev = g.add_node("input", "x0", value=1.0).id
    for k in range(1, n):
        node = g.add_node("tanh", f"t{k}", x=10.0 * k)
        g.connect(prev, node.id, "x")
        prev = node.id
    return g


def same_text(cache: FileText, g: Graph) -> None:
    assert cache.text(g) == files.dumps(g)


def test_seed_text_matches_dumps_first_time_and_when_reused() -> None:
    g, cache = build_seed(), FileText()
    same_text(cache, g)
    same_text(cache, g)


def test_signed_zero_and_equal_values_are_written_afresh() -> None:
    g, cache = Graph(), FileText()
    a = g.add_node("input", "a", x=0.0, value=0.0)
    same_text(cache, g)
    g.move_node(a.id, -0.0, 0.0)  # equal to 0.0, yet written "-0.0"
    g.set_value(a.id, -0.0)
    same_text(cache, g)
    assert '"x": -0.0' in cache.text(g)


def test_an_array_changed_in_place_is_written_as_it_is_now() -> None:
    g, cache = Graph(), FileText()
    a = g.add_node("input", "a", value=[1.0, 2.0])
    same_text(cache, g)
    a.value[0] = 5.5  # no signal, no new object: the cache must not trust it
    same_text(cache, g)
    assert "5.5" in cache.text(g)


def test_removed_nodes_and_edges_are_forgotten() -> None:
    g, cache = chain(6), FileText()
    same_text(cache, g)
    ids = list(g.nodes)
    g.remove_parts(ids[2:4])
    same_text(cache, g)
    assert set(cache._nodes) == set(g.nodes)
    assert {dst for _src, dst, _port in cache._edges} <= set(g.nodes)


def test_steps_yield_between_chunks_and_return_the_text() -> None:
    g, cache = chain(25), FileText()
    steps = cache.steps(g, chunk=4)
    passes = 0
    while True:
        try:
            next(steps)
            passes += 1
        except StopIteration as done:
            text = done.value
            break
    assert passes >= 2 * (25 // 4)  # the nodes, then the edges, four at a time
    assert text == files.dumps(g)


def test_a_dropped_build_leaves_the_cache_usable() -> None:
    g, cache = chain(20), FileText()
    steps = cache.steps(g, chunk=3)
    next(steps)
    next(steps)  # abandoned half-way, as an edit makes the autosave drop it
    g.rename_node(next(iter(g.nodes)), "renamed")
    same_text(cache, g)


EDITS = st.lists(st.tuples(st.sampled_from(["move", "rename", "value", "attrs", "trainable",
                                            "output", "meta", "add", "remove", "wire", "unwire"]),
                           st.integers(0, 10_000),
                           st.sampled_from([0.0, -0.0, 1.0, 1, 2.5, -3.25, 1e300, 7.0])),
                 min_size=1, max_size=25)


@settings(max_examples=60, deadline=None)
@given(EDITS)
def test_any_edit_sequence_keeps_the_text_equal_to_dumps(edits) -> None:
    g, cache = build_seed(), FileText()
    same_text(cache, g)
    for kind, pick, number in edits:
        with contextlib.suppress(GraphError):  # a refused edit changes nothing: still equal
            apply_edit(g, kind, pick, number)
        same_text(cache, g)


def apply_edit(g: Graph, kind: str, pick: int, number: float) -> None:
    """One edit of ``kind`` on the node ``pick`` selects, through the Graph API."""
    ids = list(g.nodes)
    node = g.nodes[ids[pick % len(ids)]] if ids else None
    if kind == "add" or node is None:
        g.add_node("input" if pick % 2 else "mul", x=number, value=number if pick % 2 else None)
    elif kind == "move":
        g.move_node(node.id, number, -number)
    elif kind == "rename":
        g.rename_node(node.id, f"n{pick}")
    elif kind == "value" and node.is_leaf:
        g.set_value(node.id, np.array([number, pick]) if pick % 3 == 0 else number)
    elif kind == "attrs" and node.spec.attrs:
        g.set_attrs(node.id, {node.spec.attrs[0].name: 2 + pick % 3})
    elif kind == "trainable" and node.is_input:
        g.set_trainable(node.id, not node.trainable)
    elif kind == "output":
        g.set_output(node.id if pick % 2 else None)
    elif kind == "meta":
        g.meta = {**g.meta, "note": f"edit {pick}"}
    elif kind == "remove" and len(ids) > 1:
        g.remove_parts([node.id])
    elif kind in ("wire", "unwire") and node.ports:
        port = node.ports[pick % len(node.ports)]
        if g.source_of(node.id, port) is not None:
            g.disconnect(node.id, port)
        else:
            src = ids[(pick // 7) % len(ids)]
            if g.can_connect(src, node.id, port) is None:
                g.connect(src, node.id, port)
