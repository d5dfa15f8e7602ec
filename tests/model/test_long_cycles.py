"""A cycle through thousands of nodes is refused with a message of bounded length that still
names where it starts and ends and counts the rest: on every path that refuses one (a file's
parts, new parts, one connect), with the whole cycle kept in the error's ``path``."""

from __future__ import annotations

import pytest

from cgeditor.model.errors import CYCLE_SHOWN, CycleError, cycle_text
from cgeditor.model.graph import Graph

N = 5_000


def chain_nodes(count: int) -> list[dict]:
    return [dict(op="neg", name=f"n{k}", node_id=f"i{k}") for k in range(count)]


def chain_wires(count: int) -> list[tuple[str, str, str]]:
    return [(f"i{k}", f"i{k + 1}", "x") for k in range(count - 1)]


def assert_bounded(message: str, first: str, last: str, count: int) -> None:
    skipped = count + 1 - CYCLE_SHOWN  # the cycle's names with its first again at the end
    assert f"… {skipped:,} more …" in message
    assert len(message) < 300
    names = message.split(": ", 1)[-1].split("cycle ", 1)[-1].split(" → ")
    assert names[0] == first and names[-1] == last


def test_short_cycles_are_named_whole() -> None:
    names = [f"n{k}" for k in range(CYCLE_SHOWN)]
    assert cycle_text(names) == " → ".join(names)


def test_new_parts_closing_a_long_cycle() -> None:
    graph = Graph()
    wires = [*chain_wires(N), (f"i{N - 1}", "i0", "x")]
    with pytest.raises(CycleError) as info:
        graph.add_parts(chain_nodes(N), wires)
    assert_bounded(str(info.value), "n0", "n0", N)
    assert len(info.value.path) == N and not graph.nodes


def test_a_file_whose_edges_form_a_long_cycle() -> None:
    nodes = [{"id": f"i{k}", "op": "neg", "name": f"n{k}"} for k in range(N)]
    edges = [{"from": s, "to": d, "port": p} for s, d, p in chain_wires(N)]
    edges.append({"from": f"i{N - 1}", "to": "i0", "port": "x"})
    with pytest.raises(CycleError) as info:
        Graph.from_parts(nodes, edges)
    assert str(info.value).startswith("the edges form a cycle: n0 → n1")
    assert_bounded(str(info.value), "n0", "n0", N)
    assert len(info.value.path) == N


def test_one_wire_closing_a_long_cycle() -> None:
    graph = Graph()
    graph.add_parts(chain_nodes(N), chain_wires(N))
    with pytest.raises(CycleError) as info:
        graph.connect(f"i{N - 1}", "i0", "x")
    message = str(info.value)
    assert message.startswith(f"connecting n{N - 1} → n0.x would close the cycle n{N - 1} → n0")
    assert_bounded(message, f"n{N - 1}", f"n{N - 1}", N)
    assert len(info.value.path) == N + 1 and graph.source_of("i0", "x") is None
