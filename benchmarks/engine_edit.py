"""What a structural edit costs (benchmarks/engine.py prints it): CPU ms from the edited steps
to the first result (the plan built, then one forward + backward as the editor runs it), the
slowest of the runs after it while compiled code is built in slices, the run from which
compiled code (or tables) answer, and the steady state in µs a node; beside them, what
compiling both passes at once costs (what the second run paid before slices) and PyTorch
eager on the same steps. No code is kept from earlier graphs (chunks.forget())."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from engine_graphs import chain_steps, irregular_steps, torch_run

from cgeditor.core import chunks
from cgeditor.core import compiled as straight_line
from cgeditor.core.engine import Plan, Step, backward, compile_plan, forward

MAX_RUNS = 60


@dataclass(frozen=True)
class Edit:
    """One graph's figures (ms, except ``steady`` and ``torch_steady``, µs a node)."""

    first: float
    slowest: float
    runs: int  # the first run answered by compiled code or tables (0: never within MAX_RUNS)
    steady: float
    at_once: float
    torch_first: float | None
    torch_steady: float | None


def _cpu(fn: Callable[[], Any]) -> float:
    t0 = time.process_time()
    fn()
    return time.process_time() - t0


def _run(plan: Plan) -> None:
    backward(plan, forward(plan).values)


def _fast(plan: Plan) -> bool:
    """Whether the plan's next run is answered by tables or compiled code, not the careful
    loop (tables answer from the first run; compiled code once both passes are built)."""
    if plan.cache.get("tables") is not None:
        return True
    built = {key[0] for key, code in plan.cache.items()
             if isinstance(key, tuple) and code is not None}
    return built >= {"forward", "backward"}


def _one_edit(steps: list[Step]) -> tuple[float, float, int, Plan]:
    """First result, slowest later run (s) and the first fast run, of one cold edit."""
    chunks.forget()
    t0 = time.process_time()
    plan = compile_plan(steps)
    _run(plan)
    first = time.process_time() - t0
    later: list[float] = []
    runs = 1 if _fast(plan) else 0
    for run in range(2, MAX_RUNS + 1):
        if runs and run > max(runs + 1, 5):
            break
        later.append(_cpu(partial(_run, plan)))
        if not runs and _fast(plan):
            runs = run  # the pass finished last answered as soon as it was built
    return first, max(later), runs, plan


def _at_once(steps: list[Step]) -> float:
    """CPU seconds to compile both passes of a fresh plan at once, no code kept."""
    chunks.forget()
    plan = compile_plan(steps)
    kind = straight_line.FLOAT if steps[0].value.ndim == 0 else straight_line.UNIFORM
    return _cpu(lambda: [straight_line.compiled(plan, which, kind)
                         for which in ("forward", "backward")])


def measure(steps: list[Step], repeats: int) -> Edit:
    """Best of ``repeats`` cold edits for each figure (a shared machine's load only adds)."""
    edits = []
    for _ in range(repeats):  # one plan alive at a time, as in the editor
        *figures, plan = _one_edit(steps)
        edits.append(figures)
    per = 1e6 / len(steps)
    steady = min(min(_cpu(partial(_run, plan)) for _ in range(3)) for _ in range(repeats))
    torch = torch_run(steps)
    torch_first = torch_steady = None
    if torch is not None:
        torch_first = min(_cpu(torch) for _ in range(repeats))  # eager: no build
        torch_steady = torch_first * per
    return Edit(min(e[0] for e in edits) * 1e3, min(e[1] for e in edits) * 1e3,
                max(e[2] for e in edits), steady * per,
                min(_at_once(steps) for _ in range(repeats)) * 1e3,
                torch_first and torch_first * 1e3, torch_steady)


GRAPHS = [("scalar", "chain", partial(chain_steps, 333, None)),
          ("scalar", "random", partial(irregular_steps, 1002, None)),
          ("tensor", "chain", partial(chain_steps, 333, 1000)),
          ("tensor", "random", partial(irregular_steps, 1002, 1000))]
HEADER = (f"{'kind':<7}{'graph':<8}{'nodes':>6}{'first ms':>10}{'slowest ms':>12}{'fast run':>10}"
          f"{'µs/node':>9}{'at once ms':>12}{'torch ms':>10}{'torch µs':>10}"
          f"{'first/torch':>12}{'torch/cg':>9}")


def row(kind: str, graph: str, steps: list[Step], repeats: int) -> str:
    """One line of the table under HEADER."""
    e = measure(steps, repeats)
    fast = f"{e.runs}" if e.runs else "never"

    def num(x: float | None, width: int, fmt: str = ".1f") -> str:
        return f"{'-':>{width}}" if x is None else f"{x:>{width}{fmt}}"
    return (f"{kind:<7}{graph:<8}{len(steps):>6}{num(e.first, 10)}{num(e.slowest, 12)}"
            f"{fast:>10}{num(e.steady, 9, '.2f')}{num(e.at_once, 12)}{num(e.torch_first, 10)}"
            f"{num(e.torch_steady, 10, '.2f')}"
            f"{num(e.torch_first and e.first / e.torch_first, 12, '.2f')}"
            f"{num(e.torch_steady and e.torch_steady / e.steady, 9, '.1f')}")


def print_table(repeats: int) -> None:
    print("\nafter a structural edit (CPU ms, best of repeats, no code kept): the first result"
          " (plan built + forward + backward), the slowest later run while code is built in "
          "slices, the first run that compiled code or tables answer, then µs a node; 'at once' "
          "compiles both passes in one go (what the second run paid before slices)")
    print(HEADER)
    for kind, graph, steps in GRAPHS:
        print(row(kind, graph, steps(), repeats), flush=True)
