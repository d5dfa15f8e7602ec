"""Every write outside the GUI is atomic and never follows a planted link; a save killed
mid-write leaves a temp file that the next save of that file removes."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cgeditor.cli import main
from cgeditor.model import atomic, files
from cgeditor.model.formula import from_formula


def seed_file(folder: Path) -> Path:
    path = folder / "g.cgraph"
    files.save(from_formula("c = w*x; J = 0.5*c**2", w=2.0, x=-2.0), path)
    return path


def test_cli_export_never_follows_a_link_planted_at_a_temp_name(tmp_path: Path) -> None:
    source = seed_file(tmp_path)
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    out = tmp_path / "out.py"
    for name in (".out.py.tmp", ".out.py.tmp.tmp", "out.py.tmp"):  # names an attacker can guess
        (tmp_path / name).symlink_to(victim)
    assert main(["export", str(source), "-o", str(out)]) == 0
    assert main(["export", str(source), "-o", str(tmp_path / "t.py"), "--torch"]) == 0
    assert victim.read_text() == "precious\n"
    assert "def forward_backward(" in out.read_text() and not out.is_symlink()
    assert (tmp_path / "t.py").read_text().count("class Model(nn.Module):") == 1


@pytest.mark.parametrize("suffix, magic", [(".png", b"\x89PNG"), (".svg", b"<?xml")])
def test_cli_pictures_go_through_the_same_writer(tmp_path: Path, suffix: str, magic: bytes,
                                                  monkeypatch) -> None:
    pytest.importorskip("PySide6")
    source = seed_file(tmp_path)
    out = tmp_path / f"pic{suffix}"
    written = []
    real = atomic.write_atomically
    monkeypatch.setattr(atomic, "write_atomically",
                        lambda path, data: (written.append(path), real(path, data)))
    from cgeditor.gui.canvas import image_export
    monkeypatch.setattr(image_export, "write_atomically", atomic.write_atomically)
    assert main(["export", str(source), "-o", str(out)]) == 0
    assert written == [str(out)] and out.read_bytes().startswith(magic)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g.cgraph", out.name]


def test_cli_export_through_a_symlinked_output_writes_its_target(tmp_path: Path) -> None:
    source = seed_file(tmp_path)
    real = tmp_path / "real.py"
    real.write_text("old\n")
    link = tmp_path / "link.py"
    link.symlink_to(real)
    assert main(["export", str(source), "-o", str(link)]) == 0
    assert link.is_symlink() and "def forward_backward(" in real.read_text()


def _plant(folder: Path, name: str, age: float) -> Path:
    path = folder / name
    path.write_text("half a save")
    old = time.time() - age
    os.utime(path, (old, old))
    return path


def test_next_save_removes_only_our_stale_temp_files_of_that_file(tmp_path: Path) -> None:
    path = seed_file(tmp_path)
    stale = _plant(tmp_path, ".g.cgraph.ab12_xyz.tmp", 3600)
    fresh = _plant(tmp_path, ".g.cgraph.cd34efgh.tmp", 1)  # a save running in another window
    other = _plant(tmp_path, ".h.cgraph.ab12_xyz.tmp", 3600)  # another file's
    unlike = _plant(tmp_path, ".g.cgraph.notours.tmp", 3600)  # not mkstemp's pattern
    victim = _plant(tmp_path, "victim", 3600)
    link = tmp_path / ".g.cgraph.linklink.tmp"
    link.symlink_to(victim)
    os.utime(link, (0, 0), follow_symlinks=False)
    files.save(from_formula("J = 3*x", x=1.0), path)
    assert not stale.exists()
    assert fresh.exists() and other.exists() and unlike.exists()
    assert link.is_symlink() and victim.read_text() == "half a save"
    assert files.load(path).by_name("J").op == "mul"


KILLED_SAVE = """
import os, sys
from cgeditor.model import files
from cgeditor.model.formula import from_formula
os.replace = lambda *a: os._exit(9)  # killed between writing the temp file and the rename
files.save(from_formula("J = 2*x", x=1.0), sys.argv[1])
"""


def test_a_save_killed_mid_write_leaves_a_temp_that_the_next_save_cleans(tmp_path: Path) -> None:
    path = seed_file(tmp_path)
    before = path.read_bytes()
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    done = subprocess.run([sys.executable, "-c", KILLED_SAVE, str(path)], env=env, timeout=60)
    assert done.returncode == 9 and path.read_bytes() == before
    left = [p for p in tmp_path.iterdir() if p.name.startswith(".g.cgraph.")]
    assert len(left) == 1 and left[0].suffix == ".tmp"
    files.save(from_formula("J = 4*x", x=1.0), path)
    assert left[0].exists()  # too young to be sure it is stale
    old = time.time() - atomic.STALE_TEMP_SECONDS - 1  # as if the crash was minutes ago
    os.utime(left[0], (old, old))
    files.save(from_formula("J = 5*x", x=1.0), path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g.cgraph"]
