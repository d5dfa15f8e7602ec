"""A Plan compiled to straight-line Python: one function per pass, one local per node.

The code is spelled from the op registry's own templates (the ones the NumPy export uses):
``v12`` holds node 12's value and ``g12`` its gradient, attributes are bound constants
(``k0``, ``k1``, …) and leaf values arrive as arguments, so no name, value or other text from a
file ever enters the source. Two kinds of code exist per plan, each built on first use:

- ``FLOAT``: every leaf a float64 scalar and every rule spelled with functions that
  ``floatmath`` provides, run on Python floats with ``math`` (ten times cheaper per op than
  numpy scalars). Only a finite result is trusted; anything else is rerun carefully.
- ``NUMPY``: the same templates on numpy values, with the engine's shape chores (summing a
  broadcast gradient back to its input's shape) done by ``fit_like``.
- ``UNIFORM``: backward only, when every value is an array of one shape (no broadcasting
  anywhere): NUMPY without the shape chores, each gradient's shape checked once at the end.

Templates may also call the functions of ``rules``. An op whose templates name anything else
(or are missing) runs its registry callables instead, in NUMPY code only.

Every kind returns None wherever the careful path must decide (an exception, a non-finite
number): the careful path is the reference, and it alone writes issues.
"""

from __future__ import annotations

import ast
import math
import string
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache, partial
from operator import is_
from types import CodeType
from typing import TYPE_CHECKING, Any

import numpy as np

from cgeditor.core import floatmath, rules
from cgeditor.core.ops import F64, OpSpec
from cgeditor.core.values import all_finite, fit_like, quiet_ieee

if TYPE_CHECKING:
    from cgeditor.core.engine import Plan, Step

FLOAT, NUMPY, UNIFORM = "float", "numpy", "uniform"
# Templates may name the rule functions of core/rules.py (the same ones the registry's
# callables and the export use) besides np.
_RULES = {name: value for name, value in vars(rules).items()
          if callable(value) and getattr(value, "__module__", None) == rules.__name__}
_NAMESPACES: dict[str, dict[str, Any]] = {
    FLOAT: {"np": floatmath, **_RULES},
    NUMPY: {"np": np, "fit": fit_like, **_RULES},
}
_NAMESPACES[UNIFORM] = _NAMESPACES[NUMPY]


@dataclass(frozen=True)
class Pass:
    """One compiled pass: ``run`` and the slots its arguments or results belong to."""

    run: Callable[..., tuple]
    slots: tuple[int, ...]  # forward: leaf slots, in argument order; backward: returned grads
    source: str


def forward_values(plan: Plan, values: list) -> list | None:
    """Every node's value from the leaves already in ``values``; None when the careful path
    must run instead (a rule raised, or some value is not finite)."""
    leaves = [values[i] for i, _ in plan.leaves]
    if all(v.__class__ is F64 for v in leaves):
        code = compiled(plan, "forward", FLOAT)
        if code is not None:
            return _float_forward(plan, code, leaves)
    code = compiled(plan, "forward", NUMPY)
    with quiet_ieee():
        try:
            out = code.run(tuple(leaves))
        except Exception:  # a shape mismatch or a failing rule: reported by the careful path
            return None
        return list(out) if all_finite(out) else None


def _float_forward(plan: Plan, code: Pass, leaves: list) -> list | None:
    # np.errstate, not quiet_ieee: it is cheaper to enter, and here numpy only ever runs
    # inside a rule function of core/rules.py, whose warnings must not reach the user.
    with np.errstate(all="ignore"):
        try:
            out = code.run(tuple(map(float, leaves)))
            if not _finite_reals(out):
                return None
        except Exception:  # a domain error or overflow: the careful path decides
            return None
        done = _boxed(out)
    plan.cache[_LAST_FLOATS] = (tuple(done), out)  # for backward's reuse
    return done


