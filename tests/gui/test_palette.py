"""The palette and quick add: every registry op, grouped, searchable, and added where asked."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPoint, QRect, Qt
from PySide6.QtGui import QCursor, QHelpEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QToolTip

from cgeditor.core.ops import CATEGORIES, REGISTRY
from cgeditor.gui.canvas.quick_add import ranked_ops
from cgeditor.gui.canvas.view import OP_MIME
from cgeditor.gui.docks.palette import OP_ROLE, op_mime


def test_every_op_is_listed_under_its_category_with_its_doc(window) -> None:
    tree = window.palette.tree
    groups = [tree.topLevelItem(i).text(0) for i in range(tree.topLevelItemCount())]
    assert groups == list(CATEGORIES)
    for i in range(tree.topLevelItemCount()):
        group = tree.topLevelItem(i)
        for j in range(group.childCount()):
            spec = REGISTRY[group.child(j).data(0, OP_ROLE)]
            assert spec.category == group.text(0)
            text = group.child(j).text(0)
            assert text.endswith(spec.name)
            # a glyph shows beside the name; a letter abbreviation (CE, logsm) would only widen
            glyph = not (spec.symbol.isascii() and spec.symbol.isalpha())
            assert text == (f"{spec.symbol}  {spec.name}" if glyph else spec.name), text
            assert group.child(j).toolTip(0) == f"{text}: {spec.doc}"
    assert sorted(window.palette.visible_ops()) == sorted(REGISTRY)


def test_hovering_a_name_the_palette_cuts_shows_it_whole(window, qtbot) -> None:
    """In a 1280×800 window 'mᵀ  matrix_transpose' is cut to 'mᵀ  matrix_tr…': the hover
    text names the op before its doc."""
    tree = window.palette.tree
    item = next(i for i in window.palette.op_items() if i.data(0, OP_ROLE) == "matrix_transpose")
    tree.scrollToItem(item)
    rect = tree.visualItemRect(item)
    QTest.mouseMove(tree.viewport(), rect.center())
    QApplication.sendEvent(tree.viewport(), QHelpEvent(
        QEvent.Type.ToolTip, rect.center(), tree.viewport().mapToGlobal(rect.center())))
    qtbot.waitUntil(QToolTip.isVisible)
    assert QToolTip.text().startswith("mᵀ  matrix_transpose: Swap the last two axes")


def test_search_filters_ops_and_hides_empty_groups(window) -> None:
    palette = window.palette
    QTest.keyClicks(palette.search, "tanh")
    assert palette.visible_ops() == ["tanh"]
    tree = palette.tree
    shown = [tree.topLevelItem(i).text(0) for i in range(tree.topLevelItemCount())
             if not tree.topLevelItem(i).isHidden()]
    assert shown == ["Activations"]
    palette.search.clear()
    assert len(palette.visible_ops()) == len(REGISTRY)


def test_drag_payload_names_the_op() -> None:
    mime = op_mime("mul")
    assert bytes(mime.data(OP_MIME).data()) == b"mul"


def test_double_click_adds_at_the_view_centre(window) -> None:
    item = next(i for i in window.palette.op_items() if i.data(0, OP_ROLE) == "exp")
    window.view.centerOn(-2000, -2000)  # an empty spot: nothing there to make room for
    window.palette.tree.itemDoubleClicked.emit(item, 0)
    node = window.graph.by_name("exp1")
    center = window.view.center_scene_pos()
    assert window.scene.nodes[node.id].sceneBoundingRect().contains(center)
    assert window.undo_stack.undoText() == "Add exp"


def test_enter_in_search_adds_the_first_match(window) -> None:
    QTest.keyClicks(window.palette.search, "sigm")
    QTest.keyClick(window.palette.search, Qt.Key.Key_Return)
    assert window.graph.has_name("sigmoid1")


def test_quick_add_ranks_prefix_matches_first() -> None:
    assert ranked_ops("su")[:2] == ["sub", "sum"]
    assert ranked_ops("")[0] == next(iter(REGISTRY))


def test_tab_on_the_canvas_opens_quick_add_and_enter_adds_there(window, canvas) -> None:
    window.view.setFocus()
    QTest.keyClick(window.view, Qt.Key.Key_Tab)
    popup = window.quick_add
    assert popup.isVisible()
    QTest.keyClicks(popup.field, "relu")
    assert popup.list.currentItem().data(OP_ROLE) == "relu"
    QTest.keyClick(popup.field, Qt.Key.Key_Return)
    assert not popup.isVisible()
    assert window.graph.has_name("relu1")
    assert window.undo_stack.undoText() == "Add relu"


def test_typing_a_letter_on_the_canvas_starts_the_search(window) -> None:
    window.view.setFocus()
    QTest.keyClick(window.view, Qt.Key.Key_M, Qt.KeyboardModifier.NoModifier)
    assert window.quick_add.isVisible()
    assert window.quick_add.field.text() == "m"
    assert window.quick_add.list.currentItem().data(OP_ROLE) in ("mul", "maximum",
                                                                   "minimum", "mean", "matmul",
                                                                   "mse")
    window.quick_add.hide()



def test_quick_add_at_the_screens_bottom_right_opens_whole_on_the_screen(window) -> None:
    room = window.screen().availableGeometry()
    viewport = window.view.viewport()
    canvas = QRect(viewport.mapToGlobal(QPoint(0, 0)), viewport.size())
    corner = canvas.intersected(room).bottomRight() - QPoint(10, 10)
    # the cursor is on the canvas, too near the screen's corners for the list to fit below it
    assert viewport.rect().contains(viewport.mapFromGlobal(corner))
    assert corner.y() + window.quick_add.height() > room.bottom()
    QCursor.setPos(corner)
    window.view.setFocus()
    QTest.keyClick(window.view, Qt.Key.Key_Tab)
    popup = window.quick_add
    assert popup.isVisible()
    assert room.contains(popup.frameGeometry()), (popup.frameGeometry(), room)
    QTest.keyClicks(popup.field, "exp")
    QTest.keyClick(popup.field, Qt.Key.Key_Return)
    # the node still goes where the cursor was, not where the list was moved to
    node = window.scene.nodes[window.graph.by_name("exp1").id]
    spot = window.view.mapToScene(viewport.mapFromGlobal(corner))
    assert node.sceneBoundingRect().contains(spot) or node.pos() == spot
