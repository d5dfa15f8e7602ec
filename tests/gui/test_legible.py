"""Every bundled example, in a 1280×800 window with the docks a first start arranges, opens
legible and stays so after Forward and Backward and after Auto Layout, and with the Trace or
a Learn dock raised: every node (ports and badges included) whole in view, no two
overlapping, no wire label over a node, and the value text at least 9 pixels tall on screen."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QRectF, Qt
from PySide6.QtWidgets import QApplication, QDockWidget, QMessageBox

from cgeditor.gui import theme as T
from cgeditor.gui.canvas.arrange import LAPTOP_CANVAS
from cgeditor.gui.canvas.node_geometry import SCALAR_CHARS
from cgeditor.gui.docks.trace import COMPACT_ROWS
from cgeditor.model.examples import load_example
from cgeditor.paths import examples_dir
from tests.gui.conftest import shown_window
from tests.gui.test_dock_layout import click_tab
from tests.gui.test_trace_legible import whole_rows

EXAMPLES = sorted(p.stem for p in Path(examples_dir()).glob("*.cgraph"))


def overlaps(rects: list[QRectF]) -> list[tuple[int, int]]:
    return [(i, j) for i, a in enumerate(rects) for j, b in enumerate(rects[i + 1:], i + 1)
            if a.intersects(b)]


def assert_legible(window, name: str) -> None:
    scene = window.scene
    items = list(scene.nodes.values())
    rects = [item.sceneBoundingRect() for item in items]
    clashes = [(items[i].name, items[j].name) for i, j in overlaps(rects)]
    assert not clashes, f"{name}: nodes overlap: {clashes}"
    for key, box in scene.label_boxes().items():
        covered = [item.name for item, rect in zip(items, rects) if rect.intersects(box)]
        assert not covered, f"{name}: the label of wire {key} covers {covered}"
    value_px = T.font("value").pixelSize() * window.view.zoom()
    assert value_px >= T.READABLE_PX, f"{name}: value text {value_px:.1f} px on screen"
    seen = window.view.mapToScene(window.view.viewport().rect()).boundingRect()
    hidden = [item.name for item, rect in zip(items, rects) if not seen.contains(rect)]
    assert not hidden, f"{name}: not whole in view at zoom {window.view.zoom():.2f}: {hidden}"


@pytest.fixture
def small_window(qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    from cgeditor.gui import document
    monkeypatch.setattr(document, "ask_save_changes",
                        lambda *_a: QMessageBox.StandardButton.Discard)
    window = shown_window(qtbot, tmp_path)
    window.resize(1280, 800)
    QApplication.processEvents()
    # The examples are laid out for this canvas: a first start's docks must leave it.
    canvas = window.view.viewport().size()
    assert canvas.width() >= LAPTOP_CANVAS[0] and canvas.height() >= LAPTOP_CANVAS[1], canvas
    return window


@pytest.mark.parametrize("name", EXAMPLES)
def test_every_example_is_legible_after_a_run_and_after_auto_layout(small_window,
                                                                      name: str) -> None:
    window = small_window
    window.set_graph(load_example(name))
    QApplication.processEvents()
    assert_legible(window, name)  # as opened
    nodes = window.scene.nodes
    before = {node_id: item.sceneBoundingRect() for node_id, item in nodes.items()}
    window.action("forward").trigger()
    window.action("backward").trigger()
    QApplication.processEvents()
    # The rows a run fills were reserved: only a number longer than the reserve widens its
    # node ('−0.009338'), in place, covering nothing.
    grown = {item.name for node_id, item in nodes.items()
             if item.sceneBoundingRect() != before[node_id]}
    assert grown == {item.name for item in nodes.values() if item.number_chars() > SCALAR_CHARS}
    assert all(item.sceneBoundingRect().topLeft() == before[node_id].topLeft()
               for node_id, item in nodes.items())
    for item in window.scene.nodes.values():  # every node shows its value and gradient
        rows = dict(item.info_rows())
        assert "value" in rows and "grad" in rows, f"{name}: {item.name} shows {rows}"
    window.fit()
    assert_legible(window, name)
    window.action("layout").trigger()
    QApplication.processEvents()
    assert_legible(window, f"{name} after Auto Layout")


@pytest.mark.parametrize("dock", ["gradcheck", "cost", "train"])
@pytest.mark.parametrize("name", EXAMPLES)
def test_every_example_stays_legible_as_a_learn_dock_opens_and_closes(small_window, qtbot,
                                                                       name: str,
                                                                       dock: str) -> None:
    window = small_window
    path = str(Path(examples_dir()) / f"{name}.cgraph")
    palette = window.findChild(QDockWidget, "palette")

    def settled(what: str) -> None:
        qtbot.wait(20)  # the resize, then the fit it schedules
        assert_legible(window, f"{name} {what}")

    assert window.dialogs.open_example(path)
    settled("as opened")
    window.learning.show(dock)
    settled(f"after {dock} opened")  # the docks took room: fitted again
    assert window.dialogs.open_example(path)
    settled(f"opened with {dock} open")
    assert window.learning.docks[dock].isVisible() and not palette.isVisible()
    window.learning.docks[dock].close()
    settled(f"after {dock} closed")
    assert palette.isVisible()  # Ops gave its room only while the lesson was open


def run_and_fit(window, qtbot) -> None:
    """F5, F6 and F on the canvas, as a student presses them."""
    window.view.setFocus()
    for key in (Qt.Key.Key_F5, Qt.Key.Key_F6):
        qtbot.keyClick(window.view.viewport(), key)
    qtbot.wait(20)  # the resizes a run's docks make, then the fit they schedule
    qtbot.keyClick(window.view.viewport(), Qt.Key.Key_F)


@pytest.mark.parametrize("learn", [None, "gradcheck", "cost", "train", "practice"])
@pytest.mark.parametrize("name", EXAMPLES)
def test_every_example_stays_whole_with_the_trace_raised(small_window, qtbot, name: str,
                                                         learn: str | None) -> None:
    """The Trace opens tall on a small graph; an example opened under it, or the Trace
    raised after running the example, leaves the example whole (the strip grows less)."""
    window = small_window
    trace = window.findChild(QDockWidget, "trace").widget().table
    window.set_graph(load_example("seed"))
    run_and_fit(window, qtbot)
    click_tab(window, qtbot, "Trace")
    assert len(whole_rows(trace)) >= COMPACT_ROWS  # room to spare: the Trace grew
    if learn is not None:
        window.learning.show(learn)
        qtbot.wait(20)  # the column takes its room, the Trace gives some back
    assert window.dialogs.open_example(str(Path(examples_dir()) / f"{name}.cgraph"))
    run_and_fit(window, qtbot)
    assert_legible(window, f"{name} opened under the Trace, {learn} open")
    click_tab(window, qtbot, "Messages")
    click_tab(window, qtbot, "Trace")  # raised after the run
    qtbot.wait(20)
    qtbot.keyClick(window.view.viewport(), Qt.Key.Key_F)
    assert_legible(window, f"{name} with the Trace raised after a run, {learn} open")
    assert trace.model().rowCount() == len(window.graph)
    if learn is not None:  # a Learn dock opened under the raised Trace
        window.learning.docks[learn].close()
        window.learning.show(learn)
        qtbot.wait(20)
        qtbot.keyClick(window.view.viewport(), Qt.Key.Key_F)
        assert_legible(window, f"{name} with the Trace raised, then {learn}")


def test_an_inserted_formula_on_tensors_overlaps_nothing_even_after_a_run(small_window,
                                                                           qtbot) -> None:
    from PySide6.QtWidgets import QLineEdit
    window = small_window
    window.set_graph(load_example("xor"))
    field = window.toolbar.findChild(QLineEdit, "formula_field")
    qtbot.keyClicks(field, "R = sum(W1 * W1) + sum(b1 * b1)")  # W1 and b1 are tensors
    qtbot.keyClick(field, Qt.Key.Key_Return)
    QApplication.processEvents()
    product = window.scene.nodes[window.graph.by_name("R").id]
    assert product is not None and len(window.graph) > 15
    items = list(window.scene.nodes.values())
    before = [item.sceneBoundingRect() for item in items]
    assert not overlaps(before)
    window.action("backward").trigger()
    QApplication.processEvents()
    assert [item.sceneBoundingRect() for item in items] == before


def test_a_big_graph_is_laid_out_in_one_band_whatever_the_room() -> None:
    # Past FOLD_LIMIT nodes a graph is seen as blocks anyway: folding it would only cost time.
    from cgeditor.gui.canvas.arrange import FOLD_LIMIT, layout_by_size
    from tests.model.test_layout import chain

    def bands(length: int) -> int:
        graph = chain(length)
        sizes = {n: (120.0, 80.0) for n in graph.nodes}
        return len({y for _x, y in layout_by_size(graph, sizes, room=(1000.0, 800.0)).values()})

    assert bands(20) > 1
    assert bands(FOLD_LIMIT + 1) == 1
