"""Auto-layout: columns by generation, fewer crossings than the unsorted layering, apply moves."""

from __future__ import annotations

import random

from cgeditor.model import layout
from cgeditor.model.graph import Graph
from cgeditor.model.layout import (
    apply_layout,
    assign_layers,
    count_crossings,
    layered_layout,
    readable_layout,
)


def crossed_graph() -> Graph:
    """Four inputs whose consumers were added in reverse: unsorted, every wire pair crosses."""
    graph = Graph()
    xs = [graph.add_node("input", f"x{i}").id for i in range(4)]
    fs = []
    for i in range(4):
        f = graph.add_node("tanh", f"f{i}")
        graph.connect(xs[3 - i], f.id, "x")
        fs.append(f.id)
    total = graph.add_node("add", "s1")
    graph.connect(fs[0], total.id, "a")
    graph.connect(fs[3], total.id, "b")
    return graph


def test_barycenter_sweeps_reduce_crossings():
    graph = crossed_graph()
    unsorted = layered_layout(graph, sweeps=0)
    assert count_crossings(graph, unsorted) == 6
    assert count_crossings(graph, layered_layout(graph)) == 0


def test_columns_follow_generations_and_spacing():
    graph = crossed_graph()
    positions = layered_layout(graph, spacing_x=150.0, spacing_y=80.0)
    by_name = {graph.nodes[i].name: p for i, p in positions.items()}
    assert {by_name[f"x{i}"][0] for i in range(4)} == {0.0}
    assert {by_name[f"f{i}"][0] for i in range(4)} == {150.0}
    assert by_name["s1"] == (300.0, 0.0)
    ys = sorted(by_name[f"x{i}"][1] for i in range(4))
    assert ys == [-120.0, -40.0, 40.0, 120.0]  # centred on 0, spaced 80 apart


def test_a_leaf_sits_one_column_before_its_first_consumer():
    graph = Graph()
    x = graph.add_node("input", "x").id
    t = graph.add_node("tanh").id
    u = graph.add_node("tanh").id
    b = graph.add_node("input", "b").id
    s = graph.add_node("add").id
    graph.connect(x, t, "x")
    graph.connect(t, u, "x")
    graph.connect(u, s, "a")
    graph.connect(b, s, "b")
    layers = assign_layers(graph)
    assert [layers[n] for n in (x, t, u, b, s)] == [0, 1, 2, 2, 3]


def test_isolated_nodes_and_empty_graph():
    assert layered_layout(Graph()) == {}
    graph = Graph()
    lone = graph.add_node("const").id
    assert layered_layout(graph) == {lone: (0.0, 0.0)}


def test_apply_layout_moves_nodes_and_announces_it_once():
    graph = crossed_graph()
    moved, one_by_one = [], []
    graph.nodes_moved.connect(moved.append)
    graph.node_moved.connect(one_by_one.append)
    positions = layered_layout(graph)
    apply_layout(graph, {**positions, "gone": (1.0, 1.0)})
    assert len(moved) == 1 and not one_by_one  # one announcement, naming every node
    assert sorted(node.id for node in moved[0]) == sorted(graph.nodes)
    assert all((graph.nodes[i].x, graph.nodes[i].y) == p for i, p in positions.items())


def chain(length: int) -> Graph:
    """x -> tanh -> tanh -> ... : one node per layer."""
    graph = Graph()
    prev = graph.add_node("input", "x").id
    for _ in range(length - 1):
        node = graph.add_node("tanh").id
        graph.connect(prev, node, "x")
        prev = node
    return graph


def outlines(positions, sizes) -> list[tuple[float, float, float, float]]:
    return [(x, y, x + sizes[n][0], y + sizes[n][1]) for n, (x, y) in positions.items()]


def extent(positions, sizes) -> tuple[float, float]:
    boxes = outlines(positions, sizes)
    return (max(b[2] for b in boxes) - min(b[0] for b in boxes),
            max(b[3] for b in boxes) - min(b[1] for b in boxes))


def test_a_long_chain_folds_into_as_few_bands_as_fit_the_room():
    graph = chain(10)
    sizes = {n: (100.0, 60.0) for n in graph.nodes}
    one_band = layered_layout(graph, 50.0, 20.0, sizes=sizes)
    assert extent(one_band, sizes) == (10 * 100 + 9 * 50, 60.0)
    folded = layered_layout(graph, 50.0, 20.0, sizes=sizes, room=(600.0, 400.0))
    width, height = extent(folded, sizes)
    assert width <= 600.0 and height <= 400.0
    rows = sorted({y for _x, y in folded.values()})
    assert len(rows) == 3  # 4 × 100 + 3 × 50 = 550 fits a band, 5 layers would not
    per_band = [sum(1 for _x, y in folded.values() if y == row) for row in rows]
    assert max(per_band) - min(per_band) <= 1, per_band  # evened out: no 4 + 4 + 2
    order = graph.order()  # reading order: left to right, then the next band down
    assert [folded[n] for n in order] == sorted(folded.values(), key=lambda p: (p[1], p[0]))
    # A room that holds the whole chain keeps it in one band.
    assert layered_layout(graph, 50.0, 20.0, sizes=sizes, room=(2000.0, 100.0)) == one_band


