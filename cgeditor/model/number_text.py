"""How the canvas, the docks and the status line write numbers: compact scalars with the true
minus sign and one exponent style ('1.2e7', '−9e−5'), a tensor as shape and range, the cells
of a small tensor's grid or a table in one notation for the whole grid, a large one's
heatmap, and the labels of gradient and local-derivative rows ('∂J/∂w = −4').

A zero is written '0' whatever its sign bit, here and in every other formatter (tables, the
command line, edit fields, messages): −0.0 == 0, and a learner reading '∂J/∂x = −0' after a
relu would look for a negative gradient that is not there. Files and exported code keep the
exact bits (a JSON -0.0, a Python literal), so nothing is lost by what is shown."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from cgeditor.core.diagnose import shape_text
from cgeditor.core.ops import F64, REGISTRY

if TYPE_CHECKING:
    from collections.abc import Iterator

    from cgeditor.model.run import RunResult

MINUS = "\u2212"  # the true minus sign, used for every number this module formats
NOT_COMPUTED = "n/a"  # a gradient backward did not compute: never shown as a zero
GRID = 8  # thumbnails show at most GRID × GRID cells
GRID_MAX = 16  # tensors of at most this many elements show every number on the node
CELL_CHARS = 6  # one number of such a grid fits in this many characters
GRID_COLS = 5  # the most columns a grid shows (cells of 5 characters: "−3e−5" fits)
ROW_CHARS = 32  # what a grid row may take, a one-character gap after each cell included


# A hyphen that is a number's sign ("-1", "[-0.5", "-inf") or its exponent's ("1e-9"), not
# one inside a word (float64-safe) or between spaces (a - b, a subtraction written out).
_SIGN = re.compile(r"(?<![\w.)\]])-(?=\.?\d|inf\b)|(?<=\de)-(?=\d)")


def _minus(text: str) -> str:
    return text.replace("-", MINUS)


def true_minus(text: str) -> str:
    """``text`` (an engine message: 'log at x = -1 gives nan') with the true minus in every
    number, as format_scalar writes them: 'log at x = −1 gives nan', '1e−9'."""
    return _SIGN.sub(MINUS, text)


def format_scalar(x: Any, digits: int = 4) -> str:
    """``digits`` significant digits with the true minus, scientific notation when needed:
    '2', '−4', '1.235e7', '−9e−5', 'nan' (4 digits, the canvas's)."""
    x = float(x)  # formatting a Python float is several times faster than a numpy scalar
    if x == 0:
        return "0"  # also −0: see the module docstring
    text = f"{x:.{digits}g}"
    if "e" in text:
        text = short_exponent(text)
    return text.replace("-", MINUS) if "-" in text else text


def short_exponent(text: str) -> str:
    """'1.5e+07' → '1.5e7', '-9e-05' → '-9e-5': the one exponent style every number shown
    uses (no plus sign, no leading zeros)."""
    mantissa, _, exponent = text.partition("e")
    return f"{mantissa}e{int(exponent)}"


def format_sci(x: Any, digits: int = 3) -> str:
    """Scientific notation with ``digits`` significant digits, trailing zeros dropped, the
    true minus and the short exponent: '1.23e−8', '−2e−4', '5e0'; '0', 'nan', '−inf'."""
    x = float(x)
    if x == 0 or not math.isfinite(x):
        return format_scalar(x)
    mantissa, _, exponent = f"{x:.{digits - 1}e}".partition("e")
    if "." in mantissa:
        mantissa = mantissa.rstrip("0").rstrip(".")
    return _minus(f"{mantissa}e{int(exponent)}")


def _positional(x: float, digits: int) -> str | None:
    """``x`` to ``digits`` significant digits without an exponent, or None when %g would
    need one (below 1e−4 or from 10**digits up)."""
    if x == 0 or not math.isfinite(x):
        return format_scalar(x)
    text = f"{x:.{digits}g}"
    return None if "e" in text else _minus(text)


def needs_scientific(value: Any, digits: int) -> bool:
    """Whether some finite non-zero number of ``value`` has no positional form at ``digits``
    significant digits: then its whole grid or table is written in scientific notation.
    Only the smallest and largest magnitudes are formatted (tables can be large)."""
    arr = np.abs(np.asarray(value, dtype=np.float64))
    arr = arr[np.isfinite(arr) & (arr != 0)]
    if arr.size == 0:
        return False
    return any(_positional(float(x), digits) is None for x in (arr.min(), arr.max()))


def format_as(x: Any, digits: int, scientific: bool) -> str:
    """One number of a grid or table whose notation was chosen for the whole of it."""
    x = float(x)
    return format_sci(x, digits) if scientific else _positional(x, digits) or format_sci(x, digits)


def format_cells(values: Any, chars: int = CELL_CHARS) -> tuple[str, ...]:
    """Every number of ``values`` in one notation and one precision, each in at most
    ``chars`` characters when any such format fits: positional with 3 then 2 significant
    digits, one count of decimals for all, positional with 1 significant digit, else
    scientific with 3, 2 then 1 ('−9e−5' beside '−2e−4', never beside '−0.0002')."""
    flat = [float(x) for x in np.asarray(values, dtype=np.float64).ravel().tolist()]
    texts: tuple[str, ...] = ()
    for candidate in _cell_forms(flat, chars):
        if candidate is not None:
            texts = candidate
            if all(len(t) <= chars for t in texts):
                return texts
    return texts  # none fits: the last, scientific with 1 digit


def _cell_forms(flat: list[float], chars: int) -> Iterator[tuple[str, ...] | None]:
    """format_cells's forms of ``flat`` in the order tried; None for one that does not
    apply (positional where some number needs an exponent; no count of decimals fits)."""
    for digits in (3, 2):
        yield _positional_cells(flat, digits)
    yield _fixed_decimals(flat, chars)  # between two significant digits each and one
    yield _positional_cells(flat, 1)
    for digits in (3, 2, 1):
        yield tuple(format_as(x, digits, True) for x in flat)


def _positional_cells(flat: list[float], digits: int) -> tuple[str, ...] | None:
    if needs_scientific(flat, digits):
        return None
    return tuple(format_as(x, digits, False) for x in flat)


def _fixed_decimals(flat: list[float], chars: int) -> tuple[str, ...] | None:
    """Every number with the most decimals that fit ``chars`` (one count for the grid, as
    numpy prints an array), or None when that would show a non-zero number as 0 or leave
    the largest with fewer than two significant digits. Better than one significant digit
    each when magnitudes differ: 0.03704 beside −0.008935 reads '0.037', not '0.04'."""
    sizes = [abs(x) for x in flat if x != 0 and math.isfinite(x)]
    if not sizes:
        return None
    for decimals in range(4, 0, -1):
        texts = tuple(_minus(f"{x:.{decimals}f}") if x != 0 and math.isfinite(x)
                      else format_scalar(x) for x in flat)
        if all(len(t) <= chars for t in texts):
            break
    else:
        return None
    if min(sizes) < 0.5 * 10.0 ** -decimals or max(sizes) < 10.0 ** (1 - decimals):
        return None
    return texts


def cell_text(value: Any, digits: int = 6) -> str:
    """A value or gradient for a table: ``digits`` significant digits; a tensor as shape +
    array on one line, every element in the notation the whole array needs; None (not
    computed) as 'n/a': '−4', '(2,) [−9e−5, 2e−4]'."""
    if value is None:
        return NOT_COMPUTED
    if np.ndim(value) == 0:
        return format_scalar(value, digits)
    arr = np.asarray(value)
    scientific = needs_scientific(arr, digits)
    text = np.array2string(arr, separator=", ", threshold=12, edgeitems=2,
                           max_line_width=10_000,
                           formatter={"float_kind": lambda v: format_as(v, digits, scientific)})
    return f"{shape_text(arr.shape)} {' '.join(text.split())}"  # one line, whatever numpy wraps


def format_full(value: Any) -> str:
    """Full precision (shortest round-trip repr), for tooltips and edit fields; tensors in
    full as nested lists; the short exponent ('1.2345e−7') as everywhere else; −0 as 0."""
    if value is None:
        return ""
    if np.ndim(value) == 0:
        x = float(value)
        text = "0" if x == 0 else (str(int(x)) if x.is_integer() and abs(x) < 1e16 else repr(x))
    else:
        with np.printoptions(precision=17, threshold=200, floatmode="unique"):
            # Adding +0.0 turns each −0.0 into 0.0 (IEEE), which numpy would print '-0.'.
            text = np.array2string(np.asarray(value, dtype=np.float64) + 0.0, separator=", ")
    return _minus(_EXPONENT.sub(r"e\1\2", text) if "e" in text else text)


_EXPONENT = re.compile(r"e\+?(-?)0*(\d)")  # 'e+07' -> 'e7', 'e-05' -> 'e-5'


def value_shape(value: Any) -> str:
    """``value``'s shape in the one notation of every text (core's shape_text): '(2, 3)',
    '(3,)', 'scalar'."""
    return shape_text(np.shape(value))


@dataclass(frozen=True)
class Heatmap:
    """A small normalised grid a painter can draw: cells in [0, 1] (row-major), plus a mask of
    cells holding a non-finite number (painted in the error colour)."""

    shape_text: str
    min_text: str
    max_text: str
    rows: int
    cols: int
    cells: tuple[float, ...]
    nonfinite: tuple[bool, ...]


def heatmap(value: Any, grid: int = GRID) -> Heatmap:
    """Thumbnail of a tensor: at most grid×grid cells sampled evenly; 1-d tensors are one row."""
    arr = np.asarray(value, dtype=np.float64)
    flat2d = arr.reshape(1, -1) if arr.ndim == 1 else arr.reshape(-1, arr.shape[-1])
    rows = np.linspace(0, flat2d.shape[0] - 1, min(grid, flat2d.shape[0])).round().astype(int)
    cols = np.linspace(0, flat2d.shape[1] - 1, min(grid, flat2d.shape[1])).round().astype(int)
    sample = flat2d[np.ix_(rows, cols)]
    finite = np.isfinite(arr)
    if finite.any():
        lo, hi = float(arr[finite].min()), float(arr[finite].max())
    else:
        lo = hi = math.nan
    span = hi - lo
    with np.errstate(all="ignore"):
        norm = (sample - lo) / span if span > 0 else np.full(sample.shape, 0.5)
    bad = ~np.isfinite(sample)
    norm = np.where(bad, 0.0, np.clip(norm, 0.0, 1.0))
    return Heatmap(value_shape(arr), format_scalar(lo), format_scalar(hi),
                   len(rows), len(cols), tuple(norm.ravel().tolist()),
                   tuple(bad.ravel().tolist()))


def value_text(value: Any) -> str:
    """One short line for a node: '−4', or '(2, 3) [−1, 5]' for a tensor ('(4,) all 0' when its
    numbers are all one)."""
    if value is None:
        return ""
    if value.__class__ is F64 or np.ndim(value) == 0:
        return format_scalar(value)
    arr = np.asarray(value)
    if arr.size == 0:
        return f"{value_shape(arr)} (empty)"
    finite = arr[np.isfinite(arr)]
    if finite.size == 0:
        return f"{value_shape(arr)} non-finite"
    lo, hi = finite.min(), finite.max()
    # Every number alike reads as one ('(4,) all −0.25'), not as a pair of numbers.
    if lo == hi and finite.size == arr.size:
        spread = format_scalar(lo) if arr.size == 1 else f"all {format_scalar(lo)}"
    else:
        spread = f"[{format_scalar(lo)}, {format_scalar(hi)}]"
    return f"{value_shape(arr)} {spread}" + ("" if finite.size == arr.size else " nan/inf")


def shape_head(text: str) -> str:
    """The shape a tensor's value_text opens with ('(2, 3)' of '(2, 3) [−1, 5]'), for a
    row that leaves the numbers to a grid; any other text ('−4', 'n/a') whole."""
    return text[: text.find(")") + 1] if text.startswith("(") else text


def grad_label(output_name: str, name: str) -> str:
    """'∂J/∂w' for the gradient of an output named J with respect to node w."""
    return f"∂{output_name}/∂{name}"


def grad_text(grad: Any, output_name: str, name: str) -> str:
    """'∂J/∂w = −4': the gradient line, labelled with the output's and the node's names."""
    if grad is None:
        return ""
    return f"{grad_label(output_name, name)} = {value_text(grad)}"


def run_summary(result: RunResult, width: int = 100) -> str:
    """The status line of a run: 'J = 2 · ∂J/∂w = −4, ∂J/∂x = 4, …', the output's value then
    the gradient with respect to each input in execution order, cut at about ``width``
    characters with an ellipsis; '' when the output has no value."""
    out = result.output
    value = result.values.get(out) if out else None
    if value is None:
        return ""
    head = f"{out} = {value_text(value)}"
    parts = [grad_text(result.grads.get(name), out, name)
             for i, name in enumerate(result.order)
             if REGISTRY[result.op_of(i)].is_input and result.grads.get(name) is not None]
    if not parts:
        return head
    shown: list[str] = []
    for part in parts:
        if shown and len(head) + 3 + len(", ".join([*shown, part])) > width:
            return f"{head} · {', '.join(shown)}, …"
        shown.append(part)
    return f"{head} · {', '.join(shown)}"


def grid_shape(shape: tuple[int, ...]) -> tuple[int, int] | None:
    """(rows, columns) of the number grid a tensor of ``shape`` shows on its node: the last
    axis across, the others stacked; None for scalars, empty, larger and wider tensors."""
    size = int(np.prod(shape)) if shape else 0
    if not shape or size == 0 or size > GRID_MAX:
        return None
    cols = shape[-1]
    return (size // cols, cols) if cols <= GRID_COLS else None


def cell_chars(cols: int) -> int:
    """How many characters one number of a grid of ``cols`` columns may take: CELL_CHARS
    up to four columns, fewer past that, so that a row fits the widest node."""
    return min(CELL_CHARS, ROW_CHARS // cols - 1)


def needs_heatmap(value: Any) -> bool:
    """A tensor too big or too wide for a grid of every number: it shows a heatmap."""
    return np.size(value) > 0 and grid_shape(np.shape(value)) is None


@dataclass(frozen=True)
class NumberGrid:
    """Every number of a small tensor, formatted to fit a cell, row-major."""

    rows: int
    cols: int
    cells: tuple[str, ...]


def number_grid(value: Any) -> NumberGrid | None:
    """The grid a small tensor shows on its node (None when it shows a heatmap instead)."""
    if value is None:
        return None
    dims = grid_shape(np.shape(value))
    if dims is None:
        return None
    return NumberGrid(dims[0], dims[1], format_cells(value, cell_chars(dims[1])))


def local_text(local: Any, target: str, source: str, port: str | None = None) -> str:
    """'∂c/∂w = −2' (with '[port]' when one source feeds several ports of the target)."""
    if local is None:
        return ""
    suffix = f"[{port}]" if port else ""
    return f"∂{target}/∂{source}{suffix} = {value_text(local)}"


def status_text(result: RunResult, numbers: bool = True) -> str:
    """One line for the status bar: the root cause of a failed run (where to fix it), else
    why no gradient was computed, else where the first non-finite number appeared, else
    (unless not ``numbers``) the output's value and the inputs' gradients
    ('J = 2 · ∂J/∂w = −4, …')."""
    cause = result.root_cause()
    if cause is not None:
        name, issue = cause
        text = f"{name} could not run: {true_minus(issue.message)}"
        return f"{text} (so no gradients)" if result.grad_note else text
    if result.grad_note:
        return result.grad_note
    origin = result.origin()
    if origin:
        return issue_line(origin, result.issues[origin])
    if result.jvp_seeds:
        found = [(n, issue) for n, issue in result.tangent_issues.items() if issue.origin]
        if found:
            return issue_line(*found[0])
        return tangent_summary(result) if numbers else ""
    return run_summary(result) if numbers else ""


def tangent_summary(result: RunResult) -> str:
    """The status line of a forward-mode run: what the nodes show, the output's tangent, and
    the cost argument in one line."""
    seed, out = ", ".join(result.jvp_seeds), result.output or "J"
    tangent = result.tangents.get(out)
    found = f" ({grad_text(tangent, out, seed)})" if tangent is not None else ""
    return (f"Forward mode from {seed}: each node shows ∂v/∂{seed}{found} · one forward-mode "
            f"pass gives ∂(every node)/∂{seed}; backward gives ∂{out}/∂(every input)")


def issue_line(name: str, issue: Any) -> str:
    """A node's problem as the messages say it: 'lg: non-finite value: … [origin: …]'."""
    kind = {"nonfinite": "non-finite value", "nonfinite_grad": "non-finite gradient",
            "nonfinite_tangent": "non-finite tangent", "skipped": "skipped",
            "error": "error"}.get(issue.kind, issue.kind)
    origin = " [origin: the first non-finite number appeared here]" if issue.origin else ""
    return f"{name}: {kind}: {true_minus(issue.message)}{origin}"

