"""Random graphs from the op registry: compiled straight-line code against the careful loop.

Each graph draws leaves of one shape family (scalars, vectors, matrices, or shapes that
broadcast against each other), then ops of the registry wired to recent nodes, a node feeding
both ports of one op (x·x) and fan-out included; attributes come from each op's own domain.
Long graphs cross the chunk size, so chunks shared by repeated stretches are checked too.
forward and backward must agree to 1e-12 with the same types and the same issues (see
``assert_paths_agree``), non-finite leaves included.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from cgeditor.core import chunks
from cgeditor.core import compiled as straight_line
from cgeditor.core.engine import Plan, Step, backward, compile_plan, forward
from cgeditor.core.ops import F64, REGISTRY
from cgeditor.core.shapes import ShapeError, size
from tests.core.test_compiled import assert_paths_agree

# Arrays of one shape run from tables and, as a plan with an op tables cannot run would, from
# compiled code: both against the careful loop.
pytestmark = [pytest.mark.filterwarnings("error::RuntimeWarning"),
              pytest.mark.usefixtures("uniform")]

OPS = sorted(name for name, spec in REGISTRY.items() if not spec.is_leaf)
# Elementwise ops keep one shape throughout: the buffered (UNIFORM) code runs on these.
ELEMENTWISE = [name for name in OPS if REGISTRY[name].shape is not None
               and REGISTRY[name].shape.__name__ in ("same_shape", "broadcast_shape",
                                                     "along_axis_shape")]
# Ops with no domain to leave: long graphs of them stay finite (and compiled) more often.
TOTAL = ["add", "sub", "mul", "neg", "maximum", "minimum", "abs", "sin", "cos", "tanh",
         "sigmoid", "relu", "softmax", "log_softmax"]
FAMILIES = ([()], [(3,)], [(2, 3)], [(), (3,), (2, 3), (1, 3), (2, 1)], [(2, 2)])
SPECIALS = (0.0, -0.0, 1.0, -1.0, 0.5, 700.0, np.inf, -np.inf, np.nan)


def _leaf(rng: np.random.Generator, shape: tuple[int, ...], special: bool) -> Any:
    if special and rng.random() < 0.3:
        value = np.asarray(rng.choice(SPECIALS, size=shape), dtype=np.float64)
    else:
        value = rng.normal(size=shape) * rng.choice([0.5, 1.0, 3.0])
    return F64(value) if np.ndim(value) == 0 else value


def _attrs(rng: np.random.Generator, op: str) -> dict[str, Any]:
    attrs: dict[str, Any] = {}
    for attr in REGISTRY[op].attrs:
        if attr.name == "axis":
            choices = [None, 0, 1, -1] if attr.kind == "int?" else [0, 1, -1]
            attrs["axis"] = choices[int(rng.integers(len(choices)))]
        elif attr.name == "exponent":
            attrs["exponent"] = float(rng.choice([2.0, 3.0, 0.5, -1.0, 0.0, 1.5]))
    return attrs


def random_plan(seed: int, ops: int, special: bool, names: list[str]) -> Plan:
    """A plan of 1–4 leaves and up to ``ops`` operations drawn from ``names``."""
    rng = np.random.default_rng(seed)
    family = FAMILIES[int(rng.integers(len(FAMILIES)))]
    steps = [Step(f"l{k}", "input", (), {},
                  _leaf(rng, family[int(rng.integers(len(family)))], special))
             for k in range(int(rng.integers(1, 5)))]
    shapes = [np.shape(s.value) for s in steps]
    leaves = len(steps)
    for _ in range(20 * ops):
        if len(steps) - leaves >= ops:
            break
        op = names[int(rng.integers(len(names)))]
        # mostly the latest nodes (depth), sometimes any node; the same node may fill both
        args = tuple(max(0, len(steps) - int(rng.geometric(0.4))) if rng.random() < 0.7
                     else int(rng.integers(len(steps))) for _ in REGISTRY[op].inputs)
        attrs = _attrs(rng, op)
        try:
            made = REGISTRY[op].shape(*(shapes[j] for j in args), **attrs)
        except (ShapeError, ValueError):
            continue
        if max(size(m) for m in made) <= 1000:
            steps.append(Step(f"n{len(steps)}", op, args, attrs))
            shapes.append(made[0])
    output = int(rng.integers(len(steps))) if rng.random() < 0.3 else None
    return compile_plan(steps, output)


def assert_agree(plan: Plan) -> None:
    """Both paths agree; where the careful loop finds nothing wrong, the compiled code gave
    the answer itself (a compiled pass that raised would fall back unseen)."""
    assert_paths_agree(plan)
    careful = forward(plan, compiled=False)
    if careful.issues:
        return
    assert straight_line.forward_values(plan, list(careful.values)) is not None
    seed = np.ones_like(careful.values[plan.output])[()]
    if not backward(plan, careful.values, compiled=False).issues:
        assert straight_line.backward_grads(plan, careful.values, seed) is not None


FAST = settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))


@FAST
@given(seed=st.integers(0, 2**32 - 1), special=st.booleans())
@example(seed=31838, special=True)  # cross_entropy's float64s summed to inf + -inf in the check
def test_random_graphs_of_every_op_agree(seed: int, special: bool) -> None:
    assert_agree(random_plan(seed, 10, special, OPS))


@FAST
@given(seed=st.integers(0, 2**32 - 1))
def test_random_elementwise_graphs_agree(seed: int) -> None:
    assert_agree(random_plan(seed, 12, False, ELEMENTWISE))


@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@given(seed=st.integers(0, 2**32 - 1),
       ops=st.sampled_from([chunks.CHUNK_LINES - 1, chunks.CHUNK_LINES + 1,
                            2 * chunks.CHUNK_LINES + 3, 5 * chunks.CHUNK_LINES + 7]))
def test_random_graphs_around_the_chunk_size_agree(seed: int, ops: int) -> None:
    assert_agree(random_plan(seed, ops, False, TOTAL))


@pytest.mark.parametrize("numbers", [[F64(np.inf), F64(-np.inf)], [1.0, F64(np.nan)],
                                     [F64(np.inf), 2.0], [1.0, F64(2.0)]])
def test_the_float_check_reads_numpy_scalars_without_warning(numbers: list) -> None:
    # warnings are errors in this module: a numpy float64 inf + -inf must not warn
    assert straight_line._finite_reals(numbers) is bool(np.isfinite(numbers).all())
