"""The record every primitive op is declared with (OpSpec), and the registry that holds them.

The declarations themselves live beside this module, one file per palette family; the
package's ``__init__`` imports them in palette order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from cgeditor.core.shapes import broadcast_shape, same_shape

F64 = np.float64


@dataclass(frozen=True)
class AttrSpec:
    """One attribute of an op, such as the axis of a sum."""

    name: str
    kind: str  # "int", "float" or "int?" (an int or None)
    default: Any = None
    doc: str = ""


@dataclass(frozen=True)
class OpSpec:
    """Everything about one primitive op, in one place."""

    name: str
    inputs: tuple[str, ...]
    forward: Callable[..., Any]
    vjp: Callable[..., tuple]
    symbol: str
    category: str
    attrs: tuple[AttrSpec, ...] = ()
    infix: str | None = None
    template: str = ""
    doc: str = ""
    torch_template: str = ""  # PyTorch spelling for code export; "" means same as template
    # Export spelling of the vjp, one expression per input, in {g}, {out}, ports and attrs;
    # model/export.py supplies the helpers named here (unbroadcast, expand_back, …).
    vjp_template: tuple[str, ...] = ()
    # Where the op is undefined (inputs → true where a result is nan/inf by definition), and
    # that rule with its remedy in words, for non-finite messages (core/diagnose.py).
    domain: Callable[..., Any] | None = None
    domain_doc: str = ""
    # Where it is not differentiable (inputs → the ports at a kink), and the subgradient
    # cgeditor uses there in words, for gradient checks at such points.
    kink: Callable[..., tuple[str, ...]] | None = None
    kink_doc: str = ""
    # The op's shape rule in words ((input names, shapes) → message, None when they fit).
    shape_check: Callable[..., str | None] | None = None
    # Shape inference (core/shapes.py): (*input shapes, **attrs) -> (result shape, *shapes of
    # large intermediates); ShapeError when the inputs do not fit. None for leaves.
    shape: Callable[..., tuple] | None = None
    # A leaf a run may feed and training may change ("input"); other leaves ("const") only
    # hold the value they are given.
    feedable: bool = False
    # Forward mode: where the Jacobian-vector product (jvp) comes from (core/ops/jvp.py).
    # "forward": a linear op, its forward applied to the tangents; "bilinear": the forward
    # with one tangent substituted at a time; "vjp": a Jacobian symmetric per input (an
    # elementwise op's after broadcasting is diagonal; softmax's), so the vjp applied to the
    # tangent; "gradient": a scalar-valued op, each input's vjp of 1 dotted with its tangent.
    # "" takes ``jvp`` when given, else "vjp" for elementwise ops.
    jvp_from: str = ""
    # An explicit rule, for the few that need one: (tangents, out, *xs, **attrs) -> the
    # output's tangent; a tangent is None where it is zero, and at least one is not None.
    jvp: Callable[..., Any] | None = None

    @property
    def is_leaf(self) -> bool:
        """The op holds a value instead of computing one (it has no input ports)."""
        return not self.inputs

    @property
    def elementwise(self) -> bool:
        """Each element of the result is the rule applied to the inputs' elements at its
        place (after broadcasting): the ops shaped by broadcasting or as their one input."""
        return self.shape is broadcast_shape or self.shape is same_shape

    @property
    def is_input(self) -> bool:
        """A leaf you set, feed per run or train: the graph's inputs (not its consts)."""
        return self.feedable and not self.inputs

    def attr(self, name: str) -> AttrSpec | None:
        for spec in self.attrs:
            if spec.name == name:
                return spec
        return None

    def default_attrs(self) -> dict[str, Any]:
        return {spec.name: spec.default for spec in self.attrs}


REGISTRY: dict[str, OpSpec] = {}


JVP_SOURCES = ("forward", "bilinear", "vjp", "gradient")


def register(spec: OpSpec) -> OpSpec:
    """Add ``spec`` to the registry; ValueError when its name is taken or, for an op that
    computes, when it has no way to a jvp (see ``OpSpec.jvp_from``)."""
    if spec.name in REGISTRY:
        raise ValueError(f"op {spec.name!r} is declared twice")
    if spec.jvp_from and spec.jvp_from not in JVP_SOURCES:
        raise ValueError(f"op {spec.name!r}: jvp_from must be one of {JVP_SOURCES}")
    if not spec.is_leaf and not (spec.jvp_from or spec.jvp or spec.elementwise):
        raise ValueError(f"op {spec.name!r} needs a jvp: give jvp_from or a jvp rule")
    REGISTRY[spec.name] = spec
    return spec


def get_op(name: str) -> OpSpec:
    """The spec for ``name``; KeyError naming the op if there is none."""
    try:
        return REGISTRY[name]
    except KeyError:
        raise KeyError(f"unknown op {name!r}") from None
