"""The failure-mode lab's diagnosis: what broke in a run of the user's graph, named with the
run's own numbers, why, and the remedy (failure_remedy.py).

It reads a RunResult: the engine's first non-finite origin (log of 0, a division by 0, exp
overflow, sqrt's infinite derivative at 0), a ReLU whose input is all ≤ 0 where J would fall
if its output rose (gradient exactly 0 upstream: a dead unit, not a hinge past its margin),
and the gradient's size along the longest path from an input to the output (vanishing or
exploding, with the factor of every step). A training's losses tell a too
large learning rate (``diagnose_training``). No Qt here.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from cgeditor.model.failure_paths import GradPath, steepest_path
from cgeditor.model.failure_remedy import EPS, Remedy, guard_input, stable_softmax, swap_ops
from cgeditor.model.graph import Graph
from cgeditor.model.number_text import format_scalar, true_minus
from cgeditor.model.run_result import RunResult

MIN_LAYERS = 6  # fewer steps that shrink (or grow) the gradient: not a deep failure
VANISHING = 1e-4  # the input's gradient over the output's, at or below: vanishing
EXPLODING = 1e2  # at or above: exploding
DIGITS = 6  # a number the lab quotes: enough to find it in the Training dock's history
SHOWN_RUNS = 10  # parts of a factor list, "…" included: the first six runs and the last three

KIND_TITLES = {
    "log_domain": "log of 0 or of a negative number", "div_zero": "division by zero",
    "exp_overflow": "exp overflow", "sqrt_zero": "sqrt at 0: an infinite derivative",
    "nonfinite": "a non-finite number", "dead_relu": "a dead ReLU",
    "vanishing": "a vanishing gradient", "exploding": "an exploding gradient",
    "diverging": "a learning rate too large"}


@dataclass(frozen=True)
class Diagnosis:
    """One failure found: ``kind`` ('log_domain', 'div_zero', 'exp_overflow', 'sqrt_zero',
    'nonfinite', 'dead_relu', 'vanishing', 'exploding', 'diverging'), the node where it
    broke, what the editor shows (with the run's numbers), why, and the remedy (None when
    no edit fixes it; the advice is then in ``why``)."""

    kind: str
    node: str
    shows: str
    why: str
    remedy: Remedy | None = None
    factors: tuple[tuple[str, float], ...] = ()  # per step along a path: (node, factor)


def diagnose(graph: Graph, run: RunResult | None) -> list[Diagnosis]:
    """What broke in ``run`` (a run of ``graph`` as it is now), most fundamental first:
    a non-finite number's origin, else dead ReLUs and a vanishing or exploding gradient.
    Empty when nothing did (or nothing ran)."""
    if run is None or run.plan is None or not _current(graph, run):
        return []
    first = _nonfinite(graph, run)
    if first is not None:
        return [first]
    if run.grad_note is not None or not run.grads:
        return []
    found = _dead_relus(graph, run)
    path = steepest_path(graph, run)
    if path is not None and not found:
        grown = _path_failure(graph, run, path)
        if grown is not None:
            found.append(grown)
    return found


# --- a non-finite number --------------------------------------------------------------------
def _nonfinite(graph: Graph, run: RunResult) -> Diagnosis | None:
    name = run.origin()
    if name is None:
        return None
    issue, plan = run.issues[name], run.plan
    message = true_minus(issue.message)  # the engine's text, in the canvas's minus
    assert plan is not None
    out = f"{run.output} = {number(run.output_value)}" if run.output_value is not None \
        and np.size(run.output_value) == 1 else f"{run.output} is not finite"
    if issue.kind == "nonfinite":
        shows = f"{out}; the first non-finite value is {name}: {message}"
        return _forward_origin(graph, run, name, shows)
    i = plan.index[name]
    rule = next((k for k in reversed(plan.consumers[i]) if k <= plan.output
                 and _finite(run.raw_grads[k])), None)
    shows = f"{out}, but the first non-finite gradient is ∂{run.output}/∂{name}: {message}"
    # sqrt's rule g/(2√x) is infinite at x = 0, but also where a huge g meets a tiny x: only
    # a 0 is this case (ε would not help the other, nor is the derivative infinite there)
    if rule is not None and plan.steps[rule].op == "sqrt" \
            and bool(np.any(np.asarray(run.values[name]) == 0)):
        sqrt = plan.steps[rule].name
        return Diagnosis(
            "sqrt_zero", sqrt, shows,
            f"√x has the derivative 1/(2√x), which is infinite at x = 0 (here {name} = "
            f"{number(_first(run.values[name]))}); the inf then meets a 0 on the way back "
            "(inf · 0 = nan). Keep sqrt's input away from 0: sqrt(x + ε).",
            guard_input(graph, graph.by_name(sqrt).id, "x", False, f"sqrt({name} + ε)"))
    return Diagnosis("nonfinite", name, shows, "A derivative is infinite or undefined at "
                     "this point: keep the inputs away from it (add a small ε) or scale "
                     "them down.")


def _forward_origin(graph: Graph, run: RunResult, name: str, shows: str) -> Diagnosis:
    node = graph.by_name(name)
    ins = {port: graph.node(graph.source_of(node.id, port) or "").name for port in node.ports}
    if node.op == "log":
        x = run.values[ins["x"]]
        low = float(np.min(x))
        return Diagnosis(
            "log_domain", name, shows,
            f"log(x) falls to −inf as x → 0 and is undefined (nan) for x < 0; here the "
            f"smallest {ins['x']} is {number(low)}. Every node after it inherits the "
            "non-finite number, and so does every gradient through it.",
            guard_input(graph, node.id, "x", low < 0,
                        f"log(maximum({ins['x']}, ε))" if low < 0 else f"log({ins['x']} + ε)"))
    if node.op == "div" and _divides_by_zero(run, name, ins["b"]):
        a, b = run.values[ins["a"]], run.values[ins["b"]]
        zero = np.asarray(b) == 0
        both = bool(np.any(zero & (np.asarray(a) == 0)))
        return Diagnosis(
            "div_zero", name, shows,
            f"{ins['b']} = 0: a / 0 is ±inf for a ≠ 0 and 0 / 0 is nan"
            f"{' (here 0 / 0)' if both else ''}; the gradient −a/b² is infinite there "
            "too. Keep the denominator away from 0: a / (b + ε).",
            guard_input(graph, node.id, "b", False, f"{ins['a']} / ({ins['b']} + ε)"))
    if node.op == "exp":
        return _exp_overflow(graph, run, name, ins["x"], shows)
    return Diagnosis("nonfinite", name, shows, "The message names the op and the inputs "
                     "that gave the non-finite number; change those inputs, or guard the "
                     "op (+ ε, a clamp).")


def _divides_by_zero(run: RunResult, name: str, b: str) -> bool:
    """Whether a non-finite element of the quotient ``name`` has a 0 denominator: a finite
    a over a finite, nonzero b overflows only past float64's range (1e308 / 0.5)."""
    value = np.asarray(run.values[name])
    zero = np.broadcast_to(np.asarray(run.values[b]) == 0, value.shape)
    return bool(np.any(zero & ~np.isfinite(value)))


