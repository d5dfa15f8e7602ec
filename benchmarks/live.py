"""Live mode budget: one re-run (forward + backward + display state) of a 1,000-node graph
must stay under 50 ms including repaint. Prints a table of medians; runs offscreen.
"""

from __future__ import annotations

import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from timing import median_ms

from cgeditor.model.display import build_display
from cgeditor.model.graph import Graph

OPS = ("add", "mul", "sub", "tanh", "sin", "sigmoid")


def scalar_graph(n: int = 1000) -> Graph:
    """A layered scalar DAG: each node reads the previous node and one a few steps back."""
    graph = Graph()
    ids = [graph.add_node("input", f"x{k}", x=0, y=40 * k, value=0.1 * (k + 1)).id
           for k in range(4)]
    while len(ids) < n:
        k = len(ids)
        op = OPS[k % len(OPS)]
        node = graph.add_node(op, f"n{k}", x=60 * k, y=40 * (k % 17))
        ports = node.ports
        graph.connect(ids[-1], node.id, ports[0])
        if len(ports) > 1:
            graph.connect(ids[-4], node.id, ports[1])
        ids.append(node.id)
    graph.set_output(ids[-1])
    return graph


def controller_rows(graph: Graph) -> list[tuple[str, float]]:
    """The same re-run through RunController (trace dock and signal included), plus a repaint
    of the window when the canvas exists."""
    from PySide6.QtWidgets import QApplication

    from cgeditor.gui.window import MainWindow
    app = QApplication.instance() or QApplication(sys.argv)
    window = MainWindow()
    window.set_graph(graph)
    window.resize(1400, 900)
    window.show()
    run = window.run

    def rerun() -> None:
        run._run(backward=True)

    def rerun_and_paint() -> None:
        rerun()
        window.grab()  # forces a full synchronous paint of the window
        app.processEvents()

    rows = [("Live re-run via RunController (+ trace)", median_ms(rerun, 30, warm=True))]
    rows.append(("… plus repainting the window", median_ms(rerun_and_paint, 10, warm=True)))
    rows.append(("Live: edit x0 (all numbers change) + repaint", live_edit_ms(app, window)))
    rows.append(("Not Live: typed value after a run + repaint", typed_edit_ms(app, window)))
    window.undo_stack.setClean()
    window.close()
    return rows


def live_edit_ms(app, window) -> float:
    """The real Live path: an input's value changes (so every downstream number and text
    does), the model signals, the Live timer re-runs, and the canvas repaints."""
    graph, x0 = window.graph, window.graph.by_name("x0").id
    window.run.set_live(True)
    step = [0]

    def edit() -> None:
        step[0] += 1
        graph.set_value(x0, 0.1 + 1e-3 * step[0])
        app.processEvents()  # the Live timer fires: run, display state, paint_run
        window.view.viewport().repaint()

    ms = median_ms(edit, 10, warm=True)
    window.run.set_live(False)
    return ms


def typed_edit_ms(app, window) -> float:
    """Without Live, a value typed after a run re-runs that run at once (one undo step
    through the Editor, the re-run inside it), so no number on screen predates the value."""
    x0 = window.graph.by_name("x0").id
    window.run.backward()
    step = [0]

    def edit() -> None:
        step[0] += 1
        window.editor.set_value(x0, repr(0.1 + 1e-3 * step[0]))
        app.processEvents()
        window.view.viewport().repaint()

    ms = median_ms(edit, 10, warm=True)
    assert not window.run.stale and window.run.result is not None
    return ms


def main() -> None:
    graph = scalar_graph(1000)
    result = graph.run()
    rows = [
        ("forward + backward (graph.run)", median_ms(graph.run, 30, warm=True)),
        ("display state (build_display)", median_ms(lambda: build_display(result), 30, warm=True)),
        ("run + display state", median_ms(lambda: build_display(graph.run()), 30, warm=True)),
    ]
    rows += controller_rows(graph)
    print(f"Live mode, {len(graph)} scalar nodes, {len(graph.edges)} wires (median ms)")
    print(f"{'measure':48} {'ms':>8}  budget")
    for label, ms in rows:
        print(f"{label:48} {ms:8.2f}  {'ok' if ms < 50 else 'OVER 50 ms'}")


if __name__ == "__main__":
    main()
