"""The cgeditor command line: build + run give the seed numbers; bad input is one line, exit 2."""

from __future__ import annotations

import json
import subprocess
import sys
import types

import numpy as np
import pytest

from cgeditor.cli import COMMANDS, main
from cgeditor.model.files import save
from cgeditor.model.formula import from_formula

SEED = "c = w*x; a = c + b; d = a - y; J = 0.5*d**2"


@pytest.fixture
def seed_file(tmp_path, capsys):
    path = tmp_path / "f.cgraph"
    code = main(["build", SEED, "--set", "w=2", "x=-2", "--set", "b=8", "--set", "y=2",
                 "-o", str(path)])
    assert code == 0
    assert capsys.readouterr().out.strip() == f"wrote {path}: 10 nodes, output J"
    return path


def run_json(capsys, *argv):
    code = main(["run", *argv, "--json"])
    captured = capsys.readouterr()
    assert captured.err == ""
    return code, json.loads(captured.out)


def test_build_then_run_json_gives_the_seed_numbers(seed_file, capsys):
    code, data = run_json(capsys, str(seed_file))
    assert code == 0
    assert set(data) == {"output", "order", "nodes", "grad_note", "issues"}
    assert data["grad_note"] is None and data["issues"] == {}
    assert data["output"] == "J"
    expected = {
        "w": ("input", 2, -4), "x": ("input", -2, 4), "b": ("input", 8, 2),
        "y": ("input", 2, -2), "c": ("mul", -4, 2), "a": ("add", 4, 2), "d": ("sub", 2, 2),
        "const1": ("const", 0.5, 4), "powc1": ("powc", 4, 0.5), "J": ("mul", 2, 1),
    }
    assert data["nodes"] == {name: {"op": op, "value": value, "grad": grad}
                             for name, (op, value, grad) in expected.items()}
    order = data["order"]
    assert sorted(order) == sorted(expected)
    assert order.index("c") < order.index("a") < order.index("d") < order.index("J")


def test_set_on_run_overrides_an_input(seed_file, capsys):
    _, data = run_json(capsys, str(seed_file), "--set", "w=2.001")
    assert data["nodes"]["J"]["value"] == pytest.approx(1.996, abs=5e-4)


def test_output_option_differentiates_another_node(seed_file, capsys):
    _, data = run_json(capsys, str(seed_file), "--output", "c")
    assert data["output"] == "c"
    assert data["nodes"]["w"]["grad"] == -2.0 and data["nodes"]["b"]["grad"] == 0.0


