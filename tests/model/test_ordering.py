"""The ordering exercise without Qt: which orders it accepts (every one that could run, found
here from the graph's wiring, not from the exercise's own bookkeeping), the reason it gives for
each misplaced card, its seeded shuffle, its levels, shapes and limits."""

from itertools import permutations

import networkx as nx
import numpy as np
import pytest

from cgeditor.model.examples import load_example
from cgeditor.model.graph import Graph
from cgeditor.model.ordering import (
    MAX_CARDS,
    WHOLE,
    Ordering,
    OrderingRefused,
    ordering_of,
)
from cgeditor.model.practice import Practice
from cgeditor.model.stepping import BACKWARD, FORWARD
from tests.graphs import doubling_chain, fan_out, open_port, seed_graph

LEVELS = (FORWARD, BACKWARD, WHOLE)


def runs_after(graph: Graph, level: str) -> nx.DiGraph:
    """What must run before what, read from the wiring: an operation after the operations
    feeding it; a gradient after the gradients of the steps that use its value on the way
    to the output (the output's seed is given); in the whole flow every gradient after every
    forward step. Nodes are card labels ('c', '∂J/∂c')."""
    nodes, out = graph.nodes, graph.output
    name = {node_id: node.name for node_id, node in nodes.items()}
    deps = nx.DiGraph()
    forward = [i for i, node in nodes.items() if not node.is_leaf]
    if level != BACKWARD:
        deps.add_nodes_from(name[i] for i in forward)
        deps.add_edges_from((name[e.src], name[e.dst]) for e in graph.edges
                            if not nodes[e.src].is_leaf)
    if level == FORWARD:
        return deps
    reach = nx.ancestors(graph.nx_graph, out) | {out}

    def grad(node_id: str) -> str:
        return f"∂{name[out]}/∂{name[node_id]}"

    for i in reach - {out}:
        if nodes[i].is_leaf and not nodes[i].is_input:
            continue  # a constant: nothing trains it
        deps.add_node(grad(i))
        deps.add_edges_from((grad(e.dst), grad(i)) for e in graph.out_edges(i)
                            if e.dst in reach and e.dst != out)
        if level == WHOLE:
            deps.add_edges_from((name[f], grad(i)) for f in forward)
    return deps


def can_run(deps: nx.DiGraph, order: list[str]) -> bool:
    place = {label: n for n, label in enumerate(order)}
    return all(place[a] < place[b] for a, b in deps.edges)


def keys_of(ordering: Ordering, labels: list[str]) -> list[str]:
    by_label = {card.label: card.key for card in ordering.cards}
    return [by_label[label] for label in labels]


def accepted(ordering: Ordering, labels) -> bool:
    return ordering.check(keys_of(ordering, list(labels))).right


@pytest.mark.parametrize("make, level, count", [
    (seed_graph, FORWARD, 1), (lambda: load_example("fanout"), FORWARD, 2),
    (fan_out, BACKWARD, 1), (lambda: load_example("fanout"), BACKWARD, None),
    (seed_graph, BACKWARD, None), (lambda: load_example("neuron"), FORWARD, None)])
def test_every_order_that_can_run_is_accepted_and_no_other(make, level, count):
    graph = make()
    ordering = ordering_of(graph, level)
    deps = runs_after(graph, level)
    assert sorted(deps.nodes) == sorted(card.label for card in ordering.cards)
    valid = {tuple(order) for order in nx.all_topological_sorts(deps)}
    if count is not None:
        assert len(valid) == count
    for order in permutations(deps.nodes):
        assert accepted(ordering, order) == (order in valid), order
    # not only the editor's own order: every valid one
    assert len(valid) == 1 or any(list(order) != [c.label for c in ordering.cards]
                                  for order in valid)


@pytest.mark.parametrize("name", ["seed", "fanout", "neuron", "matrix", "seed_fit"])
def test_the_whole_flow_accepts_all_its_topological_orders(name):
    graph = load_example(name)
    ordering = ordering_of(graph, WHOLE)
    deps = runs_after(graph, WHOLE)
    orders = list(nx.all_topological_sorts(deps))
    assert len(orders) > 1
    assert all(accepted(ordering, order) for order in orders)
    # ... and refuses orders one swap away from them that break what must run first
    rng = np.random.default_rng(1)
    for order in rng.choice(len(orders), size=min(200, len(orders)), replace=False):
        swapped = list(orders[order])
        k = int(rng.integers(len(swapped) - 1))
        swapped[k], swapped[k + 1] = swapped[k + 1], swapped[k]
        assert accepted(ordering, swapped) == can_run(deps, swapped)


