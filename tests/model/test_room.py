"""make_room: grown nodes push what they cover (down in their column, right into the next),
new nodes drop below what they land on as one block, nothing else moves, nothing overlaps."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cgeditor.model import parting, room
from cgeditor.model.room import Gaps, Rect, _overlap, make_room

GAPS = Gaps(down=20.0, right=60.0)


def test_a_taller_node_pushes_its_column_down_and_the_push_cascades() -> None:
    rects = {"w": (0.0, 0.0, 100.0, 150.0), "x": (0.0, 90.0, 100.0, 60.0),
             "b": (0.0, 170.0, 100.0, 60.0), "c": (200.0, 0.0, 100.0, 60.0)}
    moved = make_room(rects, {"w": (0.0, 0.0, 100.0, 60.0)}, gaps=GAPS)
    assert moved == {"x": (0.0, 170.0), "b": (0.0, 250.0)}  # c, beside w, stays


def test_a_wider_node_pushes_the_next_column_right() -> None:
    rects = {"w": (0.0, 0.0, 260.0, 60.0), "c": (200.0, 20.0, 100.0, 60.0),
             "a": (360.0, 20.0, 100.0, 60.0)}
    moved = make_room(rects, {"w": (0.0, 0.0, 100.0, 60.0)}, gaps=GAPS)
    assert moved == {"c": (320.0, 20.0), "a": (480.0, 20.0)}


def test_new_nodes_drop_below_as_one_block() -> None:
    rects = {"w": (0.0, 0.0, 100.0, 60.0), "x": (0.0, 80.0, 100.0, 60.0),
             "w2": (40.0, 40.0, 100.0, 60.0), "x2": (40.0, 120.0, 100.0, 60.0)}
    moved = make_room(rects, added=["w2", "x2"], gaps=GAPS)
    assert moved == {"w2": (40.0, 160.0), "x2": (40.0, 240.0)}  # 80 apart, as pasted


def test_nothing_moves_when_nothing_is_covered() -> None:
    rects = {"w": (0.0, 0.0, 100.0, 100.0), "far": (0.0, 500.0, 100.0, 60.0)}
    assert make_room(rects, {"w": (0.0, 0.0, 100.0, 60.0)}, gaps=GAPS) == {}


boxes = st.lists(st.tuples(st.integers(0, 8), st.integers(0, 12),
                           st.integers(40, 300), st.integers(30, 300)), min_size=1, max_size=30)


@settings(max_examples=150, deadline=None)
@given(boxes, st.data())
def test_after_growth_no_two_nodes_overlap(cells, data) -> None:
    # A grid of columns 200 apart and rows 50 apart: one node per cell, none overlapping.
    seen: dict[tuple[int, int], tuple[int, int]] = {}
    for col, row, w, h in cells:
        seen.setdefault((col, row), (w, h))
    rects = {f"{c},{r}": (c * 200.0, r * 50.0, 120.0, 40.0) for c, r in seen}
    grown = {}
    for (c, r), (w, h) in seen.items():
        key = f"{c},{r}"
        if data.draw(st.booleans()):
            grown[key] = rects[key]
            rects[key] = (c * 200.0, r * 50.0, float(w), float(h))
    moved = make_room(rects, grown, gaps=GAPS)
    final = {k: (*moved.get(k, v[:2]), v[2], v[3]) for k, v in rects.items()}
    keys = sorted(final)
    assert not [(a, b) for i, a in enumerate(keys) for b in keys[i + 1:]
                if _overlap(final[a], final[b])]
    for key, (x, y) in moved.items():  # only right or down
        assert x >= rects[key][0] and y >= rects[key][1]


def test_a_block_dropped_into_a_crowded_column_goes_below_all_of_it() -> None:
    rects = {f"n{k}": (0.0, k * 70.0, 100.0, 60.0) for k in range(40)}
    rects["new"] = (10.0, 5.0, 100.0, 60.0)
    moved = make_room(rects, added=["new"], gaps=GAPS)
    assert moved == {"new": (10.0, 39 * 70.0 + 60.0 + 20.0)}


def test_nodes_that_overlapped_before_are_left_as_they_were() -> None:
    rects = {"w": (0.0, 0.0, 100.0, 120.0), "x": (0.0, 40.0, 100.0, 60.0),
             "b": (0.0, 110.0, 100.0, 60.0)}
    moved = make_room(rects, {"w": (0.0, 0.0, 100.0, 60.0)}, gaps=GAPS)
    assert moved == {"b": (0.0, 140.0)}  # x sat on w already; b is newly covered


def test_separate_parts_overlaps_and_moves_nothing_else():
    import random
    from itertools import combinations

    from cgeditor.model.parting import separate
    from cgeditor.model.room import _overlap
    rng = random.Random(7)
    for _ in range(30):
        rects = {f"n{k}": (rng.choice([0.0, 40.0, 400.0, 800.0]) + rng.random() * 60,
                           rng.choice([0.0, 30.0, 500.0]) + rng.random() * 50, 150.0, 80.0)
                 for k in range(rng.randint(2, 12))}
        alone = {k for k, r in rects.items()
                 if not any(_overlap(r, o) for j, o in rects.items() if j != k)}
        moved = separate(rects)
        after = {k: (*moved.get(k, r[:2]), r[2], r[3]) for k, r in rects.items()}
        assert not [p for p in combinations(after, 2) if _overlap(after[p[0]], after[p[1]])]
        assert alone.isdisjoint(moved)  # a node on no other stays where it was
        assert all(moved[k][1] > rects[k][1] and moved[k][0] == rects[k][0] for k in moved)
        first = min(rects, key=lambda k: (rects[k][0], rects[k][1], k))
        assert first not in moved


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 11), st.integers(0, 11), st.integers(-20, 160),
                          st.integers(-20, 60), st.booleans()), min_size=70, max_size=140),
       st.floats(-300, 300), st.floats(-300, 300))
def test_many_grown_nodes_move_what_searching_each_one_moves(growth, dx, dy) -> None:
    """Past BIG_BLOCK grown nodes, the ones that meet nothing new are found in one numpy
    pass and skip their searches until something moves: the moves must be exactly those of
    searching every one (some nodes overlapped before, some grow into others, some shrink,
    at negative and positive places)."""
    rects, grown = {}, {}
    for col, row, dw, dh, overlapping in growth:
        key = f"{col},{row}"
        x, y = dx + col * 180.0, dy + row * 90.0 - (30.0 if overlapping else 0.0)
        if key in rects:
            continue
        rects[key] = (x, y, 120.0 + dw, 60.0 + dh)
        grown[key] = (x, y, 120.0, 60.0)
    if len(grown) <= room.BIG_BLOCK:
        return
    searched = room._loud
    try:
        room._loud = lambda _table, before: set(before)  # every grown node searches
        expected = make_room(rects, dict(grown), gaps=GAPS)
    finally:
        room._loud = searched
    assert make_room(rects, dict(grown), gaps=GAPS) == expected


def test_grown_nodes_that_meet_nothing_new_are_quiet() -> None:
    rects = {"a": (0.0, 0.0, 130.0, 60.0), "b": (200.0, 0.0, 100.0, 60.0),
             "c": (100.0, -300.5, 120.0, 60.0), "d": (-50.0, 0.0, 100.0, 60.0)}
    grown = {"a": (0.0, 0.0, 100.0, 60.0), "c": (100.0, -300.5, 100.0, 60.0),
             "d": (-50.0, 0.0, 80.0, 60.0)}
    # a grew but not as far as b; c meets nothing; d grew into a, which it met before too
    assert room._loud(room._Table(rects), grown) == set()
    rects["a"] = (0.0, 0.0, 210.0, 60.0)  # now a reaches b
    assert room._loud(room._Table(rects), grown) == {"a"}


def _grid(prefix: str, cols: int, rows: int, x0: float, y0: float) -> dict[str, Rect]:
    return {f"{prefix}{c},{r}": (x0 + c * 230.0, y0 + r * 110.0, 180.0, 80.0)
            for c in range(cols) for r in range(rows)}


def test_a_big_block_pasted_on_its_originals_drops_below_them_as_one() -> None:
    old = _grid("o", 10, 10, 0.0, 0.0)
    new = _grid("p", 10, 10, 40.0, 40.0)
    moved = make_room({**old, **new}, added=list(new), gaps=GAPS)
    bottom = 9 * 110.0 + 80.0  # the originals' lowest edge
    assert moved == {k: (x, y + bottom + GAPS.down - 40.0) for k, (x, y, _w, _h) in new.items()}


def test_a_big_block_beside_the_graph_and_quiet_growth_move_nothing() -> None:
    """A paste into free space that widens every old node a little (a longer output name)
    but into nothing: no node moves."""
    old = _grid("o", 10, 10, 0.0, 0.0)
    grown = {k: (x, y, w - 7.0, h) for k, (x, y, w, h) in old.items()}
    new = _grid("p", 10, 10, 3000.0, 0.0)
    assert make_room({**old, **new}, grown, added=list(new), gaps=GAPS) == {}
    # one old node under the block's rectangle (not under any one new node): all drop
    old["lone"] = (3000.0 + 200.0, 500.0, 20.0, 20.0)
    moved = make_room({**old, **new}, grown, added=list(new), gaps=GAPS)
    assert set(moved) == set(new) and {y - new[k][1] for k, (_x, y) in moved.items()} \
        == {520.0 + GAPS.down}


@pytest.mark.parametrize("widen", [7.0, 60.0])  # into nothing; into the next column
def test_a_dropped_big_block_and_many_grown_nodes_move_what_searching_each_one_moves(
        widen: float) -> None:
    """The grown nodes' numpy pass (_loud) reads the dropped block where it lands."""
    old = _grid("o", 10, 10, 0.0, 0.0)
    grown = {k: (x, y, w - widen, h) for k, (x, y, w, h) in old.items()}
    new = _grid("p", 10, 10, 40.0, 40.0)  # on its originals: it drops below them
    searched = room._loud
    try:
        room._loud = lambda _table, before: set(before)  # every grown node searches
        expected = make_room({**old, **new}, dict(grown), added=list(new), gaps=GAPS)
    finally:
        room._loud = searched
    moved = make_room({**old, **new}, dict(grown), added=list(new), gaps=GAPS)
    assert moved == expected and set(new) <= set(moved)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 11), st.integers(0, 11)), min_size=70, max_size=120,
                unique=True), st.floats(-400, 400), st.floats(-400, 400),
       st.lists(st.tuples(st.floats(-500, 3000), st.floats(-500, 1500)), max_size=20))
