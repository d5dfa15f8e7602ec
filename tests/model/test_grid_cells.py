"""The cells of a tensor's number grid: one notation for the grid, each cell within its
width, no non-zero number shown as zero, and as many significant digits as the width allows."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from cgeditor.model.number_text import MINUS, format_cells, format_sci, value_text

XOR_GRAD = [-0.008935, 0.006013, 0.03704, 0.04021]  # ∂J/∂W1 of the bundled XOR, trained


def _number(text: str) -> float:
    return float(text.replace(MINUS, "-"))


def test_mixed_magnitudes_share_decimals_instead_of_one_significant_digit() -> None:
    cells = format_cells(XOR_GRAD, 6)
    assert cells == (f"{MINUS}0.009", "0.006", "0.037", "0.040")
    for text, x in zip(cells, XOR_GRAD):
        assert abs(_number(text) - x) <= 0.5e-3


def test_decimals_never_round_a_number_to_zero() -> None:
    cells = format_cells([3e-5, 0.25, -0.5, 1.0], 6)
    assert all("e" in c for c in cells)  # 0.000 would hide 3e−5: scientific instead
    assert _number(cells[0]) == 3e-5


finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False).filter(
    lambda x: x == 0 or abs(x) > 1e-12)


@given(st.lists(finite, min_size=1, max_size=16), st.sampled_from([5, 6]))
def test_every_cell_fits_and_is_close_and_nonzero_stays_nonzero(values, chars) -> None:
    cells = format_cells(values, chars)
    assert len(cells) == len(values)
    # Within ``chars`` whenever any form fits: '−7e−12' (one digit, the shortest form) needs 6.
    assert all(len(c) <= max(chars, len(format_sci(x, 1))) for c, x in zip(cells, values))
    for text, x in zip(cells, values):
        shown = _number(text)
        assert (shown == 0) == (x == 0)
        assert math.copysign(1, shown) == math.copysign(1, x) or x == 0
        # one significant digit at least, to within half a unit of the last digit shown
        assert abs(shown - x) <= 0.5 * abs(x) + 1e-300
    assert len({"e" in c for c in cells if c != "0"}) <= 1
    assert np.isfinite([_number(c) for c in cells]).all()


def test_a_number_no_form_fits_gets_the_shortest_form() -> None:
    """Five characters hold no form of −7.168e−12: the cell is the one-digit form, and the
    grid's other cells keep to five."""
    assert format_cells([-7.168e-12, 0.5], 5) == (f"{MINUS}7e{MINUS}12", "5e" + MINUS + "1")


def test_a_tensor_of_one_number_repeated_reads_as_one_number() -> None:
    """'(4,) all −0.25' (a softmax gradient), not '[−0.25, −0.25]', which reads like a
    pair of numbers; a range stays a range, and non-finite numbers are still flagged."""
    assert value_text(np.full(4, -0.25)) == f"(4,) all {MINUS}0.25"
    assert value_text(np.zeros((2, 3))) == "(2, 3) all 0"
    assert value_text(np.array([3.0])) == "(1,) 3"
    assert value_text(np.array([1.0, 2.0])) == "(2,) [1, 2]"
    assert value_text(np.array([1.0, np.nan, 1.0])) == "(3,) [1, 1] nan/inf"