def test_the_seed_backward_pass_accepts_orders_besides_the_editors():
    ordering = ordering_of(seed_graph(), BACKWARD)
    # y's gradient is ready as soon as d's is: before a's, or last of all
    early = ["∂J/∂sq", "∂J/∂d", "∂J/∂y", "∂J/∂a", "∂J/∂b", "∂J/∂c", "∂J/∂w", "∂J/∂x"]
    late = ["∂J/∂sq", "∂J/∂d", "∂J/∂a", "∂J/∂c", "∂J/∂x", "∂J/∂w", "∂J/∂b", "∂J/∂y"]
    assert accepted(ordering, early) and accepted(ordering, late)


def reasons(ordering: Ordering, labels: list[str]) -> dict[str, str]:
    verdict = ordering.check(keys_of(ordering, labels))
    label = {card.key: card.label for card in ordering.cards}
    return {label[key]: why for key, why in verdict.misplaced.items()}


def test_a_misplaced_forward_step_says_what_it_needs_that_comes_later():
    ordering = ordering_of(seed_graph(), FORWARD)
    assert reasons(ordering, ["a", "c", "d", "J", "sq"]) == {
        "a": "a = c + b needs c, which comes later",
        "J": "J = half · sq needs sq, which comes later"}
    assert reasons(ordering, ["J", "sq", "d", "a", "c"]) == {
        "J": "J = half · sq needs sq, which comes later",
        "sq": "sq = d^2 needs d, which comes later",
        "d": "d = a − y needs a, which comes later",
        "a": "a = c + b needs c, which comes later"}
    both = ordering_of(load_example("fanout"), FORWARD)
    assert reasons(both, ["add1", "xx", "xy", "f"]) == {
        "add1": "add1 = xx + xy needs xx and xy, which come later"}


def test_a_misplaced_gradient_names_the_gradient_it_needs():
    ordering = ordering_of(seed_graph(), BACKWARD)
    order = ["∂J/∂sq", "∂J/∂d", "∂J/∂c", "∂J/∂a", "∂J/∂b", "∂J/∂w", "∂J/∂x", "∂J/∂y"]
    assert reasons(ordering, order) == {
        "∂J/∂c": "∂J/∂c = ∂J/∂a · ∂a/∂c needs ∂J/∂a, which comes later"}


def test_a_fan_out_sum_comes_after_every_use_it_sums():
    ordering = ordering_of(fan_out(), BACKWARD)  # f = m + x with m = x · x
    card = next(card for card in ordering.cards if card.label == "∂f/∂x")
    assert card.formula == "∂f/∂x = ∂f/∂m · ∂m/∂x[a] + ∂f/∂m · ∂m/∂x[b] + ∂f/∂f · ∂(m + x)/∂x"
    assert reasons(ordering, ["∂f/∂x", "∂f/∂m"]) == {
        "∂f/∂x": "∂f/∂x sums what every use of x sends back (x is used 3 times), and "
                 "needs ∂f/∂m, which comes later"}


def test_in_the_whole_flow_a_gradient_waits_for_the_whole_forward_pass():
    ordering = ordering_of(seed_graph(), WHOLE)
    order = ["c", "a", "d", "∂J/∂sq", "sq", "J", "∂J/∂d", "∂J/∂a", "∂J/∂c", "∂J/∂b",
             "∂J/∂w", "∂J/∂x", "∂J/∂y"]
    assert reasons(ordering, order) == {
        "∂J/∂sq": "∂J/∂sq is a backward step, so it runs after the whole forward pass, but "
                  "sq and J come later"}


def test_the_cards_speak_as_practice_mode_does():
    graph = seed_graph()
    prompts = [q.prompt for q in Practice(graph.run()).questions]
    for level in (FORWARD, BACKWARD):
        for card in ordering_of(graph, level).cards:
            assert any(card.formula in prompt for prompt in prompts), card.formula
    texts = [card.text for card in ordering_of(graph, WHOLE).cards]
    assert "c = w · x" in texts and "∂J/∂w = ∂J/∂c · ∂c/∂w" in texts  # no shape: scalars