def test_a_big_block_drops_below_every_old_node_its_rectangle_meets(cells, dx, dy, olds) -> None:
    new = {f"p{c},{r}": (dx + c * 180.0, dy + r * 90.0, 120.0, 60.0) for c, r in cells}
    old = {f"o{k}": (x, y, 120.0, 60.0) for k, (x, y) in enumerate(olds)}
    moved = make_room({**old, **new}, added=list(new), gaps=GAPS)
    left = min(x for x, _y, _w, _h in new.values())
    right = max(x + w for x, _y, w, _h in new.values())
    top = min(y for _x, y, _w, _h in new.values())
    bottom = max(y + h for _x, y, _w, h in new.values())
    column = [r for r in old.values() if r[0] < right and left < r[0] + r[2]]
    if not any(r[1] < bottom and top < r[1] + r[3] for r in column):
        assert moved == {}
        return
    drop = max(r[1] + r[3] for r in column) + GAPS.down - top
    assert moved == {k: (x, y + drop) for k, (x, y, _w, _h) in new.items()}
    assert not any(_overlap((x, y, 120.0, 60.0), r) for x, y in moved.values()
                   for r in old.values())


def _parting_work(count: int, monkeypatch) -> tuple[dict[str, tuple[float, float]], int]:
    """separate over ``count`` equal outlines saved at one spot: its moves, and how many
    filed outlines its searches read."""
    compared = [0]

    class Counting(list):
        """A column of filed outlines that counts every entry read from it."""

        def __getitem__(self, index):
            compared[0] += 1
            return super().__getitem__(index)

        def __iter__(self):
            for entry in super().__iter__():
                compared[0] += 1
                yield entry

    def counting(columns) -> None:
        for i, column in columns.items():
            if not isinstance(column, Counting):
                columns[i] = Counting(column)

    below, lowest = parting._Filed.below, parting._Filed.lowest_beside

    def counted_below(filed, rect, y):
        counting(filed.tops)
        return below(filed, rect, y)

    def counted_lowest(filed, rect):
        if filed.bottoms is not None:
            counting(filed.bottoms)
        return lowest(filed, rect)

    rects = {f"n{k:04d}": (0.0, 0.0, 150.0, 60.0) for k in range(count)}
    with monkeypatch.context() as patch:
        patch.setattr(parting._Filed, "below", counted_below)
        patch.setattr(parting._Filed, "lowest_beside", counted_lowest)
        return parting.separate(rects, Gaps(down=22.0, right=60.0)), compared[0]


