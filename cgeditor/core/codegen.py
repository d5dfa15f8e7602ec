"""Source code for a compiled Plan: one function per pass, one local per node.

The code is spelled from the op registry's own templates (the ones the NumPy export uses):
``v12`` holds node 12's value and ``g12`` its gradient, attributes are bound constants
(``k0``, ``k1``, …) and leaf values arrive as arguments, so no name, value or other text from a
file ever enters the source. The kinds of code (FLOAT, NUMPY, UNIFORM) and when each runs are
described in ``compiled``, which runs them.

Templates may also call the functions of ``rules``. An op whose templates name anything else
(or are missing) runs its registry callables instead, in NUMPY code only.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Generator
from dataclasses import dataclass
from functools import cache, partial
from typing import TYPE_CHECKING, Any

from cgeditor.core.chunks import Body, assemble
from cgeditor.core.ops import OpSpec
from cgeditor.core.rows import ROW, Rows
from cgeditor.core.templates import (
    FLOAT,
    NAMESPACES,
    NUMPY,
    UNIFORM,
    Inline,
    out_template,
    placeholders,
)

if TYPE_CHECKING:
    from cgeditor.core.engine import Plan, Step

__all__ = ["FLOAT", "NUMPY", "PENDING", "UNIFORM", "Pass", "Pending", "compiled"]


@dataclass(frozen=True)
class Pass:
    """One compiled pass: ``run`` and the slots its arguments or results belong to."""

    run: Callable[..., tuple]
    slots: tuple[int, ...]  # forward: leaf slots, in argument order; backward: returned grads
    source: str
    # UNIFORM code writes results into the rows of one buffer (its last argument) of ``rows``
    # rows; ``loose`` are the positions, in the returned tuple, of results outside it.
    rows: int = 0
    loose: tuple[int, ...] = ()


class Pending:
    """What ``compiled`` returns while a build spread over runs is not finished."""


PENDING = Pending()


def compiled(plan: Plan, which: str, kind: str, budget: float = math.inf,
             ) -> Pass | Pending | None:
    """The plan's compiled ``which`` pass ("forward" or "backward") of ``kind``, built once
    per plan; None when the plan cannot be compiled to that kind (a rule FLOAT cannot spell,
    or code too big for CPython's compiler).

    ``budget``: seconds of this call the build may take (inf: until done). A build goes on in
    steps (spelling the pass, cutting and renaming it, then each chunk) and pauses after the
    first step that ends past the budget, returning PENDING: the next call carries on.
    With a budget of 0 only a pass already built is returned (PENDING otherwise)."""
    key = (which, kind)
    if key in plan.cache:
        return plan.cache[key]
    if budget <= 0:
        return PENDING
    builds = plan.cache.setdefault("building", {})
    steps = builds.get(key)
    if steps is None:
        build = _forward_source if which == "forward" else _backward_source
        steps = builds[key] = _build(plan, kind, build)
    deadline = time.perf_counter() + budget
    try:
        while True:
            next(steps)
            if time.perf_counter() >= deadline:
                return PENDING
    except StopIteration as done:
        del builds[key]
        plan.cache[key] = done.value
        return done.value


def _build(plan: Plan, kind: str, build: Callable) -> Generator[None, None, Pass | None]:
    """The pass, built in steps (``compiled``)."""
    namespace: dict[str, Any] = {"__builtins__": {}, **NAMESPACES[kind]}
    rows = Rows(kind == UNIFORM)
    made = build(plan, kind, _Binder(namespace, kind), rows)
    del plan  # a paused build, kept in plan.cache, must not keep its plan alive in a cycle
    if made is None:
        return None
    yield
    body, slots = made
    try:  # our own slot-named code: the only text in it comes from the registry's templates
        source = yield from assemble(body, namespace, kind)
    except (SyntaxError, RecursionError, MemoryError, SystemError):  # too big for CPython
        return None
    loose = tuple(k for k, name in enumerate(body.results) if name not in rows.held)
    return Pass(namespace["run"], tuple(slots), source, rows.count, loose)


class _Binder:
    """Hands out constant names (k0, k1, …) bound in the code's namespace: values go in as
    objects, never as text."""

    def __init__(self, namespace: dict[str, Any], kind: str) -> None:
        self.namespace, self.kind = namespace, kind

    def __call__(self, value: Any) -> str:
        name = f"k{len(self.namespace)}"
        if self.kind == FLOAT and isinstance(value, float):
            value = float(value)  # a float64 attribute would drag numpy scalars in
        self.namespace[name] = value
        return name


_Made = tuple[Body, list[int]]  # the pass, and the slots of its arguments or results


def _forward_source(plan: Plan, kind: str, bind: _Binder, rows: Rows) -> _Made | None:
    leaves = [i for i, _ in plan.leaves]
    lines: list[str] = []
    inline, on = Inline(kind), rows.on
    for i, (step, spec) in enumerate(zip(plan.steps, plan.specs)):
        if spec.is_leaf:
            continue
        expr, out_form = _filled(spec, step, bind, i, on) if inline(spec) else (None, None)
        if expr is None:
            if kind == FLOAT:
                return None
            rule = partial(spec.forward, **step.attrs) if step.attrs else spec.forward
            expr = f"{bind(rule)}({', '.join(f'v{j}' for j in step.args)})"
        elif on:
            expr = rows.into(f"v{i}", expr, out_form)
        lines.append(f"    v{i} = {expr}")
    results = [f"v{i}" for i in range(len(plan.steps))]
    return Body(f"def run(leaves{rows.parameter}):", "leaves", [f"v{i}" for i in leaves], lines,
                results, rows.on), leaves


def _backward_source(plan: Plan, kind: str, bind: _Binder, rows: Rows) -> _Made | None:
    out = plan.output
    lines: list[str] = []
    # node -> its gradient so far: its one vjp term, or the name of the sum of its terms. Each
    # term is added as it comes, in the careful loop's order, and every name is assigned once
    # (chunks.py relies on it).
    parts: dict[int, str] = {out: "s0"}  # s0: the seed
    sums: dict[int, int] = {}  # node -> partial sums written
    grad: dict[int, str] = {}  # node -> the name holding its finished gradient
    used: set[int] = set()  # values the vjps read, unpacked from ``values`` up front
    inline = Inline(kind)
    for i in plan.down:  # the careful loop's order
        if i not in parts:
            continue
        grad[i] = _gradient(i, parts.pop(i), lines, rows)
        step, spec = plan.steps[i], plan.specs[i]
        if spec.is_leaf:
            continue
        if inline(spec):
            terms = _inline_vjp(i, step, spec, bind, grad[i], used, rows)
        elif kind == FLOAT:
            return None
        else:
            terms = _opaque_vjp(i, step, spec, bind, grad[i], lines)
            used.update((i, *step.args))
        for j, term in zip(step.args, terms):
            if kind == NUMPY:
                term = f"fit({term}, v{j})"
                used.add(j)
            sofar = parts.get(j)
            parts[j] = term if sofar is None else _added(j, sofar, term, sums, lines, rows)
    unpack = [f"v{v}" if v in used else "_" for v in range(len(plan.steps))]
    slots = sorted(grad)
    return Body(f"def run(values, s0{rows.parameter}):", "values", unpack, lines,
                [grad[j] for j in slots], rows.on), slots


def _gradient(i: int, sofar: str, lines: list[str], rows: Rows) -> str:
    """The name of node i's gradient: the sum already written, the gradient handed on (add
    passes g on), or its one term, written now."""
    if sofar.isidentifier():
        return sofar
    name = f"g{i}"
    out_form = rows.forms.get(sofar) if rows.on else None
    if isinstance(out_form, tuple):
        out_form = out_form[0].format(*out_form[1])
    lines.append(f"    {name} = {rows.into(name, sofar, out_form)}")
    return name


def _added(j: int, sofar: str, term: str, sums: dict[int, int], lines: list[str],
           rows: Rows) -> str:
    """Writes ``sofar + term`` (node j's gradient so far plus one more term) to a new name.

    In buffered code a sum after the first adds in place into the previous sum's row: a
    partial sum is read by nothing but the next one, and a fan-in of n terms then writes one
    row instead of n - 1 (each fresh row is memory the processor must fetch)."""
    sums[j] = sums.get(j, 0) + 1
    name = f"g{j}_{sums[j]}"
    if sums[j] > 1 and sofar in rows.held:  # sofar is g{j}_{n - 1}, our own row
        rows.held.add(name)
        lines.append(f"    {name} = add({sofar}, {term}, out={sofar})")
        return name
    out_form = f"add({sofar}, {term}, out={ROW})" if rows.on else None
    lines.append(f"    {name} = {rows.into(name, f'{sofar} + {term}', out_form)}")
    return name


def _inline_vjp(i: int, step: Step, spec: OpSpec, bind: _Binder, g: str,
                used: set[int], rows: Rows) -> list[str]:
    """The vjp templates filled in for node i, one expression per input."""
    fields = _fields(step, spec, bind) if spec.attrs else None
    if fields is not None:
        fields["g"], fields["out"] = g, f"v{i}"
    args = step.args
    numbers = (g, i, *args)
    parts = []
    for template, ports, reads_out, plain, into in _vjp_reads(spec.vjp_template, spec.inputs):
        for k in ports:
            used.add(args[k])
        if reads_out:
            used.add(i)
        part = template.format_map(fields) if fields else plain.format(*numbers)
        if part.isidentifier():
            parts.append(part)
            continue
        parts.append(f"({part})")
        if rows.on:
            rows.forms[parts[-1]] = (_expression(out_template(template), fields) if fields
                                     else (into, numbers))  # filled in if used alone
    return parts


def _filled(spec: OpSpec, step: Step, bind: _Binder, i: int, into: bool,
            ) -> tuple[str | None, str | None]:
    """Node i's forward template filled in, plain and (when ``into``) in its out= form (""
    when it has none); (None, None) when a placeholder cannot be filled."""
    if spec.attrs:
        fields = _fields(step, spec, bind)
        plain = _expression(spec.template, fields)
        return plain, into and plain and _expression(out_template(spec.template), fields)
    plain, out_form = _numbered(spec.template, spec.inputs)
    numbers = ("", i, *step.args)
    return plain.format(*numbers), into and out_form.format(*numbers)


@cache
def _numbered(template: str, inputs: tuple[str, ...]) -> tuple[str, str]:
    """``template`` and its out= form with g as {0}, out as v{1} and port k as v{k+2}, to be
    filled in by one str.format: the templates of ops without attributes."""
    fields = {"g": "{0}", "out": "v{1}", **{p: f"v{{{k + 2}}}" for k, p in enumerate(inputs)}}
    return template.format_map(fields), out_template(template).format_map(fields)


@cache  # keyed by tuples of strings: hashing a whole OpSpec per node costs more than the rest
def _vjp_reads(templates: tuple[str, ...], inputs: tuple[str, ...],
               ) -> tuple[tuple[str, tuple[int, ...], bool, str, str], ...]:
    """Per vjp template: the template, the inputs it reads (positions), whether it reads the
    output (so a backward pass unpacks only the values it uses), and its ``_numbered`` forms
    (meaningless for templates with attributes)."""
    reads = []
    for template in templates:
        names = placeholders(template)
        ports = tuple(k for k, port in enumerate(inputs) if port in names)
        numbered = _numbered(template, inputs) if names <= {*inputs, "g", "out"} else ("", "")
        reads.append((template, ports, "out" in names, *numbered))
    return tuple(reads)


def _opaque_vjp(i: int, step: Step, spec: OpSpec, bind: _Binder, g: str,
                lines: list[str]) -> list[str]:
    """A rule without usable templates runs its registry callable; a wrong number of results
    then raises, and the careful path reports it."""
    vjp = partial(spec.vjp, **step.attrs) if step.attrs else spec.vjp
    args = ", ".join([g, f"v{i}", *(f"v{j}" for j in step.args)])
    lines.append(f"    p{i} = {bind(partial(_counted, vjp, len(step.args)))}({args})")
    return [f"p{i}[{k}]" for k in range(len(step.args))]


def _counted(vjp: Callable[..., Any], count: int, *args: Any) -> tuple:
    """``vjp(*args)`` as a tuple of ``count`` gradients; raises ValueError for any other
    number, as unpacking would."""
    parts = tuple(vjp(*args))
    if len(parts) != count:
        raise ValueError(f"{len(parts)} gradients for {count} inputs")
    return parts


def _fields(step: Step, spec: OpSpec, bind: _Binder) -> dict[str, str]:
    """Template fields of one node: its ports as value names, its attributes as constants."""
    fields = {port: f"v{j}" for port, j in zip(spec.inputs, step.args)}
    if spec.attrs:
        for name, value in {**spec.default_attrs(), **step.attrs}.items():
            fields[name] = bind(value)
    return fields


def _expression(template: str, fields: dict[str, str]) -> str | None:
    try:
        return template.format_map(fields)
    except (KeyError, IndexError, ValueError):  # a placeholder this node cannot fill
        return None
