"""Where everything on a node sits, known before any run: the box a node reserves for its
name, ports, value and gradient (every number of a small tensor, a heatmap of a larger one).

A run fills the reserved rows without growing the node, so nothing it paints can reach a
neighbour, and auto layout spaces nodes by the same boxes. The box depends on the node's
ports, its header, the output's and its own name, and the shape of its value (inferred
before a run). A box widens for its whole name and gradient label up to TEXT_MAX_WIDTH
and for its numbers up to the theme's NODE_MAX_WIDTH; past them texts are elided in the
middle (the tooltip and the inspector show them whole).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache, lru_cache

from PySide6.QtCore import QRectF

from cgeditor.core.diagnose import shape_text
from cgeditor.core.ops import REGISTRY
from cgeditor.gui import theme as T
from cgeditor.model.number_text import CELL_CHARS, GRID, cell_chars, grid_shape

CELL_GAP = 8.0  # between the columns of a number grid
# A scalar's rows reserve room for '−0.1235' and the like; a longer number ('−0.001234',
# '−1.235e−07') widens the node when a run shows it, and what it then covers makes room.
SCALAR_CHARS = 7
RANGE_CHARS = 20  # "= (8, 2) [−1.2, 4.5]": a larger tensor's shape and range
TEXT_MAX_WIDTH = 320.0  # widest box for a long name; past it names are elided in the middle
THUMB_CELL = 9.0  # largest heatmap cell side
THUMB_PAD = 4.0  # above and below the heatmaps
THUMB_GAP = 10.0  # between the value and the gradient heatmaps


@dataclass(frozen=True)
class NodeBox:
    """A node's size and the tops of its rows, in item coordinates."""

    width: float
    height: float
    value_top: float  # the value row ('= −4', '= 4×2' above a grid)
    grad_top: float  # the gradient row ('∂J/∂w = −4', '∂J/∂X' above a grid)
    grid: tuple[int, int] | None  # rows and columns of both number grids
    cell_width: float
    thumbs: tuple[int, int] | None  # rows and columns of the heatmaps
    thumbs_top: float

    def value_grid_top(self) -> float:
        return self.value_top + T.ROW_HEIGHT

    def grad_grid_top(self) -> float:
        return self.grad_top + T.ROW_HEIGHT

    def thumb_cell(self) -> float:
        """Side of one heatmap cell: the two maps share the width between the margins."""
        if self.thumbs is None:
            return 0.0
        room = (self.width - 2 * T.TEXT_SIDE - THUMB_GAP) / 2
        return min(THUMB_CELL, room / max(self.thumbs[1], 1))


def outline(width: float, height: float) -> QRectF:
    """The node's whole footprint around its body: ports, order badge, shadow and outline."""
    return QRectF(*outline_at(0.0, 0.0, width, height))


def outline_at(x: float, y: float, width: float, height: float
               ) -> tuple[float, float, float, float]:
    """``outline(width, height)`` moved to (x, y), as plain floats (x, y, width, height),
    without two QRectF per node."""
    return (x - T.OUTSET_X, y - T.OUTSET_TOP, width + 2 * T.OUTSET_X,
            height + T.OUTSET_TOP + T.OUTSET_BOTTOM)


@cache
def char_width() -> float:
    """The value font is monospaced: every character is this wide."""
    return T.metrics("value").horizontalAdvance("0")


