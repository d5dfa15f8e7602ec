"""The learning subcommands of ``cgeditor``: gradcheck, train, grad-graph and export.

cli.py lists TOOL_COMMANDS among its COMMANDS. Only ``export`` to .png/.svg touches Qt, and
imports it then.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from cgeditor.cli_common import (
    EXIT_OK,
    EXIT_PROBLEMS,
    CliError,
    Command,
    add_set_argument,
    apply_sets,
    load_graph,
    parse_sets,
    print_table,
    refuse_overwriting_input,
    save_graph,
)
from cgeditor.core.gradcheck import CheckRow
from cgeditor.model.atomic import write_atomically
from cgeditor.model.display import build_display
from cgeditor.model.export import to_numpy_module, to_torch_module
from cgeditor.model.formatting import format_cell, format_error, format_number, jsonable
from cgeditor.model.gradcheck import gradient_rows
from cgeditor.model.gradient_graph import gradient_graph_named
from cgeditor.model.graph import Graph
from cgeditor.model.train import OPTIMIZERS, Trainer, TrainingError, apply_values, check_settings

TRAINED_SUFFIX = ".trained.cgraph"
LOSS_LINES = 10  # train prints about this many loss lines


def positive_float(text: str) -> float:
    """argparse type for ε and the learning rate: a finite number above zero."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"{text} must be a positive finite number")
    return value


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text} must be at least 1")
    return value


# --- gradient check ----------------------------------------------------------------------------
def _gradcheck_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE", help="a .cgraph file")
    add_set_argument(parser)
    parser.add_argument("--eps", type=positive_float, default=1e-6, metavar="E",
                        help="finite-difference step ε (default 1e-6)")
    parser.add_argument("--trainable", action="store_true",
                        help="check only the inputs marked trainable")
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def _gradcheck(args: argparse.Namespace) -> int:
    graph = load_graph(args.file)
    apply_sets(graph, parse_sets(args.set))
    rows = gradient_rows(graph, args.eps, args.trainable)
    failed = [row.name for row in rows if row.failed]
    if args.json:
        print(json.dumps({"eps": args.eps, "passed": not failed,
                          "rows": [_row_json(row) for row in rows]}, allow_nan=False))
    else:
        table = [["input", "backprop", "numeric", "abs err", "rel err", "result", "method"]]
        table += [[row.name, format_cell(row.backprop), format_cell(row.numeric),
                   format_error(row.abs_error), format_error(row.rel_error),
                   row.verdict, row.method] for row in rows]
        print_table(table)
        for row in rows:
            if row.note:
                print(f"{row.name}: {row.note}")
        kinks = [row.name for row in rows if row.note and not row.rounding]
        rounded = [row.name for row in rows if row.rounding]
        eps = format_number(args.eps)
        print(f"{sum(row.passed for row in rows)} of {len(rows)} passed (ε = {eps}; pass "
              "when |g − ĝ| ≤ 1e-7 + 1e-5·|ĝ|)"
              + (f"; not differentiable here: {', '.join(kinks)}" if kinks else "")
              + (f"; lost to rounding: {', '.join(rounded)}" if rounded else "")
              + (f"; failed: {', '.join(failed)}" if failed else ""))
    return EXIT_PROBLEMS if failed else EXIT_OK


def _row_json(row: CheckRow) -> dict[str, Any]:
    return {"input": row.name, "backprop": jsonable(row.backprop),
            "numeric": jsonable(row.numeric), "abs_error": jsonable(row.abs_error),
            "rel_error": jsonable(row.rel_error), "passed": row.passed, "method": row.method,
            "note": row.note or None}


# --- train ---------------------------------------------------------------------------------------
def _train_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE", help="a .cgraph file with trainable inputs")
    add_set_argument(parser)
    parser.add_argument("--steps", type=positive_int, metavar="N",
                        help="number of steps (default: the file's suggested settings)")
    parser.add_argument("--lr", type=positive_float, metavar="LR",
                        help="learning rate (default: the file's suggested settings)")
    parser.add_argument("--optimizer", choices=OPTIMIZERS,
                        help="sgd, momentum or adam (default: the file's, else sgd)")
    parser.add_argument("-o", "--output", metavar="OUT",
                        help=f"where to write the trained graph (default: FILE with the "
                             f"suffix {TRAINED_SUFFIX}; FILE itself is never overwritten "
                             "unless named here)")


