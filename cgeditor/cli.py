"""The ``cgeditor`` command: open the editor, or build, run and check graphs without a window.

Subcommands are rows of COMMANDS: the three here and cli_tools.TOOL_COMMANDS; a new one is an
``add_arguments`` function, a handler and one row. Bad input of any kind ends in one
``cgeditor: error: ...`` line and exit code 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from cgeditor import __version__
from cgeditor.cli_common import (
    EXIT_BAD_INPUT,
    EXIT_BUG,
    EXIT_OK,
    EXIT_PROBLEMS,
    CliError,
    Command,
    add_set_argument,
    apply_sets,
    load_graph,
    parse_sets,
    print_table,
    save_graph,
)
from cgeditor.cli_tools import TOOL_COMMANDS
from cgeditor.model.errors import GraphError, LoadError
from cgeditor.model.formatting import format_cell, jsonable
from cgeditor.model.formula import from_formula
from cgeditor.model.graph import Graph
from cgeditor.model.run import RunResult, infer_shapes


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # one line, not usage + error
        raise CliError(f"{message} (see '{self.prog} --help')")


# --- build ---------------------------------------------------------------------------------------
def _build_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("formula", metavar="FORMULA",
                        help="statements such as 'c = w*x; J = 0.5*c**2'")
    parser.add_argument("-o", "--output", required=True, metavar="FILE",
                        help="the .cgraph file to write")
    add_set_argument(parser)


def _build(args: argparse.Namespace) -> int:
    graph = from_formula(args.formula, **parse_sets(args.set))
    save_graph(graph, args.output)
    output = graph.nodes[graph.output].name if graph.output else "none"
    print(f"wrote {args.output}: {len(graph)} nodes, output {output}")
    return EXIT_OK


# --- run -----------------------------------------------------------------------------------------
def _run_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE", help="a .cgraph file")
    add_set_argument(parser)
    parser.add_argument("--output", metavar="NAME", help="differentiate this node instead of "
                        "the graph's output")
    parser.add_argument("--json", action="store_true",
                        help="print one JSON object with every value and gradient")
    parser.add_argument("--jvp", metavar="NAME",
                        help="forward mode too: seed input NAME with 1 and print every node's "
                             "tangent ∂v/∂NAME (for a tensor input, along all its elements)")


def _run(args: argparse.Namespace) -> int:
    graph = load_graph(args.file)
    apply_sets(graph, parse_sets(args.set))
    if not graph.nodes:
        raise CliError(f"{args.file}: the graph has no nodes to run")
    if args.jvp is not None and not graph.has_name(args.jvp):
        raise CliError(f"--jvp {args.jvp}: there is no node named {args.jvp!r}")
    result = graph.run(output=args.output, jvp=args.jvp)
    if args.json:
        print(json.dumps(run_json(graph, result), allow_nan=False))
    else:
        print_run(graph, result)
    return EXIT_OK if result.ok and not result.tangent_issues else EXIT_PROBLEMS


def run_json(graph: Graph, result: RunResult) -> dict[str, Any]:
    """Every value and gradient by node name; a gradient not computed is null (never 0),
    with the reason once in ``grad_note`` and each node's problem in ``issues``. After a run
    with forward mode, each node's ``tangent`` too, and ``jvp``: the seeds and the
    non-finite tangents' issues."""
    nodes = {name: {"op": graph.by_name(name).op, "value": jsonable(result.values.get(name)),
                    "grad": jsonable(result.grads.get(name))} for name in result.order}
    found = {"output": result.output, "order": list(result.order), "nodes": nodes,
             "grad_note": result.grad_note, "issues": _issues_json(result.issues)}
    if result.jvp_seeds:
        for name in result.order:
            nodes[name]["tangent"] = jsonable(result.tangents.get(name))
        found["jvp"] = {"seeds": {k: jsonable(v) for k, v in result.jvp_seeds.items()},
                        "issues": _issues_json(result.tangent_issues)}
    return found


def _issues_json(issues: dict) -> dict[str, dict[str, str]]:
    return {name: {"kind": issue.kind, "message": issue.message}
            for name, issue in issues.items()}


