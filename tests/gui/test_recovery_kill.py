"""Kill a real editor process (SIGKILL) at random moments while it saves and autosaves: the
document, its backup and the recovery file must each be absent or a complete valid file."""

from __future__ import annotations

import json
import os
import random
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from test_document import write_graph

from cgeditor.model import files

CHILD = Path(__file__).with_name("crash_child.py")
KILLS = 20
BUDGET_S = 90  # bounds the run time on a busy machine; not an assertion about speed


def start_child(folder: Path, target: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "CGEDITOR_NO_SETTINGS": "1"}
    return subprocess.Popen([sys.executable, str(CHILD), str(folder), str(target)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def wait_ready(child: subprocess.Popen[str]) -> None:
    ready, _, _ = select.select([child.stdout], [], [], 60)
    line = child.stdout.readline() if ready else ""
    if line.strip() != "ready":
        child.kill()
        pytest.fail(f"child editor did not start: {child.stderr.read()}")


def check_intact(folder: Path, target: Path, sizes_seen: set[int]) -> None:
    """Every file a kill may have interrupted is whole: it loads, or it is not there."""
    graph = files.load(target)  # the document always exists: old or new, never broken
    sizes_seen.add(len(graph))
    backup = target.with_name(target.name + ".bak")
    if backup.exists():
        files.load(backup)
    for recovery in (folder / "recovery").glob("*.cgraph"):
        files.load(recovery)
        sidecar = recovery.with_suffix(".json")
        if sidecar.exists():
            json.loads(sidecar.read_text(encoding="utf-8"))


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX SIGKILL")
def test_killed_while_saving_never_leaves_a_broken_file(tmp_path: Path) -> None:
    target = write_graph(tmp_path / "work.cgraph", consts=150)  # big enough to take a while
    rng = random.Random(1234)
    sizes_seen: set[int] = set()
    deadline = time.monotonic() + BUDGET_S
    kills = 0
    while kills < KILLS and time.monotonic() < deadline:
        child = start_child(tmp_path, target)
        wait_ready(child)
        time.sleep(rng.uniform(0.05, 1.0))
        assert child.poll() is None, child.stderr.read()  # still running: no save failed
        child.send_signal(signal.SIGKILL)
        child.wait()
        child.stdout.close()
        child.stderr.close()
        kills += 1
        check_intact(tmp_path, target, sizes_seen)
    assert kills >= 5
    assert len(sizes_seen) > 1  # the children really did save new versions
