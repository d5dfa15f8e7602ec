"""parting.separate against its rule spelled out by brute force: every outline compared with
every other at each step of each drop (what a file of a few nodes does in no time)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from cgeditor.model.parting import separate
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
