"""The action table builds the whole window: every row is an action in its menu and, when
asked, on the toolbar in table order; every shortcut names a row; no action is bound twice."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction

from cgeditor.gui import actions as A
from cgeditor.gui import shortcuts

ROWS = [r for r in A.ACTIONS if isinstance(r, A.Action)]


def test_names_are_unique_and_every_shortcut_names_a_row() -> None:
    names = [r.name for r in ROWS]
    assert len(names) == len(set(names))
    assert set(shortcuts.SHORTCUTS) <= set(names)


def test_every_row_is_built_where_the_table_says(window) -> None:
    for row in ROWS:
        action = window.action(row.name)
        assert action is not None, row.name
        assert action in window.menus[row.menu].actions(), row.name
        assert action.isCheckable() == row.checkable
        if row.tip:
            assert action.toolTip().startswith(row.tip)
    on_toolbar = [a.objectName() for a in window.toolbar.actions()
                  if a.objectName() in {r.name for r in ROWS}]
    assert on_toolbar == [r.name for r in ROWS if r.toolbar]


def test_each_action_runs_its_handler(window) -> None:
    """Triggering Select All selects every node; Zoom In magnifies; Reset clears the trace."""
    window.action("select_all").trigger()
    assert set(window.scene.selected_ids()) == set(window.graph.nodes)
    zoom = window.view.zoom()
    window.action("zoom_in").trigger()
    assert window.view.zoom() > zoom
    window.action("backward").trigger()
    assert window.run.trace.model.ids
    window.action("reset").trigger()
    assert window.run.trace.model.ids == []


def test_undo_names_the_step_it_would_take(window) -> None:
    undo = window.action("undo")
    assert not undo.isEnabled()
    window.editor.set_value(window.graph.by_name("w").id, "3")
    assert undo.isEnabled() and undo.text() == "Undo Set w = 3"
    undo.trigger()
    assert window.action("redo").text() == "Redo Set w = 3" and not undo.isEnabled()


def test_no_key_is_bound_twice(window) -> None:
    """Window-wide keys are unique (a dock's own Copy acts only while the dock has focus)."""
    seen: dict[str, str] = {}
    for action in window.findChildren(QAction):
        if action.shortcutContext() == Qt.ShortcutContext.WidgetWithChildrenShortcut \
                and action.objectName() not in {r.name for r in ROWS}:
            continue
        for key in action.shortcuts():
            text = key.toString()
            assert seen.setdefault(text, action.objectName()) == action.objectName(), text


def _access_keys(menu) -> list[str]:
    """The access key (the letter after a single &) of each entry of ``menu``."""
    keys = []
    for action in menu.actions():
        text = action.text().replace("&&", "")
        if "&" in text:
            keys.append(text[text.index("&") + 1].lower())
    return keys


def test_no_two_entries_of_a_menu_share_an_access_key(window) -> None:
    """Alt+F then E must open one entry (Examples), not cycle between two."""
    menus = [a.menu() for a in window.menuBar().actions()]
    checked = 0
    for menu in menus:
        menus.extend(a.menu() for a in menu.actions() if a.menu() is not None)
        keys = _access_keys(menu)
        assert len(keys) == len(set(keys)), (menu.title(), keys)
        checked += len(keys)
    assert "e" in _access_keys(window.menus["file"]) and checked > 30
