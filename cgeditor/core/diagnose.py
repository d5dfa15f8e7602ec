"""What went wrong at one op, in the user's words, and how to fix it.

The engine calls these when an op raises (a shape that does not fit) or returns a non-finite
number; the op's own rules for its domain and its kinks live on its OpSpec (``domain``,
``domain_doc``, ``kink``, ``kink_doc``), and the shape rule of a contraction in its
``shape_check``. Nothing here knows a Graph: inputs come by node name.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from cgeditor.core.ops import OpSpec

LARGEST = "1.8e308"  # the largest float64, as users read it


def shape_text(shape: Sequence[int]) -> str:
    """A shape as numpy and torch users read it, the one notation every text shows (canvas,
    inspector, tables, command line, messages): '(4, 2)', '(3,)'; 'scalar' for ()."""
    return str(tuple(int(n) for n in shape)) if len(shape) else "scalar"


def has_shape(name: str, shape: Sequence[int]) -> str:
    """'W has shape (2, 3)', or 'W is a scalar'."""
    return f"{name} has shape {shape_text(shape)}" if len(shape) else f"{name} is a scalar"


def number(x: Any) -> str:
    """A number as users read it, in the exponent style every number is shown in: '0',
    '-1', '1e308', '1e-9', 'inf', 'nan'; −0.0 as '0', as every formatter writes it."""
    text = f"{float(x) + 0.0:.6g}"  # + 0.0 turns −0.0 into 0.0
    mantissa, e, exponent = text.partition("e")
    return f"{mantissa}e{int(exponent)}" if e else text


# --- an op that raised -----------------------------------------------------------------------
def failure_message(spec: OpSpec, names: Sequence[str], inputs: Sequence[Any],
                    exc: Exception) -> str:
    """Why ``spec`` failed on these inputs (named by their nodes), and the fix."""
    shapes = [tuple(np.shape(x)) for x in inputs]
    if spec.shape_check is not None:
        text = spec.shape_check(names, shapes)
        if text:
            return text
    if isinstance(exc, np.exceptions.AxisError):
        dims = len(shapes[0]) if shapes else 0
        return (f"{spec.name}: {exc}; {names[0]} has {dims} dimension"
                f"{'s' if dims != 1 else ''}, so choose an axis from {-dims} to {dims - 1} "
                "(or leave it empty)")
    if len(shapes) > 1 and not _broadcasts(shapes):
        return broadcast_message(spec.name, names, shapes)
    listed = " and ".join(shape_text(s) for s in shapes)
    return f"{spec.name} failed on shapes {listed}: {exc}"


def _broadcasts(shapes: Sequence[tuple[int, ...]]) -> bool:
    try:
        np.broadcast_shapes(*shapes)
    except ValueError:
        return False
    return True


def broadcast_message(op: str, names: Sequence[str], shapes: Sequence[tuple[int, ...]]) -> str:
    """'add needs shapes that broadcast: u has shape (2,) and v has shape (3,) …' naming
    the sizes that clash."""
    parts = " and ".join(has_shape(n, s) for n, s in zip(names, shapes))
    clash = ""
    for k in range(1, max(len(s) for s in shapes) + 1):  # from the last axis, as numpy pairs
        sizes = {s[-k] for s in shapes if len(s) >= k} - {1}
        if len(sizes) > 1:
            clash = f" (sizes {' and '.join(map(str, sorted(sizes)))} differ in the same place)"
            break
    return (f"{op} needs shapes that broadcast: {parts}{clash}; elementwise ops pair the "
            "sizes from the right and each pair must be equal or 1: reshape or transpose "
            "one of them")


def matmul_shape_check(names: Sequence[str], shapes: Sequence[tuple[int, ...]]) -> str | None:
    """The matmul rule in words: A's columns must equal B's rows (a vector's length counts
    as either); batch dimensions broadcast. None when the shapes fit."""
    (a, b), (sa, sb) = names, shapes
    for name, s in ((a, sa), (b, sb)):
        if not s:
            return (f"matmul needs vectors or matrices, but {name} is a scalar: use * to "
                    "multiply by a number")
    ka, kb = sa[-1], sb[-2] if len(sb) > 1 else sb[0]
    if ka != kb:
        what_a = f"{a}'s length ({ka})" if len(sa) == 1 else f"{a}'s columns ({ka})"
        what_b = f"{b}'s length ({kb})" if len(sb) == 1 else f"{b}'s rows ({kb})"
        return (f"matmul needs {what_a} to equal {what_b}: {has_shape(a, sa)} and "
                f"{has_shape(b, sb)}; {_matmul_fix(a, b, sa, sb)}")
    batch_a, batch_b = sa[:-2], sb[:-2]
    if not _broadcasts([batch_a, batch_b]):
        return (f"matmul's batch dimensions do not broadcast: {a} stacks matrices in shape "
                f"{shape_text(batch_a)} and {b} in shape {shape_text(batch_b)}; make them "
                "equal, or 1 on one side")
    return None


def matrix_transpose_shape_check(names: Sequence[str], shapes: Sequence[tuple[int, ...]]
                                 ) -> str | None:
    """The matrix_transpose rule in words: two axes or more. None when the shape fits."""
    if len(shapes[0]) < 2:
        return (f"matrix_transpose swaps the last two axes, but {has_shape(names[0], shapes[0])}"
                ": give it a matrix or a stack of them (transpose leaves a vector as it is)")
    return None


def _matmul_fix(a: str, b: str, sa: tuple[int, ...], sb: tuple[int, ...]) -> str:
    if len(sb) > 1 and sb[-1] == sa[-1]:
        return f"transpose {b} or reshape it"
    if len(sa) > 1 and sa[-2] == (sb[-2] if len(sb) > 1 else sb[0]):
        return f"transpose {a} or reshape it"
    return f"reshape {a} or {b} so that these sizes match"


# --- a non-finite value ----------------------------------------------------------------------
def nonfinite_message(spec: OpSpec, ports: Sequence[str], inputs: Sequence[Any], out: Any,
                      attrs: dict[str, Any]) -> str:
    """'log at x = 0 gives -inf: log needs x > 0; …' — for a tensor, the first non-finite
    element's index and the input elements it came from, then what happened and the fix."""
    arr = np.asarray(out, dtype=np.float64)
    if arr.ndim == 0:
        head = f"{spec.name} at {_inputs_text(ports, inputs)} gives {number(arr)}"
        elems = [x if np.ndim(x) == 0 else None for x in inputs]  # a reduction: no element
    else:
        index = tuple(int(k) for k in np.argwhere(~np.isfinite(arr))[0])
        bad = int(arr.size - np.isfinite(arr).sum())
        elems = [_element(x, arr.shape, index) for x in inputs]
        at = _inputs_text(ports, [e if e is not None else x for e, x in zip(elems, inputs)])
        head = (f"{spec.name} gives {number(arr[index])} at index {list(index)} "
                f"({bad} of {arr.size} elements non-finite), where {at}")
    return f"{head}: {_why(spec, ports, inputs, elems, arr, attrs)}"


