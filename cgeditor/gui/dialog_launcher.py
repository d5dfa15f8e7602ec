"""Opens the window's dialogs (examples, code export, image export, formula, show as formula,
shortcuts, about) and keeps one of each open; the formula field on the toolbar; the first-run hint.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, SignalInstance
from PySide6.QtWidgets import QDialog

from cgeditor.gui.dialogs import code
from cgeditor.gui.dialogs.export import ExportRequest, export_dialog
from cgeditor.gui.dialogs.formula import FormulaDialog, FormulaField, matching_inputs
from cgeditor.gui.dialogs.gallery import GalleryDialog
from cgeditor.gui.dialogs.help import AboutDialog, ShortcutsDialog, show_first_run_hint
from cgeditor.model.graph import Graph
from cgeditor.paths import seed_example

if TYPE_CHECKING:
    from cgeditor.gui.context import Context
    from cgeditor.gui.dialogs.help import FirstRunHint
    from cgeditor.gui.document import DocumentController
    from cgeditor.model.run import RunState


class DialogLauncher(QObject):
    """The dialogs of one window, by action name; a second open replaces the first."""

    def __init__(self, ctx: Context, files: DocumentController,
                 run_published: SignalInstance) -> None:
        super().__init__(ctx.window)
        self.ctx, self.files = ctx, files
        self.run: RunState | None = None  # what the canvas shows, for pictures of a run
        run_published.connect(self._follow_run)
        self.dialogs: dict[str, QDialog] = {}
        self.hint: FirstRunHint | None = None
        self.field = FormulaField(ctx.window)
        self.field.formula_entered.connect(self._insert_typed)
        # The hint speaks of the seed graph: another document hides it (until the next start).
        ctx.document.replaced.connect(self.hide_hint)

    def _show(self, name: str, dialog: QDialog) -> QDialog:
        old = self.dialogs.pop(name, None)
        if old is not None:
            old.close()
            old.deleteLater()
        self.dialogs[name] = dialog
        dialog.open()
        return dialog

    # --- the actions' handlers ----------------------------------------------------------
    def open_formula(self) -> QDialog:
        result = self.run.result if self.run is not None and not self.run.stale else None
        dialog = FormulaDialog(self.ctx.graph, self.ctx.window,
                               computed=result.values if result is not None else None)
        dialog.accepted.connect(lambda: self._insert_from(dialog))
        return self._show("formula", dialog)

    def _insert_from(self, dialog: FormulaDialog) -> None:
        graph = dialog.result_graph()
        if graph is not None:
            self.ctx.editor.insert_formula(graph, dialog.matched_names())

    def _insert_typed(self, formula: Graph) -> None:
        self.ctx.editor.insert_formula(formula, matching_inputs(formula, self.ctx.graph))

    def show_formula(self) -> QDialog:
        return self._show("show_formula", code.formula_dialog(self.ctx.graph, self.ctx.window))

    def export_code(self, kind: str) -> QDialog:
        return self._show(f"export_{kind}", code.export_dialog(
            self.ctx.graph, kind, self.ctx.window, self.files.path))

    def export_numpy(self) -> QDialog:
        return self.export_code("numpy")

    def export_torch(self) -> QDialog:
        return self.export_code("torch")

    def export_image(self) -> bool:
        run = self.run
        display = run.display if run is not None and run.result is not None else None
        return export_dialog(ExportRequest(
            self.ctx.window, self.ctx.settings, self.ctx.log, self.ctx.graph, display,
            self.files.dialog_dir(), self.files.display_name()))

    def _follow_run(self, state: RunState) -> None:
        self.run = state
        if self.hint is not None and shows_gradients(state):
            self.backward_pressed()  # gradients came by Step or Run to end: the hint is done

    def open_gallery(self) -> QDialog:
        dialog = GalleryDialog(self.ctx.window)
        dialog.example_chosen.connect(self.open_example)
        return self._show("gallery", dialog)

    def open_example(self, path: str) -> bool:
        """Open a bundled example as an untitled copy (Save asks where; never overwrites it)."""
        return bool(self.files.open_example(path))

    def show_shortcuts(self) -> QDialog:
        return self._show("shortcuts_help", ShortcutsDialog(self.ctx.window))

    def show_about(self) -> QDialog:
        return self._show("about", AboutDialog(self.ctx.window))

    # --- the first-run hint -------------------------------------------------------------
    def offer_hint(self) -> None:
        """Over the canvas when the document is the seed example and the hint was never
        dismissed."""
        example = self.files.example
        if example is None or Path(example) != seed_example():
            return
        self.hint = show_first_run_hint(self.ctx.view, self.ctx.settings)
        if self.hint is not None:  # 'Got it' deletes it: never ask the dead widget again
            self.hint.dismissed.connect(self._forget_hint)

    def backward_pressed(self) -> None:
        """Once the user has pressed Backward the hint has done its job."""
        if self.hint is not None and self.hint.isVisible():
            self.hint.dismiss()
        self.hint = None

    def _forget_hint(self) -> None:
        self.hint = None

    def hide_hint(self, *_args: object) -> None:
        """Out of the way, not dismissed: a new document, or practice or the ordering
        exercise (which the hint's Forward would end)."""
        if self.hint is not None:
            self.hint.hide()


def shows_gradients(state: RunState) -> bool:
    """Whether the canvas shows gradients: a finished run that computed them, or stepping
    that has reached the backward pass."""
    display, result = state.display, state.result
    if display.phase == "backward":
        return True
    return (display.phase == "done" and result is not None
            and any(grad is not None for grad in result.grads.values()))
