"""Everything else a user can do to every node of a big graph, beside the bulk edits of
canvas_bulk.py: open and save, auto layout and its undo, undo and redo of a drag of
everything, the Run menu painting 10k values and gradients, renaming one node under a run,
view changes, a theme switch, duplicate, the exports (dialogs and the CLI), the gradient
check (dock and CLI) and opening a file whose nodes all sit at one spot. Each is timed as
canvas_bulk.py times an edit: CPU ms with the events it posts processed, the repaint among
them.

Run: python benchmarks/canvas_whole.py [SIZE ...]   (default 1000 10000)
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys
import tempfile
from collections.abc import Callable

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("CGEDITOR_NO_SETTINGS", "1")

from canvas_bulk import _drag_all, _settled_ms
from files_big import autosave_passes
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from cgeditor import cli
from cgeditor.gui import theme_switch
from cgeditor.gui.canvas.image_export import export_png, export_svg
from cgeditor.model import files

Step = tuple[str, Callable[[], object]]


def _one_spot(path: str, out: str) -> None:
    """The file at ``path`` with every node moved to (0, 0)."""
    with open(path, encoding="utf-8") as handle:
        data = json.load(handle)
    for node in data["nodes"]:
        node["x"] = node["y"] = 0.0
    with open(out, "w", encoding="utf-8") as handle:
        json.dump(data, handle)


def _mouse(widget, kind: QEvent.Type, at: QPointF, button: Qt.MouseButton) -> None:
    """One left-button mouse event at ``at`` (viewport pixels)."""
    held = Qt.MouseButton.LeftButton
    QApplication.sendEvent(widget, QMouseEvent(kind, at, QPointF(widget.mapToGlobal(at)),
                                               button, held, Qt.KeyboardModifier.NoModifier))


def _cli(*argv: str) -> Callable[[], object]:
    def call() -> object:
        with contextlib.redirect_stdout(io.StringIO()), \
                contextlib.redirect_stderr(io.StringIO()):
            return cli.main(list(argv))
    return call


def _file_steps(window, folder: str, count: int) -> list[Step]:
    from canvas import layered_graph
    path = os.path.join(folder, f"layered{count}.cgraph")
    files.save(layered_graph(count), path)
    spot = os.path.join(folder, f"spot{count}.cgraph")
    _one_spot(path, spot)
    doc = window.document

    def open_file(name: str) -> Callable[[], object]:
        def go() -> None:
            window.undo_stack.setClean()
            assert doc.open_path(name, ask=False), f"could not open {name}"
            window.view.viewport().repaint()
        return go
    return [("open file", open_file(path)),
            ("save", lambda: doc.save_to(os.path.join(folder, f"saved{count}.cgraph"))),
            ("open, all at one spot", open_file(spot)),
            ("open file (again)", open_file(path))]


def _view_steps(window) -> list[Step]:
    view, scene = window.view, window.scene

    def arrow() -> None:
        scene.select_all()
        QApplication.processEvents()
        QTest.keyClick(view.viewport(), Qt.Key.Key_Right)
    def rubber_band() -> None:
        """Fit, then drag a rubber band from the view's corner over the whole graph."""
        window.action("fit").trigger()
        QApplication.processEvents()
        vp = view.viewport()
        corner, far = QPointF(2, 2), QPointF(vp.width() - 2, vp.height() - 2)
        assert scene.node_at(view.mapToScene(corner.toPoint())) is None, "corner not empty"
        _mouse(vp, QEvent.Type.MouseButtonPress, corner, Qt.MouseButton.LeftButton)
        for k in range(1, 5):
            _mouse(vp, QEvent.Type.MouseMove, corner + (far - corner) * k / 4,
                   Qt.MouseButton.NoButton)
        _mouse(vp, QEvent.Type.MouseButtonRelease, far, Qt.MouseButton.LeftButton)
        assert len(scene.selected_ids()) == len(scene.nodes), "the band missed nodes"

    def click_empty() -> None:
        vp = view.viewport()
        for kind in (QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonRelease):
            _mouse(vp, kind, QPointF(2, 2), Qt.MouseButton.LeftButton)
        assert not scene.selected_ids(), "the click left a selection"
    return [("fit graph", window.action("fit").trigger),
            ("zoom in", window.action("zoom_in").trigger),
            ("zoom out", window.action("zoom_out").trigger),
            ("theme: dark", lambda: theme_switch.apply_theme("dark")),
            ("theme: light", lambda: theme_switch.apply_theme("light")),
            ("select all, then →", arrow),
            ("clear selection", scene.clearSelection),
            ("rubber band over all", rubber_band),
            ("click on empty canvas", click_empty)]


def _edit_steps(window) -> list[Step]:
    act, stack = window.action, window.undo_stack

    def drag() -> None:
        act("select_all").trigger()
        QApplication.processEvents()
        _drag_all(window)
        assert stack.undoText().startswith("Move"), "the drag was not one move"
    return [("auto layout", act("layout").trigger),
            ("undo auto layout", stack.undo),
            ("redo auto layout", stack.redo),
            ("(drag all)", drag),
            ("undo drag all", stack.undo),
            ("redo drag all", stack.redo),
            ("duplicate all", lambda: (act("select_all").trigger(),
                                       act("duplicate").trigger())),
            ("undo duplicate", stack.undo),
            ("autosave (after an edit)", window.document.autosave.write_now)]


