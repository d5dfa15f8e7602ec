"""What every ``cgeditor`` subcommand shares: the Command row, exit codes, the one-line
CliError, ``--set NAME=VALUE`` parsing, and reading, writing and tabulating graphs."""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from cgeditor.model.errors import GraphError
from cgeditor.model.graph import Graph
from cgeditor.model.values import parse_value_text

EXIT_OK, EXIT_PROBLEMS, EXIT_BAD_INPUT, EXIT_BUG = 0, 1, 2, 3


class CliError(Exception):
    """Bad input noticed by the command line itself; the message is the whole complaint."""


@dataclass(frozen=True)
class Command:
    """One subcommand: its name, one-line help, its arguments and what it does."""

    name: str
    help: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    handler: Callable[[argparse.Namespace], int]


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # one line, not usage + error
        raise CliError(f"{message} (see '{self.prog} --help')")


# --- shared helpers for subcommands -------------------------------------------------------------
def add_set_argument(parser: argparse.ArgumentParser) -> None:
    """``--set w=2 x=-2 --set b=8``: repeatable, one or more NAME=VALUE pairs each time."""
    parser.add_argument("--set", nargs="+", action="extend", default=[], metavar="NAME=VALUE",
                        help="set an input; VALUE is a JSON number or nested list, "
                             "e.g. w=2 or W=[[1,2],[3,4]]")


def parse_sets(pairs: Sequence[str]) -> dict[str, Any]:
    """``["w=2", "W=[[1,2]]"]`` → values by name (float64 scalars or arrays); later wins."""
    values: dict[str, Any] = {}
    for pair in pairs:
        name, sep, text = pair.partition("=")
        name = name.strip()
        if not sep or not name:
            raise CliError(f"--set {pair!r}: expected NAME=VALUE, e.g. w=2")
        try:
            values[name] = parse_value_text(text)
        except GraphError as exc:
            raise CliError(f"--set {name}: {exc}") from None
    return values


def apply_sets(graph: Graph, values: dict[str, Any]) -> None:
    """Set input (or const) values on ``graph`` by name; unknown or computed names refused."""
    for name, value in values.items():
        if not graph.has_name(name):
            raise CliError(f"--set {name}: there is no node named {name!r}")
        node = graph.by_name(name)
        if not node.is_leaf:
            raise CliError(f"--set {name}: {name} is a {node.op} node; only inputs can be set")
        graph.set_value(node.id, value)


# model.files is imported on first use: it pulls in jsonschema (~0.1 s), which neither
# `cgeditor --help` nor opening the editor should wait for.
def load_graph(path: str) -> Graph:
    """The graph in the .cgraph file at ``path`` (LoadError if it cannot be read)."""
    from cgeditor.model import files
    return files.load(path)


def save_graph(graph: Graph, path: str) -> None:
    """Write ``graph`` to ``path`` atomically."""
    from cgeditor.model import files
    files.save(graph, path)


def refuse_overwriting_input(inputs: str, output: str) -> None:
    """CliError when writing ``output`` would replace the file ``inputs`` names, however
    spelled: relative or absolute, through a symlink (written through, as every write is),
    another case of its name on a case-insensitive disk. A hard link under another name is
    another directory entry, which the atomic write replaces alone: the input is kept."""
    try:
        same = os.path.samefile(inputs, output)
    except OSError:  # either is missing: an output not yet written is not the input
        return
    real_in, real_out = os.path.realpath(inputs), os.path.realpath(output)
    linked = os.path.basename(real_in) != os.path.basename(real_out) \
        and os.stat(real_in).st_nlink > 1
    if same and not linked:
        raise CliError(f"{output}: that is the input file {inputs}; name another file for "
                       "the output (nothing was written)")


def print_table(rows: Sequence[Sequence[str]]) -> None:
    """Left-aligned columns two spaces apart; the first row is the header."""
    widths = [max(len(row[k]) for row in rows) for k in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())
