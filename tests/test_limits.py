"""Small files that would take the machine are refused with a message: results over the size
limits (the issue's own example files, under a 1 GiB address-space limit), FIFOs and devices,
absurd training suggestions, and memory running out anywhere."""

from __future__ import annotations

import dataclasses
import os
import stat
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from cgeditor.cli import main
from cgeditor.core import ops
from cgeditor.model import files
from cgeditor.model.errors import LoadError
from cgeditor.model.formula import from_formula
from cgeditor.model.graph import Graph
from cgeditor.model.train import DEFAULT_SETTINGS, MAX_STEPS, Trainer, suggested_settings

GIB = 1 << 30
LIMITED = """
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, ({limit}, {limit}))
from cgeditor.cli import main
sys.exit(main(sys.argv[1:]))
"""


def run_limited(*argv: str, limit: int = GIB) -> subprocess.CompletedProcess:
    """The CLI in a child whose address space is capped: a big allocation fails there."""
    env = {**os.environ, "PYTHONPATH": os.getcwd(), "OPENBLAS_NUM_THREADS": "1"}
    return subprocess.run([sys.executable, "-c", LIMITED.format(limit=limit), *argv], env=env,
                          capture_output=True, text=True, timeout=300)


def broadcast_file(folder: Path) -> Path:
    """The issue's 4 MB file: (10⁶×1) + (1×1000) inputs, then sum (10⁹ elements, 7.5 GiB)."""
    g = Graph()
    tall = g.add_node("input", "tall", value=np.zeros((1_000_000, 1)))
    wide = g.add_node("input", "wide", y=1, value=np.zeros((1, 1000)))
    both = g.add_node("add", "both", x=1)
    total = g.add_node("sum", "total", x=2)
    g.connect(tall.id, both.id, "a")
    g.connect(wide.id, both.id, "b")
    g.connect(both.id, total.id, "x")
    path = folder / "broadcast.cgraph"
    files.save(g, path)
    return path


def matmul_chain_file(folder: Path, length: int = 1000) -> Path:
    """The issue's chain of 1,000 matmuls of one 1000×1000 constant (8 GB of values), summed."""
    g = Graph()
    m = g.add_node("const", "M", value=np.eye(1000) * 0.5)
    prev = m
    for k in range(1, length + 1):
        node = g.add_node("matmul", f"m{k}", x=k)
        g.connect(prev.id, node.id, "a")
        g.connect(m.id, node.id, "b")
        prev = node
    total = g.add_node("sum", "J", x=length + 1)
    g.connect(prev.id, total.id, "x")
    path = folder / "chain.cgraph"
    files.save(g, path)
    return path


def test_the_broadcast_file_is_refused_under_1_gib_naming_node_and_shape(tmp_path) -> None:
    path = broadcast_file(tmp_path)
    assert path.stat().st_size < 6_000_000  # a few MB
    refusal = "both refused: its result would have shape (1000000, 1000)"
    check = run_limited("check", str(path))
    assert check.returncode == 1 and check.stdout.startswith(f"both: {refusal}"), check
    run = run_limited("run", str(path))
    assert run.returncode == 1, run.stderr
    assert f"both: {refusal}" in run.stdout and "MemoryError" not in run.stdout + run.stderr
    assert "total: not evaluated" in run.stdout


def test_the_matmul_chain_is_checked_without_evaluating_under_1_gib(tmp_path) -> None:
    check = run_limited("check", str(matmul_chain_file(tmp_path)))
    assert check.returncode == 1, check.stderr
    first, *rest = check.stdout.splitlines()
    assert first.startswith("m30: m30 refused: with its result of shape (1000, 1000) the "
                            "graph's values would hold 31,000,000 elements")
    assert len(rest) == 0  # the nodes after m30 cannot be inferred, so are not reported


def test_a_chain_short_enough_runs_under_the_limit(tmp_path) -> None:
    run = run_limited("run", "--json", str(matmul_chain_file(tmp_path, length=3)))
    assert run.returncode == 0, run.stderr
    assert '"m3": {"op": "matmul", "value": [[0.0625, 0.0' in run.stdout
    assert '"J": {"op": "sum", "value": 62.5, "grad": 1.0}' in run.stdout


# --- not regular files ----------------------------------------------------------------------
@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
def test_a_fifo_is_refused_at_once_not_waited_on(tmp_path) -> None:
    fifo = tmp_path / "pipe.cgraph"
    os.mkfifo(fifo)
    with pytest.raises(LoadError, match=r"not a regular file \(a FIFO\)"):
        files.load(fifo)
    for command in ("check", "run", "export"):
        argv = [command, str(fifo)] + (["-o", str(tmp_path / "o.py")] if command == "export"
                                       else [])
        done = run_limited(*argv)  # the timeout in run_limited fails it if it blocks
        assert done.returncode == 2
        assert done.stderr == f"cgeditor: error: {fifo}: not a regular file (a FIFO)\n"


@pytest.mark.parametrize("path, kind", [("/dev/zero", "a device"), ("/dev/null", "a device"),
                                        (".", "a folder")])