def backward_grads(plan: Plan, values: Sequence[Any], seed: Any) -> list | None:
    """Gradients of the output (None for nodes that cannot reach it); None when the careful
    path must run instead."""
    floats = _floats(plan, values) if seed.__class__ is F64 else None
    if floats is not None:
        code = compiled(plan, "backward", FLOAT)
        if code is not None:
            with np.errstate(all="ignore"):  # as in _float_forward
                try:
                    out = code.run(floats, float(seed))
                    if not _finite_reals(out):
                        return None
                except Exception:
                    return None
                return _scatter(plan, code.slots, _boxed(out))
    with quiet_ieee():
        return _numpy_backward(plan, values, seed)


def _numpy_backward(plan: Plan, values: Sequence[Any], seed: Any) -> list | None:
    shape = _uniform_shape(values, seed)
    if shape is not None:
        code = compiled(plan, "backward", UNIFORM)
        try:
            out = code.run(tuple(values), seed)
        except Exception:
            return None
        if {(g.__class__, getattr(g, "shape", None)) for g in out} == {(np.ndarray, shape)}:
            return _scatter(plan, code.slots, list(out)) if all_finite(out) else None
        # a rule changed a gradient's shape after all: the shape chores decide
    code = compiled(plan, "backward", NUMPY)
    try:
        out = code.run(tuple(values), seed)
    except Exception:
        return None
    return _scatter(plan, code.slots, list(out)) if all_finite(out) else None


_LAST_FLOATS = "last float values"


def _boxed(out: tuple) -> list:
    """A float pass's numbers as np.float64 scalars, as the careful path gives them. In one
    batch: fromiter fills a float64 array at C speed (np.array must first discover the type
    of every element) and iterating the array boxes each element without a Python call."""
    return list(np.fromiter(out, F64, len(out)))


def _finite_reals(out: Sequence[Any]) -> bool:
    """Every number of a float pass is finite and real. One sum checks both: inf or nan
    anywhere makes it non-finite, a complex number (Python's (-1.0) ** 0.5) makes it
    complex — and math.isfinite would quietly take the real part of a numpy complex."""
    total = sum(out)
    return isinstance(total, float) and math.isfinite(total)


def _floats(plan: Plan, values: Sequence[Any]) -> Sequence[float] | None:
    """``values`` as Python floats when every one is a finite scalar, else None. The values the
    compiled forward pass just returned are recognised by identity and not converted again
    (converting costs as much as the backward code itself)."""
    last = plan.cache.get(_LAST_FLOATS)
    if last is not None and len(last[0]) == len(values) and all(map(is_, values, last[0])):
        return last[1]
    try:
        arr = np.array(values, dtype=np.float64)  # refuses None and arrays of size > 1
    except (TypeError, ValueError):
        return None
    # math's stand-ins for numpy are trusted on finite numbers only (sign(nan) is 0.0 there)
    if arr.shape != (len(values),) or not np.isfinite(arr).all():
        return None
    return arr.tolist()


def _uniform_shape(values: Sequence[Any], seed: Any) -> tuple[int, ...] | None:
    """The one shape of every value and the seed, when they are all arrays of one shape."""
    if seed.__class__ is not np.ndarray:
        return None
    shape = seed.shape
    if all(v.__class__ is np.ndarray and v.shape == shape for v in values):
        return shape
    return None


def _scatter(plan: Plan, slots: tuple[int, ...], grads: list) -> list:
    if len(slots) == len(plan.steps):  # every node reaches the output: already in order
        return grads
    full: list[Any] = [None] * len(plan.steps)
    for i, g in zip(slots, grads):
        full[i] = g
    return full


def compiled(plan: Plan, which: str, kind: str) -> Pass | None:
    """The plan's compiled ``which`` pass ("forward" or "backward") of ``kind``, built once
    per plan; None when the plan cannot be compiled to that kind (a rule FLOAT cannot spell,
    or code too big for CPython's compiler)."""
    key = (which, kind)
    if key not in plan.cache:
        build = _forward_source if which == "forward" else _backward_source
        plan.cache[key] = _build(plan, kind, build)
    return plan.cache[key]


