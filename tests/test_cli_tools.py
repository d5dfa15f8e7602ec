"""cgeditor gradcheck / train / export: real numbers out, exit 1 on a failed check, bad input is
one line on stderr with exit 2."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys

import numpy as np
import pytest

from cgeditor.cli import main
from cgeditor.core import ops
from cgeditor.model.files import load
from cgeditor.model.formula import from_formula
from cgeditor.paths import examples_dir

SEED = str(examples_dir() / "seed.cgraph")
XOR = str(examples_dir() / "xor.cgraph")


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def one_error_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("cgeditor: error: "), err
    assert "Traceback" not in err
    return lines[0]


# --- gradcheck -------------------------------------------------------------------------------
def test_gradcheck_table_on_the_seed_passes(capsys) -> None:
    code, out, err = run(capsys, "gradcheck", SEED)
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0].split() == ["input", "backprop", "numeric", "abs", "err", "rel", "err",
                                "result", "method"]
    rows = {line.split()[0]: line.split() for line in lines[1:5]}
    assert rows["w"][1:3] == ["-4", "-4"] and rows["w"][5:] == ["pass", "elementwise"]
    assert rows["b"][1] == "2" and rows["y"][1] == "-2" and rows["x"][1] == "4"
    assert lines[5].startswith("4 of 4 passed (ε = 1e-6")


def test_gradcheck_json_with_set_and_eps(capsys) -> None:
    code, out, _ = run(capsys, "gradcheck", SEED, "--set", "w=3", "--eps", "1e-5", "--json")
    data = json.loads(out)
    assert code == 0 and data["passed"] is True and data["eps"] == 1e-5
    rows = {row["input"]: row for row in data["rows"]}
    # J = ½(w·x + b − y)², d = 3·(−2) + 8 − 2 = 0 at w = 3: every gradient is 0
    assert rows["w"]["backprop"] == 0.0 and abs(rows["w"]["numeric"]) < 1e-6
    assert set(rows["w"]) == {"input", "backprop", "numeric", "abs_error", "rel_error",
                              "passed", "method", "note"}


def test_gradcheck_trainable_only_checks_tensors_elementwise(capsys) -> None:
    code, out, _ = run(capsys, "gradcheck", XOR, "--trainable", "--json")
    data = json.loads(out)
    assert code == 0
    assert [row["input"] for row in data["rows"]] == ["W1", "b1", "W2", "b2"]
    assert np.shape(data["rows"][0]["backprop"]) == (2, 2)
    assert {row["method"] for row in data["rows"]} == {"elementwise"}


def test_gradcheck_detects_a_wrong_vjp_with_exit_1(capsys, monkeypatch) -> None:
    wrong = dataclasses.replace(ops.REGISTRY["mul"], vjp=lambda g, out, a, b: (g * b * 1.5, g * a),
                                vjp_template=("{g} * {b} * 1.5", "{g} * {a}"))
    monkeypatch.setitem(ops.REGISTRY, "mul", wrong)
    code, out, err = run(capsys, "gradcheck", SEED)
    assert code == 1 and err == ""
    rows = {line.split()[0]: line.split() for line in out.splitlines()[1:5]}
    assert rows["w"][5] == "FAIL" and rows["w"][1] == "-6" and rows["w"][2] == "-4"
    assert "failed: w" in out.splitlines()[-1]
    monkeypatch.undo()
    assert run(capsys, "gradcheck", SEED)[0] == 0


def test_gradcheck_at_a_large_output_is_lost_to_rounding_with_exit_0(capsys, tmp_path) -> None:
    """J = w·x + b at b = 1e30: J(w ± ε) round to the same number, the estimate reads 0
    where backprop rightly reads 3; no failure of backprop, so exit 0, and the footer says
    which inputs the check could not resolve."""
    from cgeditor.model.files import save

    path = tmp_path / "big.cgraph"
    save(from_formula("J = w*x + b", w=2, x=3, b=1e30), path)
    code, out, err = run(capsys, "gradcheck", str(path))
    assert code == 0 and err == ""
    rows = {line.split()[0]: line.split() for line in out.splitlines()[1:4]}
    assert rows["w"][1:3] == ["3", "0"] and rows["w"][5:8] == ["lost", "to", "rounding"]
    assert out.splitlines()[-1].endswith("lost to rounding: w, x, b")
    assert "w: lost to rounding: at |J| ≈ 1e30" in out


@pytest.mark.parametrize("argv, needle", [
    (["gradcheck", SEED, "--eps", "0"], "--eps: 0 must be a positive"),
    (["gradcheck", SEED, "--eps", "abc"], "is not a number"),
    (["gradcheck", SEED, "--set", "nope=1"], "no node named 'nope'"),
    (["gradcheck", "/no/such/file.cgraph"], "file.cgraph"),
])
def test_gradcheck_bad_input_is_one_line_and_exit_2(capsys, argv, needle) -> None:
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert needle in one_error_line(err)


def test_gradcheck_of_a_graph_with_an_open_port_says_so(capsys, tmp_path) -> None:
    graph = from_formula("J = w * x", w=1.0, x=2.0)
    graph.disconnect(graph.by_name("J").id, "b")
    path = tmp_path / "open.cgraph"
    from cgeditor.model.files import save
    save(graph, path)
    code, _, err = run(capsys, "gradcheck", str(path))
    assert code == 2 and "cannot check yet" in one_error_line(err)


# --- train -----------------------------------------------------------------------------------
def test_train_xor_prints_about_ten_losses_and_writes_the_trained_file(capsys, tmp_path) -> None:
    out_path = tmp_path / "trained.cgraph"
    code, out, err = run(capsys, "train", XOR, "--steps", "2000", "--lr", "1", "-o",
                         str(out_path))
    assert code == 0 and err == ""
    loss_lines = [line for line in out.splitlines() if line.startswith("step")]
    assert len(loss_lines) == 10
    losses = [float(line.split()[-1]) for line in loss_lines]
    assert losses[-1] < 0.01 and losses[-1] < losses[0]
    trained, original = load(out_path), load(XOR)
    assert not np.allclose(trained.by_name("W1").value, original.by_name("W1").value)
    assert trained.run().output_value < 0.01
    np.testing.assert_array_equal(trained.by_name("X").value, original.by_name("X").value)


def test_train_defaults_to_the_files_settings_and_a_trained_suffix(capsys, tmp_path) -> None:
    src = tmp_path / "model.cgraph"
    src.write_bytes((examples_dir() / "seed_fit.cgraph").read_bytes())
    before = src.read_bytes()
    code, out, _ = run(capsys, "train", str(src))
    assert code == 0
    assert "for 300 steps (sgd, lr 0.05)" in out.splitlines()[0]
    assert src.read_bytes() == before  # the input file is never overwritten by default
    trained = load(tmp_path / "model.trained.cgraph")
    assert trained.run().output_value < load(src).run().output_value


def test_train_adam_option(capsys, tmp_path) -> None:
    code, out, _ = run(capsys, "train", XOR, "--steps", "50", "--lr", "0.05", "--optimizer",
                       "adam", "-o", str(tmp_path / "a.cgraph"))
    assert code == 0 and "(adam, lr 0.05)" in out


def test_train_divergence_exits_1_and_writes_nothing(capsys, tmp_path) -> None:
    out_path = tmp_path / "never.cgraph"
    code, _, err = run(capsys, "train", str(examples_dir() / "seed_fit.cgraph"), "--steps",
                       "500", "--lr", "1000", "-o", str(out_path))
    assert code == 1 and "learning rate" in err and "nothing written" in err
    assert not out_path.exists()


@pytest.mark.parametrize("argv, needle", [
    (["train", SEED], "give --steps and --lr"),
    (["train", XOR, "--steps", "0"], "--steps: 0 must be at least 1"),
    (["train", XOR, "--lr", "-1"], "must be a positive"),
    (["train", XOR, "--optimizer", "lbfgs"], "invalid choice"),
    (["train", str(examples_dir() / "fanout.cgraph"), "--steps", "3", "--lr", "0.1"],
     "no trainable inputs"),
])
def test_train_bad_input_is_one_line_and_exit_2(capsys, argv, needle) -> None:
    code, _, err = run(capsys, *argv)
    assert code == 2 and needle in one_error_line(err)


# --- export ----------------------------------------------------------------------------------
def test_export_numpy_module_runs_and_matches_the_engine(capsys, tmp_path) -> None:
    target = tmp_path / "seed_module.py"
    code, out, _ = run(capsys, "export", SEED, "-o", str(target))
    assert code == 0 and "numpy module" in out
    done = subprocess.run([sys.executable, str(target)], capture_output=True, text=True,
                          check=True)
    assert "2" in done.stdout and "-4" in done.stdout


def test_export_torch_module(capsys, tmp_path) -> None:
    target = tmp_path / "seed_torch.py"
    code, out, _ = run(capsys, "export", SEED, "-o", str(target), "--torch")
    assert code == 0 and "PyTorch module" in out
    assert "import torch" in target.read_text()


@pytest.mark.parametrize("suffix, magic", [(".png", b"\x89PNG"), (".svg", b"<?xml")])
def test_export_pictures_with_the_canvas_scene(capsys, tmp_path, suffix, magic) -> None:
    target = tmp_path / f"xor{suffix}"
    code, out, _ = run(capsys, "export", XOR, "-o", str(target))
    assert code == 0 and out.startswith(f"wrote {target}: ")
    assert target.read_bytes().startswith(magic)
    if suffix == ".svg":
        assert "matmul1" in target.read_text()


def test_export_py_works_without_qt(tmp_path) -> None:
    target = tmp_path / "m.py"
    code = ("import sys; from cgeditor.cli import main; "
            f"rc = main(['export', {SEED!r}, '-o', {str(target)!r}]); "
            "assert 'PySide6' not in sys.modules, 'Qt was imported'; sys.exit(rc)")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=env)
    assert done.returncode == 0, done.stderr
    assert target.exists()


def test_export_png_draws_the_run_in_the_chosen_theme_scale_and_layout(capsys, tmp_path) -> None:
    from PySide6.QtGui import QImage

    from cgeditor.gui import theme as T
    wide, tall = tmp_path / "lr.png", tmp_path / "tb.png"
    code, out, _ = run(capsys, "export", XOR, "-o", str(wide), "--run", "--scale", "1",
                       "--theme", "dark", "--background", "canvas")
    assert code == 0 and out.startswith(f"wrote {wide}: ")
    image = QImage(str(wide))
    assert image.pixelColor(1, 1) == T.DARK.canvas
    code, _, _ = run(capsys, "export", XOR, "-o", str(tall), "--run", "--scale", "2",
                     "--direction", "TB", "--background", "transparent")
    assert code == 0
    portrait = QImage(str(tall))
    assert portrait.pixelColor(1, 1).alpha() == 0
    assert image.width() > image.height() and portrait.height() > portrait.width()


@pytest.mark.parametrize("argv, needle", [
    (["export", SEED, "-o", "x.txt"], "ending in .py, .png or .svg"),
    (["export", SEED, "-o", "x.png", "--torch"], "--torch only applies"),
    (["export", SEED, "-o", "x.py", "--run"], "--run only applies"),
    (["export", SEED, "-o", "x.png", "--scale", "3"], "invalid choice"),
    (["export", SEED], "required"),
])
def test_export_bad_input_is_one_line_and_exit_2(capsys, argv, needle) -> None:
    code, _, err = run(capsys, *argv)
    assert code == 2 and needle in one_error_line(err)


def test_export_into_a_missing_folder_is_one_line(capsys, tmp_path) -> None:
    code, _, err = run(capsys, "export", SEED, "-o", str(tmp_path / "nope" / "m.py"))
    assert code == 2 and "nope" in one_error_line(err)
    assert not (tmp_path / "nope").exists()


def test_gradcheck_at_a_kink_says_not_differentiable_instead_of_fail(tmp_path, capsys) -> None:
    path = tmp_path / "kink.cgraph"
    assert main(["build", "r = relu(w - 2); J = 3*r", "--set", "w=2", "-o", str(path)]) == 0
    capsys.readouterr()
    code, out, _ = run(capsys, "gradcheck", str(path))
    assert code == 0
    lines = out.splitlines()
    assert lines[1].split()[-3:] == ["not", "differentiable", "elementwise"]
    assert "FAIL" not in out
    assert lines[2] == ("w: not differentiable here (at r): relu is not differentiable at x = 0; "
                        "cgeditor uses the subgradient 0 there (as torch)")
    assert lines[3].endswith("; not differentiable here: w")
    code, out, _ = run(capsys, "gradcheck", str(path), "--json")
    row = json.loads(out)["rows"][0]
    assert code == 0 and row["passed"] is False and row["note"].startswith("not differentiable")


def test_gradcheck_refuses_a_nan_output_naming_its_origin(tmp_path, capsys) -> None:
    path = tmp_path / "nan.cgraph"
    assert main(["build", "J = a**b", "--set", "a=-2", "b=0.5", "-o", str(path)]) == 0
    capsys.readouterr()
    code, out, err = run(capsys, "gradcheck", str(path))
    assert code == 2 and out == ""
    assert one_error_line(err) == (
        "cgeditor: error: cannot check gradients: the output is nan (pow at a = -2, b = 0.5 "
        "gives nan: a ** b needs a > 0 for a fractional power and a ≠ 0 for a negative one; "
        "clamp a above 0 or add a small ε to it)")


# --- grad-graph ------------------------------------------------------------------------------
def test_grad_graph_writes_a_graph_whose_gradient_nodes_hold_the_gradients(capsys, tmp_path
                                                                           ) -> None:
    out = str(tmp_path / "grads.cgraph")
    code, text, err = run(capsys, "grad-graph", SEED, out)
    assert code == 0 and err == ""
    assert text.splitlines()[0] == f"wrote {out}: 10 forward nodes and 15 for the backward pass"
    assert [line.split() for line in text.splitlines()[2:]] == [
        ["w", "dJ_dw"], ["x", "dJ_dx"], ["b", "dJ_db"], ["y", "dJ_dy"]]
    values = load(out).run().values
    assert (values["dJ_dw"], values["dJ_dx"], values["dJ_db"], values["dJ_dy"]) == (
        -4.0, 4.0, 2.0, -2.0)
    again = str(tmp_path / "second.cgraph")
    code, text, err = run(capsys, "grad-graph", out, again, "--of", "dJ_dw")
    assert code == 0 and load(again).run().values["ddJ_dw_dw"] == 4.0  # x² at x = −2


def test_grad_graph_refuses_an_op_it_cannot_write_in_one_line(capsys, tmp_path) -> None:
    src, out = tmp_path / "batched.cgraph", tmp_path / "out.cgraph"
    from cgeditor.model.files import save
    save(from_formula("J = sum(x @ A)", x=[1, 2, 3], A=[[[[1, 2], [3, 4], [5, 6]]]] * 2), src)
    code, text, err = run(capsys, "grad-graph", str(src), str(out))
    assert code == 2 and text == "" and not out.exists()
    assert "matmul1 is a matmul node" in one_error_line(err)
    code, _, err = run(capsys, "grad-graph", SEED, str(out), "--of", "nope")
    assert code == 2 and "nope" in one_error_line(err) and not out.exists()


def _spellings(tmp_path, name: str) -> dict[str, str]:
    """One file and three other names for it; the test's working directory is tmp_path."""
    src = tmp_path / name
    src.write_bytes((examples_dir() / "seed.cgraph").read_bytes())
    (tmp_path / f"link-{name}").symlink_to(src)
    return {"same path": str(src), "relative": name, "dotted": f"./sub/../{name}",
            "symlink": str(tmp_path / f"link-{name}")}


