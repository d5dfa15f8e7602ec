"""A training that diverges: the failure-mode lab reads the losses of a gradient-descent run
and names a learning rate too large, with the growth per step and a rate that would not
diverge. No Qt here.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

import numpy as np

from cgeditor.model.failure_diagnose import Diagnosis, g3, number
from cgeditor.model.failure_remedy import Remedy

GROWTH = 10.0  # a last loss this many times the first: diverging
# What a step is, for the optimizers whose steps are not lr · gradient (model/train.py).
_STEPS = {"momentum": "it adds 0.9 of the step before", "adam": "each parameter's step is "
          "scaled by its gradients' running size, about lr whatever the gradient"}


def diagnose_training(losses: Sequence[float], lr: float, output: str = "J",
                      final: float | None = None, optimizer: str = "sgd"
                      ) -> Diagnosis | None:
    """Diverging when the loss became non-finite or grew ``GROWTH``-fold over the run and
    is still near its largest; the growth per step r tells the curvature λ of the
    direction that blew up (gradient descent multiplies its error by |1 − lr·λ| a step,
    the loss by r = (1 − lr·λ)², so λ = (1 + √r) / lr), and a rate below 2/λ converges.
    None otherwise. ``losses`` are each step's loss before its update; ``final``, the loss
    at the trained values (what the canvas and the Training dock show after it), is the
    one named as reached when given. That reading holds for plain gradient descent
    (``optimizer`` "sgd") only: momentum's and Adam's steps are not lr · gradient, so for
    them the rate offered is ten times smaller, without a λ."""
    finite = [float(x) for x in losses if math.isfinite(x)]
    broke = len(finite) < len(losses)
    if len(finite) < 2 or (not broke and not _grew(finite)):
        return None
    ratios = [b / a for a, b in itertools.pairwise(finite) if a > 0]
    growth = float(np.median(ratios[-10:])) if ratios else math.inf
    if not broke and final is not None and math.isfinite(final):
        reached = f"{number(final)} after {len(finite)} steps"
    else:
        reached = f"{number(finite[-1])} in {len(finite)} steps"
    shows = (f"{output} grew from {number(finite[0])} to {reached} (×{g3(growth)} a step)"
             + (f", then became {number(losses[len(finite)])}" if broke else ""))
    if optimizer != "sgd" or not growth > 1 or not math.isfinite(growth):
        unlike_sgd = "" if optimizer == "sgd" else (
            f"With {optimizer} a step is not lr · gradient ({_STEPS.get(optimizer, '')}), "
            "so no safe rate can be read off the growth. ")
        return Diagnosis("diverging", output, shows, f"{unlike_sgd}The learning rate "
                         f"{number(lr)} is too large; try one ten times smaller.", Remedy(
                             "Smaller learning rate", f"Train at {number(lr / 10)}.",
                             lr=_round_down(lr / 10)))
    curvature = (1 + math.sqrt(growth)) / lr
    safe = _round_down(1 / curvature)
    why = (f"Each step moves the parameters by lr · gradient. Where the loss curves with "
           f"λ ≈ {g3(curvature)}, a step larger than 2/λ ≈ {g3(2 / curvature)} overshoots "
           f"the minimum by more than it started from, so the error grows by |1 − lr·λ| ≈ "
           f"{g3(math.sqrt(growth))} a step. lr = {number(lr)} is too large; {number(safe)} "
           "(about 1/λ) converges.")
    return Diagnosis("diverging", output, shows, why, Remedy(
        f"Learning rate {number(safe)}", f"Set the Training dock's learning rate to "
        f"{number(safe)} (a training setting, not an edit of the graph); Ctrl+Z takes the "
        "diverged steps back first.", lr=safe))


def _grew(losses: Sequence[float]) -> bool:
    """The last loss is GROWTH times the first and still near the largest: a loss that
    jumped and came down again (Adam restarted at a minimum: 1e-30, 6e-4, …, 1e-16) has
    settled, not diverged."""
    return losses[-1] > GROWTH * losses[0] > 0 and losses[-1] * GROWTH > max(losses)


def _round_down(x: float) -> float:
    """The largest of 1, 2, 5 × 10^k not above ``x``: a rate people type."""
    k = math.floor(math.log10(x))
    for m in (5, 2, 1):
        if m * 10.0 ** k <= x * (1 + 1e-12):
            return float(f"{m * 10.0 ** k:.12g}")
    return float(f"{10.0 ** k:.12g}")