@lru_cache(maxsize=4096)
def node_box(header_width: float, ports: int, shape: tuple[int, ...] | None,
             label_chars: int, number_chars: int = SCALAR_CHARS) -> NodeBox:
    """The box of a node whose header wants ``header_width``, with ``ports`` input rows and
    a value of ``shape`` (None: unknown, room for a scalar), whose gradient row label
    ('∂J/∂w') is ``label_chars`` long (the value font is monospaced: only the length counts,
    so nodes of one op share boxes: 10k nodes are built without 10k box computations). A
    scalar's rows hold numbers of ``number_chars``: the reserve, or a longer one shown."""
    grad_label = "·" * label_chars
    cw = char_width()
    shape = shape or ()
    grid = grid_shape(shape)
    cell = (cell_chars(grid[1]) if grid is not None else CELL_CHARS) * cw
    # Numbers (a grid, a range) widen the box up to NODE_MAX_WIDTH; the name and the
    # gradient row's label, which cannot be read in part, up to TEXT_MAX_WIDTH.
    if grid is not None:
        numbers = grid[1] * cell + (grid[1] - 1) * CELL_GAP
        text = (len(grad_label) + 2) * cw
    elif shape:
        # Both rows hold the shape whole and 'all 1', with '[…]' for a range that does
        # not fit: '= (200, 200) […]', '∂J/∂W = (200, 200) […]', '∂J/∂t = (200, 200) all 1'.
        kept = len(shape_text(shape)) + len(" all 1")
        numbers = max(RANGE_CHARS, len("= ") + kept) * cw
        text = (len(grad_label) + len(" = ") + kept) * cw
    else:
        numbers, text = 0.0, (len(grad_label) + 3 + number_chars) * cw
    width = max(T.NODE_WIDTH, min(T.NODE_MAX_WIDTH, numbers + 2 * T.TEXT_SIDE),
                min(TEXT_MAX_WIDTH, max(header_width, text + 2 * T.TEXT_SIDE)))
    value_top = T.HEADER_HEIGHT + ports * T.ROW_HEIGHT
    lines = grid[0] * T.LINE_HEIGHT if grid is not None else 0.0
    grad_top = value_top + T.ROW_HEIGHT + lines
    thumbs_top = grad_top + T.ROW_HEIGHT + lines
    thumbs = None
    height = thumbs_top + T.BODY_PAD
    if grid is None and shape and 0 not in shape:
        rows = 1 if len(shape) == 1 else min(GRID, _prod(shape[:-1]))
        thumbs = (rows, min(GRID, shape[-1]))
    box = NodeBox(width, height, value_top, grad_top, grid, cell, thumbs, thumbs_top)
    if thumbs is not None:
        box = NodeBox(width, height + thumbs[0] * box.thumb_cell() + 2 * THUMB_PAD, value_top,
                      grad_top, grid, cell, thumbs, thumbs_top)
    return box


TAG_WIDTH = 40.0  # room the OUT / TRAIN tag takes in the header


@lru_cache(maxsize=1 << 15)
def header_width(op: str, name: str, tagged: bool) -> float:
    """What a node's header would like: symbol pill, the whole name, and the tag; rounded
    up to whole steps of 8 so that boxes repeat. Kept per name: every box is measured
    anew when the output's name changes length (its gradient row widens all)."""
    want = _symbol_width(op) + 40 + _name_width(name) + (TAG_WIDTH if tagged else 0.0)
    return float(math.ceil(want / 8) * 8)


@lru_cache(maxsize=1 << 15)
def _name_width(name: str) -> float:
    """A name's width in the title font: measured once, though an undo of a big delete or
    a change of the output's name re-measures every node's box."""
    return sum(map(_title_char, name))


@cache
def _symbol_width(op: str) -> float:
    return T.metrics("symbol").horizontalAdvance(REGISTRY[op].symbol)


@lru_cache(maxsize=1024)
def _title_char(char: str) -> float:
    """One character's advance in the title font (a name's width without a Qt call per
    node; the title is elided with the real metrics when painted)."""
    return T.metrics("title").horizontalAdvance(char)


def box_of(op: str, name: str, tagged: bool, shape: tuple[int, ...] | None,
           out_name: str, number_chars: int = SCALAR_CHARS,
           port_rows: bool = True) -> NodeBox:
    """The box of a node of ``op`` named ``name`` (``tagged`` OUT or TRAIN) whose value has
    ``shape``, in a graph whose output is ``out_name``, showing numbers of
    ``number_chars`` if a scalar, with a row per input unless not ``port_rows``: what its
    item will take."""
    return box_for_output(box_args(op, name, tagged, shape, number_chars, port_rows),
                          out_name)


BoxArgs = tuple[float, int, "tuple[int, ...] | None", int, int, int]


def box_args(op: str, name: str, tagged: bool, shape: tuple[int, ...] | None,
             number_chars: int = SCALAR_CHARS, port_rows: bool = True,
             grad_label: str = "") -> BoxArgs:
    """What box_of measures of a node, all but the output's name: node_box's arguments with
    the graph's gradient row label ('∂J/∂w') counted without the output's name, and the
    length of the label a run shows. A new output name re-measures every box (a paste names
    a new output) from these by one addition each."""
    ports = _port_count(op) if port_rows else 0
    return (header_width(op, name, tagged), ports, shape, len(name) + len("∂/∂"), number_chars,
            len(grad_label))


def box_for_output(args: BoxArgs, out_name: str) -> NodeBox:
    """The box of a node measured as ``args`` (box_args) in a graph whose output is
    ``out_name``."""
    header, ports, shape, label, numbers, shown = args
    return node_box(header, ports, shape, max(label + len(out_name), shown), numbers)


@cache
def _port_count(op: str) -> int:
    return len(REGISTRY[op].inputs)


def footprint(box: NodeBox) -> tuple[float, float]:
    """Width and height of the node's whole outline, for spacing nodes apart."""
    rect = outline(box.width, box.height)
    return rect.width(), rect.height()


def _prod(shape: tuple[int, ...]) -> int:
    out = 1
    for n in shape:
        out *= n
    return out
