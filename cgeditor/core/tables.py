"""Tensor passes run from tables instead of compiled code: per node, the registry's templates as
small functions and the slots they read, walked by a loop.

Each template becomes a function once per process (``lambda x, _, row: tanh(x, out=row)``),
never per plan, so a plan's tables build in about a millisecond where compiling its text takes
tens (CPython's compiler costs ~10 µs a line). The loop costs ~0.3 µs a node, against ~8 µs of
numpy work for an op on 1,000 elements. They run what UNIFORM code runs (see ``compiled``):
every value one array shape, each result whose outermost operation is a ufunc written into a
row of one buffer, and fan-in gradients summed term by term in the careful loop's order, the
later terms in place. The expressions are those of the compiled code, so the numbers are too.
A plan with an op whose templates cannot be used has no tables (None).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

import numpy as np

from cgeditor.core.rows import ROW
from cgeditor.core.templates import (
    NAMESPACES,
    UNIFORM,
    Inline,
    PerSpec,
    out_template,
    placeholders,
)

if TYPE_CHECKING:
    from cgeditor.core.engine import Plan

_NAMESPACE = {"__builtins__": {}, **NAMESPACES[UNIFORM]}
# What a backward entry does with its term: sets its node's gradient, or adds it to the
# gradient so far into a fresh row, or in place into that row (a partial sum is read by
# nothing but the next one).
SET, ADD_NEW, ADD_IN = 0, 1, 2


@dataclass(frozen=True)
class Table:
    """One pass as entries for ``run_forward`` or ``run_backward``: ``rows`` rows of the buffer
    are written, and ``loose`` are the nodes whose results lie outside it."""

    entries: tuple[tuple, ...]
    rows: int
    loose: tuple[int, ...]


def tables(plan: Plan) -> tuple[Table, Table] | None:
    """The plan's forward and backward tables, built once per plan; None when some op's
    templates cannot be run so (the compiled code then runs them)."""
    made = plan.cache.get("tables", False)
    if made is False:
        inline = Inline(UNIFORM)
        usable = all(spec.is_leaf or inline(spec) for spec in plan.specs)
        made = plan.cache["tables"] = (_forward(plan), _backward(plan)) if usable else None
    return made


def _forward(plan: Plan) -> Table:
    entries, rows, loose = [], 0, []
    functions = _Functions()
    for i, (step, spec) in enumerate(zip(plan.steps, plan.specs)):
        if spec.is_leaf:  # given, not made: checked with the results all the same
            loose.append(i)
            continue
        (fn, into), _ = functions(spec)
        if into:
            row, rows = rows, rows + 1
        else:
            row = -1
            loose.append(i)
        entries.append((i, fn, *_slots(step, spec), row))
    return Table(tuple(entries), rows, tuple(loose))


def _backward(plan: Plan) -> Table:
    """Entries (act, j, fn, i, a, b, more, term row, sum row), node i's term for input j, for
    every node that reaches the output, from the output down (the careful loop's order)."""
    out, steps, specs = plan.output, plan.steps, plan.specs
    terms = [0] * len(steps)  # terms each node's gradient sums
    terms[out] = 1
    for i in plan.down:
        if terms[i] and not specs[i].is_leaf:
            for j in steps[i].args:
                terms[j] += 1
    entries, rows, seen = [], 0, [0] * len(steps)
    held = [False] * len(steps)  # whose gradient is a row of the buffer
    functions = _Functions()
    for i in plan.down:
        step, spec = steps[i], specs[i]
        if not terms[i] or spec.is_leaf:
            continue
        slots = _slots(step, spec)
        for j, (into, plain, passes) in zip(step.args, functions(spec)[1]):
            seen[j] += 1
            term_row = sum_row = -1
            if terms[j] > 1 or into is None:
                fn = plain
                held[j] = terms[j] > 1 or (passes and held[i])  # a sum's row, or i's own
            else:
                fn, term_row, rows, held[j] = into, rows, rows + 1, True
            act = SET if seen[j] == 1 else ADD_NEW if seen[j] == 2 else ADD_IN
            if act == ADD_NEW:
                sum_row, rows = rows, rows + 1
            entries.append((act, j, fn, i, *slots, term_row, sum_row))
    loose = [j for j in range(out + 1) if terms[j] and not held[j]]
    return Table(tuple(entries), rows, tuple(loose))


class _Functions(PerSpec):
    """Per spec, its template functions: forward (function, whether it writes a row) and per
    vjp template (the function writing a row or None, the plain one, and whether it hands g
    on unchanged). Memoised per spec for one build."""

    @staticmethod
    def _make(spec: Any) -> tuple:
        ports = spec.inputs if spec.attrs or len(spec.inputs) != 1 else (*spec.inputs, "_")
        params = (*ports, *(a.name for a in spec.attrs))
        into = _function(spec.template, params, True)
        forward = (into, True) if into else (_function(spec.template, params, False), False)
        vjps = tuple((_function(t, ("g", "out", *params), True),
                      _function(t, ("g", "out", *params), False), t.strip() == "{g}")
                     for t in spec.vjp_template)
        return forward, vjps


def _slots(step: Any, spec: Any) -> tuple[int, int, tuple | None]:
    """(a, b, more) for an entry: the two input slots a unary or binary op without attributes
    reads (a unary op reads its one input twice), else ``more`` = (slots, constants): the
    attribute values, bound as objects."""
    args = step.args
    if not spec.attrs and len(args) <= 2:
        return args[0], args[-1], None
    attrs = {**spec.default_attrs(), **step.attrs}
    return 0, 0, (args, tuple(attrs[a.name] for a in spec.attrs))


@cache
def _function(template: str, params: tuple[str, ...], into: bool) -> Callable | None:
    """``template`` as a function of ``params`` and a buffer row (ignored unless ``into``,
    which writes the result into the row: None when the template has no such form)."""
    text = out_template(template) if into else template
    if not text:
        return None
    used = placeholders(text)
    names = [f"_{p}" if p in used else f"_unused{k}" for k, p in enumerate(params)]
    body = text.format_map({p: f"_{p}" for p in params})
    source = f"lambda {', '.join(names)}, {ROW}: {body}"
    # registry text only: the templates are this package's code, never a file's
    return eval(compile(source, "<cgeditor template>", "eval"), _NAMESPACE)


def run_forward(table: Table, values: list, rows: Sequence[Any]) -> None:
    """Fill ``values`` (leaves set) by ``table``; ``rows``: the buffer's rows, then None."""
    for i, fn, a, b, more, row in table.entries:
        if more is None:
            values[i] = fn(values[a], values[b], rows[row])
        else:
            values[i] = fn(*[values[j] for j in more[0]], *more[1], rows[row])


def run_backward(table: Table, values: Sequence[Any], grads: list, rows: Sequence[Any]) -> None:
    """Fill ``grads`` (the output's seed set) by ``table``; ``rows`` as in ``run_forward``."""
    add = np.add
    for act, j, fn, i, a, b, more, term_row, sum_row in table.entries:
        if more is None:
            term = fn(grads[i], values[i], values[a], values[b], rows[term_row])
        else:
            term = fn(grads[i], values[i], *[values[k] for k in more[0]], *more[1],
                      rows[term_row])
        if act == SET:
            grads[j] = term
        elif act == ADD_NEW:
            grads[j] = add(grads[j], term, out=rows[sum_row])
        else:
            add(grads[j], term, out=grads[j])
