"""Autosave to a recovery file shortly after edits stop, and find it again after a crash.

Each document autosaves to ``<key>.cgraph`` (written atomically by files.save) plus a JSON
sidecar ``<key>.json`` naming the original file and the time; the key is a hash of the
document's path, or "untitled". A clean save or a clean close deletes both.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QObject, QTimer

from cgeditor.model import files
from cgeditor.model.graph import Graph

DELAY_MS = 1500
_KEY = re.compile(r"^(untitled|[0-9a-f]{16})$")


def recovery_key(path: str | None) -> str:
    if not path:
        return "untitled"
    return hashlib.sha256(os.path.abspath(path).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class RecoveryEntry:
    """One recovery file found on disk, and what its sidecar says about it."""

    graph_path: Path
    original: str | None
    saved_at: datetime

    @property
    def original_name(self) -> str:
        return os.path.basename(self.original) if self.original else "an untitled graph"

    def when(self) -> str:
        return self.saved_at.strftime("%H:%M:%S on %d %b %Y")

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


def write_recovery(directory: Path, graph: Graph, original: str | None) -> Path:
    """Autosave ``graph`` for the document at ``original``; returns the recovery file."""
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / f"{recovery_key(original)}.cgraph"
    files.save(graph, str(target))
    sidecar = {"original": os.path.abspath(original) if original else None,
               "saved_at": datetime.now().isoformat(timespec="seconds")}
    _write_json_atomically(target.with_suffix(".json"), sidecar)
    return target


def _read_entry(graph_path: Path) -> RecoveryEntry:
    original, saved_at = None, datetime.fromtimestamp(graph_path.stat().st_mtime)
    try:
        data = json.loads(graph_path.with_suffix(".json").read_text(encoding="utf-8"))
        original = data.get("original") if isinstance(data.get("original"), str) else None
        saved_at = datetime.fromisoformat(str(data.get("saved_at")))
    except (OSError, ValueError, AttributeError):
        pass  # no readable sidecar: still offer the graph, dated by the file itself
    return RecoveryEntry(graph_path, original, saved_at)


def find_recovery(directory: Path) -> RecoveryEntry | None:
    """The most recent recovery file left behind, or None."""
    try:
        candidates = [p for p in directory.glob("*.cgraph") if _KEY.match(p.stem)]
    except OSError:
        return None
    entries = []
    for path in candidates:
        with contextlib.suppress(OSError):
            entries.append(_read_entry(path))
    return max(entries, key=lambda e: e.saved_at, default=None)


class Autosaver(QObject):
    """Writes the recovery file ~1.5 s after the last edit; removes it when not needed."""

    def __init__(self, parent: QObject, directory: Callable[[], Path],
                 snapshot: Callable[[], tuple[Graph, str | None, bool]],
                 report: Callable[[str], None], delay_ms: int = DELAY_MS) -> None:
        super().__init__(parent)
        self._directory, self._snapshot, self._report = directory, snapshot, report
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
            target = write_recovery(self._directory(), graph, original)
        except (OSError, ValueError) as exc:
            if not self._failed:  # say it once, not after every edit
                self._report(f"Autosave failed: {exc}")
            self._failed = True
            return
        self._failed = False
        if self._written is not None and self._written != target:
            RecoveryEntry(self._written, None, datetime.now()).discard()
        self._written = target

    def discard(self) -> None:
        """Delete the recovery file this session wrote (after a clean save, close or discard).

        Only our own: a file left by an earlier crash stays until the user decides about it.
        """
        self.timer.stop()
        if self._written is not None:
            RecoveryEntry(self._written, None, datetime.now()).discard()
        self._written = None
