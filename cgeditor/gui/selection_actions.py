"""The Edit menu's work on the canvas selection: copy, paste, duplicate, delete, select all.

The clipboard carries JSON (clipboard.py validates it); every change goes through the Editor.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QGuiApplication

from cgeditor.gui import clipboard
from cgeditor.gui.commands import plural

if TYPE_CHECKING:
    from cgeditor.gui.context import Context


class SelectionActions:
    """Handlers of the Edit menu's selection actions for one window."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def ids(self) -> list[str]:
        return self.ctx.scene.selected_ids()

    def delete(self) -> None:
        self.ctx.editor.delete(self.ids())

    def select_all(self) -> None:
        self.ctx.scene.select_all()

    def copy(self) -> None:
        ids = self.ids()
        if not ids:
            self.ctx.log("Nothing to copy: select some nodes first.")
            return
        text, payload = clipboard.copy_nodes(self.ctx.graph, ids)
        clipboard.publish(text)
        clipboard.remember(text, payload)
        self.ctx.status(f"Copied {plural(len(ids), 'node')}", 4000)

    def paste(self) -> None:
        try:
            payload, key = clipboard.payload_from_mime(QGuiApplication.clipboard().mimeData())
        except clipboard.ClipboardError as exc:
            self.ctx.log(f"Cannot paste: {exc}")
            return
        self.ctx.editor.paste_payload(payload, key)

    def duplicate(self) -> None:
        ids = self.ids()
        if ids:
            payload = clipboard.duplicate_payload(self.ctx.graph, ids)
            if payload is None:  # too many: a paste of them would be refused
                self.ctx.log(f"Cannot duplicate: {len(ids):,} nodes are selected; "
                             f"a duplicate takes at most {clipboard.MAX_NODES:,}")
                return
            self.ctx.editor.paste_payload(payload, f"duplicate:{','.join(ids)}", "Duplicated")