def _exp_overflow(graph: Graph, run: RunResult, name: str, logits: str,
                  shows: str) -> Diagnosis:
    big = float(np.max(run.values[logits]))
    why = (f"exp(x) overflows float64 above x ≈ 709.78 (exp(709.78) ≈ 1.8e308); here "
           f"{logits} reaches {number(big)}. A softmax written as exp(z) / sum(exp(z)) then "
           "divides inf by inf (nan). Softmax does not change when the same number is "
           "subtracted from every z, so the stable form subtracts max(z) first.")
    naive = _naive_softmax(graph, graph.by_name(name).id)
    remedy = stable_softmax(graph, *naive, graph.by_name(logits).id, naive[1] != naive[0][2]) \
        if naive is not None else None
    if remedy is None:
        why += " Scale the inputs down, or subtract their maximum before exp."
    return Diagnosis("exp_overflow", name, shows, why, remedy)


def _naive_softmax(graph: Graph, exp_id: str) -> tuple[list[str], str] | None:
    """(the naive softmax's nodes, the last of them) when ``exp_id`` feeds exp / sum(exp),
    with a log after it if there is one; None otherwise."""
    for edge in graph.out_edges(exp_id):
        div = graph.node(edge.dst)
        if div.op != "div" or edge.port != "a":
            continue
        total = graph.source_of(div.id, "b")
        if total is None or graph.node(total).op != "sum" \
                or graph.source_of(total, "x") != exp_id:
            continue
        naive, last = [exp_id, total, div.id], div.id
        logs = [e.dst for e in graph.out_edges(div.id) if graph.node(e.dst).op == "log"]
        if len(graph.out_edges(div.id)) == 1 and logs:
            naive.append(logs[0])
            last = logs[0]
        used = {e.dst for i in naive for e in graph.out_edges(i)}
        if used - set(naive) - {e.dst for e in graph.out_edges(last)} or \
                len(graph.out_edges(exp_id)) != 2:
            return None  # something else reads a middle step: it must stay
        return naive, last
    return None


