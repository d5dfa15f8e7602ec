"""File handling for one editor window: new/open/save/recent, drops, autosave and recovery.

The saved state is the undo stack's clean state; every path that replaces or closes the
document asks Save / Discard / Cancel first when there are unsaved changes.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QEvent, QObject, QSettings, QStandardPaths, QTimer
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QFileDialog, QMenu

from cgeditor import paths
from cgeditor.gui import settings as app_settings
from cgeditor.gui.canvas.arrange import predicted_sizes
from cgeditor.gui.commands import parts_text
from cgeditor.gui.disk_state import OVERWRITE, RELOAD, SAVE_AS, DiskState, ask_conflict
from cgeditor.gui.file_prompts import (  # called by these names here: tests replace them
    Button,
    ask_recover,
    ask_save_changes,
    show_error,
)
from cgeditor.gui.overlaps import parted_note
from cgeditor.gui.recovery import Autosaver, RecoveryEntry, find_recovery
from cgeditor.gui.settings import RecentFiles
from cgeditor.model import files
from cgeditor.model.errors import GraphError, LoadError
from cgeditor.model.gradient_graph import gradient_graph_named
from cgeditor.model.graph import Graph

if TYPE_CHECKING:
    from cgeditor.gui.context import Context

FILE_FILTER = "Computation graphs (*.cgraph);;All files (*)"


def graph_size(graph: Graph) -> str:
    """'10 nodes, 9 wires': what an opened file brought in."""
    return parts_text(len(graph.nodes), sum(1 for _ in graph.edge_triples()))


def cgraph_paths(event: QDropEvent) -> list[str]:
    """Local .cgraph files carried by a drag, in order."""
    mime = event.mimeData()
    if mime is None or not mime.hasUrls():
        return []
    return [url.toLocalFile() for url in mime.urls()
            if url.isLocalFile() and url.toLocalFile().lower().endswith(".cgraph")]


class DocumentController(QObject):
    """Owns the document's path and saved state for one window: the File menu's handlers."""

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx.window)
        self.ctx = ctx
        self.window = ctx.window  # title, drops and the parent of its dialogs
        self.settings = ctx.settings
        if app_settings.isolated() and self.settings.format() == QSettings.Format.NativeFormat:
            # Under test, recent files and layout never reach the user's real settings,
            # whatever settings object the window was built with.
            self.settings = app_settings.make_settings()
        self.path: str | None = None
        self.example: Path | None = None  # the bundled file this untitled graph came from
        self._watched: Graph | None = None
        self.for_script: Graph | None = None  # the graph cgeditor.show hands back on close
        self.autosave = Autosaver(self, lambda: app_settings.recovery_dir(self.settings),
                                  self._snapshot, ctx.log)
        self.recent = RecentFiles(self.settings, self.open_recent)
        self.disk = DiskState(self)  # what we last read or wrote at self.path
        self.disk.changed_on_disk.connect(self._on_changed_on_disk)
        self.recent_menu: QMenu = self.recent.build_menu(ctx.menus["file"])
        self.undo_stack = ctx.document.undo_stack
        self.undo_stack.cleanChanged.connect(self.update_title)
        self.undo_stack.indexChanged.connect(self.autosave.schedule)
        self._watch(ctx.graph)
        self.window.setAcceptDrops(True)
        for target in (self.window, ctx.view.viewport()):
            target.installEventFilter(self)
        self.update_title()

    # --- state ------------------------------------------------------------------------
    def is_modified(self) -> bool:
        return not self.undo_stack.isClean()

    def display_name(self) -> str:
        if self.path:
            return os.path.basename(self.path)
        if self.example is not None:
            return f"{self.example.name} (example)"
        return "Untitled"

    def update_title(self, *_args: object) -> None:
        if not shiboken6.isValid(self.window):
            return  # the undo stack announces its own teardown while the window is destroyed
        self.window.setWindowTitle(f"{self.display_name()}[*] — cgeditor")
        self.window.setWindowModified(self.is_modified())

    def _snapshot(self) -> tuple[Graph, str | None, bool]:
        return self.ctx.graph, self.path, self.is_modified()

    def _watch(self, graph: Graph) -> None:
        if self._watched is not None:
            with contextlib.suppress(ValueError):
                self._watched.changed.disconnect(self.autosave.schedule)
        graph.changed.connect(self.autosave.schedule)
        self._watched = graph

    def _adopt(self, graph: Graph, path: str | None, example: Path | None = None,
               modified: bool = False) -> None:
        """Make ``graph`` the document; the old one's recovery file goes with it."""
        self.autosave.discard()
        # The window's new scene parts the nodes the file put on others (its items give
        # the sizes) before any later follower sees the document.
        self.ctx.document.replace(graph, opening=True)
        self._watch(graph)
        self.path, self.example = path, example
        self.disk.track(path)
        if modified:  # e.g. recovered work: never clean until saved
            self.undo_stack.resetClean()
            self.autosave.write_now()
        else:
            self.undo_stack.setClean()
        self.update_title()

    def _holds(self, graph: Graph, in_file: bool = True) -> str:
        """What an opened document holds, for its line in the messages, and which nodes
        were moved off others because the file (or a script: not ``in_file``) placed them so."""
        return graph_size(graph) + parted_note(self.ctx.document.shown_scene().parted, in_file)

    def _confirm_discard(self, doing: str) -> bool:
        """True when the current document may be replaced or closed (a training running
        ends first and keeps its steps: the prompt then asks about them too)."""
        self.ctx.document.settle(doing)
        if not self.is_modified():
            return True
        answer = ask_save_changes(self.window, self.display_name(), doing)
        if answer == Button.Save:
            return self.save()
        return answer == Button.Discard

    def new(self) -> bool:
        if not self._confirm_discard("starting a new graph"):
            return False
        self._adopt(Graph(), None)
        self.ctx.log("New graph")
        return True

    def open(self) -> bool:
        path, _ = QFileDialog.getOpenFileName(self.window, "Open graph", self.dialog_dir(),
                                              FILE_FILTER)
        return bool(path) and self.open_path(path)

    def open_recent(self, path: str) -> bool:
        return self.open_path(path)

    def _load(self, path: str) -> Graph | None:
        """The graph in ``path``, or None after telling the user why not."""
        try:
            return files.load(path)
        except LoadError as exc:
            message = str(exc)
        except OSError as exc:
            message = f"{os.path.basename(path)}: {exc.strerror or exc}"
        show_error(self.window, "Could not open file", message)
        self.ctx.log(f"Could not open {path}: {message}")
        if not os.path.exists(path):
            self.recent.remove(path)
        return None

    def open_path(self, path: str, ask: bool = True) -> bool:
        """Open ``path``, first offering unsaved work autosaved for it by a window that
        crashed; the current graph stays untouched if it fails to load or the user cancels
        the unsaved-changes prompt."""
        entry = find_recovery(self._recovery_dir(), path)
        graph = self._load(path) if entry is None else None
        if (entry is None and graph is None) or \
                (ask and not self._confirm_discard("opening another file")):
            return False
        if entry is not None:
            if self._recover(entry):
                return True
            graph = self._load(path)
            if graph is None:
                return False
        self._adopt(graph, os.path.abspath(path))
        self.recent.add(self.path)
        self.ctx.log(f"Opened {self.path}: {self._holds(graph)}")
        return True

    def save(self) -> bool:
        if self.path is None:
            return self.save_as()
        return self.save_to(self.path)

    def save_as(self) -> bool:
        name = "untitled.cgraph"
        if self.path:
            name = os.path.basename(self.path)
        elif self.example is not None:
            name = self.example.name
        suggested = os.path.join(self.dialog_dir(), name)
        path, _ = QFileDialog.getSaveFileName(self.window, "Save graph as", suggested,
                                              FILE_FILTER)
        if not path:
            return False
        if not os.path.splitext(path)[1]:
            path += ".cgraph"
        return self.save_to(path)

    def save_to(self, path: str) -> bool:
        """Write atomically with a backup; on failure say why and stay modified. Over our own
        file changed on disk since we read or wrote it, ask first."""
        if self.path is not None and os.path.abspath(path) == self.path \
                and self.disk.changed_since():
            answer = ask_conflict(self.window, os.path.basename(path))
            if answer == RELOAD:
                self.reload()
                return False
            if answer == SAVE_AS:
                return self.save_as()
            if answer != OVERWRITE:
                return False
        try:
            # The autosave's text cache: only what changed since it last ran is encoded.
            files.savable(self.ctx.graph)
            files.save_text(self.autosave.file_text.text(self.ctx.graph), path, backup=True)
        except (OSError, ValueError) as exc:
            reason = getattr(exc, "strerror", None) or str(exc)
            show_error(self.window, "Could not save",
                       f"Could not save {os.path.basename(path)} in {os.path.dirname(path)}: "
                       f"{reason}.\n\nThe file on disk was not changed and your changes are "
                       "still open here.")
            self.ctx.log(f"Save failed: {path}: {reason}")
            return False
        self.autosave.discard()
        self.path, self.example = os.path.abspath(path), None
        self.disk.track(self.path)
        self.undo_stack.setClean()
        self.recent.add(self.path)
        self.update_title()
        self.ctx.log(f"Saved {self.path}")
        return True

    def dialog_dir(self) -> str:
        """The folder a file dialog starts in: the document's, else the latest recent's."""
        if self.path:
            return os.path.dirname(self.path)
        recent = self.recent.paths()
        if recent:
            return os.path.dirname(recent[0])
        # ~/Documents when there is one: a dialog shown a missing folder starts elsewhere
        # with 'Documents' typed in its file-name field, as if that were the file to open
        documents = QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.DocumentsLocation)
        return documents if documents and os.path.isdir(documents) else str(Path.home())

    # --- start and close --------------------------------------------------------------
    def start(self, path: str | None) -> None:
        """Open ``path``; else offer a crash's recovery file; else the bundled example."""
        if path:
            if os.path.exists(path):
                if self.open_path(path, ask=False):
                    return
            elif self._offer_recovery(path):
                return
            else:  # `cgeditor new.cgraph`: a new graph that Save writes there
                self._adopt(Graph(), os.path.abspath(path))
                self.ctx.log(f"{path} does not exist yet: Save creates it")
                return
        if self._offer_recovery():
            return
        self._open_example()

    def _recovery_dir(self) -> Path:
        return app_settings.recovery_dir(self.settings)

    def _offer_recovery(self, path: str | None = None) -> bool:
        """Offer the newest orphaned recovery file (of ``path``, when given)."""
        entry = find_recovery(self._recovery_dir(), path)
        return entry is not None and self._recover(entry)

    def _recover(self, entry: RecoveryEntry) -> bool:
        """Offer ``entry``; True when its work is now the document (and autosaved as this
        window's own, so the crashed window's file can go)."""
        answer = ask_recover(self.window, entry)
        if answer is None:  # quitting: no answer, so the copy stays for the next start
            return False
        if not answer:
            entry.discard()
            self.ctx.log(f"Discarded the autosaved copy of {entry.original_name}")
            return False
        graph = self._load(str(entry.graph_path))
        if graph is None:
            return False
        self._adopt(graph, entry.original, modified=True)
        entry.discard()
        self.ctx.log(f"Recovered {entry.original_name} as autosaved at {entry.when()}: "
                     f"{self._holds(graph)}")
        return True

    # --- the file changing under us -----------------------------------------------------
    def reload(self) -> bool:
        """Show the document's file as it is on disk now (unsaved changes are dropped)."""
        if self.path is None:
            return False
        graph = self._load(self.path)
        if graph is None:
            return False
        self._adopt(graph, self.path)
        self.ctx.log(f"Reloaded {self.path} as it is on disk: {self._holds(graph)}")
        return True

    def _on_changed_on_disk(self, path: str) -> None:
        self.ctx.document.settle("reloading the file changed on disk")  # its steps are work
        if not self.is_modified():  # nothing of ours to lose: show what is there now
            self.reload()
        else:
            self.ctx.log(f"{os.path.basename(path)} was changed on disk by another "
                            "program; saving will ask before overwriting it")

    def _open_example(self) -> None:
        if not self.open_example(str(paths.seed_example()), ask=False):
            self._adopt(Graph(), None)  # a broken install still gives a usable editor

    def open_example(self, path: str, ask: bool = True) -> bool:
        """Open a bundled example as an untitled copy: Save asks where, so the bundled
        file is never overwritten."""
        graph = self._load(path)
        if graph is None or (ask and not self._confirm_discard("opening an example")):
            return False
        self._adopt(graph, None, example=Path(path))
        self.ctx.log(f"Opened the example {Path(path).name}: {self._holds(graph)}")
        return True

    def open_gradient_graph(self) -> bool:
        """Open the shown graph's backward pass as a graph (Learn > Show Gradient Graph), an
        untitled document as a New one is (unsaved work prompts first): F5 then shows each
        gradient as a dJ_d… node's value; a graph it cannot be written for is named on the
        status line. A training under way ends first (the canvas's values are written)."""
        self.ctx.document.settle("opening the gradient graph")
        try:
            graph = gradient_graph_named(self.ctx.graph, measure=predicted_sizes)[0]
        except GraphError as exc:
            self.ctx.log(str(exc)[:1].upper() + str(exc)[1:])
            return False
        if not self._confirm_discard("opening the gradient graph"):
            return False
        self._adopt(graph, None)
        self.ctx.log(f"Opened the gradient graph: {self._holds(graph, False)}; press F5 to run it")
        return True

    def start_with(self, graph: Graph) -> None:
        """Open a graph a script passed (cgeditor.show), untitled: while it is the document,
        closing asks nothing, as its edits go back to the script."""
        self._adopt(graph, None)
        self.for_script = graph
        self.ctx.log(f"Opened a graph from Python: {self._holds(graph, False)}")

    def maybe_close(self) -> bool:
        """For closeEvent: False when the user cancels; otherwise clean up and remember."""
        if self.for_script is not None and self.for_script is self.ctx.document.graph:
            self.ctx.document.settle("closing")
        elif not self._confirm_discard("closing"):
            return False
        self.autosave.discard()
        app_settings.save_layout(self.window, self.settings)
        return True

    def close_unasked(self) -> None:
        """For a quit nobody can be asked about (Ctrl+C in the terminal): unsaved work goes
        to the recovery file now and stays for the next start to offer, as after a crash;
        without any, none is left (``write_now`` discards it). A training running ends
        first, its steps kept with the rest."""
        self.ctx.document.settle("quitting")
        self.autosave.write_now()
        app_settings.save_layout(self.window, self.settings)

    # --- drag and drop of files -------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind not in (QEvent.Type.DragEnter, QEvent.Type.DragMove, QEvent.Type.Drop):
            return False
        found = cgraph_paths(event)  # type: ignore[arg-type]
        if not found:
            return False  # op drags from the palette and other drops go to the canvas
        event.acceptProposedAction()  # type: ignore[attr-defined]
        if kind == QEvent.Type.Drop:
            if len(found) > 1:
                self.ctx.log(f"Opening {found[0]}; one file at a time")
            # Later, not inside the drop: a modal prompt would freeze the drag source.
            QTimer.singleShot(0, lambda: self.open_path(found[0]))
        return True
