"""Pictures drawn as asked: theme, background, scale, what to show and layout direction,
whatever the window shows; and the export dialog that asks."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QColor, QImage

from cgeditor.gui import theme as T
from cgeditor.gui.canvas.picture import PictureOptions, export_picture, picture_scene
from cgeditor.gui.dialogs.export import ExportDialog
from cgeditor.model.display import build_display
from cgeditor.model.examples import load_example
from cgeditor.model.number_text import MINUS
from cgeditor.model.train import apply_values, train


def seed_run():
    graph = load_example("seed")
    return graph, build_display(graph.run(backward=True))


def test_theme_background_and_scale_are_the_pictures_own(qapp, tmp_path: Path) -> None:
    graph, display = seed_run()
    light, dark = tmp_path / "light.png", tmp_path / "dark.png"
    with T.palette_as("dark"):  # the window is dark; the picture asks for light
        size = export_picture(graph, display, str(light), PictureOptions(scale=1.0)).size
    assert QImage(str(light)).pixelColor(1, 1) == QColor("white")
    double = export_picture(graph, display, str(dark),
                            PictureOptions(scale=2.0, theme="dark", background="canvas")).size
    assert abs(double.width() - 2 * size.width()) <= 1  # rounded to whole pixels
    assert abs(double.height() - 2 * size.height()) <= 1
    assert QImage(str(dark)).pixelColor(1, 1) == T.DARK.canvas
    clear = tmp_path / "clear.png"
    export_picture(graph, display, str(clear), PictureOptions(background="transparent"))
    assert QImage(str(clear)).pixelColor(1, 1).alpha() == 0


def test_what_to_draw_leaves_out_values_gradients_badges_and_labels(qapp) -> None:
    graph, display = seed_run()
    full = picture_scene(graph, display, PictureOptions())
    w = graph.by_name("w").id
    assert full.nodes[w].display.grad_text == f"∂J/∂w = {MINUS}4"
    assert full.nodes[w].display.order_badge and full.label_boxes()
    bare = picture_scene(graph, display, PictureOptions(values=False, gradients=False,
                                                        badges=False, wire_labels=False))
    assert all(item.info_rows() == [] and not item.display.order_badge
               for item in bare.nodes.values())
    assert bare.label_boxes() == {}
    assert (graph.nodes[w].x, graph.nodes[w].y) == (full.nodes[w].x(), full.nodes[w].y())
    full.detach()
    bare.detach()


def test_top_to_bottom_runs_wires_down_without_touching_the_document(qapp) -> None:
    graph, display = seed_run()
    before = {i: (n.x, n.y) for i, n in graph.nodes.items()}
    scene = picture_scene(graph, display, PictureOptions(direction="TB"))
    c, j = scene.nodes[graph.by_name("c").id], scene.nodes[graph.by_name("J").id]
    assert c.in_port_xy("a") == (c.x() + c.width() / 3, c.y())  # inputs along the top
    assert j.out_port_xy() == (j.x() + j.width() / 2, j.y() + j.rect_height())
    rects = [item.sceneBoundingRect() for item in scene.nodes.values()]
    assert not any(a.intersects(b) for i, a in enumerate(rects) for b in rects[i + 1:])
    assert not any(scene.covers_node(box) for box in scene.label_boxes().values())
    assert {i: (n.x, n.y) for i, n in graph.nodes.items()} == before
    scene.detach()


def test_trained_xor_top_to_bottom_is_a_slide(qapp, tmp_path: Path) -> None:
    graph = load_example("xor")
    apply_values(graph, train(graph, 300, lr=1.0).params)
    path = tmp_path / "xor.png"
    size = export_picture(graph, build_display(graph.run(backward=True)), str(path),
                          PictureOptions(scale=2.0, direction="TB")).size
    assert max(size.width(), size.height()) <= 3 * min(size.width(), size.height())
    image = QImage(str(path))
    assert image.pixelColor(1, 1) == QColor("white")
    scene = picture_scene(graph, build_display(graph.run(backward=True)),
                          PictureOptions(direction="TB"))
    rects = [item.sceneBoundingRect() for item in scene.nodes.values()]
    assert not any(a.intersects(b) for i, a in enumerate(rects) for b in rects[i + 1:])
    picture = scene.picture_rect()
    assert all(picture.contains(box) for box in scene.label_boxes().values())
    scene.detach()


def test_the_dialog_reads_back_what_is_chosen(qtbot) -> None:
    dialog = ExportDialog(PictureOptions(scale=4.0, theme="dark", badges=False, margin=10))
    qtbot.addWidget(dialog)
    assert dialog.options() == PictureOptions(scale=4.0, theme="dark", badges=False, margin=10)
    dialog.combos["direction"].setCurrentIndex(dialog.combos["direction"].findData("TB"))
    dialog.combos["background"].setCurrentIndex(1)
    dialog.checks["gradients"].setChecked(False)
    chosen = dialog.options()
    assert (chosen.direction, chosen.background, chosen.gradients) == ("TB", "transparent",
                                                                        False)