# --- zero and shrinking or growing gradients ------------------------------------------------
def _dead_relus(graph: Graph, run: RunResult) -> list[Diagnosis]:
    found: list[Diagnosis] = []
    plan = run.plan
    assert plan is not None
    relus = [i for i, step in enumerate(plan.steps) if step.op == "relu"]
    read = plan.read_by(plan.output) if relus else set()
    for i in relus:
        step = plan.steps[i]
        if i not in read:
            continue
        z_name = plan.steps[step.args[0]].name
        z, g = run.values[z_name], run.grads.get(step.name)
        # Dead only where J would fall if the output rose (∂J/∂h < 0): with ∂J/∂h ≥ 0 the
        # loss wants h lower, and 0 is as low as a ReLU goes. A hinge relu(1 − y·f) past its
        # margin (J itself, or a term of a sum) is satisfied: nothing is left to learn.
        if g is None or not np.all(np.asarray(z) <= 0) or not np.any(np.asarray(g) < 0):
            continue
        leaves = [plan.steps[j].name for j in sorted(plan.read_by(step.args[0]))
                  if plan.specs[j].is_leaf and plan.steps[j].op == "input"
                  and not np.any(np.asarray(run.grads[plan.steps[j].name]) != 0)]
        zeros = " = ".join([*(f"∂{run.output}/∂{n}" for n in leaves), "0"])
        shows = (f"{step.name}'s input {z_name} = {_text(z)} ≤ 0, so {step.name} = "
                 f"relu({z_name}) = 0 and sends back 0: {zeros} exactly, though "
                 f"∂{run.output}/∂{step.name} = {_text(g)} arrives at it "
                 f"({run.output} would fall if {step.name} rose)")
        found.append(Diagnosis(
            "dead_relu", step.name, shows,
            "relu′(z) = 0 for z ≤ 0, so no gradient gets through a ReLU whose input is "
            "negative: gradient descent can never change the weights before it (a dead "
            "ReLU). Move its input above 0 (a larger bias), or use a leaky ReLU.",
            _revive(graph, run, graph.by_name(z_name).id, z)))
    return found


def _revive(graph: Graph, run: RunResult, z_id: str, z: Any) -> Remedy | None:
    """Raise the bias that feeds ``z`` (an add with a scalar input) so max(z) becomes 1."""
    node = graph.node(z_id)
    if node.op not in ("add", "sub"):
        return None
    for port, sign in (("b", 1.0 if node.op == "add" else -1.0), ("a", 1.0)):
        src = graph.node(graph.source_of(z_id, port) or "")
        if src.op == "input" and np.ndim(src.value) == 0:
            new = float(src.value) + sign * (1.0 - float(np.max(z)))
            return Remedy(f"Set {src.name} = {number(new)}",
                          f"Set {src.name} to {number(new)}, so that max({node.name}) = 1 "
                          "and the ReLU passes its gradient again.", values={src.id: new})
    return None


def _path_failure(graph: Graph, run: RunResult, path: GradPath) -> Diagnosis | None:
    layers = len(path.factors)
    if layers < MIN_LAYERS or path.ratio == 0 or not math.isfinite(path.ratio):
        return None
    if path.ratio > VANISHING and path.ratio < EXPLODING:
        return None
    kind = "vanishing" if path.ratio <= VANISHING else "exploding"
    # Spread over many layers, not one step that is small (a zero input) or large by itself
    steady = [f for _n, f in path.factors if (f <= 0.5 if kind == "vanishing" else f >= 1.5)]
    if len(steady) < MIN_LAYERS:
        return None
    mean = path.ratio ** (1 / layers)
    steps = factors_text(path.factors)
    size = f"∂{run.output}/∂{path.leaf} = {number(path.grad)}" if np.ndim(path.grad) == 0 \
        else f"max |∂{run.output}/∂{path.leaf}| = {number(path.ratio * path.top)}"
    shows = (f"{size}: along {path.leaf} → … → "
             f"{run.output} ({layers} steps) the gradient is multiplied by {steps}; "
             f"×{g3(mean)} a step on average")
    ops = [graph.by_name(n).op for n, _f in path.factors]
    if kind == "vanishing":
        return Diagnosis(kind, path.leaf, shows, _vanishing_why(ops, layers),
                         _to_relu(graph, run, path), path.factors)
    return Diagnosis(kind, path.leaf, shows,
                     f"Each step multiplies the gradient by its local derivative; {layers} "
                     f"steps of about ×{number(mean)} give {number(mean)}^{layers} = "
                     f"{number(path.ratio)}. Keep each layer's gain near 1 (scale the "
                     "weights), or clip the gradient.", _unit_gains(graph, run, path),
                     path.factors)