@pytest.mark.parametrize("spelling", ["same path", "relative", "dotted", "symlink"])
@pytest.mark.parametrize("command", ["grad-graph", "export"])
def test_a_writer_refuses_to_overwrite_its_input_however_spelled(
        capsys, tmp_path, monkeypatch, command: str, spelling: str) -> None:
    # export writes .py, .png or .svg: its input is a .cgraph file under such a name
    name = "seed.cgraph" if command == "grad-graph" else "seed.py"
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path)
    out = _spellings(tmp_path, name)[spelling]
    before = (tmp_path / name).read_bytes()
    argv = [str(tmp_path / name), out] if command == "grad-graph" else \
        [str(tmp_path / name), "-o", out]
    code, text, err = run(capsys, command, *argv)
    assert (code, text) == (2, "")
    assert one_error_line(err) == (f"cgeditor: error: {out}: that is the input file "
                                   f"{tmp_path / name}; name another file for the output "
                                   "(nothing was written)")
    assert (tmp_path / name).read_bytes() == before
    assert load(tmp_path / name).run().values["J"] == 2.0  # still the seed example


def test_a_hard_link_named_as_output_is_replaced_and_the_input_kept(capsys, tmp_path) -> None:
    src, link = tmp_path / "seed.cgraph", tmp_path / "hard.cgraph"
    src.write_bytes((examples_dir() / "seed.cgraph").read_bytes())
    os.link(src, link)
    code, _, err = run(capsys, "grad-graph", str(src), str(link))
    assert (code, err) == (0, "")
    assert src.read_bytes() == (examples_dir() / "seed.cgraph").read_bytes()
    assert load(link).run().values["dJ_dw"] == -4.0


def test_train_writes_over_its_input_only_when_named_as_output(capsys, tmp_path) -> None:
    src = tmp_path / "xor.cgraph"
    src.write_bytes((examples_dir() / "xor.cgraph").read_bytes())
    code, _, _ = run(capsys, "train", str(src), "--steps", "5", "--lr", "1")
    assert code == 0 and src.read_bytes() == (examples_dir() / "xor.cgraph").read_bytes()
    code, _, _ = run(capsys, "train", str(src), "--steps", "5", "--lr", "1", "-o", str(src))
    assert code == 0 and src.read_bytes() != (examples_dir() / "xor.cgraph").read_bytes()
