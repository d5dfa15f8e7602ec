"""A structural edit re-compiles only the chunks next to it: passes are cut where their
content says, so one node inserted or removed mid-graph moves no cut further on, and the chunks
there keep their canonical text and their code. Counted as calls to CPython's compiler (cache
misses), not timed; the edited plan must still give the careful numbers.
"""

from __future__ import annotations

import builtins
import dataclasses
from typing import Any

import numpy as np
import pytest

from cgeditor.core import chunks
from cgeditor.core import compiled as straight_line
from cgeditor.core.engine import Plan, Step, compile_plan
from cgeditor.core.ops import F64
from tests.core.test_compiled import assert_paths_agree

pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")

UNARY, BINARY = ("tanh", "sin", "sigmoid"), ("add", "mul", "sub")


def irregular_steps(nodes: int, leaf: Any, seed: int) -> list[Step]:
    """Three leaves, then ops drawn at random, each reading nodes among the 20 before it."""
    rng = np.random.default_rng(seed)
    steps = [Step(name, "input", value=leaf * scale)
             for name, scale in (("h0", 0.1), ("w", 0.9), ("b", 0.01))]
    while len(steps) < nodes:
        op = (*UNARY, *BINARY)[rng.integers(6)]
        arity = 1 if op in UNARY else 2
        args = rng.integers(max(0, len(steps) - 20), len(steps), arity)
        steps.append(Step(f"n{len(steps)}", op, tuple(int(a) for a in args)))
    return steps


def inserted(steps: list[Step], at: int) -> list[Step]:
    """``steps`` with a tanh inserted on the wire into node ``at``'s first input: every later
    slot moves up by one."""
    later = [dataclasses.replace(s, args=tuple(a + (a >= at) for a in s.args))
             for s in steps[at:]]
    later[0] = dataclasses.replace(later[0], args=(at, *later[0].args[1:]))
    return [*steps[:at], Step("edit", "tanh", (steps[at].args[0],)), *later]


def chunks_compiled(plan: Plan, kind: str, seen: list[str]) -> int:
    """How many chunk texts building both passes of ``plan`` sent to CPython's compiler."""
    before = len(seen)
    for which in ("forward", "backward"):
        assert straight_line.compiled(plan, which, kind) is not None
    return sum(text.startswith("def chunk(") for text in seen[before:])


@pytest.mark.parametrize("leaf", [F64(1.0), np.linspace(0.5, 1.5, 4)])
@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("edit", ["insert", "remove"])
def test_one_edit_mid_graph_compiles_only_the_chunks_next_to_it(monkeypatch, leaf: Any,
                                                                  seed: int, edit: str) -> None:
    seen: list[str] = []

    def counted(source: str, *args: Any) -> Any:
        seen.append(source)
        return builtins.compile(source, *args)
    monkeypatch.setattr(chunks, "compile", counted, raising=False)
    for cache in ("_CODE", "_CHUNKS", "_DRIVERS"):  # no code kept from earlier plans
        monkeypatch.setattr(chunks, cache, {})
    steps = irregular_steps(600, leaf, seed)
    plans = [compile_plan(steps), compile_plan(inserted(steps, 300))]
    if edit == "remove":
        plans.reverse()
    kind = straight_line.FLOAT if isinstance(leaf, F64) else straight_line.UNIFORM
    cold = chunks_compiled(plans[0], kind, seen)
    again = chunks_compiled(plans[1], kind, seen)
    assert cold >= 10  # both passes cut into many chunks
    assert again <= 4, f"{again} of {cold} chunks compiled again"  # ≤ 2 a pass
    assert_paths_agree(plans[1])
