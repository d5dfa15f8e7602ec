"""One Python function per registry op (``cgeditor.ops.tanh``, ``cgeditor.ops.sum``, …),
made from each op's record: its ports are the positional inputs, its attributes keywords."""

from __future__ import annotations

import inspect
import textwrap
from collections.abc import Callable
from typing import Any

from cgeditor.core.ops import REGISTRY, OpSpec
from cgeditor.model.trace import apply

_MODULE = "cgeditor.ops"


def op_functions() -> dict[str, Callable[..., Any]]:
    """A function for every op that computes (not the input and const leaves), by op name."""
    return {spec.name: op_function(spec) for spec in REGISTRY.values() if not spec.is_leaf}


def op_function(spec: OpSpec) -> Callable[..., Any]:
    """``spec`` as a function: on traced values it records a node, on numbers it computes."""
    if spec.attr("name") is not None:
        raise ValueError(f"op {spec.name!r} has an attribute called 'name', which the traced "
                         "function keeps for the node's name")

    def op(*args: Any, name: str | None = None, **attrs: Any) -> Any:
        return apply(spec, args, attrs, name)

    op.__name__ = op.__qualname__ = spec.name
    op.__module__ = _MODULE
    op.__doc__ = _docstring(spec)
    op.__signature__ = _signature(spec)  # type: ignore[attr-defined]
    return op


def _signature(spec: OpSpec) -> inspect.Signature:
    params = [inspect.Parameter(port, inspect.Parameter.POSITIONAL_ONLY) for port in spec.inputs]
    params += [inspect.Parameter(a.name, inspect.Parameter.KEYWORD_ONLY, default=a.default)
               for a in spec.attrs]
    params.append(inspect.Parameter("name", inspect.Parameter.KEYWORD_ONLY, default=None))
    return inspect.Signature(params)


def _docstring(spec: OpSpec) -> str:
    ports = ", ".join(spec.inputs)
    each = ("Inputs {}: traced values, numbers, nested lists or float64 arrays"
            + (", broadcast as numpy does." if spec.elementwise else ".")
            if len(spec.inputs) > 1 else
            "Input {}: a traced value, number, nested list or float64 array.")
    lines = [spec.doc, "", each.format(ports)]
    lines += [f"{a.name}: {a.doc} (default {a.default})." for a in spec.attrs]
    lines += ["name: the node's name when tracing (default: generated, "
              f"{spec.name}1, {spec.name}2, …).", "",
              f"Inside cgeditor.trace, any traced input makes this add one {spec.name} node "
              "and return its traced value; on plain numbers it returns the number at once.",
              f"Raises TypeError unless given {len(spec.inputs)} input"
              f"{'' if len(spec.inputs) == 1 else 's'}, AttrError for an unknown or ill-typed "
              "attribute, TraceError for a value of a finished trace."]
    rule = inspect.getdoc(spec.shape) if spec.shape is not None else None
    if rule:  # inputs that do not fit are refused by the run, at this node, not by tracing
        lines.append(f"Result shape: {rule.splitlines()[0]} Inputs that do not fit are "
                     "reported by the run at this node.")
    if spec.domain_doc:
        lines.append(f"Undefined where {spec.domain_doc.split(';')[0]}: the run reports nan "
                     "or inf at this node.")
    return "\n".join(textwrap.fill(line, 80) for line in lines)