def trained_path(path: str) -> str:
    """model.cgraph → model.trained.cgraph, beside it."""
    p = Path(path)
    stem = p.name[: -len(p.suffix)] if p.suffix else p.name
    return str(p.with_name(stem + TRAINED_SUFFIX))


def _train_settings(graph: Graph, args: argparse.Namespace) -> tuple[int, float, str]:
    """--steps, --lr and --optimizer, else the file's suggestions; both validated as one."""
    suggested = graph.meta.get("train") if isinstance(graph.meta.get("train"), dict) else {}
    steps = args.steps if args.steps is not None else suggested.get("steps")
    lr = args.lr if args.lr is not None else suggested.get("lr")
    optimizer = args.optimizer or suggested.get("optimizer") or "sgd"
    if steps is None or lr is None:
        raise CliError(f"{args.file}: give --steps and --lr (the file suggests no settings)")
    try:
        return check_settings(steps, lr, optimizer)
    except TrainingError as exc:
        typed = (args.steps, args.lr, args.optimizer) != (None, None, None)
        whose = "the settings" if typed else "its suggested training settings"
        raise CliError(f"{args.file}: {whose} are unusable: {exc}") from None


def _train(args: argparse.Namespace) -> int:
    graph = load_graph(args.file)
    apply_sets(graph, parse_sets(args.set))
    steps, lr, optimizer = _train_settings(graph, args)
    out = args.output or trained_path(args.file)
    trainer = Trainer(graph, lr, optimizer)
    every, width = max(1, steps // LOSS_LINES), len(str(steps))
    print(f"training {', '.join(trainer.names.values())} for {steps} steps "
          f"({optimizer}, lr {format_number(lr)})")
    while len(trainer.losses) < steps and not trainer.done:
        losses = trainer.step(min(every, steps - len(trainer.losses)))
        if losses:
            print(f"step {len(trainer.losses):>{width}}  loss {format_number(losses[-1])}")
    if trainer.message:
        print(f"cgeditor: {trainer.message}; nothing written", file=sys.stderr)
        return EXIT_PROBLEMS
    apply_values(graph, trainer.final_values())
    save_graph(graph, out)
    final = trainer.losses[-1] if trainer.losses else float("nan")
    print(f"wrote {out}: loss {format_number(final)} before the last step")
    return EXIT_OK


# --- export --------------------------------------------------------------------------------------
IMAGE_SUFFIXES = (".png", ".svg")


def _export_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE", help="a .cgraph file")
    parser.add_argument("-o", "--output", required=True, metavar="OUT",
                        help="OUT.py (a numpy module), OUT.png or OUT.svg (a picture)")
    parser.add_argument("--torch", action="store_true",
                        help="with OUT.py: write a PyTorch module instead of numpy")
    picture = parser.add_argument_group("pictures (.png, .svg)")
    picture.add_argument("--run", action="store_true",
                         help="run forward and backward first and draw values and gradients")
    picture.add_argument("--scale", type=float, choices=(1.0, 2.0, 4.0), default=2.0,
                         help="pixels per canvas unit of a PNG (default 2)")
    picture.add_argument("--theme", choices=("light", "dark"), default="light",
                         help="colours (default light)")
    picture.add_argument("--background", choices=("white", "transparent", "canvas"),
                         default="white", help="behind the graph (default white)")
    picture.add_argument("--margin", type=float, default=24.0, metavar="PX",
                         help="around the graph, in canvas units (default 24)")
    picture.add_argument("--direction", choices=("placed", "LR", "TB"), default="placed",
                         help="lay the graph out left to right or top to bottom, or keep "
                              "the file's positions (default)")
    for name, what in (("values", "values"), ("gradients", "gradients"),
                       ("wire-labels", "the gradient labels on wires"),
                       ("badges", "the execution-order badges")):
        picture.add_argument(f"--no-{name}", action="store_true", help=f"leave out {what}")


def _export(args: argparse.Namespace) -> int:
    suffix = os.path.splitext(args.output)[1].lower()
    if suffix not in (".py", *IMAGE_SUFFIXES):
        raise CliError(f"{args.output}: choose a name ending in .py, .png or .svg")
    if args.torch and suffix != ".py":
        raise CliError("--torch only applies to a .py output")
    if args.run and suffix == ".py":
        raise CliError("--run only applies to a picture (.png or .svg)")
    refuse_overwriting_input(args.file, args.output)
    graph = load_graph(args.file)
    if suffix == ".py":
        code = (to_torch_module if args.torch else to_numpy_module)(graph)
        write_atomically(args.output, code.encode("utf-8"))  # as save: never a fixed temp
        what = "PyTorch" if args.torch else "numpy"
        print(f"wrote {args.output}: a {what} module, {len(code.splitlines())} lines")
    else:
        width, height, note = render_image(graph, args.output, picture_options(args), args.run)
        print(f"wrote {args.output}: {width}×{height}" + (f" ({note})" if note else ""))
    return EXIT_OK


def _ensure_qt_app() -> Any:
    """A QApplication to draw with; offscreen when there is no display to talk to."""
    if sys.platform.startswith("linux") and not os.environ.get("QT_QPA_PLATFORM") and not (
            os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    try:
        from PySide6.QtWidgets import QApplication
    except ImportError as exc:
        raise CliError(f"pictures need PySide6 ({exc}); .py export works without it") from None
    return QApplication.instance() or QApplication(sys.argv[:1])


def picture_options(args: argparse.Namespace) -> Any:
    """The PictureOptions the export arguments ask for."""
    # The gui modules load only for a picture: the other subcommands run without PySide6.
    from cgeditor.gui.canvas.picture import PictureOptions
    try:
        return PictureOptions(
            scale=args.scale, theme=args.theme, background=args.background,
            margin=args.margin, direction=args.direction, values=not args.no_values,
            gradients=not args.no_gradients, wire_labels=not args.no_wire_labels,
            badges=not args.no_badges).check()
    except ValueError as exc:
        raise CliError(str(exc)) from None


def render_image(graph: Graph, path: str, options: Any = None, run: bool = False
                 ) -> tuple[int, int, str]:
    """Draw ``graph`` with the canvas's own items into a PNG or SVG as ``options`` (a
    PictureOptions; None: the defaults) ask, after a forward and backward pass when
    ``run``; its size in pixels and why its scale was lowered ("" if it was not). CliError
    when the graph is empty, cannot run, or the picture cannot be written."""
    if not graph.nodes:
        raise CliError("the graph is empty: there is nothing to draw")
    _ensure_qt_app()
    # Here, not at the top: the other subcommands run where PySide6 is not installed.
    from cgeditor.gui.canvas.image_export import ImageExportError
    from cgeditor.gui.canvas.picture import PictureOptions, export_picture
    display = None
    if run:
        result = graph.run(backward=True)
        cause = result.root_cause()
        if result.plan is None or cause is not None:
            where = f"{cause[0]}: {cause[1].message}" if cause else "nothing could be computed"
            raise CliError(f"cannot draw the run: {where}")
        display = build_display(result)
    try:
        done = export_picture(graph, display, path, options or PictureOptions())
    except ImageExportError as exc:
        raise CliError(str(exc)) from None
    return done.size.width(), done.size.height(), done.note


def _grad_graph_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="IN", help="the .cgraph file to differentiate")
    parser.add_argument("output", metavar="OUT", help="the .cgraph file to write")
    parser.add_argument("--of", metavar="NODE",
                        help="the node to differentiate (default: the graph's output); a "
                             "gradient node of an earlier grad-graph gives second derivatives")


def _grad_graph(args: argparse.Namespace) -> int:
    refuse_overwriting_input(args.file, args.output)
    graph = load_graph(args.file)
    grads, names = gradient_graph_named(graph, args.of)
    save_graph(grads, args.output)
    added = len(grads) - len(graph)
    print(f"wrote {args.output}: {len(graph)} forward nodes and {added} for the backward pass")
    print_table([["input", "gradient node"], *([k, v] for k, v in names.items())])
    return EXIT_OK


TOOL_COMMANDS: Sequence[Command] = (
    Command("gradcheck", "compare backprop gradients with central finite differences "
            "(exit 1 if any input fails)", _gradcheck_arguments, _gradcheck),
    Command("train", "train the trainable inputs by gradient descent and write the trained "
            "graph", _train_arguments, _train),
    Command("grad-graph", "write the backward pass as a graph of its own (run it to see each "
            "gradient as a value; differentiate it again for second derivatives)",
            _grad_graph_arguments, _grad_graph),
    Command("export", "write the graph as a numpy or PyTorch module (.py) or a picture "
            "(.png, .svg)", _export_arguments, _export),
)
