"""The chain-rule explainer: ∂J/∂node as the sum over every path to the output of the product
of the local derivatives along it, with the numbers of one run.

Paths run over the run's own Plan (so a stale result still explains itself) and count each
input port separately: x feeding both ports of x·x is two paths.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from cgeditor.core.engine import Plan
from cgeditor.model.derivatives import locals_of, vjp_parts
from cgeditor.model.number_text import MINUS, format_scalar, value_text
from cgeditor.model.run import RunResult

MAX_PATHS = 5
MAX_SHOWN_FACTORS = 12  # a longer path is written with its middle left out
TENSOR_NOTE = "tensor path: gradients shown as vector-Jacobian products"


@dataclass(frozen=True)
class PathEdge:
    """One wire of a path: ``src`` feeds input ``port`` of ``dst`` (node ids)."""

    src: str
    dst: str
    port: str


@dataclass
class ChainPath:
    """One path from the node to the output and what it contributes to ∂J/∂node."""

    nodes: list[str]  # ids, from the node to the output
    edges: list[PathEdge]  # same direction
    labels: list[str]  # '∂J/∂sq', …, from the output down, one per edge
    factors: list[Any] | None  # local derivatives in the same order; None on a tensor path
    product: Any  # this path's contribution


@dataclass
class Explanation:
    node: str
    output: str | None
    paths: list[ChainPath] = field(default_factory=list)
    count_total: int = 0
    total: Any = None  # sum of the shown paths' contributions
    gradient: Any = None  # the backprop gradient from the run
    tensor: bool = False
    text: str = ""

    @property
    def shown(self) -> int:
        return len(self.paths)

    @property
    def count_text(self) -> str:
        """The number of paths as text ('≈ 1.23e+4334' when huge)."""
        return count_text(self.count_total)

    def node_ids(self) -> set[str]:
        return {n for p in self.paths for n in p.nodes}

    def wire_keys(self) -> set[tuple[str, str]]:
        return {(e.dst, e.port) for p in self.paths for e in p.edges}


def explain(result: RunResult, node_id: str, max_paths: int = MAX_PATHS) -> Explanation:
    """Explain ∂output/∂node for the node with id ``node_id`` in ``result``."""
    plan = result.plan
    if plan is None or node_id not in result.ids:
        return Explanation(node_id, result.output, text="no run result for this node yet")
    start, values = result.ids.index(node_id), result.raw_values
    head = f"∂{result.output}/∂{plan.steps[start].name} = n/a"
    if values[start] is None or values[plan.output] is None:  # mid-step or a stopped run
        name = plan.steps[start].name if values[start] is None else plan.steps[plan.output].name
        return Explanation(node_id, result.output,
                           text=f"{head}: {name} has no value in this run")
    if result.grad_note:  # backward was refused: no path product is a gradient here
        return Explanation(node_id, result.output, text=f"{head}: {result.grad_note}")
    consumers, counts = _graph_paths(plan)
    paths = []
    for walk in _walks(start, plan.output, consumers, counts):
        paths.append(_chain(result, walk))
        if len(paths) >= max_paths:
            break
    tensor = any(p.factors is None for p in paths)
    total = sum(p.product for p in paths) if paths else None
    name = plan.steps[start].name
    grad = result.grads.get(name) if result.grads else None
    exp = Explanation(node_id, result.output, paths, counts[start], total, grad, tensor)
    exp.text = _text(exp, name)
    return exp


def _graph_paths(plan: Plan) -> tuple[list[list[tuple[int, int]]], list[int]]:
    """Each step's consumers and its number of paths to the output, read once per plan
    (kept in its cache): every publish of a run explains the selected node again, and
    reading them walked all 10k nodes of a big graph each time."""
    made = plan.cache.get("explain")
    if made is None:
        consumers = _consumers(plan)
        made = plan.cache["explain"] = (consumers, _path_counts(plan, consumers))
    return made


def _consumers(plan: Plan) -> list[list[tuple[int, int]]]:
    """Per step, the (consumer step, input index) pairs it feeds."""
    feeds: list[list[tuple[int, int]]] = [[] for _ in plan.steps]
    for i, step in enumerate(plan.steps):
        for k, j in enumerate(step.args):
            feeds[j].append((i, k))
    return feeds


def _path_counts(plan: Plan, consumers: list[list[tuple[int, int]]]) -> list[int]:
    """Number of paths from each step to the output, by dynamic programming (no enumeration):
    steps are in execution order, so every consumer is counted before its inputs."""
    counts = [0] * len(plan.steps)
    counts[plan.output] = 1
    for j in range(plan.output - 1, -1, -1):
        counts[j] = sum(counts[i] for i, _ in consumers[j])
    return counts


Walk = list[tuple[int, int, int]]  # (src step, dst step, input index)


def _walks(start: int, out: int, consumers: list[list[tuple[int, int]]],
           counts: list[int]) -> Iterator[Walk]:
    """Paths from ``start`` to the output in depth-first order, skipping dead ends.

    The stack holds (node, tip) where tip indexes ``trail``, a tree of the edges taken with a
    link to the edge before: a path of length L costs O(L), not a copy of its prefix per step
    (quadratic: 21 s on a 100k-node chain)."""
    trail: list[tuple[int, int, int, int]] = []  # (src, dst, input index, previous edge)
    stack: list[tuple[int, int]] = [(start, -1)]
    while stack:
        node, tip = stack.pop()
        if node == out:
            walk = []
            while tip >= 0:
                src, dst, k, tip = trail[tip]
                walk.append((src, dst, k))
            yield walk[::-1]
            continue
        for i, k in reversed(consumers[node]):  # reversed: pop visits them in port order
            if counts[i]:
                trail.append((node, i, k, tip))
                stack.append((i, len(trail) - 1))


def _chain(result: RunResult, walk: Walk) -> ChainPath:
    plan, values, ids = result.plan, result.raw_values, result.ids
    assert plan is not None
    nodes = [ids[walk[0][0]]] if walk else [ids[plan.output]]
    nodes += [ids[i] for _, i, _ in walk]
    edges = [PathEdge(ids[j], ids[i], plan.specs[i].inputs[k]) for j, i, k in walk]
    down = list(reversed(walk))  # from the output towards the node
    labels = [_label(plan, j, i, k) for j, i, k in down]
    g = np.ones_like(values[plan.output])[()]
    scalar = all(np.ndim(values[n]) == 0 for edge in walk for n in edge[:2])
    with np.errstate(all="ignore"):  # inf · 0 on the path (sqrt at 0) is nan, said, not warned
        for _j, i, k in down:  # the contribution as a chain of vjps, exactly as backprop does
            g = vjp_parts(plan, values, i, g)[k]
        factors = [locals_of(plan, values, i)[k] for _j, i, k in down] if scalar else None
        product = np.prod(factors) if factors else g
    return ChainPath(nodes, edges, labels, factors, np.float64(product) if scalar else g)


def _label(plan: Plan, j: int, i: int, k: int) -> str:
    step = plan.steps[i]
    port = f"[{plan.specs[i].inputs[k]}]" if step.args.count(j) > 1 else ""
    return f"∂{step.name}/∂{plan.steps[j].name}{port}"


def _num(x: Any) -> str:
    text = format_scalar(x) if np.ndim(x) == 0 else value_text(x)
    return f"({text})" if text.startswith(MINUS) else text


def path_text(path: ChainPath) -> str:
    """'∂J/∂sq · ∂sq/∂d · … = 0.5 · 4 · … = −4' (vjp wording on a tensor path). A path of
    more than MAX_SHOWN_FACTORS factors is written with its middle left out."""
    if not path.labels:
        return f"{_num(path.product)} (the output itself)"
    chain = " · ".join(_elided(path.labels, str))
    if path.factors is None:
        return f"{chain} = {value_text(path.product)} (as vjps)"
    numbers = " · ".join(_elided(path.factors, _num))
    return f"{chain} = {numbers} = {format_scalar(path.product)}"


def _elided(parts: list[Any], show: Callable[[Any], str]) -> list[str]:
    """``show`` of each part; past MAX_SHOWN_FACTORS, only the first and last few around
    '… (N more) …' (formatting only those: a path can be 100,000 factors long)."""
    if len(parts) <= MAX_SHOWN_FACTORS:
        return [show(p) for p in parts]
    half = MAX_SHOWN_FACTORS // 2
    middle = f"… ({count_text(len(parts) - 2 * half)} more) …"
    return [*map(show, parts[:half]), middle, *map(show, parts[-half:])]


def count_text(n: int) -> str:
    """A count as people read it: '12345', or from 10¹⁵ on '≈ 1.23e4334' in format_sci's
    style (a path count can have thousands of digits, more than Python will even turn into
    text, and more than a float holds)."""
    if n < 10 ** 15:
        return str(n)
    log = math.log10(n)  # exact enough for three digits, whatever the size of n
    exponent = math.floor(log)
    mantissa = round(10 ** (log - exponent), 2)
    if mantissa >= 10:
        mantissa, exponent = mantissa / 10, exponent + 1
    return f"≈ {format_scalar(mantissa, 3)}e{exponent}"


def _text(exp: Explanation, name: str) -> str:
    out = exp.output or "J"
    head = f"∂{out}/∂{name}"
    if exp.count_total == 0:
        return f"{out} does not depend on {name}: {head} = 0"
    lines = [TENSOR_NOTE] if exp.tensor else []
    if exp.count_total == 1:
        return "\n".join([*lines, f"{head} = {path_text(exp.paths[0])}"])
    sums = " + ".join(_num(p.product) for p in exp.paths)
    more = exp.count_total - exp.shown
    if more:
        lines.append(f"showing {exp.shown} of {exp.count_text} paths")
        rest = None if exp.gradient is None else exp.gradient - exp.total
        sums += (f" + (the other {count_text(more)} paths: "
                 f"{_num(rest) if rest is not None else '…'})")
    grad = value_text(exp.gradient if exp.gradient is not None else exp.total)
    lines.append(f"{head} = sum over {exp.count_text} paths = {sums} = {grad}")
    for n, path in enumerate(exp.paths, 1):
        lines.append(f"path {n}: {path_text(path)}")
    return "\n".join(lines)
