"""The buffer rows of UNIFORM code (see ``compiled``): which results a pass writes into a row of
its one buffer, and the rows each chunk of lines writes, numbered as chunks.py expects."""

from __future__ import annotations

from typing import Any

from cgeditor.core.chunks import CHUNK_LINES

ROW = "__row__"  # stands for the buffer row an out= template writes into


class Rows:
    """The buffer rows of UNIFORM code: which assignments write into a row (``held``, by
    name), how many rows there are, per filled-in vjp term its out= form, and per chunk of
    lines (chunks.py) the rows its lines write, [first, end)."""

    def __init__(self, on: bool) -> None:
        self.on, self.count = on, 0
        self.held: set[str] = set()
        self.forms: dict[str, Any] = {}
        self.spans: dict[int, list[int]] = {}
        self.parameter = ", R" if on else ""

    def into(self, name: str, plain: str, out_form: str | None, line: int) -> str:
        """The right-hand side assigning ``name`` on line ``line``: ``out_form`` on a fresh row
        when there is one, else ``plain`` (its result then lies outside the buffer). The row
        is written ``R[k]``, k counted from the first row of the line's chunk, so repeated
        layers spell the same chunk text without renaming rows."""
        if not self.on or not out_form:
            self.held.discard(name)
            return plain
        self.held.add(name)
        span = self.spans.get(line // CHUNK_LINES)
        if span is None:
            span = self.spans[line // CHUNK_LINES] = [self.count, 0]
        span[1] = self.count = self.count + 1
        return out_form.replace(ROW, f"R[{self.count - 1 - span[0]}]")