def test_devices_and_folders_are_refused(path: str, kind: str) -> None:
    if kind == "a device" and not (os.path.exists(path) and stat.S_ISCHR(os.stat(path).st_mode)):
        pytest.skip(f"{path} is not a device here (a container may make it a plain file)")
    with pytest.raises(LoadError, match=rf"not a regular file \({kind}\)"):
        files.load(path)


def test_the_editor_is_not_opened_on_a_fifo(tmp_path, capsys) -> None:
    fifo = tmp_path / "pipe.cgraph"
    os.mkfifo(fifo)
    assert main([str(fifo)]) == 2
    assert capsys.readouterr().err == f"cgeditor: error: {fifo}: not a regular file\n"


# --- training suggestions --------------------------------------------------------------------
@pytest.mark.parametrize("train", [
    {"lr": 10 ** 400}, {"lr": 1e300}, {"lr": -1}, {"lr": "0.1"}, {"lr": True},
    {"steps": 10 ** 18}, {"steps": 2.5}, {"steps": 0}, {"steps": [1]}, {"optimizer": ["sgd"]},
    {"optimizer": "rmsprop"}])
def test_unusable_suggestions_fall_back_to_defaults_field_by_field(train: dict) -> None:
    meta = {"train": {"lr": 0.05, "steps": 30, "optimizer": "adam", **train}}
    settings = suggested_settings(meta)
    good = {"lr": 0.05, "steps": 30, "optimizer": "adam"}
    for key in good:
        assert settings[key] == (DEFAULT_SETTINGS[key] if key in train else good[key])


def test_cli_train_refuses_absurd_steps_from_the_file_and_from_the_user(tmp_path, capsys):
    graph = from_formula("J = (w - 3)**2", w=0.0)
    graph.set_trainable(graph.by_name("w").id, True)
    graph.meta["train"] = {"steps": 10 ** 18, "lr": 0.1}
    path = tmp_path / "t.cgraph"
    files.save(graph, path)
    assert main(["train", str(path)]) == 2
    err = capsys.readouterr().err
    assert err == (f"cgeditor: error: {path}: its suggested training settings are unusable: "
                   f"steps must be a whole number from 1 to {MAX_STEPS:,}, not "
                   "1000000000000000000\n")
    assert main(["train", str(path), "--steps", str(10 ** 18), "--lr", "0.1"]) == 2
    assert "the settings are unusable: steps must be" in capsys.readouterr().err
    assert main(["train", str(path), "--steps", "5", "--lr", "1e300"]) == 2
    assert "the learning rate must be a number from 1e-6 to 1000" in capsys.readouterr().err
    assert not (tmp_path / "t.trained.cgraph").exists()


# --- memory running out ---------------------------------------------------------------------
def _no_memory(*_args, **_kwargs):
    raise MemoryError("Unable to allocate 7.45 GiB for an array")


def test_memory_error_in_backward_is_a_message_on_the_output(monkeypatch) -> None:
    graph = from_formula("c = w*x; J = 0.5*c**2", w=2.0, x=-2.0)
    before = files.dumps(graph)
    monkeypatch.setattr("cgeditor.model.run.backward", _no_memory)
    result = graph.run()
    assert result.values["J"] == 8.0 and result.grads["w"] is None  # not a made-up zero
    assert result.issues["J"].message == ("gradients not computed: out of memory in the "
                                          "backward pass")
    assert files.dumps(graph) == before


def test_memory_error_in_a_forward_op_is_an_issue_of_that_node(monkeypatch) -> None:
    monkeypatch.setitem(ops.REGISTRY, "exp", dataclasses.replace(ops.REGISTRY["exp"],
                                                                 forward=_no_memory))
    graph = from_formula("c = w*x; J = exp(c)", w=2.0, x=-2.0)
    result = graph.run()
    assert result.values["c"] == -4.0 and result.values["J"] is None
    assert "Unable to allocate 7.45 GiB" in result.issues["J"].message


def test_memory_error_while_training_stops_with_a_message(monkeypatch) -> None:
    graph = from_formula("J = (w - 3)**2", w=0.0)
    graph.set_trainable(graph.by_name("w").id, True)
    trainer = Trainer(graph, 0.1)
    trainer.step(2)
    monkeypatch.setattr("cgeditor.model.train.backward", _no_memory)
    assert trainer.step(5) == [trainer.losses[-1]]  # the loss of the step that ran out
    assert trainer.done and trainer.message == ("stopped at step 3: out of memory (the "
                                                "graph's values and gradients do not fit)")
    assert graph.by_name("w").value == 0.0


def test_memory_error_in_the_cli_is_one_line_and_writes_nothing(tmp_path, capsys, monkeypatch):
    path = tmp_path / "g.cgraph"
    files.save(from_formula("J = 2*x", x=1.0), path)
    monkeypatch.setattr("cgeditor.model.run.backward", _no_memory)
    monkeypatch.setattr("cgeditor.model.train.backward", _no_memory)
    monkeypatch.setattr("cgeditor.model.files.files_parse.parse_bytes", _no_memory)
    for argv in (["run", str(path)], ["check", str(path)],
                 ["export", str(path), "-o", str(tmp_path / "o.py")]):
        assert main(argv) == 2
        assert capsys.readouterr().err == ("cgeditor: error: out of memory: the graph needs "
                                           "more memory than this machine has; no file was "
                                           "written\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g.cgraph"]
