"""The shortcut table binds no key twice, and the window's actions carry the table's keys."""

from PySide6.QtGui import QKeySequence

from cgeditor.gui import shortcuts


def _text(seq: QKeySequence) -> str:
    return seq.toString(QKeySequence.SequenceFormat.PortableText)


def test_no_key_is_bound_to_two_actions(qapp):
    owner: dict[str, str] = {}
    for name in shortcuts.SHORTCUTS:
        for seq in shortcuts.sequences(name):
            key = _text(seq)
            assert key not in owner, f"{key} is bound to both {owner[key]} and {name}"
            owner[key] = name
    assert owner["Ctrl+D"] == "duplicate"
    assert owner["Del"] == "delete"


def test_window_actions_use_the_table(window):
    for name in ("undo", "redo", "delete", "duplicate", "save", "forward", "backward"):
        action = window.action(name)
        assert action is not None, name
        assert [_text(s) for s in action.shortcuts()] == \
            [_text(s) for s in shortcuts.sequences(name)], name
