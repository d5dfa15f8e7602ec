"""The graphs benchmarks/engine.py times, as engine steps: the chain h_k = tanh(h_{k-1}·w + b)
and graphs without repeated layers (random elementwise ops and wiring, seeded), on scalars or
vectors of 1,000; and the same steps run by PyTorch eager, for the peer columns."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import numpy as np

from cgeditor.core.engine import Plan, Step, compile_plan
from cgeditor.core.ops import F64

try:
    import torch
except ImportError:  # torch is optional: its columns print as "-"
    torch = None

H0, W, B = 0.1, 0.9, 0.01  # |w| < 1 keeps 3,000 layers finite and the gradient alive
RANDOM_OPS = ("add", "mul", "sub", "tanh", "sin", "sigmoid")


def leaves(size: int | None) -> tuple[Any, Any, Any]:
    """h0, w and b: float64 scalars, or vectors of ``size`` near them (seeded)."""
    if size is None:
        return F64(H0), F64(W), F64(B)
    rng = np.random.default_rng(0)
    return tuple(v + rng.uniform(-1e-3, 1e-3, size) for v in (H0, W, B))


def chain_steps(layers: int, size: int | None) -> list[Step]:
    """The chain of ``layers`` layers (mul, add, tanh): 3 + 3·layers nodes."""
    return tanh_chain(layers, *leaves(size))


def tanh_chain(layers: int, h0: Any, w0: Any, b0: Any) -> list[Step]:
    """h_k = tanh(h_{k-1}·w + b) from the leaves given (scalars or arrays of one shape),
    J = h_N: 3 + 3·layers steps, w and b fanning out to every layer (the tests run it too)."""
    steps = [Step("h0", "input", value=h0), Step("w", "input", value=w0),
             Step("b", "input", value=b0)]
    h = 0
    for k in range(layers):
        n = len(steps)
        steps += [Step(f"m{k}", "mul", (h, 1)), Step(f"a{k}", "add", (n, 2)),
                  Step(f"h{k + 1}", "tanh", (n + 1,))]
        h = n + 2
    return steps


def chain_plan(layers: int, size: int | None) -> Plan:
    return compile_plan(chain_steps(layers, size))


def irregular_steps(nodes: int, size: int | None) -> list[Step]:
    """``nodes`` nodes without repeated layers: each op drawn at random (seeded) among a few
    elementwise ones, its inputs among the 20 nodes before it, the last node the output."""
    rng = np.random.default_rng(1)
    steps = [Step(name, "input", value=v) for name, v in zip(("h0", "w", "b"), leaves(size))]
    while len(steps) < nodes:
        op = RANDOM_OPS[rng.integers(6)]
        arity = 1 if op in ("tanh", "sin", "sigmoid") else 2
        args = tuple(int(a) for a in rng.integers(max(0, len(steps) - 20), len(steps), arity))
        steps.append(Step(f"n{len(steps)}", op, args))
    return steps


def irregular_plan(nodes: int, size: int | None) -> Plan:
    return compile_plan(irregular_steps(nodes, size))


def edited_plan(nodes: int, size: int | None) -> Plan:
    """irregular_plan with one node inserted on a wire at its middle: a tanh of the middle
    node's first input, which the middle node then reads instead (every later slot moves)."""
    steps = irregular_steps(nodes, size)
    mid = len(steps) // 2
    later = [dataclasses.replace(s, args=tuple(a + (a >= mid) for a in s.args))
             for s in steps[mid:]]
    later[0] = dataclasses.replace(later[0], args=(mid, *later[0].args[1:]))
    return compile_plan([*steps[:mid], Step("edit", "tanh", (steps[mid].args[0],)), *later])


def torch_run(steps: list[Step]) -> Callable[[], Any] | None:
    """``steps`` run by PyTorch eager in float64, forward and ``.backward()`` from the last
    node, gradients of the three leaves fresh each run (None without torch)."""
    if torch is None:
        return None
    ops = {"add": torch.add, "mul": torch.mul, "sub": torch.sub, "tanh": torch.tanh,
           "sin": torch.sin, "sigmoid": torch.sigmoid}
    params = [torch.tensor(s.value, dtype=torch.float64, requires_grad=True) for s in steps[:3]]
    program = [(ops[s.op], s.args) for s in steps[3:]]

    def run() -> None:
        values = list(params)
        for p in params:
            p.grad = None
        for op, args in program:
            values.append(op(*[values[j] for j in args]))
        values[-1].sum().backward()
    return run