def _build(plan: Plan, kind: str, build: Callable) -> Pass | None:
    namespace: dict[str, Any] = {"__builtins__": {}, **_NAMESPACES[kind]}
    made = build(plan, kind, _Binder(namespace, kind))
    if made is None:
        return None
    lines, slots = made
    source = "\n".join(lines)
    try:  # our own slot-named code: the only text in it comes from the registry's templates
        exec(_code(source, kind), namespace)
    except (SyntaxError, RecursionError, MemoryError, SystemError):  # too big for CPython
        return None
    return Pass(namespace["run"], tuple(slots), source)


# Code objects of recent sources. The source names slots and bound constants, never values,
# so one structure always spells the same source: undo, redo, re-opening a file or editing
# and restoring a wire reuse the code, and only generating the source (a quarter of the
# cost) is paid again. Each code object is run in its own plan's namespace.
_CODE: dict[tuple[str, str], CodeType] = {}
_CODE_KEPT = 16


def _code(source: str, kind: str) -> CodeType:
    key = (kind, source)
    code = _CODE.pop(key, None)
    if code is None:
        code = compile(source, f"<cgeditor plan, {kind}>", "exec")
    _CODE[key] = code  # most recent last
    while len(_CODE) > _CODE_KEPT:
        del _CODE[next(iter(_CODE))]
    return code


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


def _forward_source(plan: Plan, kind: str, bind: _Binder) -> tuple[list[str], list[int]] | None:
    leaves = [i for i, _ in plan.leaves]
    lines = ["def run(leaves):", f"    {_targets(leaves)} = leaves"]
    inline = _Inline(kind)
    for i, (step, spec) in enumerate(zip(plan.steps, plan.specs)):
        if spec.is_leaf:
            continue
        expr = _expression(spec.template, _fields(step, spec, bind)) if inline(spec) else None
        if expr is None:
            if kind == FLOAT:
                return None
            rule = partial(spec.forward, **step.attrs) if step.attrs else spec.forward
            expr = f"{bind(rule)}({', '.join(f'v{j}' for j in step.args)})"
        lines.append(f"    v{i} = {expr}")
    lines.append(f"    return {_targets(range(len(plan.steps)))}")
    return lines, leaves


def _backward_source(plan: Plan, kind: str, bind: _Binder) -> tuple[list[str], list[int]] | None:
    out = plan.output
    lines = ["def run(values, seed):", ""]
    # node -> the vjp terms reaching it so far. In reverse execution order a node's terms are
    # all in when the loop reaches it, so its gradient is written once, as one sum: a line per
    # node rather than per term (CPython's compiler costs ~10 µs a line).
    parts: dict[int, list[str]] = {out: ["seed"]}
    grad: dict[int, str] = {}  # node -> the name holding its finished gradient
    used: set[int] = set()  # values the vjps read, unpacked from ``values`` up front
    inline = _Inline(kind)
    for i in range(out, -1, -1):
        if i not in parts:
            continue
        grad[i] = _gradient(i, parts.pop(i), lines)
        step, spec = plan.steps[i], plan.specs[i]
        if spec.is_leaf:
            continue
        if inline(spec):
            terms = _inline_vjp(i, step, spec, bind, grad[i], used)
        elif kind == FLOAT:
            return None
        else:
            terms = _opaque_vjp(i, step, spec, bind, grad[i], lines)
            used.update((i, *step.args))
        for j, term in zip(step.args, terms):
            if kind == NUMPY:
                term = f"fit({term}, v{j})"
                used.add(j)
            parts.setdefault(j, []).append(term)
    lines[1] = f"    {_targets(v if v in used else '_' for v in range(len(plan.steps)))} = values"
    slots = sorted(grad)
    lines.append(f"    return {_targets(grad[j] for j in slots)}")
    return lines, slots


_TERMS_PER_LINE = 32  # a sum of thousands of terms in one expression overflows the compiler