def test_no_fold_fits_a_tiny_room_so_the_largest_view_wins_and_nothing_overlaps():
    graph = chain(12)
    sizes = {n: (100.0, 60.0 + 10 * (i % 3)) for i, n in enumerate(graph.nodes)}
    folded = layered_layout(graph, 50.0, 20.0, sizes=sizes, room=(300.0, 200.0))
    width, height = extent(folded, sizes)
    assert width > 300.0 or height > 200.0
    boxes = outlines(folded, sizes)
    assert not [(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1:]
                if a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]]


def test_a_band_moves_up_under_the_short_layers_above_it():
    # Layer 0 is tall (three inputs stacked), the rest short: the second band starts under
    # the short layers, not under the tallest layer of the first band.
    graph = Graph()
    first = graph.add_node("add").id
    graph.connect(graph.add_node("input", "a").id, first, "a")
    graph.connect(graph.add_node("input", "b").id, first, "b")
    prev = first
    for _ in range(5):
        node = graph.add_node("tanh").id
        graph.connect(prev, node, "x")
        prev = node
    sizes = {n: (100.0, 100.0) for n in graph.nodes}
    folded = layered_layout(graph, 50.0, 20.0, sizes=sizes, room=(450.0, 1000.0))
    second_band = [y for x, y in folded.values() if y > 100.0 and x >= 150.0]
    assert second_band and min(second_band) == 100.0 + 40.0  # one short layer + band gap


def test_a_node_that_only_feeds_late_sits_beside_its_consumer():
    # loss = t * log(p) + (1 - t): the 1 - t branch sits by the sum, not among the inputs.
    graph = Graph()
    p = graph.add_node("input", "p").id
    t = graph.add_node("input", "t").id
    one = graph.add_node("const", "one").id
    log = graph.add_node("log").id
    mul = graph.add_node("mul").id
    rest = graph.add_node("sub").id
    total = graph.add_node("add").id
    graph.connect(p, log, "x")
    graph.connect(t, mul, "a")
    graph.connect(log, mul, "b")
    graph.connect(one, rest, "a")
    graph.connect(t, rest, "b")
    graph.connect(mul, total, "a")
    graph.connect(rest, total, "b")
    layers = assign_layers(graph)
    assert layers[rest] == layers[mul] == layers[total] - 1 == 2
    assert layers[one] == 1 and layers[t] == 1 and layers[p] == 0


def test_a_layer_past_the_end_of_the_band_above_stays_in_its_own_row():
    graph = chain(3)
    first, second, third = graph.order()
    sizes = {first: (200.0, 60.0), second: (250.0, 60.0), third: (100.0, 60.0)}
    folded = layered_layout(graph, 50.0, 20.0, sizes=sizes, room=(400.0, 1000.0))
    assert folded[first] == (0.0, 0.0)
    assert folded[second] == (0.0, 100.0)  # under the first: its 60 + a band gap of 40
    assert folded[third] == (300.0, 100.0)  # nothing above it, yet not up in the first row


def _largest_view(deep: list[float], wide: list[float], gap: float, band_gap: float,
                  room: tuple[float, float]) -> list[list[int]]:
    """What _bands_in_room must choose when no split fits: the first, of the wrapped runs
    and every even split, that shows the picture largest (each one measured)."""
    def scale(bands: list[list[int]]) -> float:
        long, short = layout._extent(bands, deep, wide, gap, band_gap)
        return min(room[0] / max(long, 1.0), room[1] / max(short, 1.0))
    splits = [layout._split(deep, gap, count) for count in range(1, len(deep) + 1)]
    return max([layout._wrap(deep, gap, room[0]), *splits], key=scale)


def test_the_largest_view_is_found_without_measuring_every_split(monkeypatch):
    rng = random.Random(8)
    for _ in range(300):
        count = rng.randint(1, 40)
        deep = [rng.choice([136.5, 200.0, rng.uniform(20.0, 900.0)]) for _ in range(count)]
        wide = [rng.choice([81.0, rng.uniform(0.0, 700.0)]) * rng.randint(1, 3)
                for _ in range(count)]
        room = (rng.uniform(100.0, 3000.0), rng.uniform(100.0, 3000.0))
        gap, band_gap = rng.choice([0.0, 60.0]), rng.choice([0.0, 120.0])
        want = _largest_view(deep, wide, gap, band_gap, room)
        got = layout._bands_in_room(deep, wide, gap, band_gap, room)
        long, short = layout._extent(got, deep, wide, gap, band_gap)
        if long <= room[0] and short <= room[1]:
            continue  # a split that fits is taken first; the largest view is not sought
        assert got == want, (deep, wide, gap, band_gap, room)
    # a chain of FOLD_LIMIT nodes in a laptop's room: a handful of exact measurements, not
    # one per split (each is quadratic in the layers: a formula or trace took 11 s)
    measured = []
    monkeypatch.setattr(layout, "_place_bands",
                        lambda bands, *rest, real=layout._place_bands:
                        measured.append(len(bands)) or real(bands, *rest))
    readable_layout(chain(layout.FOLD_LIMIT - 1))
    assert 0 < len(measured) <= 20, len(measured)
