"""Open, insert a formula and a Live edit on the layered graph of canvas.py, before and after
a change, taking turns in one run: each round measures every checkout given in a fresh
process of its own (PYTHONPATH set to it), so both see the same load on a shared machine.
CPU ms; each cell is the range over the rounds. Parting is also timed alone, on the outlines
of the layered file (where half the nodes overlap once boxes reserve their rows), of the
same graph once parted (nothing overlaps: most files) and of every node at one spot.

Run: python benchmarks/turns.py BEFORE_CHECKOUT [AFTER_CHECKOUT] [--rounds N] [--sizes ...]
     (AFTER defaults to this checkout; a checkout is a folder holding cgeditor/)
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("CGEDITOR_NO_SETTINGS", "1")

HERE = os.path.dirname(os.path.abspath(__file__))
FORMULAS = {"insert formula, 4 new nodes": "z = w1*u1 + w2*u2 + c; out = tanh(z)",
            "insert formula wired to x1, x2": "r = x1 * x2 + 1"}


def _cpu_ms(call: Callable[[], object], settle: Callable[[], object]) -> float:
    start = time.process_time()
    call()
    settle()
    return (time.process_time() - start) * 1000


def _parting_rows(window, count: int) -> dict[str, float]:
    """separate alone on three layouts of the layered graph's outlines, best of three."""
    from canvas import layered_graph

    from cgeditor.gui.overlaps import ROOM_GAPS
    from cgeditor.model.parting import separate
    window.set_graph(layered_graph(count))  # as laid out, not parted as an open parts it
    scene = window.scene
    scene.reserve_shapes()
    layered = scene.outlines()
    moved = separate(layered, ROOM_GAPS)
    parted = {k: (*moved.get(k, r[:2]), r[2], r[3]) for k, r in layered.items()}
    spot = {k: (0.0, 0.0, r[2], r[3]) for k, r in layered.items()}
    out = {}
    for name, rects in (("parting: the layered file", layered),
                        ("parting: nothing overlaps", parted),
                        ("parting: all at one spot", spot)):
        out[name] = min(_cpu_ms(lambda r=rects: separate(r, ROOM_GAPS), lambda: None)
                        for _ in range(3))
    return out


def _live_rows(window, settle: Callable[[], object]) -> dict[str, float]:
    """Setting an input under Live (the fastest of three), and what of it the snapshot of
    the graph kept beside the run took (KeptRun.ran, and back: the comparison with it)."""
    from cgeditor.model.kept_run import KeptRun
    inputs = [i for i, node in window.graph.nodes.items() if node.is_input]
    window.action("live").setChecked(True)
    settle()
    spent = [0.0]

    def timed(method: Callable[..., object]) -> Callable[..., object]:
        def call(*args: object, **kwargs: object) -> object:
            start = time.process_time()
            try:
                return method(*args, **kwargs)
            finally:
                spent[0] += (time.process_time() - start) * 1000
        return call
    edits, snapshots = [], []
    ran, back = KeptRun.ran, KeptRun.back
    KeptRun.ran, KeptRun.back = timed(ran), timed(back)
    try:
        for k in range(3):
            spent[0] = 0.0
            edits.append(_cpu_ms(lambda k=k: window.editor.set_value(inputs[0], str(2 + k)),
                                 settle))
            snapshots.append(spent[0])
    finally:
        KeptRun.ran, KeptRun.back = ran, back
    return {"set one input (Live)": min(edits), "  of it: the run's snapshot": min(snapshots)}


def measure(count: int) -> dict[str, float]:
    """Every row once (open: the faster of two) on a layered graph of ``count`` nodes."""
    from canvas import layered_graph, make_window
    from PySide6.QtWidgets import QApplication

    from cgeditor.model import files
    app = QApplication.instance() or QApplication(sys.argv)
    window = make_window(app)
    settle = QApplication.processEvents
    folder = tempfile.mkdtemp()
    path = os.path.join(folder, "layered.cgraph")
    files.save(layered_graph(count), path)

    def open_file() -> None:
        window.undo_stack.setClean()
        assert window.document.open_path(path, ask=False)
        window.view.viewport().repaint()
    out = _parting_rows(window, count)
    out["open file"] = min(_cpu_ms(open_file, settle) for _ in range(2))
    for name, text in FORMULAS.items():
        def insert(text: str = text) -> None:
            dialog = window.dialogs.open_formula()
            dialog.editor.setPlainText(text)
            dialog._accept_if_valid()
        before = len(window.graph.nodes)
        out[name] = _cpu_ms(insert, settle)
        assert len(window.graph.nodes) > before, f"{text!r} was not inserted"
    out.update(_live_rows(window, settle))
    from cgeditor.gui.canvas.image_export import export_png
    out["export PNG (capped)"] = _cpu_ms(
        lambda: export_png(window.scene, os.path.join(folder, "out.png")), settle)
    window.undo_stack.setClean()
    window.close()
    return out


def _turn(checkout: str, count: int) -> dict[str, float]:
    env = dict(os.environ, PYTHONPATH=os.path.abspath(checkout))
    done = subprocess.run([sys.executable, os.path.abspath(__file__), "--measure", str(count)],
                          env=env, capture_output=True, text=True, check=True, cwd=HERE)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", nargs="?")
    parser.add_argument("after", nargs="?", default=os.path.dirname(HERE))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000])
    parser.add_argument("--measure", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure:
        print(json.dumps(measure(args.measure)))
        return 0
    if args.before is None:
        parser.error("name the checkout to compare with")
    cells: dict[tuple[str, int, str], list[float]] = {}
    for _ in range(args.rounds):
        for count in args.sizes:
            for side, checkout in (("before", args.before), ("after", args.after)):
                for name, ms in _turn(checkout, count).items():
                    cells.setdefault((name, count, side), []).append(ms)
    print(f"before: {args.before}   after: {args.after}   ({args.rounds} rounds, CPU ms)")
    print(f"{'action':<34}" + "".join(f"{f'{side} {n:,}':>18}" for n in args.sizes
                                      for side in ("before", "after")))
    for name in dict.fromkeys(key[0] for key in cells):
        row = [cells[name, n, side] for n in args.sizes for side in ("before", "after")]
        print(f"{name:<34}" + "".join(f"{f'{min(c):,.0f}–{max(c):,.0f}':>18}" for c in row))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
