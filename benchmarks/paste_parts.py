"""Where a paste of the layered graph beside itself spends its time: CPU ms inside each of
the parts a paste runs (a part's figure includes the parts it calls: the old boxes'
re-measure includes naming the output), for a few pastes in one process, each on a fresh
graph. The whole paste is timed as canvas_bulk.py times it (the events it posts included).

Run: python benchmarks/paste_parts.py [nodes] [pastes]   (default 10000 nodes, 3 pastes)
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("CGEDITOR_NO_SETTINGS", "1")

from PySide6.QtWidgets import QApplication

from cgeditor.gui import bulk_commands, editor
from cgeditor.gui.canvas import overview, scene, scene_sync, wire_layer
from cgeditor.model import graph as graph_module

# (owner, attribute, what the README calls it)
PARTS: tuple[tuple[Any, str, str], ...] = (
    (scene_sync.ModelSync, "add_node_items", "making the node items"),
    (graph_module.Graph, "check_parts", "checking the new nodes and wires, their records"),
    (bulk_commands, "named", "naming them"),
    (scene_sync.ModelSync, "reserve_shapes", "re-measuring the old boxes"),
    (scene_sync.ModelSync, "_reserved", "… of it naming the output (the order's last node)"),
    (wire_layer.WireLayer, "add_all", "the new wires"),
    (scene_sync.ModelSync, "reroute_wires", "re-routing the old nodes' wires"),
    (editor.Editor, "_room", "making room (its outlines included)"),
    (editor, "paste_drop", "predicting where the block lands"),
    (graph_module.Graph, "add_checked", "writing the parts into the model"),
    (scene.GraphScene, "outlines", "reading every node's outline (twice)"),
    (scene.GraphScene, "select_ids", "selecting them"),
    (overview, "_sort_blocks", "… the overview's blocks, in the repaint"),
)
WHOLE, EVENTS = "whole paste, repaint included", "repaint and Qt's index (events after)"


def _timed(tally: dict[str, float], label: str, func: Callable[..., Any]) -> Callable[..., Any]:
    def timed(*args: Any, **kwargs: Any) -> Any:
        start = time.process_time()
        try:
            return func(*args, **kwargs)
        finally:
            tally[label] = tally.get(label, 0.0) + (time.process_time() - start) * 1000
    return timed


def measure(window: Any, count: int, tally: dict[str, float]) -> dict[str, float]:
    """One paste of layered_graph(count) beside itself: ms by part (``tally`` is filled by
    the wrapped functions)."""
    from canvas import layered_graph

    window.set_graph(layered_graph(count))
    QApplication.processEvents()
    window.action("select_all").trigger()
    window.action("copy").trigger()
    QApplication.processEvents()
    window.scene.clearSelection()
    QApplication.processEvents()
    tally.clear()
    start = time.process_time()
    window.action("paste").trigger()
    posted = time.process_time()
    QApplication.processEvents()
    end = time.process_time()
    window.undo_stack.setClean()
    return {WHOLE: (end - start) * 1000, EVENTS: (end - posted) * 1000, **tally}


def main(argv: list[str]) -> int:
    from canvas import make_window

    count = int(argv[0]) if argv else 10_000
    pastes = int(argv[1]) if len(argv) > 1 else 3
    tally: dict[str, float] = {}
    for owner, name, label in PARTS:
        setattr(owner, name, _timed(tally, label, getattr(owner, name)))
    app = QApplication.instance() or QApplication(sys.argv)
    window = make_window(app)
    rows = [measure(window, count, tally) for _ in range(pastes)]
    print(f"paste of {count:,} nodes beside themselves: CPU ms over {pastes} pastes")
    for label in (WHOLE, *(part[2] for part in PARTS), EVENTS):
        values = [row.get(label, 0.0) for row in rows]
        print(f"{label:<52}{min(values):>8.0f} – {max(values):.0f}")
    window.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
