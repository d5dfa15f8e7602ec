"""Autosave to a recovery file shortly after edits stop, and find it again after a crash.

Recovery files belong to one window of one process, never to a path: each window autosaves
to ``<session>.cgraph`` (written atomically by files.save) plus a JSON sidecar naming the
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
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QObject, QTimer

from cgeditor.gui import process_lock
from cgeditor.model import files
from cgeditor.model.graph import Graph

DELAY_MS = 1500
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


def _write_json_atomically(path: Path, data: dict) -> None:
    # Same discipline as files.save: a crash leaves the old sidecar or the new one.
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def write_recovery(directory: Path, session: str, graph: Graph,
                   original: str | None) -> Path:
    """Autosave ``graph`` (the document at ``original``) as ``session``'s recovery file."""
    directory.mkdir(parents=True, exist_ok=True)
    process_lock.hold(directory, session)  # others can tell this process is alive
    target = directory / f"{session}.cgraph"
    files.save(graph, str(target))
    sidecar = {"original": os.path.abspath(original) if original else None,
               "saved_at": datetime.now().isoformat(timespec="seconds"),
               "pid": os.getpid()}
    _write_json_atomically(target.with_suffix(".json"), sidecar)
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
    needed. ``session`` names the file: this process and window, never the document."""

    def __init__(self, parent: QObject, directory: Callable[[], Path],
                 snapshot: Callable[[], tuple[Graph, str | None, bool]],
                 report: Callable[[str], None], delay_ms: int = DELAY_MS) -> None:
        super().__init__(parent)
        self._directory, self._snapshot, self._report = directory, snapshot, report
        self.session = f"{os.getpid()}-{secrets.token_hex(4)}"
        _LIVE.add(self.session)
        # Destroyed without a clean close (a crash of this window): its file becomes an orphan.
        self.destroyed.connect(lambda *_a, s=self.session: _LIVE.discard(s))
        self._written: Path | None = None
        self._failed = False
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(delay_ms)
        self.timer.timeout.connect(self.write_now)

    def schedule(self, *_args: object) -> None:
        """Restart the countdown: called on every edit, so it fires once edits stop."""
        self.timer.start()

    def write_now(self) -> None:
        self.timer.stop()
        graph, original, modified = self._snapshot()
        if not modified:
            self.discard()
            return
        try:
            target = write_recovery(self._directory(), self.session, graph, original)
        except (OSError, ValueError) as exc:
            if not self._failed:  # say it once, not after every edit
                self._report(f"Autosave failed: {exc}")
            self._failed = True
            return
        self._failed = False
        if self._written is not None and self._written != target:  # the folder changed
            self._forget(self._written)
        self._written = target

    def discard(self) -> None:
        """Delete this window's recovery file (after a clean save, close or discard).

        Only our own: files of other windows, or left by a crash, stay until the user
        decides about them.
        """
        self.timer.stop()
        if self._written is not None:
            self._forget(self._written)
        self._written = None

    def _forget(self, written: Path) -> None:
        RecoveryEntry(written, None, datetime.now()).discard()
        process_lock.release(written.parent, self.session)
