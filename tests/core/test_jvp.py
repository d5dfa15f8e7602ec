"""Every op's jvp (forward mode) from the registry: against central differences, against its
own vjp by the transpose identity ⟨g, J t⟩ = ⟨Jᵀ g, t⟩, against torch.func.jvp in float64
(when torch is installed; CI installs it), and at the kinks, by the vjps' convention.

The cases are generated from REGISTRY and test_ops' SAMPLES (scalars, vectors, matrices and
broadcast pairs): a new op gets these tests for free, and one without samples fails.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from cgeditor.core.engine import Step, backward, compile_plan, forward
from cgeditor.core.ops import F64, REGISTRY, OpSpec, register
from cgeditor.core.ops.jvp import jvp_rule, source
from cgeditor.core.tangents import jvp
from tests.core.test_ops import SAMPLES

RNG = np.random.default_rng(77)
OPS = sorted(name for name, spec in REGISTRY.items() if not spec.is_leaf)
EPS = 1e-6


def _cases() -> list:
    cases = []
    for name in OPS:
        samples = SAMPLES.get(name) or []
        if not samples:
            cases.append(pytest.param(name, None, id=f"{name}-NO-SAMPLES"))
        cases += [pytest.param(name, k, id=f"{name}-{k}") for k in range(len(samples))]
    return cases


CASES = _cases()


def _direction(x: Any) -> Any:
    t = RNG.choice([-1.0, 1.0], np.shape(x)) * RNG.uniform(0.5, 1.5, np.shape(x))
    return F64(t) if np.ndim(t) == 0 else t


def _op_plan(name: str, inputs: tuple, attrs: dict):
    steps = [Step(f"x{k}", "input", (), {}, v) for k, v in enumerate(inputs)]
    steps.append(Step("op", name, tuple(range(len(inputs))), attrs))
    return compile_plan(steps)


def _sample(name: str, k: int | None) -> tuple[tuple, dict]:
    assert k is not None, f"op {name!r} has no samples: add it to test_ops.SAMPLES"
    return SAMPLES[name][k]


def _tangent(plan, values: list, seeds: dict) -> Any:
    result = jvp(plan, values, seeds)
    assert not result.issues, result.issues
    return result.tangents[plan.output]


@pytest.mark.parametrize(("name", "k"), CASES)
def test_jvp_matches_central_differences(name: str, k: int | None) -> None:
    inputs, attrs = _sample(name, k)
    spec, plan = REGISTRY[name], _op_plan(name, inputs, attrs)
    values = forward(plan).values
    ts = [_direction(x) for x in inputs]
    # each input alone, then the direction over all of them at once
    for seeds in [{f"x{j}": ts[j]} for j in range(len(inputs))] + [
            {f"x{j}": t for j, t in enumerate(ts)}]:
        got = _tangent(plan, values, seeds)
        step = [ts[j] * EPS if f"x{j}" in seeds else 0.0 for j in range(len(inputs))]
        up = spec.forward(*[x + s for x, s in zip(inputs, step)], **attrs)
        down = spec.forward(*[x - s for x, s in zip(inputs, step)], **attrs)
        numeric = (up - down) / (2 * EPS)
        assert np.shape(got) == np.shape(values[-1])
        np.testing.assert_allclose(got, numeric, rtol=1e-5, atol=1e-7,
                                   err_msg=f"{name} seeded {sorted(seeds)}")


# Kinks and ties, where the rules take the vjps' subgradients: the identity must hold there too.
KINKS = {
    "relu": [((np.array([-1.0, 0.0, 2.0]),), {})],
    "abs": [((np.array([-1.0, 0.0, 2.0]),), {})],
    "step": [((np.array([-1.0, 0.0, 2.0]),), {})],
    "sign": [((np.array([-1.0, 0.0, 2.0]),), {})],
    "maximum": [((np.array([1.0, 2.0, 3.0]), np.array([1.0, 5.0, 0.0])), {}),
                ((np.array([[1.0, 2.0], [0.0, 3.0]]), np.array([1.0, 3.0])), {})],
    "minimum": [((np.array([1.0, 2.0, 3.0]), np.array([1.0, 5.0, 0.0])), {})],
    "pow": [((np.array([-2.0, 0.0, 2.0]), np.array([2.0, 3.0, 0.5])), {})],
    "powc": [((np.array([0.0, 1.0]),), {"exponent": 0.0})],
}
IDENTITY_CASES = [*CASES, *(pytest.param(n, -1 - k, id=f"{n}-kink{k}")
                            for n in sorted(KINKS) for k in range(len(KINKS[n])))]


@pytest.mark.parametrize(("name", "k"), IDENTITY_CASES)
def test_jvp_is_the_transpose_of_the_vjp(name: str, k: int | None) -> None:
    # ⟨g, jvp(t)⟩ = ⟨vjp(g), t⟩ with the engine's vjp (summed back over broadcast axes)
    inputs, attrs = KINKS[name][-1 - k] if k is not None and k < 0 else _sample(name, k)
    plan = _op_plan(name, inputs, attrs)
    values = forward(plan).values
    g = _direction(values[-1])
    grads = backward(plan, values, g).grads
    ts = {f"x{j}": _direction(x) for j, x in enumerate(inputs)}
    lhs = np.sum(g * _tangent(plan, values, ts))
    rhs = sum(np.sum(grads[j] * ts[f"x{j}"]) for j in range(len(inputs)))
    scale = np.sum(np.abs(g * _tangent(plan, values, ts))) + 1.0
    assert abs(lhs - rhs) <= 1e-12 * scale, (name, lhs, rhs)


def test_kinks_follow_the_subgradient_convention() -> None:
    t = np.array([1.0, 1.0, 1.0])
    for name, want in (("relu", [0.0, 0.0, 1.0]), ("abs", [-1.0, 0.0, 1.0])):
        plan = _op_plan(name, (np.array([-1.0, 0.0, 2.0]),), {})
        got = _tangent(plan, forward(plan).values, {"x0": t})
        np.testing.assert_array_equal(got, want)
    # a tie gives the mean of the two tangents; elsewhere the winner's
    for name, want in (("maximum", [2.0, 3.0, 1.0]), ("minimum", [2.0, 1.0, 3.0])):
        plan = _op_plan(name, (np.array([1.0, 2.0, 3.0]), np.array([1.0, 5.0, 0.0])), {})
        got = _tangent(plan, forward(plan).values, {"x0": t, "x1": 3 * t})
        np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize(("name", "k"), CASES)
def test_jvp_matches_torch_func_jvp(name: str, k: int | None) -> None:
    torch = pytest.importorskip("torch")
    from tests.data.make_torch_refs import TORCH

    inputs, attrs = _sample(name, k)
    plan = _op_plan(name, inputs, attrs)
    ts = [_direction(x) for x in inputs]
    got = _tangent(plan, forward(plan).values, {f"x{j}": t for j, t in enumerate(ts)})
    primals = tuple(torch.tensor(np.asarray(x), dtype=torch.float64) for x in inputs)
    tangents = tuple(torch.tensor(np.asarray(t), dtype=torch.float64) for t in ts)
    _, want = torch.func.jvp(lambda *xs: TORCH[name](*xs, **attrs), primals, tangents)
    np.testing.assert_allclose(got, want.numpy(), rtol=1e-12, atol=1e-13, err_msg=name)


def test_every_op_says_where_its_jvp_comes_from() -> None:
    kinds = {name: source(REGISTRY[name]) for name in OPS}
    assert {kinds[n] for n in ("add", "sub", "neg", "sum", "mean", "transpose")} == {"forward"}
    assert kinds["mul"] == kinds["matmul"] == "bilinear"
    assert kinds["exp"] == kinds["relu"] == kinds["softmax"] == "vjp"
    assert kinds["mse"] == kinds["cross_entropy"] == "gradient"
    assert kinds["log_softmax"] == "rule"
    assert all(callable(jvp_rule(REGISTRY[n])) for n in OPS)
    with pytest.raises(ValueError, match="leaf"):
        jvp_rule(REGISTRY["input"])


def test_an_op_without_a_way_to_its_jvp_is_refused_at_registration() -> None:
    spec = REGISTRY["sum"]
    bare = OpSpec("sum_without_jvp", spec.inputs, spec.forward, spec.vjp, "Σ", "Tensors",
                  shape=spec.shape)
    with pytest.raises(ValueError, match="needs a jvp"):
        register(bare)
    odd = OpSpec("sum_odd_jvp", spec.inputs, spec.forward, spec.vjp, "Σ", "Tensors",
                 shape=spec.shape, jvp_from="guess")
    with pytest.raises(ValueError, match="jvp_from must be one of"):
        register(odd)
    assert "sum_without_jvp" not in REGISTRY and "sum_odd_jvp" not in REGISTRY