def _element(x: Any, shape: tuple[int, ...], index: tuple[int, ...]) -> Any:
    """The element of input ``x`` that produced output element ``index`` (elementwise ops
    broadcast it), or None when the op is not elementwise in this input."""
    try:
        return np.broadcast_to(np.asarray(x), shape)[index]
    except ValueError:
        return None


def _inputs_text(ports: Sequence[str], inputs: Sequence[Any]) -> str:
    return ", ".join(f"{port} = {_short(x)}" for port, x in zip(ports, inputs))


def _short(x: Any) -> str:
    if np.ndim(x) == 0:
        return number(x)
    return f"a tensor of shape {shape_text(np.shape(x))}"


GRAD_REMEDY = ("its derivative there is infinite or undefined, or the product overflowed: keep "
               "the inputs away from this point (add a small ε) or scale them down")


def rule_inputs_text(ports: Sequence[str], inputs: Sequence[Any], grad: Any) -> str:
    """The inputs of the rule that made a non-finite gradient, and the remedy: for a tensor
    gradient, each input's element at its first non-finite index where the shapes agree."""
    if np.ndim(grad) == 0:
        return f"at {_inputs_text(ports, inputs)}: {GRAD_REMEDY}"
    arr = np.asarray(grad)
    index = tuple(int(k) for k in np.argwhere(~np.isfinite(arr))[0])
    elems = [x[index] if np.shape(x) == arr.shape else x for x in inputs]
    return f"where {_inputs_text(ports, elems)}: {GRAD_REMEDY}"


def _why(spec: OpSpec, ports: Sequence[str], inputs: Sequence[Any], elems: Sequence[Any],
         out: np.ndarray, attrs: dict[str, Any]) -> str:
    """What happened, in plain words, and a remedy. ``elems`` are the input elements behind
    the first bad output element (None where the op is not elementwise in that input)."""
    already = [p for p, e, x in zip(ports, elems, inputs)
               if not np.all(np.isfinite(x if e is None else e))]
    if already:
        inputs = f"input {already[0]} is" if len(already) == 1 else \
            f"inputs {', '.join(already)} are"
        return f"its {inputs} already non-finite (see the origin)"
    known = all(e is not None for e in elems)
    if known and spec.domain is not None and np.any(spec.domain(*elems, **attrs)):
        return spec.domain_doc
    value = out if out.ndim == 0 else out[~np.isfinite(out)][0]
    if np.isinf(value):
        expr = _expression(spec, elems) if known else f"{spec.name} of these inputs"
        return (f"overflow: {expr} is larger than the largest float ({LARGEST}); scale the "
                "inputs down (normalise them) or clamp them")
    return ("nan: an intermediate result overflowed (inf − inf or 0 × inf); scale the inputs "
            "down (normalise them)")


def _expression(spec: OpSpec, elems: Sequence[Any]) -> str:
    if len(elems) == 2 and spec.infix:
        symbol = spec.symbol if len(spec.symbol) == 1 else spec.infix  # "×", not "aᵇ"
        return f"{number(elems[0])} {symbol} {number(elems[1])}"
    return f"{spec.name}({', '.join(number(e) for e in elems)})"


# --- kinks -------------------------------------------------------------------------------------
def kinked_ports(spec: OpSpec, inputs: Sequence[Any], attrs: dict[str, Any]) -> tuple[str, ...]:
    """The input ports of ``spec`` at a point where it is not differentiable, if any."""
    if spec.kink is None or any(x is None for x in inputs):
        return ()
    return tuple(spec.kink(*inputs, **attrs))