def _vanishing_why(ops: Sequence[str], layers: int) -> str:
    count = ops.count("sigmoid")
    if count:
        return (f"Each sigmoid multiplies the gradient by σ(z)(1 − σ(z)) ≤ 0.25: {count} "
                f"sigmoids → at most 0.25^{count} = {number(0.25 ** count)}. Use ReLU "
                "(derivative 1 where its input is positive), or fewer saturating layers.")
    if "tanh" in ops:
        return ("tanh′(z) = 1 − tanh²(z) is near 0 where |z| is large (saturated): "
                f"{layers} such steps multiply to almost nothing. Scale the inputs down, "
                "or use ReLU.")
    return (f"{layers} steps that each shrink the gradient multiply to almost nothing; "
            "keep each layer's gain near 1.")


def _to_relu(graph: Graph, run: RunResult, path: GradPath) -> Remedy | None:
    """Swap the saturating ops on the path for ReLU, where their inputs are positive (a
    ReLU would pass nothing back from a negative one)."""
    ids = [graph.by_name(n).id for n, _f in path.factors
           if graph.by_name(n).op in ("sigmoid", "tanh")]
    plan = run.plan
    assert plan is not None
    for node_id in ids:
        src = graph.source_of(node_id, "x") or ""
        if not np.all(np.asarray(run.values[graph.node(src).name]) > 0):
            return None
    if not ids:
        return None
    ops = " and ".join(sorted({graph.node(i).op for i in ids}))
    return swap_ops(graph, ids, "relu", f"Swap {len(ids)} {ops} nodes for relu",
                    f"Replace the {len(ids)} {ops} nodes on the path by relu, keeping "
                    "their names: its derivative is 1 where its input is positive.")


def _unit_gains(graph: Graph, run: RunResult, path: GradPath) -> Remedy | None:
    """Set each scalar input that a mul on the path multiplies by (|a| > 1) to ±1."""
    values = {}
    for name, _f in path.factors:
        node = graph.by_name(name)
        if node.op != "mul":
            continue
        for port in node.ports:
            src = graph.node(graph.source_of(node.id, port) or "")
            if src.op == "input" and np.ndim(src.value) == 0 and abs(float(src.value)) > 1 \
                    and src.name not in path.names:
                values[src.id] = math.copysign(1.0, float(src.value))
    if not values:
        return None
    # the values set, not '±1': the sign is kept, so a = 3 becomes 1 and a = −3, −1
    what = ", ".join(f"{graph.node(i).name} = {number(v)}" for i, v in values.items())
    return Remedy(f"Set {what}", f"Set {what} (its sign kept): a gain of 1 a layer keeps "
                  "the gradient's size from the output to the input.", values=values)


def factors_text(factors: Sequence[tuple[str, float]]) -> str:
    """'×1 at mul1, ×0.197 at h1, ×0.22 at h2, ×0.225 at h4–J (13 steps)': each step's
    factor to 3 digits, a run of equal ones said once."""
    runs: list[list[Any]] = []
    for name, factor in factors:
        text = g3(factor)
        if runs and runs[-1][0] == text:
            runs[-1][2], runs[-1][3] = name, runs[-1][3] + 1
        else:
            runs.append([text, name, name, 1])
    parts = [f"×{t} at {a}" if n == 1 else f"×{t} at {a}–{b} ({n} steps)"
             for t, a, b, n in runs]
    if len(parts) > SHOWN_RUNS:  # a long, varied path: its first and last steps
        parts = [*parts[:SHOWN_RUNS - 4], "…", *parts[-3:]]
    return ", ".join(parts)


def number(x: Any) -> str:
    """``x`` as the canvas writes numbers (format_scalar: the true minus, the short
    exponent, −0 as 0) to DIGITS significant digits: '−4', '65.182', '3.58474e−11'."""
    return format_scalar(x, DIGITS)


def g3(x: float) -> str:
    """A factor to 3 significant digits, as the canvas writes every number: 0.225,
    1.37e−16, −0.5."""
    return format_scalar(x, 3)


def _current(graph: Graph, run: RunResult) -> bool:
    """``run`` is of ``graph``'s nodes as they are called now (not a kept, stale run)."""
    nodes = graph.nodes
    return len(nodes) == len(run.ids) and all(
        node_id in nodes and nodes[node_id].name == name
        for node_id, name in zip(run.ids, run.order))


def _finite(x: Any) -> bool:
    return x is not None and bool(np.all(np.isfinite(x)))


def _first(x: Any) -> Any:
    return x if np.ndim(x) == 0 else np.ravel(x)[np.argmin(np.abs(np.ravel(x)))]


def _text(x: Any) -> str:
    if np.ndim(x) == 0:
        return number(x)
    return "[" + ", ".join(number(v) for v in np.ravel(x)[:6]) + \
        (", …]" if np.size(x) > 6 else "]")


__all__ = ["EPS", "KIND_TITLES", "Diagnosis", "diagnose"]
