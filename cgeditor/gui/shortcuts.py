"""Every keyboard shortcut in one table, keyed by action objectName, so none is bound twice.

Standard keys come from QKeySequence.StandardKey so each platform gets its own conventions.
"""

from __future__ import annotations

from PySide6.QtGui import QAction, QKeySequence

Std = QKeySequence.StandardKey

SHORTCUTS: dict[str, QKeySequence.StandardKey | str] = {
    # File
    "new": Std.New,
    "open": Std.Open,
    "save": Std.Save,
    "save_as": Std.SaveAs,
    "export_image": "Ctrl+E",
    "quit": Std.Quit,
    # Edit
    "undo": Std.Undo,
    "redo": Std.Redo,
    # Not StandardKey.Delete: on X11 it also binds Ctrl+D, which Duplicate owns.
    "delete": "Del",
    "copy": Std.Copy,
    "paste": Std.Paste,
    "duplicate": "Ctrl+D",
    "select_all": Std.SelectAll,
    "formula": "Ctrl+K",
    # View
    "fit": "F",
    "zoom_in": Std.ZoomIn,
    "zoom_out": Std.ZoomOut,
    "layout": "Ctrl+L",
    # Run
    "forward": "F5",
    "backward": "F6",
    "forward_mode": "F7",
    "step": "F10",
    "run_all": "Shift+F5",
    "reset": "Ctrl+R",
    "live": "Ctrl+Shift+L",
    "gradcheck": "Ctrl+G",
    "train": "Ctrl+T",
    "practice": "Ctrl+P",
    "ordering": "Ctrl+Shift+O",
    "failure_lab": "Ctrl+Shift+F",
    # While the ordering exercise's cards have focus (not Alt+Down anywhere else: it opens
    # a combo box's list)
    "ordering_up": "Alt+Up",
    "ordering_down": "Alt+Down",
    # Help
    "shortcuts_help": Std.HelpContents,
}


def sequences(name: str) -> list[QKeySequence]:
    """The key sequences bound to action ``name`` (empty when it has none)."""
    key = SHORTCUTS.get(name)
    if key is None:
        return []
    if isinstance(key, str):
        return [QKeySequence(key)]
    return list(QKeySequence.keyBindings(key))


def apply(action: QAction) -> QAction:
    """Bind the table's keys to ``action`` (by its objectName) and show them in its tooltip."""
    keys = sequences(action.objectName())
    if keys:
        action.setShortcuts(keys)
        tip = action.toolTip() or action.text().replace("&", "")
        action.setToolTip(f"{tip} ({keys[0].toString(QKeySequence.SequenceFormat.NativeText)})")
    return action
