"""Names for many nodes added together (Graph.unique_names, a paste's): each search for a
numbered name resumes where the last one of its stem ended, and gives exactly what asking
generated_name for each name in turn gives."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from cgeditor.model.graph import Graph
from cgeditor.model.naming import usable

BASES = st.sampled_from(["h", "h1", "h2", "h10", "mul", "mul3", "x9", "2x", "lambda", "np",
                         "_", "a" * 130, "é1", "n", "n1"])


def one_at_a_time(graph: Graph, bases: list[str]) -> list[str]:
    """unique_names' rule, each numbered name from its own generated_name call."""
    kept = list(dict.fromkeys(b for b in bases if not graph.has_name(b) and usable(b)))
    taken, names = set(kept), []
    for base in bases:
        name = base if base in kept else graph.generated_name(base, taken)
        if name in kept:
            kept.remove(name)  # a later equal base is numbered
        taken.add(name)
        names.append(name)
    return names


def graph_named(names: list[str]) -> Graph:
    graph = Graph()
    for name in names:
        graph.add_node("neg", name)
    return graph


@settings(max_examples=200, deadline=None)
@given(st.lists(BASES, unique=True, max_size=6), st.lists(BASES, max_size=12))
def test_unique_names_are_those_generated_one_at_a_time(old: list[str],
                                                        bases: list[str]) -> None:
    old = [name for name in old if usable(name) and len(name) <= 128]
    graph, twin = graph_named(old), graph_named(old)
    assert graph.unique_names(bases) == one_at_a_time(twin, bases)
    assert graph.unique_names(bases) == one_at_a_time(twin, bases)  # the hint moved on alike
    assert graph._name_hint == twin._name_hint


def test_a_paste_over_its_originals_numbers_each_stem_on() -> None:
    graph = graph_named(["h", "h1", "mul3"])
    assert graph.unique_names(["h", "h1", "mul3", "h", "q"]) == ["h2", "h3", "mul1", "h4", "q"]
