"""Typed errors raised by the model: each says, in words a user can act on, what was refused."""

from __future__ import annotations


class GraphError(ValueError):
    """An edit the graph refuses; the message is the reason shown to the user.

    ``where`` is the JSON pointer of the refused part when the graph is built from a file's
    parts ("/nodes/3/name"), else "".
    """

    def __init__(self, message: str, *, where: str = "") -> None:
        super().__init__(message)
        self.where = where


class UnknownNodeError(GraphError):
    pass


class UnknownOpError(GraphError):
    pass


class UnknownPortError(GraphError):
    pass


class NotALeafError(GraphError):
    """A value given to a node that computes its value (only inputs and consts hold one)."""


class NotTrainableError(GraphError):
    """Trainable asked of a node that is not an input."""


class SelfLoopError(GraphError):
    pass


CYCLE_SHOWN = 12  # names a cycle message lists at most: the first and last, the rest counted


def cycle_text(names: list[str]) -> str:
    """``names`` around a cycle joined by arrows, at most CYCLE_SHOWN of them: a long one keeps
    its first and last names and counts the rest ('a → b → … 9,988 more … → y → a'). A cycle
    through 10k nodes made a 100k-character message that the status line repainted."""
    if len(names) <= CYCLE_SHOWN:
        return " → ".join(names)
    head, tail = names[:CYCLE_SHOWN // 2], names[-(CYCLE_SHOWN // 2):]
    skipped = len(names) - len(head) - len(tail)
    return " → ".join([*head, f"… {skipped:,} more …", *tail])


class CycleError(GraphError):
    """Connecting would close a cycle; ``path`` lists the node ids around it (the message
    names them through cycle_text)."""

    def __init__(self, message: str, path: list[str], *, where: str = "") -> None:
        super().__init__(message, where=where)
        self.path = path


class PortTakenError(GraphError):
    pass


class InvalidNameError(GraphError):
    """A node name that is not a valid identifier, or is reserved."""


class NameTakenError(InvalidNameError):
    """A node name another node already has."""


class ValueParseError(GraphError):
    """Text or data that is not a number or a rectangular nested list of numbers."""


class AttrError(GraphError):
    """An attribute the op does not have, or a value of the wrong kind."""


class FormulaError(GraphError):
    """A formula outside the whitelist; ``column`` is where the offending part starts (1-based)."""

    def __init__(self, message: str, column: int = 1, line: int = 1):
        super().__init__(f"{message} (line {line}, column {column})")
        self.reason = message
        self.column = column
        self.line = line


class TraceError(GraphError):
    """A traced function did what a graph cannot record: control flow on a traced value, a
    value from another trace, a result that is not one traced value."""


class LoadError(Exception):
    """A file that could not be loaded: names the file, the reason and where in it."""

    def __init__(self, filename: str, reason: str, location: str = ""):
        # One printable line whatever the file held (a key with a newline, a lone surrogate).
        reason, location = _printable(reason), _printable(location)
        where = f" at {location}" if location else ""
        super().__init__(f"{filename}: {reason}{where}")
        self.filename = filename
        self.reason = reason
        self.location = location


def _printable(text: str) -> str:
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


class GradientGraphError(GraphError):
    """A graph whose backward pass cannot be written as a graph of registry ops (an op whose
    vjp needs a helper no op spells), or that cannot run backward at all."""
