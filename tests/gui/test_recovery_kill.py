"""Kill a real editor process (SIGKILL) at random moments while it saves and autosaves: the
document, its backup and the recovery file must each be absent or a complete valid file.
Then kill one mid-work: `cgeditor FILE` offers its work, and while an editor still runs
its recovery file is neither offered to nor deleted by another."""

# Fixtures come from crash_child by import; tests naming them as parameters trips F811.
# ruff: noqa: F811

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
from crash_child import edit, make_window, prompts  # noqa: F401 - fixtures
from test_document import write_graph

from cgeditor.model import files

CHILD = Path(__file__).with_name("crash_child.py")
KILLS = 20
BUDGET_S = 90  # bounds the run time on a busy machine; not an assertion about speed


def start_child(folder: Path, target: Path, mode: str = "save") -> subprocess.Popen[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "CGEDITOR_NO_SETTINGS": "1"}
    return subprocess.Popen([sys.executable, str(CHILD), str(folder), str(target), mode],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def wait_ready(child: subprocess.Popen[str], word: str = "ready") -> None:
    ready, _, _ = select.select([child.stdout], [], [], 60)
    line = child.stdout.readline() if ready else ""
    if line.strip() != word:
        child.kill()
        pytest.fail(f"child editor did not say {word!r}: {child.stderr.read()}")


def kill(child: subprocess.Popen[str]) -> None:
    child.send_signal(signal.SIGKILL)
    child.wait()
    child.stdout.close()
    child.stderr.close()


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
    while kills < KILLS and (kills < 5 or time.monotonic() < deadline):  # 5 at least
        child = start_child(tmp_path, target)
        wait_ready(child)
        time.sleep(rng.uniform(0.05, 1.0))
        assert child.poll() is None, child.stderr.read()  # still running: no save failed
        kill(child)
        kills += 1
        check_intact(tmp_path, target, sizes_seen)
    assert kills >= 5
    assert len(sizes_seen) > 1  # the children really did save new versions


def editing_child(folder: Path, target: Path) -> subprocess.Popen[str]:
    """An editor on ``target`` that made three edits and autosaved them, never saving."""
    child = start_child(folder, target, "edit")
    wait_ready(child)
    wait_ready(child, "autosaved")
    return child


def recovery_files(folder: Path) -> list[Path]:
    return sorted((folder / "recovery").glob("*.cgraph"))


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX SIGKILL")
def test_cgeditor_file_after_a_kill_offers_the_work(make_window, prompts,
                                                    tmp_path: Path) -> None:
    target = write_graph(tmp_path / "g.cgraph", consts=2)
    kill(editing_child(tmp_path, target))
    (orphan,) = recovery_files(tmp_path)
    work = files.dumps(files.load(orphan))
    prompts.recover_answer = True
    window = make_window(str(target))  # as `cgeditor g.cgraph`
    assert [e.original for e in prompts.recover] == [str(target)]
    assert files.dumps(window.graph) == work and len(window.graph) == 5
    assert window.document.path == str(target) and window.isWindowModified()
    assert len(files.load(target)) == 2  # the file itself waits for Save
    edit(window, 9.0)  # the next autosave is this window's own file
    window.document.autosave.write_now()
    (mine,) = recovery_files(tmp_path)
    assert mine.stem == window.document.autosave.session and len(files.load(mine)) == 6
    window.undo_stack.setClean()


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX SIGKILL")
def test_a_running_editors_recovery_file_is_left_alone(make_window, prompts,
                                                       tmp_path: Path) -> None:
    target = write_graph(tmp_path / "g.cgraph", consts=2)
    child = editing_child(tmp_path, target)
    try:
        (theirs,) = recovery_files(tmp_path)
        prompts.recover_answer = True
        window = make_window(str(target))
        assert prompts.recover == [] and len(window.graph) == 2  # still theirs: not offered
        edit(window, 4.0)
        window.document.autosave.write_now()
        assert len(recovery_files(tmp_path)) == 2
        assert window.close()  # a clean close deletes this window's file only
        assert recovery_files(tmp_path) == [theirs]
    finally:
        kill(child)
    survivor = make_window(str(target))  # once it is gone, its work is offered
    assert len(prompts.recover) == 1 and len(survivor.graph) == 5
    survivor.undo_stack.setClean()
