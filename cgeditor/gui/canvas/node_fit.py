"""How a node's box fits what it shows: the room reserved for its value's shape, its name,
the output's name in its gradient row ('∂J/∂w') and a run's numbers; NodeItem mixes this in
(and provides the attributes) and takes a new box through ``take_box``."""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache
from typing import Any

import numpy as np
from PySide6.QtCore import QRectF

from cgeditor.core.ops import F64
from cgeditor.gui.canvas.node_geometry import (
    SCALAR_CHARS,
    BoxArgs,
    NodeBox,
    box_args,
    box_for_output,
    box_of,
    outline,
)
from cgeditor.model.display import BLANK_NODE, NodeDisplay
from cgeditor.model.number_text import shape_head


@lru_cache(maxsize=256)
def geometry(width: float, height: float) -> tuple[QRectF, QRectF]:
    """The body rect and the bounding rect (ports, badge and shadow stick out)."""
    return QRectF(0, 0, width, height), outline(width, height)


def value_shape_of(value: Any) -> tuple[int, ...] | None:
    """A shown value's shape, None for no value; a run's number without numpy's call."""
    if value.__class__ is F64:
        return ()
    return None if value is None else np.shape(value)


class NodeFit:
    """The box of a NodeItem: measured, kept and re-measured."""

    PORT_ROWS: bool
    op: str
    name: str
    out_name: str
    box: NodeBox  # its size and rows now (read it; take_box sets it): a plain attribute, as
    # 10k outlines are read per paste
    box_args: BoxArgs  # what the box measured, all but the output's name
    display: NodeDisplay
    value_shape: tuple[int, ...] | None
    _rect: QRectF
    _title: Any
    # and from NodeItem and Qt: _tagged(), scene(), update(), setRect()

    def set_reserve(self, shape: tuple[int, ...] | None, out_name: str) -> bool:
        """Reserve room for a value of ``shape`` and the gradient row of output ``out_name``;
        True when the node's width changed (its output port moved)."""
        if (shape, out_name) == (self.value_shape, self.out_name):
            return False
        self.value_shape, self.out_name = shape, out_name
        # Repainted only for what it shows: a new output name whose length keeps the box
        # changes nothing painted (10k nodes are asked when a paste makes a new output).
        display = self._fit_stale(self.display)
        if display is not self.display:
            self.display = display
            self.update()
        return self._refit()

    def _fit_stale(self, display: NodeDisplay) -> NodeDisplay:
        """A stale run's numbers of another shape than the node has now (an undo took the
        matrix back) keep their one-line texts but lose their grids and heatmaps: the box is
        the one reserved for the node as it is, and stale rows must not outgrow it."""
        shape = self.value_shape
        if not display.stale or shape is None:
            return display
        changes: dict[str, Any] = {}
        if display.value is not None and np.shape(display.value) != shape:
            changes.update(value=None, grid=None, heatmap=None)
        if display.grad is not None and np.shape(display.grad) != shape:
            changes.update(grad_grid=None, grad_heatmap=None)
        return replace(display, **changes) if changes else display

    def _compute_box(self) -> NodeBox:
        """The box the node needs now; what it measured but the output's name is kept as
        ``box_args`` (so a new output name is one addition: refit_for_output)."""
        value = self.display.value
        shape = value_shape_of(value) if value is not None else self.value_shape
        self.box_args = box_args(self.op, self.name, self._tagged(), shape,
                                 self.number_chars(), self.PORT_ROWS, self.display.grad_label)
        return box_for_output(self.box_args, self.out_name)

    def refit_for_output(self, out_name: str, box: NodeBox) -> NodeBox | None:
        """Take ``box``, what ``box_args`` measure for the output ``out_name`` (the caller
        measures each set of args once: most of 10k nodes share a few), all else as it was;
        the box it had when that changed its size (the caller notes what grew and
        re-routes), else None. Only the gradient row's label changes, and at most the width."""
        self.out_name = out_name
        old = self.box
        if box is old or box == old:
            return None
        self.box = box
        self._resized(old)
        return old

    def number_chars(self) -> int:
        """How many characters the numbers of a scalar's rows take now: the reserve, or a
        run's longer number ('−1.407e−08'), which widens the node (and makes room)."""
        d = self.display
        if d is BLANK_NODE:  # no run and no value of its own (most of 10k pasted nodes)
            return SCALAR_CHARS
        value = d.value
        if value.__class__ is F64:  # a run's number: its row shows its text (10k per run)
            chars = len(d.value_text)
        elif value is not None and np.ndim(value) != 0:
            return SCALAR_CHARS  # a tensor's numbers are in its grid or range
        else:
            chars = len(self._value_shown())
        grad = len(d.grad_value)
        return max(SCALAR_CHARS, chars, grad)

    def _value_shown(self) -> str:
        """The value row's text. A tensor whose numbers are in its grid names only its
        shape; so does a stale tensor's range left on a box that holds a scalar again (an
        undo under a stale run): the range would widen it over its restored neighbours."""
        d = self.display
        head = shape_head(d.value_text)
        stale_tensor = d.value is None and head != d.value_text and not self.value_shape
        return head if d.grid is not None or stale_tensor else d.value_text

    def _refit(self) -> bool:
        """Take the box the node needs now; True when the width changed."""
        return self.take_box(self._compute_box())

    def take_box(self, box: NodeBox) -> bool:
        """Take ``box``; True when the width changed. A box that grew is told to the scene
        (it may cover a neighbour)."""
        if box is self.box or box == self.box:  # node_box hands out shared boxes
            return False
        moved, old = box.width != self.box.width, self.box
        self.box = box
        if box.width > old.width or box.height > old.height:
            scene = self.scene()
            if scene is not None and hasattr(scene, "note_grown"):
                scene.note_grown(self, old.width, old.height)
        self._resized(old)
        return moved

    def _resized(self, old: NodeBox) -> None:
        """The Qt item follows the box it just took in place of ``old``."""
        box = self.box
        self._rect, bounds = geometry(box.width, box.height)
        if box.width == old.width and box.height == old.height:
            self.update()  # rows moved inside the same bounds: setRect would repaint nothing
        else:
            self.setRect(bounds)  # Qt's prepareGeometryChange and repaint, old and new place
        self._title = None

    def outgrown(self) -> tuple[float, float] | None:
        """The body's reserved width and height, when a run's numbers (a longer number, a
        shape not inferred) keep it larger than that; else None."""
        value = self.display.value
        if self.number_chars() == SCALAR_CHARS and (
                value is None or np.shape(value) == self.value_shape) and (
                not self._label_over(self.display)):
            return None
        reserved = box_of(self.op, self.name, self._tagged(), self.value_shape, self.out_name)
        if self.box.width > reserved.width or self.box.height > reserved.height:
            return reserved.width, reserved.height
        return None

    def _label_over(self, display: NodeDisplay) -> bool:
        """Whether ``display``'s gradient label is longer than the one the box reserves
        ('∂J (deleted)/∂w' of a stale run whose output was deleted)."""
        return len(display.grad_label) > len(self.out_name) + len(self.name) + 3
