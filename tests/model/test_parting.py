"""parting.separate against its rule spelled out by brute force: every outline compared with
every other at each step of each drop (what a file of a few nodes does in no time), and
its numpy check that most files overlap nowhere."""

from __future__ import annotations

from itertools import combinations

from hypothesis import given, settings
from hypothesis import strategies as st

from cgeditor.model.parting import PAIRS, _may_overlap, separate
from cgeditor.model.room import DROP_STEPS, Gaps, _overlap

GAPS = Gaps(down=22.0, right=60.0)


def by_brute_force(rects, gaps=GAPS):
    """Left to right, top to bottom: a node on a kept one drops past what it covers (kept
    nodes and the ones not yet reached), at most DROP_STEPS steps, else below everything
    across its width."""
    order = sorted(rects, key=lambda k: (rects[k][0], rects[k][1], k))
    kept, moved = [], {}
    for n, key in enumerate(order):
        x, y, w, h = rects[key]
        ahead = [rects[k] for k in order[n + 1:]]
        if any(_overlap(r, (x, y, w, h)) for r in kept):
            dy, others = 0.0, kept + ahead
            for _ in range(DROP_STEPS):
                lows = [r[1] + r[3] for r in others if _overlap(r, (x, y + dy, w, h))]
                need = max(lows) + gaps.down - y - dy if lows else 0.0
                if need <= 0:
                    break
                dy += need
            else:
                beside = [r[1] + r[3] for r in others if r[0] < x + w and x < r[0] + r[2]]
                dy = max(dy, max(beside) + gaps.down - y)
            if dy:
                y += dy
                moved[key] = (x, y)
        kept.append((x, y, w, h))
    return moved


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 6), st.integers(0, 8), st.integers(0, 3),
                          st.sampled_from([40.0, 60.0, 150.0, 400.0])),
                min_size=1, max_size=60))
def test_separate_moves_what_the_rule_spelled_out_moves(spots) -> None:
    """Piles of equal outlines, tall ones reaching over many, columns across grid cells,
    crowded columns that exhaust the steps: the same moves as comparing all with all."""
    rects = {f"n{k}": (col * 97.0 + shift * 31.0, row * 45.0, 150.0 + shift * 20.0, height)
             for k, (col, row, shift, height) in enumerate(spots)}
    assert separate(rects, GAPS) == by_brute_force(rects)


def test_a_crowded_column_drops_below_everything_after_the_steps_run_out() -> None:
    rects = {f"n{k:02d}": (0.0, 30.0 * k, 150.0, 60.0) for k in range(3 * DROP_STEPS)}
    moved = separate(rects, GAPS)
    assert moved == by_brute_force(rects)
    assert max(y for _x, y in moved.values()) > 30.0 * 3 * DROP_STEPS  # past the column


def test_an_outline_ending_in_the_gap_below_a_drop_does_not_push_it_further() -> None:
    """After a step the drop's window lies a gap below what it passed; a short outline
    that ends inside that gap is above the window, not in it: the drop stops there."""
    rects = {"k": (0.0, 0.0, 150.0, 60.0), "d": (0.0, 10.0, 150.0, 60.0),
             "c": (100.0, 70.0, 150.0, 10.0)}
    assert separate(rects, GAPS) == by_brute_force(rects) == {"d": (0.0, 82.0)}


@settings(max_examples=80, deadline=None)
@given(st.sampled_from([180.0, 230.0, 300.0, 700.0]), st.sampled_from([90.0, 110.0, 140.0]),
       st.lists(st.tuples(st.integers(0, 4), st.integers(0, 12), st.integers(0, 2),
                          st.sampled_from([60.0, 81.0, 117.0, 300.0])),
                min_size=1, max_size=70))
def test_layers_part_as_the_rule_spelled_out_parts_them(pitch, spacing, spots) -> None:
    """Layers of nodes as a layered file or auto layout saves them: layers apart (each its
    own list), touching or overlapping across (one run of lists, or grid columns once a run
    is wider than two cells), rows tight enough that some nodes lie on others or not at
    all: the same moves as comparing all with all."""
    rects = {f"n{k}": (layer * pitch + nudge * 7.0, row * spacing, 150.0 + nudge * 20.0,
                       height)
             for k, (layer, row, nudge, height) in enumerate(spots)}
    assert separate(rects, GAPS) == by_brute_force(rects)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.integers(-8, 8), st.integers(-8, 8), st.integers(1, 4),
                          st.integers(1, 4)), min_size=0, max_size=40))
def test_the_overlap_check_says_none_exactly_when_no_two_outlines_overlap(spots) -> None:
    """The numpy check that lets a file without overlaps skip the walk: it never misses a
    pair that overlaps (across grid cells, at negative places, touching edges apart)."""
    rects = {f"n{k}": (x * 64.0, y * 64.0, w * 64.0, h * 64.0)
             for k, (x, y, w, h) in enumerate(spots)}
    pairs = combinations(rects.values(), 2)
    assert _may_overlap(rects) == any(_overlap(a, b) for a, b in pairs) \
        or len(rects) * PAIRS < sum(1 for _ in combinations(rects, 2))


def test_a_crowded_file_without_overlaps_is_walked_and_moves_nothing() -> None:
    """Past PAIRS candidates an outline the check hands the file to the walk, which finds
    nothing to move (a column of thin nodes, all sharing a grid cell)."""
    rects = {f"n{k}": (0.0, 3.0 * k, 150.0, 2.0) for k in range(60)}
    assert _may_overlap(rects)
    assert separate(rects, GAPS) == {} == by_brute_force(rects)