def _run_steps(window) -> list[Step]:
    act, editor, graph = window.action, window.editor, window.graph
    first = next(iter(graph.nodes))
    inputs = [i for i, node in graph.nodes.items() if node.is_input]
    last = list(graph.nodes)[-1]  # the output: every gradient row names it
    middle = list(graph.nodes)[len(graph.nodes) // 2]
    return [("forward", act("forward").trigger),
            ("backward", act("backward").trigger),
            ("select one node (run shown)", lambda: window.scene.select_ids([first])),
            ("set one input (re-run)", lambda: editor.set_value(inputs[0], "2")),
            ("rename output (run current)", lambda: editor.rename(last, "renamed1")),
            ("rename output (run stale)", lambda: editor.rename(last, "renamed2")),
            ("rename another (run stale)", lambda: editor.rename(middle, "renamed3")),
            ("reset", act("reset").trigger),
            ("run to end", act("run_all").trigger),
            ("reset (again)", act("reset").trigger),
            ("step (first)", act("step").trigger),
            ("step (second)", act("step").trigger),
            ("run to end (stepping)", act("run_all").trigger),
            ("delete one node (run stale)", lambda: editor.delete([first])),
            ("Live on (runs both passes)", lambda: act("live").setChecked(True)),
            ("set one input (Live)", lambda: editor.set_value(inputs[1], "3")),
            ("Live off", lambda: act("live").setChecked(False))]


def _export_steps(window, folder: str, count: int) -> list[Step]:
    dialogs, scene = window.dialogs, window.scene
    path = os.path.join(folder, f"layered{count}.cgraph")
    out = os.path.join(folder, "out")

    def close_dialogs() -> None:
        for dialog in dialogs.dialogs.values():
            dialog.close()

    def dock_check() -> None:
        """Learn > Check gradients, until the dock holds every input's row."""
        learning.check()
        while learning.gradcheck.running:
            QApplication.processEvents()
        assert learning.gradcheck.rows, "the dock checked nothing"
    learning = window.learning
    return [("export NumPy (dialog)", dialogs.export_numpy),
            ("export PyTorch (dialog)", dialogs.export_torch),
            ("show as formula", dialogs.show_formula),
            ("(close dialogs)", close_dialogs),
            ("(show the gradient check dock)", lambda: learning.show("gradcheck")),
            ("gradient check (dock)", dock_check),
            ("export SVG", lambda: export_svg(scene, out + ".svg")),
            ("export PNG (capped)", lambda: export_png(scene, out + ".png")),
            ("cli check", _cli("check", path)),
            ("cli run", _cli("run", path)),
            ("cli export NumPy", _cli("export", path, "-o", out + ".py")),
            ("cli export PyTorch", _cli("export", path, "-o", out + "_torch.py", "--torch")),
            ("cli export SVG", _cli("export", path, "-o", out + ".svg")),
            ("cli export SVG --run", _cli("export", path, "-o", out + "_run.svg", "--run")),
            ("cli export PNG (capped)", _cli("export", path, "-o", out + ".png")),
            ("cli gradcheck", _cli("gradcheck", path))]


def measure_whole(window, count: int, folder: str) -> dict[str, float]:
    """Every step once on a layered graph of ``count`` nodes; CPU ms by step name."""
    out: dict[str, float] = {}
    steps = _file_steps(window, folder, count)
    for name, action in steps[:1]:
        out[name] = _settled_ms(action, window)
    groups: list[Callable[[], list[Step]]] = [
        lambda: _view_steps(window), lambda: _edit_steps(window),
        lambda: _run_steps(window), lambda: steps[1:],
        lambda: _export_steps(window, folder, count)]
    for group in groups:  # each built when its turn comes: open replaces the scene
        for name, action in group():
            out[name] = _settled_ms(action, window)
            print(f"  {count:>6} {name:<28}{out[name]:>10.1f}", file=sys.stderr, flush=True)
            if name.startswith("autosave"):  # as its timer runs it, after the same edit
                graph = window.graph
                window.editor.set_value(next(i for i, n in graph.nodes.items() if n.is_input),
                                        "1.5")
                passes = autosave_passes(window)
                out["autosave: longest pass"], out["autosave: all passes"] = \
                    max(passes), sum(passes)
    return out


def print_table(rows: dict[int, dict[str, float]]) -> None:
    sizes = sorted(rows)
    print("whole-graph actions, offscreen (CPU ms, one run each; ratio = largest / smallest)")
    print(f"{'action':<30}" + "".join(f"{n:>12,}" for n in sizes) + f"{'ratio':>8}")
    for key in rows[sizes[0]]:
        if key.startswith("("):
            continue
        ratio = rows[sizes[-1]][key] / max(rows[sizes[0]][key], 1e-3)
        print(f"{key:<30}" + "".join(f"{rows[n][key]:>12.1f}" for n in sizes)
              + f"{ratio:>8.1f}")


def main(argv: list[str]) -> int:
    from canvas import make_window
    app = QApplication.instance() or QApplication(sys.argv)
    window = make_window(app)
    sizes = [int(a) for a in argv] or [1_000, 10_000]
    with tempfile.TemporaryDirectory() as folder:
        rows = {n: measure_whole(window, n, folder) for n in sizes}
    print_table(rows)
    window.undo_stack.setClean()
    window.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
