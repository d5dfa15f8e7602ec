"""A non-editable install carries everything the program reads at run time."""

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q",
         "-w", str(out), str(ROOT)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return next(out.glob("cgeditor-*.whl"))


def test_wheel_contains_schema_examples_and_icons(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "cgeditor/data/cgraph.schema.json" in names
    assert "cgeditor/data/examples/seed.cgraph" in names
    assert "cgeditor/data/failures/log_zero.cgraph" in names
    assert any(n.startswith("cgeditor/data/icons/") and n.endswith(".svg") for n in names)


def test_installed_copy_runs_the_seed_from_its_own_data(wheel: Path, tmp_path: Path) -> None:
    # Unpack the wheel to a folder and import cgeditor from there, away from the source tree.
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    code = ("import cgeditor, cgeditor.paths as p; g = cgeditor.load(p.seed_example());"
            "r = g.run(); print(p.resource_dir().relative_to(p._PACKAGE), r.values['J'],"
            " r.grads['w'])")
    env = {**os.environ, "PYTHONPATH": str(site)}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=tmp_path, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["data", "2.0", "-4.0"]
