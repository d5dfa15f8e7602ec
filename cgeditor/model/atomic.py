"""Atomic file writes: the whole new content or the old file, never a mix, never through a
planted link. Every file cgeditor writes outside the GUI (saves, backups, CLI exports) goes here.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import tempfile
import time
from pathlib import Path

# A temp file of ours older than this is left over from a save that was killed mid-write; a
# younger one may belong to a save still running in another window.
STALE_TEMP_SECONDS = 120


def write_atomically(path: str | os.PathLike[str], payload: bytes) -> None:
    """Write ``payload`` to ``path``: a fresh temp file beside it (mkstemp: random name, O_EXCL,
    so a symlink planted at a predictable name is never followed), fsync, then os.replace.
    A symlink at ``path`` itself is written through, so the link stays a link. OSError on
    failure, with the old file untouched. Our stale temp files beside it are removed."""
    target = Path(os.path.realpath(path))
    replace_atomically(target, payload, target)


def replace_atomically(target: Path, payload: bytes, mode_from: Path) -> None:
    """As write_atomically, for a resolved ``target``; permissions are copied from
    ``mode_from`` (0644 when it does not exist)."""
    fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as stream:
            stream.write(payload)
            stream.flush()
            os.fsync(stream.fileno())
        try:
            os.chmod(temp, os.stat(mode_from).st_mode & 0o777)
        except FileNotFoundError:
            os.chmod(temp, 0o644)  # mkstemp's 0600 would hide a new file from other users
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    _sync_folder(target.parent)
    remove_stale_temps(target)


def remove_stale_temps(target: Path, now: float | None = None) -> list[Path]:
    """Delete the temp files a killed save of ``target`` left beside it (``.name.XXXXXXXX.tmp``,
    mkstemp's pattern): only regular files, owned by this user, older than STALE_TEMP_SECONDS.
    Returns what was removed; failures are ignored (the save itself already succeeded)."""
    pattern = re.compile(rf"\.{re.escape(target.name)}\.[a-z0-9_]{{8}}\.tmp")
    cutoff = (time.time() if now is None else now) - STALE_TEMP_SECONDS
    removed = []
    try:
        entries = list(os.scandir(target.parent))
    except OSError:
        return removed
    for entry in entries:
        if not pattern.fullmatch(entry.name):
            continue
        try:
            info = entry.stat(follow_symlinks=False)
            if stat.S_ISREG(info.st_mode) and info.st_mtime < cutoff and _ours(info):
                os.unlink(entry.path)
                removed.append(Path(entry.path))
        except OSError:
            continue
    return removed


def _ours(info: os.stat_result) -> bool:
    getuid = getattr(os, "getuid", None)
    return getuid is None or info.st_uid == getuid()


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable where the OS allows opening a folder (POSIX)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
