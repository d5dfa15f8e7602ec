"""Write tests/data/torch_refs.json: PyTorch's float64 values and gradients for every op of the
registry at its special points, and for matmul over a grid of 1-d, 2-d and batched operands.

The tests read the JSON and need no torch. Each case is J = Σ(op(inputs) · W) with a fixed
weight W, so every output element counts with its own weight; the references are op's value
and ∂J/∂input for each input, computed by plain torch (never by cgeditor's export).
Where cgeditor keeps a documented convention of its own, the case also carries the torch
spelling of that convention and says what it is.

Run from the repository root after adding an op:  python tests/data/make_torch_refs.py
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import torch

OUT = Path(__file__).with_name("torch_refs.json")
DT = torch.float64

# Unary special points: zeros of both signs, ±1, kinks, ±large (exp overflows past 709.78,
# sigmoid and tanh saturate), the smallest normal scale and the largest floats.
UNARY_POINTS = [0.0, -0.0, 1.0, -1.0, 0.5, -2.0, 3.0, 1e-300, 30.0, -30.0, 710.0, -710.0,
                800.0, -800.0, 1e200, -1e200, 1e308, -1e308]
# Binary special points: every pair is a case, so ties, exponent 0 and 1, zero bases and
# divisors, negative bases and overflowing products all occur.
BINARY_POINTS = [0.0, 1.0, -1.0, 2.0, 0.5, -0.5, -2.0, 3.0, 1e200, -1e200]
POWC_EXPONENTS = [0.0, 1.0, 2.0, 3.0, -1.0, 0.5, -1.5, 2.5]
POWC_SCALAR_POINTS = [0.0, 1.0, -1.0, -2.0, 0.5, 1e200]
WEIGHTS = [1.0, -2.0, 0.5, 3.0, -0.25, 1.5, -1.0]
# The upstream gradient g at its own special points, as when log(0) or 1/0 sits downstream
# (inf) or a dead relu does (0): masks (relu, max) and products (abs, x * 0) differ there.
UPSTREAM = [math.inf, -math.inf, math.nan, 0.0, 1.0, -2.0, 0.5]
UNARY_OPS = ("neg", "square", "abs", "sign", "exp", "log", "sqrt", "sin", "cos", "tanh",
             "sigmoid", "relu", "step")
BINARY_OPS = ("add", "sub", "mul", "div", "pow", "maximum", "minimum")

REAL_POW = ("pow: ∂/∂b is taken as 0 where a < 0 (a negative base has a real power only at "
            "integer b); torch gives nan there")


def _pow_convention(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    # Select the exponent, not the result, so torch's nan never reaches autograd.
    return a ** torch.where(a < 0, b.detach(), b)


def _cross_entropy(logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    count = math.prod(logits.shape[:-1]) if logits.dim() > 1 else 1
    return -torch.sum(target * torch.log_softmax(logits, dim=-1)) / count


def _reduce(fn: Callable) -> Callable:
    return lambda x, axis=None: fn(x) if axis is None else fn(x, dim=axis)


TORCH: dict[str, Callable[..., torch.Tensor]] = {
    "add": torch.add, "sub": torch.sub, "mul": torch.mul, "div": torch.div,
    "neg": torch.neg, "pow": torch.pow, "powc": lambda x, exponent: x ** exponent,
    "square": torch.square, "maximum": torch.maximum, "minimum": torch.minimum,
    "abs": torch.abs, "exp": torch.exp, "log": torch.log, "sqrt": torch.sqrt,
    "sin": torch.sin, "cos": torch.cos, "tanh": torch.tanh, "sigmoid": torch.sigmoid,
    "relu": torch.relu,
    # torch.heaviside has no backward; relu(sign(x)) is the same step (0 at 0, nan at nan)
    # with torch's zero gradient for sign
    "step": lambda x: torch.relu(torch.sign(x)), "sign": torch.sign,
    "softmax": lambda x, axis=-1: torch.softmax(x, dim=axis),
    "log_softmax": lambda x, axis=-1: torch.log_softmax(x, dim=axis),
    "matmul": torch.matmul,
    "transpose": lambda x: x.permute(tuple(range(x.dim() - 1, -1, -1))),
    "matrix_transpose": lambda x: x.mT,
    "sum": _reduce(torch.sum), "mean": _reduce(torch.mean),
    "mse": lambda pred, target: torch.mean((pred - target) ** 2),
    "cross_entropy": _cross_entropy,
}
CONVENTIONS: dict[str, tuple[str, Callable[..., torch.Tensor]]] = {
    "pow": (REAL_POW, _pow_convention),
}


def encode(value: Any) -> Any:
    """Nested lists of floats, with 'inf', '-inf' and 'nan' spelled as strings (strict JSON)."""
    arr = np.asarray(value, dtype=np.float64)
    if arr.ndim:
        return [encode(v) for v in arr]
    x = float(arr)
    return x if math.isfinite(x) else ("nan" if math.isnan(x) else ("inf" if x > 0 else "-inf"))


def weight_for(shape: tuple[int, ...], cycle: list[float]) -> Any:
    """The weights cycled over the output's shape; for a scalar output 1.5, or inf upstream."""
    if not shape:
        return np.float64(1.5 if cycle is WEIGHTS else math.inf)
    return np.resize(np.array(cycle), math.prod(shape)).reshape(shape)


