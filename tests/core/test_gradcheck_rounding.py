"""A gradient check at a large output: where J(θ ± ε) round by more than ε moves them, the
central difference reads 0 where backprop rightly reads the slope. Such a mismatch is 'lost
to rounding', not a failure of backprop; a mismatch above the rounding still fails."""

from __future__ import annotations

import dataclasses

import pytest

from cgeditor.core import ops
from cgeditor.core.engine import Step, compile_plan
from cgeditor.core.gradcheck import check_gradients
from cgeditor.core.ops import F64


def affine(b: float):
    """J = w·x + b at w = 2, x = 3: ∂J/∂w = 3, ∂J/∂x = 2, ∂J/∂b = 1 whatever b is."""
    return compile_plan([Step("w", "input", value=F64(2.0)), Step("x", "input", value=F64(3.0)),
                         Step("b", "input", value=F64(b)), Step("c", "mul", (0, 1)),
                         Step("J", "add", (3, 2))])


def test_a_slope_swamped_by_a_large_output_is_lost_to_rounding_not_failed() -> None:
    rows = {r.name: r for r in check_gradients(affine(1e30))}
    assert [rows[n].backprop for n in "wxb"] == [3.0, 2.0, 1.0]  # backprop is exact
    assert [rows[n].numeric for n in "wxb"] == [0.0, 0.0, 0.0]  # J moved below its last digit
    for row in rows.values():
        assert not row.passed and not row.failed
        assert row.verdict == "lost to rounding"
        assert row.note.startswith("lost to rounding: at |J| ≈ 1e30")
        assert "ε = 1e-6" in row.note


def test_the_same_graph_at_a_small_output_passes() -> None:
    assert all(r.passed and r.note == "" for r in check_gradients(affine(8.0)))


def ring_of_sums(rows: int, layers: int):
    """Each node adds two of the layer before (a ring of ``rows``): J = 2^(layers−1) when
    every input is 1, and ∂J/∂x_k is a count of paths, from 1e2 to 1e28 at 100 × 100."""
    steps = [Step(f"x{r}", "input", value=F64(1.0)) for r in range(rows)]
    for layer in range(1, layers):
        base = (layer - 1) * rows
        steps += [Step(f"n{layer}_{r}", "add", (base + r, base + (r + 1) % rows))
                  for r in range(rows)]
    steps.append(Step("J", "add", (len(steps) - rows, len(steps) - rows + 1)))
    return compile_plan(steps)


def test_a_deep_sum_rounds_on_its_way_and_is_still_no_failure() -> None:
    """At J ≈ 1.3e30 the estimate misses small slopes by more than one rounding of J would
    (its 100 layers of adds round too): they are lost to rounding, never FAIL; the
    largest slopes still pass."""
    rows = check_gradients(ring_of_sums(100, 100))
    assert not [r.name for r in rows if r.failed]
    lost = [r for r in rows if r.verdict == "lost to rounding"]
    assert len(lost) > 10 and all(abs(r.backprop) < 1e25 for r in lost)
    assert all(r.passed for r in rows if abs(r.backprop) > 1e26)


@pytest.mark.parametrize("b", [8.0, 1e6])
def test_a_wrong_vjp_above_the_rounding_still_fails(monkeypatch, b) -> None:
    wrong = dataclasses.replace(ops.REGISTRY["mul"], vjp=lambda g, out, a, c: (2 * g * c, g * a))
    monkeypatch.setitem(ops.REGISTRY, "mul", wrong)
    rows = {r.name: r for r in check_gradients(affine(b))}
    assert rows["w"].backprop == 6.0 and rows["w"].failed and rows["w"].verdict == "FAIL"
    assert rows["x"].passed and rows["b"].passed
