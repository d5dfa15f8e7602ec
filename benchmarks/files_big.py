"""Autosave, save and open of a big graph in the editor: how long each holds the main thread.

The autosave after an edit runs as its timer runs it: the longest of its turns on the main
thread, between which the event loop runs (what a user feels as a freeze), and their total;
then the same autosave made in one go (write_now), Save (Ctrl+S) right after an autosave,
Save As of a file just opened (nothing encoded yet) and Open. CPU ms, as canvas_bulk.py times
an edit. On code without the sliced autosave, its one turn is the whole write.

Run: python benchmarks/files_big.py [SIZE ...]   (default 1000 10000 20000)
"""

from __future__ import annotations

import os
import sys
import tempfile
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("CGEDITOR_NO_SETTINGS", "1")

from canvas_bulk import _settled_ms
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from cgeditor.model import files


def _cpu_ms(call) -> float:
    start = time.process_time()
    call()
    return (time.process_time() - start) * 1000


def autosave_passes(window) -> list[float]:
    """CPU ms of each of the autosave's own turns on the main thread, from its timer firing
    to the file written (called here one after another, so no other event counts in)."""
    autosave = window.document.autosave
    QTest.qWait(300)  # the edit's own repaint and deferred refreshes are not the autosave's
    autosave.timer.stop()  # as if it had just fired
    if not hasattr(autosave, "pending"):  # older code: the whole write when the timer fires
        return [_cpu_ms(autosave.write_now)]
    passes = [_cpu_ms(autosave._start)]
    while autosave.pending():
        autosave._slicer.stop()  # its next turn is taken here, not by the event loop
        passes.append(_cpu_ms(autosave._slice))
    return passes


def measure(window, count: int, folder: str) -> dict[str, float]:
    """Every row once on a layered graph of ``count`` nodes; CPU ms by row name."""
    from canvas import layered_graph
    path = os.path.join(folder, f"layered{count}.cgraph")
    files.save(layered_graph(count), path)
    doc, editor = window.document, window.editor
    out = {"open": _settled_ms(lambda: doc.open_path(path, ask=False), window),
           "save as (just opened)": _settled_ms(
               lambda: doc.save_to(os.path.join(folder, "fresh.cgraph")), window)}
    inputs = [i for i, node in window.graph.nodes.items() if node.is_input]
    editor.set_value(inputs[0], "2")
    passes = autosave_passes(window)
    out["autosave: longest pass"] = max(passes)
    out["autosave: total"] = sum(passes)
    out["autosave: passes"] = len(passes)
    editor.set_value(inputs[0], "3")
    out["autosave in one go"] = _settled_ms(doc.autosave.write_now, window)
    editor.set_value(inputs[0], "4")
    out["save (after an autosave)"] = _settled_ms(doc.save, window)
    expected = files.dumps(window.graph)
    with open(doc.path, encoding="utf-8") as handle:
        assert handle.read() == expected, "the saved file is not the graph's canonical text"
    return out


def main(argv: list[str]) -> int:
    from canvas import make_window
    app = QApplication.instance() or QApplication(sys.argv)
    window = make_window(app)
    sizes = [int(a) for a in argv] or [1_000, 10_000, 20_000]
    with tempfile.TemporaryDirectory() as folder:
        rows = {n: measure(window, n, folder) for n in sizes}
    print("files of a big graph, offscreen (CPU ms, one run each)")
    print(f"{'action':<28}" + "".join(f"{n:>12,}" for n in sizes))
    for key in rows[sizes[0]]:
        print(f"{key:<28}" + "".join(f"{rows[n][key]:>12.1f}" for n in sizes))
    window.undo_stack.setClean()
    window.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