def torch_run(fn: Callable, inputs: list[Any], attrs: dict, weight: Any) -> tuple[Any, list]:
    leaves = [torch.tensor(np.asarray(x, dtype=np.float64), dtype=DT, requires_grad=True)
              for x in inputs]
    out = fn(*leaves, **attrs)
    (out * torch.tensor(weight, dtype=DT)).sum().backward()
    return out.detach().numpy(), [leaf.grad.numpy() for leaf in leaves]


def case(op: str, label: str, inputs: list[Any], attrs: dict | None = None,
         cycle: list[float] = WEIGHTS) -> dict:
    attrs = attrs or {}
    out = TORCH[op](*[torch.tensor(np.asarray(x), dtype=DT) for x in inputs], **attrs)
    weight = weight_for(tuple(out.shape), cycle)
    value, grads = torch_run(TORCH[op], inputs, attrs, weight)
    row = {"id": f"{op}/{label}", "op": op, "attrs": attrs,
           "inputs": [encode(x) for x in inputs], "weight": encode(weight),
           "value": encode(value), "grads": [encode(g) for g in grads]}
    if op in CONVENTIONS:
        text, fn = CONVENTIONS[op]
        _, conv = torch_run(fn, inputs, attrs, weight)
        row["convention"] = {"text": text, "grads": [encode(g) for g in conv]}
    return row


def fmt(x: float) -> str:
    return repr(float(x))


def unary_cases(op: str) -> list[dict]:
    points = np.array(UNARY_POINTS)
    rows = [case(op, f"scalar {fmt(x)}", [x]) for x in points]
    return [*rows, case(op, "vector", [points]), case(op, "matrix", [points.reshape(3, 6)])]


def powc_cases() -> list[dict]:
    # Not -0.0: torch computes x ** -0.5 as rsqrt, -inf at -0.0 where IEEE pow (numpy) gives
    # +inf, so x ** 0.5's gradient there has the other sign: an artefact, not a convention.
    points = np.array([x for x in UNARY_POINTS if str(x) != "-0.0"] + [4.0])
    rows = []
    for n in POWC_EXPONENTS:
        attrs = {"exponent": n}
        rows += [case("powc", f"n={n} scalar {fmt(x)}", [x], attrs) for x in POWC_SCALAR_POINTS]
        rows.append(case("powc", f"n={n} vector", [points], attrs))
        rows.append(case("powc", f"n={n} matrix", [points.reshape(6, 3)], attrs))
    return rows


def binary_cases(op: str) -> list[dict]:
    points = np.array(BINARY_POINTS)
    k = len(points)
    rows = [case(op, f"scalar {fmt(a)}, {fmt(b)}", [a, b])
            for a, b in itertools.product(points, points)]
    rows.append(case(op, "vector pairs", [np.repeat(points, k), np.tile(points, k)]))
    rows.append(case(op, "column with row", [points.reshape(k, 1), points.reshape(1, k)]))
    rows.append(case(op, "matrix with scalar", [points.reshape(2, 5), 0.0]))
    rows.append(case(op, "scalar with vector", [-2.0, points]))
    return rows


TIES = np.array([[0.0, 0.0, 0.0], [1.0, 1.0, -1.0], [1e200, -1e200, 0.0], [-3.0, 2.0, 0.5]])
# For sums: 1e200 - 1e200 + 0.5 depends on the order of summation (numpy sums pairwise).
LARGE = np.array([[0.0, 0.0, 0.0], [1.0, 1.0, -1.0], [1e200, 2e200, 0.0], [-3.0, 2.0, 0.5]])


def axis_cases(op: str) -> list[dict]:
    """Normalisations and reductions: ties, zeros and ±large along each axis."""
    m = LARGE if op in ("sum", "mean") else TIES
    rows = [case(op, "vector", [m[2]]), case(op, "matrix", [m]),
            case(op, "matrix axis 0", [m], {"axis": 0})]
    if op in ("sum", "mean"):
        rows += [case(op, "scalar", [np.float64(-2.0)]),
                 case(op, "matrix axis 1", [m], {"axis": 1}),
                 case(op, "3-d axis -1", [m.reshape(2, 3, 2)], {"axis": -1})]
    else:
        rows.append(case(op, "3-d axis 1", [TIES.reshape(2, 2, 3)], {"axis": 1}))
    return rows