def print_run(graph: Graph, result: RunResult) -> None:
    seed = ", ".join(result.jvp_seeds)
    rows = [["#", "name", "op", "value", "gradient", *([f"∂v/∂{seed}"] if seed else [])]]
    for k, name in enumerate(result.order, 1):
        tangent = [format_cell(result.tangents.get(name))] if seed else []
        rows.append([str(k), name, graph.by_name(name).op,
                     format_cell(result.values.get(name)), format_cell(result.grads.get(name)),
                     *tangent])
    print_table(rows)
    print(f"output: {result.output}")
    if seed:
        print(f"forward mode: one pass from {seed} gave ∂v/∂{seed} for every node v; "
              f"backward gave ∂{result.output}/∂(every node) in one pass from {result.output}")
    if result.grad_note:  # the one reason every gradient above reads n/a
        print(result.grad_note)
    if result.issues:
        print("issues:")
        for name, issue in result.issues.items():
            what = "gradient" if issue.kind == "nonfinite_grad" else "value"
            origin = f"  <- first non-finite {what} appeared here" if issue.origin else ""
            print(f"  {name}: {issue.message}{origin}")
    if result.tangent_issues:  # under their own heading: a node may have one of each
        print("tangent issues:")
    for name, issue in result.tangent_issues.items():
        origin = "  <- first non-finite tangent appeared here" if issue.origin else ""
        print(f"  {name}: {issue.message}{origin}")


# --- check ---------------------------------------------------------------------------------------
def _check_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE", help="a .cgraph file")


def _check(args: argparse.Namespace) -> int:
    graph = load_graph(args.file)
    _, problems = infer_shapes(graph)  # unconnected ports and shape mismatches, by node name
    if not graph.nodes:
        problems = {"graph": "it has no nodes"}
    for name, message in problems.items():
        print(f"{name}: {message}")
    if problems:
        return EXIT_PROBLEMS
    output = graph.nodes[graph.output].name if graph.output else "none"
    print(f"ok: {len(graph)} nodes, {len(graph.edges)} edges, output {output}")
    return EXIT_OK


COMMANDS: list[Command] = [
    Command("build", "write a .cgraph file from a formula", _build_arguments, _build),
    Command("run", "run forward and backward; print every value and gradient, and with "
            "--jvp every tangent (exit 1 if any is not finite, a node cannot run or no "
            "gradient can be computed)",
            _run_arguments, _run),
    Command("check", "validate a .cgraph file (exit 1 if it has problems)",
            _check_arguments, _check),
    *TOOL_COMMANDS,
]


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="cgeditor", description="Computation graph editor. 'cgeditor [FILE]' "
                     "opens the editor; the commands below work without a window.")
    parser.add_argument("--version", action="version", version=f"cgeditor {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for command in COMMANDS:
        child = sub.add_parser(command.name, help=command.help, description=command.help)
        command.add_arguments(child)
        child.set_defaults(handler=command.handler)
    return parser


# --- entry point ---------------------------------------------------------------------------------
def _open_editor(path: str | None) -> int:
    """Hand over to the GUI, imported only now so the headless commands never load Qt."""
    if path is not None and not Path(path).exists():
        raise CliError(f"{path}: no such file")
    if path is not None and not Path(path).is_file():
        raise CliError(f"{path}: not a regular file")
    try:  # the GUI and Qt: a missing PySide6 wheel or system library (libEGL) fails here
        import PySide6.QtWidgets  # noqa: F401  (gui/app.py imports it only after its checks)

        from cgeditor.gui import app
    except ImportError as exc:
        print(f"cgeditor: error: the editor cannot start ({exc}); the headless commands "
              "still work (cgeditor --help)", file=sys.stderr)
        return EXIT_BAD_INPUT
    return int(app.main(path) or 0)


def _dispatch(argv: list[str]) -> int:
    names = {command.name for command in COMMANDS}
    if not argv or (argv[0] not in names and not argv[0].startswith("-")):
        if len(argv) > 1:
            raise CliError(f"unknown command {argv[0]!r} (commands: {', '.join(sorted(names))})")
        return _open_editor(argv[0] if argv else None)
    args = build_parser().parse_args(argv)
    if args.command is None:
        return _open_editor(None)
    return args.handler(args)


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code (0 ok, 1 problems found, 2 bad input)."""
    try:
        return _dispatch(sys.argv[1:] if argv is None else list(argv))
    except SystemExit as exc:  # --help and --version
        return exc.code if isinstance(exc.code, int) else EXIT_OK if exc.code is None else 2
    except KeyboardInterrupt:
        return 130
    except (CliError, LoadError, GraphError) as exc:
        return _fail(str(exc), EXIT_BAD_INPUT)
    except MemoryError:  # files are written whole or not at all, so nothing was harmed
        return _fail("out of memory: the graph needs more memory than this machine has; no "
                     "file was written", EXIT_BAD_INPUT)
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        return _fail(f"{where}{exc.strerror or exc}", EXIT_BAD_INPUT)
    except Exception as exc:  # a bug in cgeditor: still one line, never a traceback
        return _fail(f"unexpected {type(exc).__name__}: {exc} (a bug; please report it)",
                     EXIT_BUG)


def _fail(message: str, code: int) -> int:
    first_line = message.strip().splitlines()[0] if message.strip() else "unknown error"
    print(f"cgeditor: error: {first_line}", file=sys.stderr)
    return code
