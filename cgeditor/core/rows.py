"""The buffer rows of UNIFORM code (see ``compiled``): which results a pass writes into a row of
its one buffer, each row written ``R[k]`` by its absolute number (chunks.py renumbers them from
each chunk's first)."""

from __future__ import annotations

from typing import Any

ROW = "__row__"  # stands for the buffer row an out= template writes into


class Rows:
    """The buffer rows of UNIFORM code: which assignments write into a row (``held``, by
    name), how many rows there are and per filled-in vjp term its out= form."""

    def __init__(self, on: bool) -> None:
        self.on, self.count = on, 0
        self.held: set[str] = set()
        self.forms: dict[str, Any] = {}
        self.parameter = ", R" if on else ""

    def into(self, name: str, plain: str, out_form: str | None) -> str:
        """The right-hand side assigning ``name``: ``out_form`` on a fresh row when there is
        one, else ``plain`` (its result then lies outside the buffer). Rows are taken in the
        order of the lines, so the rows a stretch of lines writes are consecutive."""
        if not self.on or not out_form:
            self.held.discard(name)
            return plain
        self.held.add(name)
        self.count += 1
        return out_form.replace(ROW, f"R[{self.count - 1}]")
