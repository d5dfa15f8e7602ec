"""Reading tests/data/torch_refs.json: PyTorch float64 values and gradients of every op at its
special points, and of matmul over 1-d, 2-d and batched operands (written by
tests/data/make_torch_refs.py, so the tests need no torch)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

REFS = Path(__file__).parent / "data" / "torch_refs.json"


def decode(value: Any) -> Any:
    """The float64 scalar or array that ``encode`` wrote ('inf', '-inf', 'nan' as strings)."""
    arr = np.array(value, dtype=object)
    arr = np.vectorize(float, otypes=[np.float64])(arr) if arr.size else arr.astype(np.float64)
    return np.float64(arr) if arr.ndim == 0 else arr


@dataclass(frozen=True)
class RefCase:
    """J = Σ(op(inputs) · weight): torch's value of op and ∂J/∂input for each input.

    ``expected`` are the gradients cgeditor must give: torch's, or, where cgeditor keeps a
    documented convention of its own, torch's spelling of that convention (``convention``
    says which)."""

    id: str
    op: str
    attrs: dict[str, Any]
    inputs: tuple[Any, ...]
    weight: Any
    value: Any
    torch_grads: tuple[Any, ...]
    expected: tuple[Any, ...]
    convention: str | None


def _case(row: dict) -> RefCase:
    torch_grads = tuple(decode(g) for g in row["grads"])
    conv = row.get("convention")
    expected = tuple(decode(g) for g in conv["grads"]) if conv else torch_grads
    return RefCase(row["id"], row["op"], row["attrs"], tuple(decode(x) for x in row["inputs"]),
                   decode(row["weight"]), decode(row["value"]), torch_grads, expected,
                   conv["text"] if conv else None)


@cache
def load(section: str) -> tuple[RefCase, ...]:
    """The cases of one section of the file: "sweep" or "matmul_grid"."""
    data = json.loads(REFS.read_text(encoding="utf-8"))
    return tuple(_case(row) for row in data[section])


def assert_matches(got: Any, want: Any, label: str) -> None:
    """Same shape, the same non-finite entries (inf with its sign, nan) and the finite ones
    equal to 1e-12 relative: torch and numpy may round a last bit differently."""
    assert np.shape(got) == np.shape(want), f"{label}: shape {np.shape(got)} != {np.shape(want)}"
    np.testing.assert_allclose(np.asarray(got, dtype=np.float64), want, rtol=1e-12, atol=1e-300,
                               equal_nan=True, err_msg=label)
