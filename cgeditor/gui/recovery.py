"""Autosave to a recovery file shortly after edits stop, and find it again after a crash.

Recovery files belong to one window of one process, never to a path: each window autosaves
to ``<session>.cgraph`` (written atomically, as files.save writes) plus a JSON sidecar naming the
original file, the time and the owning process. Two windows on one file keep two recovery
files, and neither ever deletes the other's. A file is offered for recovery only once its
owner is gone: a window of this process that was destroyed without a clean close, or another
process that no longer holds its lock (a crash or kill -9 releases it). A clean save, a clean
close or a decision about the offer deletes it.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import time
from collections.abc import Callable, Generator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QObject, QTimer

from cgeditor.gui import process_lock
from cgeditor.model import collector
from cgeditor.model.atomic import write_atomically
from cgeditor.model.files_text import CHUNK, FileText
from cgeditor.model.graph import Graph

DELAY_MS = 1500
SLICE_SECONDS = 0.008  # the event loop runs between slices of the file's text: no freeze
_PASS_ENDS = object()  # a step after which the slice ends, whatever time is left
# Sessions ("<pid>-<token>"), and the per-path keys older versions wrote (still offered).
_NAME = re.compile(r"^(untitled|[0-9a-f]{16}|\d+-[0-9a-f]{8})$")
_LIVE: set[str] = set()  # sessions of this process's windows that are still open


@dataclass(frozen=True)
class RecoveryEntry:
    """One recovery file found on disk, and what its sidecar says about it."""

    graph_path: Path
    original: str | None
    saved_at: datetime
    pid: int | None = None

    @property
    def original_name(self) -> str:
        return os.path.basename(self.original) if self.original else "an untitled graph"

    def when(self) -> str:
        return self.saved_at.strftime("%H:%M:%S on %d %b %Y")

    def orphaned(self) -> bool:
        """True when no open window owns this file any more (so it may be offered)."""
        if self.pid == os.getpid():
            return self.graph_path.stem not in _LIVE
        return self.pid is None or not process_lock.alive(self.graph_path.parent, self.pid)

    def discard(self) -> None:
        for path in (self.graph_path, self.graph_path.with_suffix(".json")):
            with contextlib.suppress(FileNotFoundError):
                path.unlink()


def write_recovery(directory: Path, session: str, text: str, original: str | None) -> Path:
    """Autosave ``text`` (a graph's file, of the document at ``original``) atomically as
    ``session``'s recovery file."""
    directory.mkdir(parents=True, exist_ok=True)
    process_lock.hold(directory, session)  # others can tell this process is alive
    target = directory / f"{session}.cgraph"
    write_atomically(target, text.encode("utf-8"))
    sidecar = {"original": os.path.abspath(original) if original else None,
               "saved_at": datetime.now().isoformat(timespec="seconds"),
               "pid": os.getpid()}
    write_atomically(target.with_suffix(".json"), json.dumps(sidecar).encode("utf-8"))
    return target


def _read_entry(graph_path: Path) -> RecoveryEntry:
    original, pid = None, None
    saved_at = datetime.fromtimestamp(graph_path.stat().st_mtime)
    try:
        data = json.loads(graph_path.with_suffix(".json").read_text(encoding="utf-8"))
        original = data.get("original") if isinstance(data.get("original"), str) else None
        pid = data.get("pid") if type(data.get("pid")) is int else None
        saved_at = datetime.fromisoformat(str(data.get("saved_at")))
    except (OSError, ValueError, AttributeError):
        pass  # no readable sidecar: still offer the graph, dated by the file itself
    return RecoveryEntry(graph_path, original, saved_at, pid)


def find_recovery(directory: Path, original: str | None = None) -> RecoveryEntry | None:
    """The most recent recovery file no open window owns, or None; with ``original``, only
    one autosaved from that file."""
    try:
        candidates = [p for p in directory.glob("*.cgraph") if _NAME.match(p.stem)]
    except OSError:
        return None
    wanted = os.path.abspath(original) if original else None
    entries = []
    for path in candidates:
        with contextlib.suppress(OSError):
            entry = _read_entry(path)
            if (wanted is None or entry.original == wanted) and entry.orphaned():
                entries.append(entry)
    return max(entries, key=lambda e: e.saved_at, default=None)


class Autosaver(QObject):
    """Writes this window's recovery file ~1.5 s after the last edit; removes it when not
    needed. ``session`` names the file: this process and window, never the document.

    The text is made in slices of a few ms with the event loop running between them (reusing
    the lines of nodes unchanged since the last write), then written at once; an edit or a
    discard meanwhile drops the half-made text, and the countdown starts again."""

    def __init__(self, parent: QObject, directory: Callable[[], Path],
                 snapshot: Callable[[], tuple[Graph, str | None, bool]],
                 report: Callable[[str], None], delay_ms: int = DELAY_MS) -> None:
        super().__init__(parent)
        self._directory, self._snapshot, self._report = directory, snapshot, report
        self.session = f"{os.getpid()}-{secrets.token_hex(4)}"
        _LIVE.add(self.session)
        # Destroyed without a clean close (a crash of this window): its file becomes an orphan.
        self.destroyed.connect(lambda *_a, s=self.session: _LIVE.discard(s))
        self.file_text = FileText()  # shared with Save, which then re-encodes only the edit
        self.chunk = CHUNK  # nodes a step of the text; a slice takes steps for SLICE_SECONDS
        self._written: Path | None = None
        self._failed = False
        self._making: Generator[object, None, None] | None = None
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(delay_ms)
        self.timer.timeout.connect(self._start)
        self._slicer = QTimer(self)
        self._slicer.setSingleShot(True)
        self._slicer.setInterval(0)
        self._slicer.timeout.connect(self._slice)

    def schedule(self, *_args: object) -> None:
        """Restart the countdown: called on every edit, so it fires once edits stop."""
        self._drop()
        self.timer.start()

    def pending(self) -> bool:
        """True while an autosave is counting down or being made."""
        return self.timer.isActive() or self._making is not None

    def write_now(self) -> None:
        """Autosave at once, in one go (what a recovered document and tests need)."""
        self.timer.stop()
        self._drop()
        document = self._unsaved()
        if document is None:
            return
        graph, original = document
        try:
            text = self.file_text.text(graph)
        except ValueError as exc:  # a value JSON cannot spell
            self._fail(exc)
            return
        self._write(text, original)

    def _start(self) -> None:
        document = self._unsaved()
        if document is not None:
            self._making = self._steps(*document)
            self._slice()

    def _unsaved(self) -> tuple[Graph, str | None] | None:
        """The document and its path when it has unsaved work; else None, its recovery
        file gone (nothing is left to recover)."""
        graph, original, modified = self._snapshot()
        if not modified:
            self.discard()
            return None
        return graph, original

    def _steps(self, graph: Graph, original: str | None) -> Generator[object, None, None]:
        """The autosave as steps: the text in slices, then the write in a pass of its own
        (a join of megabytes, then the write and its fsyncs, each take a few ms)."""
        text = yield from self.file_text.steps(graph, self.chunk)
        yield _PASS_ENDS
        self._write(text, original)

    def _slice(self) -> None:
        """Take steps for SLICE_SECONDS, then let the event loop run, until written."""
        if self._making is None:
            return
        deadline = time.perf_counter() + SLICE_SECONDS
        with collector.paused():  # 10^4 lasting lines: no cycles, but many full walks
            while True:  # one step at least, however short the slice
                try:
                    step = next(self._making)
                except StopIteration:
                    self._making = None
                    return
                except ValueError as exc:  # a value JSON cannot spell
                    self._making = None
                    self._fail(exc)
                    return
                if step is _PASS_ENDS or time.perf_counter() >= deadline:
                    break
        self._slicer.start()

    def _drop(self) -> None:
        """Forget a half-made text: the graph it reads is changing or no longer ours."""
        self._making = None
        self._slicer.stop()

    def _write(self, text: str, original: str | None) -> None:
        try:
            target = write_recovery(self._directory(), self.session, text, original)
        except OSError as exc:
            self._fail(exc)
            return
        self._failed = False
        if self._written is not None and self._written != target:  # the folder changed
            self._forget(self._written)
        self._written = target

    def _fail(self, exc: Exception) -> None:
        if not self._failed:  # say it once, not after every edit
            self._report(f"Autosave failed: {exc}")
        self._failed = True

    def discard(self) -> None:
        """Delete this window's recovery file (after a clean save, close or discard).

        Only our own: files of other windows, or left by a crash, stay until the user
        decides about them.
        """
        self.timer.stop()
        self._drop()
        if self._written is not None:
            self._forget(self._written)
        self._written = None

    def _forget(self, written: Path) -> None:
        RecoveryEntry(written, None, datetime.now()).discard()
        process_lock.release(written.parent, self.session)
