"""Ctrl+C in the terminal (SIGINT) closes a real editor process: with unsaved work, the work
is written to the recovery file first and the next start offers it; without, nothing is
left behind. The exit code is the shell's 130; no traceback."""

from __future__ import annotations

import contextlib
import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from test_document import write_graph

from cgeditor.gui.recovery import find_recovery
from cgeditor.model import files

CHILD = Path(__file__).with_name("interrupt_child.py")
pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGHUP"), reason="POSIX signals")


def start(home: Path, target: Path, mode: str) -> subprocess.Popen[str]:
    """The editor as launched from a shell, its settings and recovery under ``home``."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "HOME": str(home),
           "XDG_CONFIG_HOME": str(home / "config"), "XDG_DATA_HOME": str(home / "data")}
    env.pop("CGEDITOR_NO_SETTINGS", None)  # its private folder is deleted on exit
    return subprocess.Popen([sys.executable, str(CHILD), str(target), mode], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def said(child: subprocess.Popen[str], word: str) -> list[str]:
    """The words of the child's next line, which must start with ``word``."""
    shown, _, _ = select.select([child.stdout], [], [], 90)
    words = child.stdout.readline().split() if shown else []
    if not words or words[0] != word:
        child.kill()
        pytest.fail(f"the editor did not say {word!r}: {child.communicate()[1]}")
    return words


def ready(child: subprocess.Popen[str]) -> tuple[Path, int, int]:
    """(recovery folder, nodes shown, recoveries offered) once the editor runs."""
    words = said(child, "ready")
    return Path(words[1]), int(words[2]), int(words[3])


def interrupt(child: subprocess.Popen[str], signum: int = signal.SIGINT) -> str:
    """Send ``signum`` as Ctrl+C would; the stderr of a process that must end by itself."""
    child.send_signal(signum)
    try:
        _out, err = child.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        child.kill()
        pytest.fail("the editor did not quit on the signal")
    assert child.returncode == 128 + signum, err
    assert "Traceback" not in err
    return err


def test_ctrl_c_keeps_unsaved_work_for_the_next_start(tmp_path: Path) -> None:
    target = write_graph(tmp_path / "work.cgraph", consts=3)
    saved = target.read_bytes()
    child = start(tmp_path / "home", target, "edit")
    folder, nodes, _offered = ready(child)
    assert nodes == 4  # the edit is made, not yet autosaved (its timer is held back)
    assert find_recovery(folder, str(target)) is None
    interrupt(child)
    assert target.read_bytes() == saved  # nothing saved over the user's file unasked
    entry = find_recovery(folder, str(target))
    assert entry is not None and len(files.load(entry.graph_path)) == 4
    again = start(tmp_path / "home", target, "recover")
    _folder, nodes, offered = ready(again)
    assert (nodes, offered) == (4, 1)  # offered at start, and the edit is back
    interrupt(again, signal.SIGTERM)  # still unsaved: kept again
    assert len(files.load(find_recovery(folder, str(target)).graph_path)) == 4


def test_ctrl_c_at_the_unsaved_changes_prompt_keeps_the_work_unsaved(tmp_path: Path) -> None:
    """Closing asked Save / Discard / Cancel; Ctrl+C then is no answer: nothing is saved
    over the file, and the work is kept for the next start."""
    target = write_graph(tmp_path / "work.cgraph", consts=3)
    saved = target.read_bytes()
    child = start(tmp_path / "home", target, "prompt")
    folder, nodes, _offered = ready(child)
    said(child, "asking")
    interrupt(child)
    assert target.read_bytes() == saved
    entry = find_recovery(folder, str(target))
    assert entry is not None and len(files.load(entry.graph_path)) == nodes == 4


def test_ctrl_c_without_changes_leaves_nothing_behind(tmp_path: Path) -> None:
    target = write_graph(tmp_path / "work.cgraph", consts=3)
    saved = target.read_bytes()
    child = start(tmp_path / "home", target, "clean")
    folder, nodes, offered = ready(child)
    assert (nodes, offered) == (3, 0)
    interrupt(child)
    assert target.read_bytes() == saved
    assert find_recovery(folder) is None
    assert not folder.exists() or not list(folder.glob("*.cgraph"))


def current_wakeup_fd() -> int:
    fd = signal.set_wakeup_fd(-1)
    signal.set_wakeup_fd(fd)
    return fd


def test_main_in_a_process_leaves_its_signal_handlers_as_they_were(qtbot, monkeypatch) -> None:
    """Run inside another program (a test run, an embedder), the editor's handlers last only
    while its event loop runs: Ctrl+C there still reaches the program afterwards."""
    from PySide6.QtWidgets import QApplication

    from cgeditor.gui import app
    from cgeditor.gui.window import MainWindow

    before = ({s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)},
              current_wakeup_fd())
    during: list[object] = []

    def fake_exec() -> int:
        window = next(w for w in QApplication.topLevelWidgets()
                      if isinstance(w, MainWindow) and w.isVisible())
        during.append(signal.getsignal(signal.SIGINT))
        assert window.close()
        window.deleteLater()
        return 0
    monkeypatch.setattr(QApplication, "exec", staticmethod(fake_exec))
    assert app.main() == 0
    assert during and during[0] is not before[0][signal.SIGINT]  # installed while running
    after = ({s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)},
             current_wakeup_fd())
    assert after == before


def test_ctrl_c_at_the_recovery_prompt_quits_and_keeps_the_recovery(tmp_path: Path) -> None:
    """The start offers a crash's work before the window shows; Ctrl+C then quits as
    anywhere else, and is no answer: the autosaved copy stays for the next start."""
    target = write_graph(tmp_path / "work.cgraph", consts=3)
    child = start(tmp_path / "home", target, "edit")
    folder, _nodes, _offered = ready(child)
    interrupt(child)
    kept = find_recovery(folder, str(target))
    assert kept is not None
    again = start(tmp_path / "home", target, "offered")
    assert said(again, "asking") == ["asking", "recover"]
    interrupt(again)
    entry = find_recovery(folder, str(target))
    assert entry is not None and entry.graph_path == kept.graph_path
    assert len(files.load(entry.graph_path)) == 4


def test_ctrl_c_again_and_again_while_quitting_loses_nothing_and_prints_no_traceback(
        tmp_path: Path) -> None:
    """Ctrl+C pressed again while the first one's recovery write runs, and on through the
    process's end: the write finishes, the exit code is still 130, nothing but one note is
    printed (no KeyboardInterrupt traceback from Python's teardown)."""
    target = write_graph(tmp_path / "work.cgraph", consts=3)
    child = start(tmp_path / "home", target, "slow")
    folder, _nodes, _offered = ready(child)
    child.send_signal(signal.SIGINT)
    said(child, "closing")
    sent = 0
    while child.poll() is None and sent < 2000:  # pressed again until the process is gone
        with contextlib.suppress(ProcessLookupError):
            child.send_signal(signal.SIGINT)
        sent += 1
        time.sleep(0.005)
    _out, err = child.communicate(timeout=60)
    assert sent > 10  # the presses came during the write, not only after it
    assert child.returncode == 130, err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err
    assert err.count("quitting; any unsaved work is kept") == 1
    entry = find_recovery(folder, str(target))
    assert entry is not None and len(files.load(entry.graph_path)) == 4