def test_run_prints_an_aligned_table(seed_file, capsys):
    assert main(["run", str(seed_file)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["#", "name", "op", "value", "gradient"]
    rows = {line.split()[1]: line.split()[2:] for line in lines[1:11]}
    assert rows["w"] == ["input", "2", "-4"] and rows["J"] == ["mul", "2", "1"]
    value_column = lines[0].index("value")
    assert all(line[value_column - 2:value_column] == "  " for line in lines[1:11])
    assert lines[11] == "output: J"


def test_tensors_print_as_shape_and_compact_array(tmp_path, capsys):
    path = tmp_path / "t.cgraph"
    assert main(["build", "y = sum(W @ v, axis=0)", "--set", "W=[[1,2],[3,4]]", "v=[[1],[2]]",
                 "-o", str(path)]) == 0
    capsys.readouterr()
    assert main(["run", str(path)]) == 0
    out = capsys.readouterr().out
    assert "(2, 2) [[1, 2], [3, 4]]" in out and "(2, 1) [[4], [6]]" in out
    _, data = run_json(capsys, str(path))
    assert data["nodes"]["W"]["grad"] == [[1.0, 2.0], [1.0, 2.0]]


def test_non_finite_values_are_strings_in_json(tmp_path, capsys):
    path = tmp_path / "log.cgraph"
    assert main(["build", "y = log(x)", "-o", str(path)]) == 0
    capsys.readouterr()
    code, data = run_json(capsys, str(path))
    assert code == 1
    assert data["nodes"]["y"] == {"op": "log", "value": "-inf", "grad": 1.0}
    assert data["nodes"]["x"]["grad"] == "inf"
    assert main(["run", str(path)]) == 1
    out = capsys.readouterr().out
    assert ("y: log at x = 0 gives -inf: log needs x > 0; add a small ε (log(x + 1e-9)) or "
            "clamp x above 0  <- first non-finite value appeared here") in out


def test_check_ok_and_problems(seed_file, tmp_path, capsys):
    assert main(["check", str(seed_file)]) == 0
    assert capsys.readouterr().out.strip() == "ok: 10 nodes, 9 edges, output J"
    graph = from_formula("y = a + b")
    graph.disconnect(graph.by_name("y").id, "b")
    broken = tmp_path / "broken.cgraph"
    save(graph, broken)
    assert main(["check", str(broken)]) == 1
    assert "y: input port b of y not connected" in capsys.readouterr().out


def test_check_reports_a_shape_mismatch(tmp_path, capsys):
    path = tmp_path / "shapes.cgraph"
    save(from_formula("y = A @ v", A=[[1, 2, 3]], v=[1, 2]), path)
    assert main(["check", str(path)]) == 1
    assert capsys.readouterr().out == ("y: matmul needs A's columns (3) to equal v's length (2): "
                                       "A has shape (1, 3) and v has shape (2,); reshape A or "
                                       "v so that these sizes match\n")


@pytest.mark.parametrize(("argv", "message"), [
    (["run", "{missing}"], "cannot read the file"),
    (["check", "{garbage}"], "binary"),
    (["build", "y = foo(x)", "-o", "{out}"], "unknown function 'foo' (line 1, column 5)"),
    (["build", "y = w*x", "--set", "w", "-o", "{out}"], "--set 'w': expected NAME=VALUE"),
    (["build", "y = w*x", "--set", "w=abc", "-o", "{out}"], "--set w: 'abc' is not a number"),
    (["build", "y = w*x", "--set", "z=1", "-o", "{out}"], "'z' is not an input"),
    (["build", "y = 2*x", "-o", "{nodir}"], "No such file or directory"),
    (["run", "{seed}", "--set", "q=1"], "--set q: there is no node named 'q'"),
    (["run", "{seed}", "--set", "c=1"], "c is a mul node"),
    (["run", "{seed}", "--set", "w=NaN"], "--set w: NaN is not a finite number"),
    (["run", "{seed}", "--output", "Q"], "there is no node named 'Q'"),
    (["run"], "the following arguments are required: FILE"),
    (["run", "{seed}", "--bogus"], "unrecognized arguments: --bogus"),
    (["frobnicate", "x"], "unknown command 'frobnicate'"),
    (["{missing}"], "no such file"),
])
def test_bad_input_is_one_line_and_exit_2(argv, message, seed_file, tmp_path, capsys):
    garbage = tmp_path / "garbage.cgraph"
    garbage.write_bytes(b"\x00\xffnot json")
    places = {"missing": tmp_path / "missing.cgraph", "garbage": garbage,
              "out": tmp_path / "out.cgraph", "nodir": tmp_path / "no" / "dir.cgraph",
              "seed": seed_file}
    capsys.readouterr()
    code = main([arg.format(**places) for arg in argv])
    captured = capsys.readouterr()
    assert code == 2
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("cgeditor: error: ")
    assert message in lines[0]
    assert not (tmp_path / "out.cgraph").exists()


def test_help_and_version_return_zero(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    assert all(command.name in out for command in COMMANDS)
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.startswith("cgeditor ")


def fake_gui(monkeypatch, app_module):
    package = types.ModuleType("cgeditor.gui")
    if app_module is not None:
        package.app = app_module
    monkeypatch.setitem(sys.modules, "cgeditor.gui", package)
    monkeypatch.setitem(sys.modules, "cgeditor.gui.app", app_module)


def test_a_file_argument_opens_the_editor(seed_file, monkeypatch):
    opened = []
    app = types.ModuleType("cgeditor.gui.app")
    app.main = lambda path=None: opened.append(path) or 0
    fake_gui(monkeypatch, app)
    assert main([str(seed_file)]) == 0
    assert main([]) == 0
    assert opened == [str(seed_file), None]


def test_editor_that_cannot_import_gives_one_clear_line(monkeypatch, capsys):
    fake_gui(monkeypatch, None)
    monkeypatch.setitem(sys.modules, "cgeditor.gui", None)
    assert main([]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and err[0].startswith("cgeditor: error: the editor cannot start")


def test_editor_without_qt_gives_one_clear_line(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "PySide6.QtWidgets", None)  # as if the wheel were absent
    assert main([]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and err[0].startswith("cgeditor: error: the editor cannot start")
    assert "PySide6" in err[0]


def test_console_entry_point_never_shows_a_traceback(seed_file, tmp_path):
    def run(*argv):
        return subprocess.run([sys.executable, "-m", "cgeditor", *argv], capture_output=True,
                              text=True, cwd=tmp_path, timeout=60)

    good = run("run", str(seed_file), "--json")
    assert good.returncode == 0 and json.loads(good.stdout)["nodes"]["J"]["value"] == 2.0
    for argv in (["run", "missing.cgraph"], ["build", "y = (", "-o", "x.cgraph"],
                 ["run", str(seed_file), "--set", "w=[1,"]):
        bad = run(*argv)
        assert bad.returncode == 2
        assert "Traceback" not in bad.stderr
        assert len(bad.stderr.splitlines()) == 1


# --- gradients that were not computed ------------------------------------------------------------
@pytest.fixture
def mismatch_file(tmp_path):
    path = tmp_path / "mm.cgraph"
    save(from_formula("C = A @ B; J = sum(C)", A=np.ones((2, 3)), B=np.ones((2, 3))), path)
    return path


@pytest.fixture
def vector_file(tmp_path):
    path = tmp_path / "vec.cgraph"
    save(from_formula("h = tanh(w*x)", w=np.array([1.0, 2.0]), x=np.array([3.0, 4.0])), path)
    return path


def test_run_text_prints_na_for_gradients_not_computed_and_the_reason_once(mismatch_file,
                                                                           capsys):
    assert main(["run", str(mismatch_file)]) == 1
    lines = capsys.readouterr().out.splitlines()
    rows = {line.split()[1]: line for line in lines[1:5]}
    assert rows["A"].endswith("[[1, 1, 1], [1, 1, 1]]  n/a")
    assert rows["B"].endswith("n/a") and rows["C"].split()[-2:] == ["n/a", "n/a"]
    assert not any("[[0, 0, 0]" in line for line in lines)
    note = "gradients not computed: the output J has no value because C could not run"
    assert lines.count(note) == 1


def test_run_json_writes_null_for_gradients_not_computed(mismatch_file, capsys):
    code, data = run_json(capsys, str(mismatch_file))
    assert code == 1
    assert {name: node["grad"] for name, node in data["nodes"].items()} == dict.fromkeys(
        "ABCJ")
    assert data["nodes"]["A"]["value"] == [[1.0, 1.0, 1.0], [1.0, 1.0, 1.0]]
    assert data["grad_note"].endswith("because C could not run")
    assert data["issues"]["C"]["kind"] == "error"
    assert data["issues"]["J"]["kind"] == "skipped"


VECTOR_NOTE = ("gradients not computed: the output h has shape (2,), but gradients need a "
               "scalar output (a single number); add J = sum(h) (or J = mean(h)) and make it "
               "the output")


def test_run_on_a_tensor_output_shows_values_and_refuses_gradients(vector_file, capsys):
    assert main(["run", str(vector_file)]) == 1
    out = capsys.readouterr().out
    h = next(line for line in out.splitlines() if line.startswith("4"))
    assert h.split()[1:] == ["h", "tanh", "(2,)", "[0.995055,", "1]", "n/a"]
    assert out.count(VECTOR_NOTE) == 1
    code, data = run_json(capsys, str(vector_file))
    assert code == 1 and data["grad_note"] == VECTOR_NOTE
    assert data["nodes"]["w"] == {"op": "input", "value": [1.0, 2.0], "grad": None}


@pytest.mark.parametrize("command", [["gradcheck"], ["train", "--steps", "2", "--lr", "0.1"]])
def test_gradcheck_and_train_refuse_a_tensor_output_naming_the_formula(vector_file, capsys,
                                                                      command):
    doc = json.loads(vector_file.read_text())
    for node in doc["nodes"]:
        if node["name"] == "w":
            node["trainable"] = True
    vector_file.write_text(json.dumps(doc))
    assert main([command[0], str(vector_file), *command[1:]]) == 2
    captured = capsys.readouterr()
    doing = "check gradients" if command[0] == "gradcheck" else "train"
    assert captured.err == (f"cgeditor: error: cannot {doing}: the output h has shape (2,), "
                            "but gradients need a scalar output (a single number); add "
                            "J = sum(h) (or J = mean(h)) and make it the output\n")
    assert captured.out == ""