def _gradient(i: int, terms: list[str], lines: list[str]) -> str:
    """The name of node i's gradient, the sum of ``terms`` in the order they came (the order
    the careful path adds them in). A lone name is passed on as it is (add hands g on)."""
    if len(terms) == 1 and terms[0].isidentifier():
        return terms[0]
    for k in range(0, len(terms), _TERMS_PER_LINE):
        head = [f"g{i}"] if k else []
        lines.append(f"    g{i} = {' + '.join(head + terms[k:k + _TERMS_PER_LINE])}")
    return f"g{i}"


def _inline_vjp(i: int, step: Step, spec: OpSpec, bind: _Binder, g: str,
                used: set[int]) -> list[str]:
    """The vjp templates filled in for node i, one expression per input."""
    fields = _fields(step, spec, bind)
    fields["g"], fields["out"] = g, f"v{i}"
    parts = []
    for template, ports, reads_out in _vjp_reads(spec.vjp_template, spec.inputs):
        used.update(step.args[k] for k in ports)
        if reads_out:
            used.add(i)
        part = template.format_map(fields)
        parts.append(part if part.isidentifier() else f"({part})")
    return parts


@cache  # keyed by tuples of strings: hashing a whole OpSpec per node costs more than the rest
def _vjp_reads(templates: tuple[str, ...], inputs: tuple[str, ...],
               ) -> tuple[tuple[str, tuple[int, ...], bool], ...]:
    """Per vjp template: the template, the inputs it reads (positions) and whether it reads
    the output, so a backward pass unpacks only the values it uses."""
    reads = []
    for template in templates:
        names = _placeholders(template)
        ports = tuple(k for k, port in enumerate(inputs) if port in names)
        reads.append((template, ports, "out" in names))
    return tuple(reads)


def _opaque_vjp(i: int, step: Step, spec: OpSpec, bind: _Binder, g: str,
                lines: list[str]) -> list[str]:
    """A rule without usable templates runs its registry callable; a wrong number of results
    then raises, and the careful path reports it."""
    vjp = partial(spec.vjp, **step.attrs) if step.attrs else spec.vjp
    names = [f"p{i}_{k}" for k in range(len(step.args))]
    args = ", ".join([g, f"v{i}", *(f"v{j}" for j in step.args)])
    lines.append(f"    {_targets(names)} = {bind(vjp)}({args})")
    return names


def _targets(names: Any) -> str:
    """``a, b, c,`` — a tuple display that is valid for one name and for many."""
    return "".join(f"{n}, " if isinstance(n, str) else f"v{n}, " for n in names).rstrip() or "()"


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


class _Inline:
    """Whether a spec's templates can be pasted into ``kind`` code: present, one vjp per input,
    every placeholder a port, an attribute, ``g`` or ``out``, and naming only functions that
    kind's namespace provides. Memoised per spec for one build."""

    def __init__(self, kind: str) -> None:
        self.kind, self.seen = kind, {}

    def __call__(self, spec: OpSpec) -> bool:
        known = self.seen.get(spec.name)
        if known is None or known[0] is not spec:
            known = self.seen[spec.name] = (spec, self._check(spec))
        return known[1]

    def _check(self, spec: OpSpec) -> bool:
        if not spec.template or len(spec.vjp_template) != len(spec.inputs):
            return False
        allowed = {*spec.inputs, *(a.name for a in spec.attrs), "g", "out"}
        return all(_placeholders(t) <= allowed and _resolves(t, self.kind)
                   for t in (spec.template, *spec.vjp_template))


@cache
def _placeholders(template: str) -> frozenset[str]:
    return frozenset(name for _, name, _, _ in string.Formatter().parse(template) if name)


@cache
def _resolves(template: str, kind: str) -> bool:
    namespace = _NAMESPACES[kind]
    try:
        tree = ast.parse(template.format_map(_Blank()), mode="eval")
    except (SyntaxError, ValueError):
        return False
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            if not hasattr(namespace.get(node.value.id), node.attr):
                return False
        elif isinstance(node, ast.Name) and node.id != "_" and node.id not in namespace:
            return False
    return True


class _Blank(dict):
    """Fills every template placeholder with the name ``_``, to parse a template alone."""

    def __missing__(self, key: str) -> str:
        return "_"
