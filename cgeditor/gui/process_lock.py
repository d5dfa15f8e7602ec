"""Whether another editor process still runs, told by a lock it holds while it lives.

Each process that autosaves holds an exclusive advisory lock (flock) on
``process-<pid>.lock`` in the recovery folder. The kernel drops the lock when the process
ends, however it ends (kill -9 included), so a lock that can be taken belongs to a process
that is gone, and a reused pid cannot pass for the old process. Where flock does not exist
(Windows) every other process counts as gone, which is how recovery behaved before.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX
    fcntl = None  # type: ignore[assignment]

_held: dict[Path, tuple[int, set[str]]] = {}  # folder -> (lock descriptor, its holders)


def _lock_path(directory: Path, pid: int) -> Path:
    return directory / f"process-{pid}.lock"


def hold(directory: Path, holder: str) -> None:
    """Take this process's lock in ``directory`` for ``holder`` (a window's session); one
    lock a folder, kept while any holder has a recovery file there."""
    if fcntl is None:
        return
    if directory in _held:
        _held[directory][1].add(holder)
        return
    fd = os.open(_lock_path(directory, os.getpid()), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        raise
    _held[directory] = (fd, {holder})


def release(directory: Path, holder: str) -> None:
    """``holder`` has no recovery file in ``directory`` any more; the last one out drops
    the lock (so a long-lived process keeps no descriptor per folder it once used)."""
    entry = _held.get(directory)
    if entry is None:
        return
    fd, holders = entry
    holders.discard(holder)
    if not holders:
        del _held[directory]
        with contextlib.suppress(OSError):
            _lock_path(directory, os.getpid()).unlink()
        os.close(fd)


def alive(directory: Path, pid: int) -> bool:
    """True while process ``pid`` holds its lock in ``directory``; a dead process's lock
    file is removed on the way."""
    if fcntl is None:
        return False
    path = _lock_path(directory, pid)
    try:
        fd = os.open(path, os.O_RDWR)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)  # also releases the lock if we took it
    with contextlib.suppress(OSError):
        path.unlink()
    return False
