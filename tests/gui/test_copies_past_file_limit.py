"""The editor's working copies of a graph (the failure lab's trial of a remedy, the cost
dock's timing, a picture, cgeditor.show's graph in and out) are Graph.copy, not a save and
open: a document whose file would pass the open size limit (four 1000 × 1000 inputs) is
copied like any other. The limit is shrunk here to a few bytes to stand for one."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

import cgeditor
from cgeditor.gui.canvas.picture import PictureOptions, export_picture
from cgeditor.model import files, files_parse
from cgeditor.model.display import build_display
from cgeditor.model.examples import load_example
from tests.gui.test_failure_lab_dock import open_case, press, set_in_inspector
from tests.gui.test_legible import small_window  # noqa: F401 (fixture)
from tests.gui.test_show import script_window


@pytest.fixture
def tiny_limit(monkeypatch):
    """Call to shrink the limit (once what the test opens is open)."""
    def shrink() -> None:
        monkeypatch.setattr(files_parse, "MAX_FILE_BYTES", 64)
        with pytest.raises(cgeditor.LoadError, match="limit"):  # an open refuses the file
            files.loads(files.dumps(load_example("seed")))
    return shrink


def test_the_lab_applies_a_remedy_to_a_graph_past_the_limit(window, qtbot, canvas,
                                                            tiny_limit) -> None:
    lab = open_case(window, qtbot, "log_zero")
    tiny_limit()
    set_in_inspector(window, canvas, "p", "0")
    press(window, qtbot, Qt.Key.Key_F5)
    steps = window.undo_stack.count()
    qtbot.waitUntil(lambda: not lab.apply_button.visibleRegion().isEmpty())
    qtbot.mouseClick(lab.apply_button, Qt.MouseButton.LeftButton)
    QApplication.processEvents()
    assert window.undo_stack.count() == steps + 1
    assert window.run.state.result.values["J"] < 1e300  # finite again: log(p + ε)


def test_cost_timing_and_pictures_copy_a_graph_past_the_limit(qtbot, window, tmp_path,
                                                              tiny_limit) -> None:
    graph = load_example("seed")
    tiny_limit()
    window.learning.show("cost")
    panel = window.learning.cost
    with qtbot.waitSignal(panel.measured, timeout=20_000):
        assert panel.start_measure()
    path = tmp_path / "seed.png"
    export_picture(graph, build_display(graph.run()), str(path), PictureOptions())
    assert path.stat().st_size > 0


def test_show_takes_and_gives_back_a_graph_past_the_limit(qtbot, tiny_limit) -> None:
    graph = load_example("seed")
    tiny_limit()
    QTimer.singleShot(0, lambda: script_window().close())
    edited = cgeditor.show(graph)
    assert files.dumps(edited) == files.dumps(graph)
    assert edited is not graph
