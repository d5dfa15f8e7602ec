"""``cgeditor run FILE --jvp NAME``: forward mode on the command line, as a table column and
in the JSON, with its refusals as one line and exit 2."""

from __future__ import annotations

import json

import pytest

from cgeditor.cli import main
from cgeditor.paths import seed_example

SEED = str(seed_example())


def _rows(out: str) -> tuple[list[str], dict[str, list[str]]]:
    lines = out.splitlines()
    return lines[0].split(), {line.split()[1]: line.split()[2:] for line in lines[1:11]}


def test_jvp_prints_each_nodes_derivative_in_w(capsys):
    assert main(["run", SEED, "--jvp", "w"]) == 0
    out = capsys.readouterr().out
    header, rows = _rows(out)
    assert header == ["#", "name", "op", "value", "gradient", "∂v/∂w"]
    tangents = {name: row[-1] for name, row in rows.items()}
    assert tangents == {"w": "1", "x": "0", "b": "0", "y": "0", "half": "0", "c": "-2",
                        "a": "-2", "d": "-2", "sq": "-8", "J": "-4"}
    assert rows["w"][-2] == rows["J"][-1] == "-4"  # ∂J/∂w both ways: the same number
    assert ("forward mode: one pass from w gave ∂v/∂w for every node v; backward gave "
            "∂J/∂(every node) in one pass from J") in out


def test_without_jvp_the_table_has_no_tangent_column(capsys):
    assert main(["run", SEED]) == 0
    out = capsys.readouterr().out
    assert _rows(out)[0] == ["#", "name", "op", "value", "gradient"]
    assert "forward mode" not in out


def test_jvp_json_carries_a_tangent_per_node_and_the_seed(capsys):
    assert main(["run", SEED, "--jvp", "b", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["jvp"] == {"seeds": {"b": 1.0}, "issues": {}}
    assert {n: data["nodes"][n]["tangent"] for n in ("b", "c", "a", "d", "J")} == {
        "b": 1.0, "c": 0.0, "a": 1.0, "d": 1.0, "J": 2.0}
    assert data["nodes"]["J"]["tangent"] == data["nodes"]["b"]["grad"]


def test_a_non_finite_tangent_is_listed_and_exits_1(tmp_path, capsys):
    path = tmp_path / "root.cgraph"
    assert main(["build", "y = sqrt(x)", "--set", "x=0", "-o", str(path)]) == 0
    capsys.readouterr()
    assert main(["run", str(path), "--jvp", "x"]) == 1
    out = capsys.readouterr().out
    assert ("  y: tangent of y is inf, from the jvp of sqrt at x = 0: its derivative there is "
            "infinite or undefined") in out
    assert "<- first non-finite tangent appeared here" in out
    # under a heading of its own, after the gradient's ('issues:'): it printed headless
    assert "\ntangent issues:\n  y: tangent of y is inf" in out
    assert out.index("\nissues:\n  x: gradient of x is inf") < out.index("tangent issues:")


@pytest.mark.parametrize(("name", "message"), [
    ("q", "cgeditor: error: --jvp q: there is no node named 'q'"),
    ("c", "cgeditor: error: cannot seed c: it is computed by mul; forward mode starts from an "
          "input or a const"),
])
def test_a_bad_seed_is_one_line_and_exit_2(name: str, message: str, capsys):
    assert main(["run", SEED, "--jvp", name]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.strip() == message