def other_cases() -> list[dict]:
    probs = np.array([[1.0, 0.0, 0.0], [0.5, 0.5, 0.0], [0.2, 0.3, 0.5], [0.0, 0.0, 1.0]])
    return [
        case("transpose", "scalar", [np.float64(0.0)]),
        case("transpose", "vector", [TIES[2]]),
        case("transpose", "matrix", [TIES]),
        case("transpose", "3-d", [TIES.reshape(2, 3, 2)]),
        case("matrix_transpose", "matrix", [TIES]),
        case("matrix_transpose", "3-d", [TIES.reshape(2, 3, 2)]),
        case("mse", "scalar tie", [0.0, 0.0]),
        case("mse", "vector", [TIES[1], TIES[3]]),
        case("mse", "large", [TIES[2], TIES[0]]),
        case("mse", "broadcast", [TIES, TIES[3]]),
        case("cross_entropy", "vector", [TIES[3], probs[2]]),
        case("cross_entropy", "ties", [TIES[0], probs[1]]),
        case("cross_entropy", "batch", [TIES, probs]),
        case("matmul", "zeros and ties", [TIES[:2], TIES[:2].T]),
        case("matmul", "large", [TIES[2:], TIES[:3]]),
        case("matmul", "dot of zeros", [TIES[0], TIES[1]]),
    ]


def upstream_cases() -> list[dict]:
    """Each op once more, with inf, -inf, nan and 0 among the upstream gradients."""
    u, b = np.array(UNARY_POINTS), np.array(BINARY_POINTS)
    up, k = " upstream inf, nan, 0", len(BINARY_POINTS)
    rows = [case(op, "vector" + up, [u], cycle=UPSTREAM) for op in UNARY_OPS]
    rows += [case("powc", f"n={n} vector" + up, [u[2:]], {"exponent": n}, UPSTREAM)
             for n in (0.0, 1.0, 2.0, 0.5)]
    rows += [case(op, "column with row" + up, [b.reshape(k, 1), b.reshape(1, k)],
                  cycle=UPSTREAM) for op in BINARY_OPS]
    rows += [case(op, "matrix axis 0" + up, [TIES if op.endswith("max") else LARGE],
                  {"axis": 0}, UPSTREAM) for op in ("softmax", "log_softmax", "sum", "mean")]
    probs = np.array([[1.0, 0.0, 0.0], [0.5, 0.5, 0.0], [0.2, 0.3, 0.5], [0.0, 0.0, 1.0]])
    return [*rows, case("transpose", "3-d" + up, [TIES.reshape(2, 3, 2)], cycle=UPSTREAM),
            case("matrix_transpose", "3-d" + up, [TIES.reshape(2, 3, 2)], cycle=UPSTREAM),
            case("mse", "vector" + up, [TIES[1], TIES[3]], cycle=UPSTREAM),
            case("cross_entropy", "batch" + up, [TIES, probs], cycle=UPSTREAM),
            case("matmul", "matrix" + up, [TIES[:2], TIES[:2].T], cycle=UPSTREAM),
            case("matmul", "dot" + up, [TIES[1], TIES[3]], cycle=UPSTREAM)]


def matmul_grid() -> list[dict]:
    """a @ b for a and b each 1-d, 2-d or batched (3-d, 4-d, batch axes of size 1 that
    broadcast), every combination whose batch axes broadcast; n, k, m = 2, 3, 4."""
    rng = np.random.default_rng(11)
    batches = [(), (1,), (2,), (3,), (2, 3), (2, 1), (1, 3)]
    a_shapes = [(3,)] + [(*bt, 2, 3) for bt in batches]
    b_shapes = [(3,)] + [(*bt, 3, 4) for bt in batches]
    rows = []
    for sa, sb in itertools.product(a_shapes, b_shapes):
        try:
            np.broadcast_shapes(sa[:-2], sb[:-2])
        except ValueError:
            continue
        a = np.round(rng.uniform(-2, 2, sa), 3)
        b = np.round(rng.uniform(-2, 2, sb), 3)
        rows.append(case("matmul", f"grid {sa} @ {sb}", [a, b]))
    return rows


def all_cases() -> dict[str, list[dict]]:
    sweep: list[dict] = []
    for op in UNARY_OPS:
        sweep += unary_cases(op)
    sweep += powc_cases()
    for op in BINARY_OPS:
        sweep += binary_cases(op)
    for op in ("sum", "mean", "softmax", "log_softmax"):
        sweep += axis_cases(op)
    sweep += other_cases() + upstream_cases()
    return {"sweep": sweep, "matmul_grid": matmul_grid()}


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def main() -> None:
    head = {"about": "PyTorch float64 references written by tests/data/make_torch_refs.py; "
                     "each case is J = sum(op(inputs) * weight)",
            "torch": torch.__version__.split("+")[0]}
    sections = all_cases()
    # One case per line, so a regenerated file diffs case by case.
    parts = [f"{dumps(k)}:{dumps(v)}" for k, v in head.items()]
    parts += [f"{dumps(k)}:[\n" + ",\n".join(dumps(row) for row in rows) + "\n]"
              for k, rows in sections.items()]
    OUT.write_text("{" + ",\n".join(parts) + "}\n", encoding="utf-8")
    counts = ", ".join(f"{len(rows)} {k} cases" for k, rows in sections.items())
    print(f"{OUT}: {counts}")


if __name__ == "__main__":
    main()