def test_a_file_saved_with_every_node_at_one_spot_parts_in_work_per_node_that_stays_flat(
        monkeypatch) -> None:
    """A generated file that put all its nodes at (0, 0) opens as one column, each node a
    gap below the one before; the work per node must not grow with the pile (comparing each
    node with every other took minutes to open 10k such nodes)."""
    small, small_work = _parting_work(200, monkeypatch)
    big, big_work = _parting_work(800, monkeypatch)
    assert big == {f"n{k:04d}": (0.0, 82.0 * k) for k in range(1, 800)}
    assert small == {key: place for key, place in big.items() if int(key[1:]) < 200}
    assert big_work / 800 < 1.5 * small_work / 200


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 9), st.integers(0, 14),
                          st.sampled_from([-20, 0, 30, 30, 80, 140]),  # 30: edges touch
                          st.sampled_from([-10, 0, 20, 20, 60, 90]), st.booleans()),
                min_size=2, max_size=60),
       st.integers(1, 6), st.floats(-600, 600))
def test_searches_by_numpy_pass_or_by_grid_move_the_same_nodes(spots, fresh, shift) -> None:
    """The first SCANS searches compare every outline in numpy, later ones read the grid:
    with every search one way or the other, the same moves (grown nodes pushing, a few new
    nodes dropping onto crowded columns, negative places, edges that touch)."""
    rects, grown = {}, {}
    for k, (col, row, dw, dh, grows) in enumerate(spots):
        x, y = shift + col * 150.0, shift + row * 70.0
        rects[f"n{k}"] = (x, y, 120.0 + (dw if grows else 0), 50.0 + (dh if grows else 0))
        if grows:
            grown[f"n{k}"] = (x, y, 120.0, 50.0)
    added = [f"n{k}" for k in range(min(fresh, len(spots)))]
    grown = {k: r for k, r in grown.items() if k not in added}
    answers = []
    for scans in (0, 10**9, room.SCANS):
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(room, "SCANS", scans)
            answers.append(make_room(rects, dict(grown), added, GAPS))
    assert answers[0] == answers[1] == answers[2]