def test_tensor_cards_name_the_shape_they_make():
    texts = {card.label: card.text for card in ordering_of(load_example("matrix"), WHOLE).cards}
    assert texts["matmul1"] == "matmul1 = W @ x   → (2,)"
    assert texts["sum1"] == "sum1 = sum(powc1)   → scalar"
    assert texts["∂J/∂W"] == "∂J/∂W = ∂J/∂matmul1 · ∂matmul1/∂W   → (2, 3)"
    assert texts["J"] == "J = const1 · sum1"  # all scalars: nothing to say
    fit = {card.label: card.text for card in ordering_of(load_example("seed_fit"), BACKWARD).cards}
    assert fit["∂J/∂b"].endswith("→ scalar")  # b is broadcast over (5,): its gradient sums back


@pytest.mark.parametrize("name", ["seed", "fanout", "neuron", "matrix", "xor", "seed_fit"])
def test_the_shuffle_never_starts_in_an_order_that_runs(name):
    graph = load_example(name)
    for level in LEVELS:
        try:
            first = ordering_of(graph, level, seed=0)
        except OrderingRefused:
            continue
        starts = set()
        for seed in range(20):
            ordering = ordering_of(graph, level, seed=seed)
            assert sorted(ordering.start) == sorted(card.key for card in ordering.cards)
            assert len(ordering.cards) < 3 or not ordering.check(ordering.start).right
            starts.add(tuple(ordering.start))
        assert ordering_of(graph, level, seed=0).start == first.start  # seeded
        assert len(starts) > 1


def test_attempts_are_counted_until_the_first_right_one():
    ordering = ordering_of(seed_graph(), FORWARD, seed=3)
    assert ordering.score_text() == "No attempt yet"
    assert not ordering.submit(ordering.start).right
    assert ordering.score_text() == "1 attempt so far"
    ordering.submit(ordering.start)
    verdict = ordering.submit(keys_of(ordering, ["c", "a", "d", "sq", "J"]))
    assert verdict.right and verdict.placed == verdict.total == 5
    ordering.submit(ordering.start)  # after solving: no longer counted
    assert ordering.score_text() == "Right after 3 attempts"
    with pytest.raises(ValueError, match="every card"):
        ordering.check(ordering.start[:-1])


def test_too_many_cards_are_refused_with_a_way_on():
    graph = load_example("logistic_regression")
    assert len(ordering_of(graph, FORWARD).cards) == 12
    with pytest.raises(OrderingRefused, match=rf"27 steps, more than {MAX_CARDS}.*seed example"):
        ordering_of(graph, WHOLE)
    with pytest.raises(OrderingRefused, match="too many to order by hand"):
        ordering_of(doubling_chain(200, 1.0), FORWARD)


def test_graphs_that_cannot_run_are_refused_and_left_alone():
    with pytest.raises(OrderingRefused, match="graph is empty"):
        ordering_of(Graph(), FORWARD)
    graph, _m = open_port()
    version = graph.structure_version
    with pytest.raises(OrderingRefused, match="fix this first: input port b of m not connected"):
        ordering_of(graph, FORWARD)
    assert graph.structure_version == version
    tensor_out = load_example("matrix")
    tensor_out.set_output(tensor_out.by_name("y").id)
    assert ordering_of(tensor_out, FORWARD).cards
    with pytest.raises(OrderingRefused, match=r"no backward steps.*has shape \(2,\)"):
        ordering_of(tensor_out, BACKWARD)
    lone = Graph()
    lone.add_node("input", "x", value=1.0)
    with pytest.raises(OrderingRefused, match="no operation steps"):
        ordering_of(lone, FORWARD)


def test_each_card_names_its_node_and_the_wires_it_reads_along():
    graph = seed_graph()
    ids = {node.name: node.id for node in graph.nodes.values()}
    cards = {card.label: card for card in ordering_of(graph, WHOLE).cards}
    assert cards["c"].node_id == ids["c"]
    assert set(cards["c"].wires) == {(ids["c"], "a"), (ids["c"], "b")}  # w and x come in
    assert cards["∂J/∂c"].node_id == ids["c"]
    assert cards["∂J/∂c"].wires == ((ids["a"], "a"),)  # ∂J/∂a comes back along c → a
    fan = fan_out()
    x, m, f = (fan.by_name(name).id for name in ("x", "m", "f"))
    summed = next(c for c in ordering_of(fan, BACKWARD).cards if c.label == "∂f/∂x")
    assert summed.sums == 3 and set(summed.wires) == {(m, "a"), (m, "b"), (f, "b")}
    assert summed.node_id == x
