""".cgraph files: canonical output, round trips, every bad file refused clearly, atomic saves."""

from __future__ import annotations

import gc
import json
import keyword
import os
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from cgeditor.core.ops import REGISTRY
from cgeditor.model import files, files_build, files_parse, values
from cgeditor.model.errors import LoadError
from cgeditor.model.graph import RESERVED_NAMES, Graph
from cgeditor.paths import seed_example
from tests.graphs import seed_graph

BAD_FILES = Path(__file__).parent / "bad_files"


SEED_TEXT = seed_example().read_text(encoding="utf-8")
# J's x as the file spells it, for an edit that puts it out of range
J_X = f'"x": {json.loads(SEED_TEXT)["nodes"][9]["x"]},'


def build_seed() -> Graph:
    """The seed example J = ½(w·x + b − y)², built through the API with the bundled file's
    positions (those come from the canvas's auto layout, which measures nodes with Qt)."""
    on_disk = {n["name"]: (n["x"], n["y"]) for n in json.loads(SEED_TEXT)["nodes"]}
    g = seed_graph(on_disk)
    for name in ("w", "b"):
        g.set_trainable(g.by_name(name).id, True)
    g.set_attrs(g.by_name("sq").id, {"exponent": 2})
    g.set_output(g.by_name("J").id)
    g.meta = {"title": "Seed: J = ½(w·x + b − y)²", "description": "press Forward, then Backward"}
    return g


def describe(g: Graph) -> dict:
    """Everything a file must preserve, in comparable form."""
    nodes = [(n.id, n.op, n.name, n.x, n.y, n.attrs, n.trainable,
              None if n.value is None else np.asarray(n.value).tolist())
             for n in g.nodes.values()]
    return {"nodes": nodes, "edges": sorted((e.src, e.dst, e.port) for e in g.edges),
            "output": g.explicit_output, "meta": g.meta}


# --- the seed example ---------------------------------------------------------------------
def test_seed_file_is_canonical_and_matches_the_api_build():
    assert seed_example().read_text(encoding="utf-8") == files.dumps(build_seed())


def test_seed_file_runs_to_the_worked_numbers():
    g = files.load(seed_example())
    result = g.run()
    assert result.output == "J" and result.ok
    assert result.values["J"] == 2.0
    expected = {"w": -4.0, "x": 4.0, "b": 2.0, "y": -2.0, "d": 2.0, "a": 2.0, "c": 2.0}
    assert {k: float(result.grads[k]) for k in expected} == expected
    assert g.by_name("w").trainable and g.by_name("b").trainable
    assert not g.by_name("x").trainable
    assert g.meta["description"] == "press Forward, then Backward"


# --- canonical output ---------------------------------------------------------------------
def test_dumps_is_sorted_one_item_per_line_with_trailing_newline():
    text = files.dumps(build_seed())
    lines = text.splitlines()
    assert text.endswith("}\n")
    assert [json.loads("{" + line.rstrip(",") + "}").popitem()[0] for line in lines
            if line.startswith('  "') and not line.endswith("[")] == \
        ["format", "meta", "output", "version"]
    node_lines = [line for line in lines if line.startswith('    {"id"') or '"op"' in line]
    assert len(node_lines) == 10  # one line per node
    assert '{"attrs": {"exponent": 2}, "id": "n8", "name": "sq", "op": "powc"' in text
    assert json.loads(text)["edges"][0] == {"from": "n1", "port": "a", "to": "n5"}


def test_edges_are_written_by_target_order_then_port_order_not_insertion():
    g = Graph()
    p, q = g.add_node("input", "p"), g.add_node("input", "q")
    s = g.add_node("sub", "s")
    g.connect(q.id, s.id, "b")  # inserted first, written second
    g.connect(p.id, s.id, "a")
    edges = json.loads(files.dumps(g))["edges"]
    assert [(e["from"], e["port"]) for e in edges] == [(p.id, "a"), (q.id, "b")]


def test_values_keep_exact_floats_and_negative_zero():
    g = Graph()
    g.add_node("const", "k", value=[[0.1, -0.0], [3.0, 1e300]])
    g.add_node("input", "t", 12.5, -3.25, value=2**60)
    node = json.loads(files.dumps(g))["nodes"]
    assert node[0]["value"] == [[0.1, -0.0], [3, 1e300]]
    assert str(node[0]["value"][0][1]) == "-0.0"
    assert (node[1]["x"], node[1]["y"]) == (12.5, -3.25)
    back = files.loads(files.dumps(g))
    assert np.array_equal(back.by_name("k").value, [[0.1, -0.0], [3.0, 1e300]])
    assert np.signbit(back.by_name("k").value[0, 1])
    assert back.by_name("t").value == 2.0**60


def test_unicode_names_and_meta_round_trip(tmp_path: Path):
    g = Graph()
    alpha = g.add_node("input", "α", value=1.5)
    beta = g.add_node("tanh", "βήτα_名前")
    g.connect(alpha.id, beta.id, "x")
    g.meta = {"title": "Größe ∂J/∂α", "description": "日本語 ✓"}
    path = tmp_path / "ünï.cgraph"
    files.save(g, path)
    assert "βήτα_名前" in path.read_text(encoding="utf-8")  # written as text, not \u escapes
    back = files.load(path)
    assert describe(back) == describe(g)


# --- round trip of generated graphs -------------------------------------------------------
_NAMES = st.from_regex(r"[A-Za-z_α-ωА-я][A-Za-z0-9_α-ω]{0,5}", fullmatch=True).filter(
    lambda s: s.isidentifier() and not keyword.iskeyword(s) and s not in RESERVED_NAMES)
_FLOATS = st.floats(allow_nan=False, allow_infinity=False)
_VALUES = st.one_of(_FLOATS, st.integers(-10**15, 10**15),
                    hnp.arrays(np.float64, hnp.array_shapes(max_dims=3, max_side=3),
                               elements=_FLOATS))
_COORDS = st.floats(-1e6, 1e6, allow_nan=False)
_OPS = sorted(name for name, spec in REGISTRY.items() if not spec.is_leaf)
_ATTR_VALUES = {"float": st.floats(-8, 8, allow_nan=False), "int": st.integers(-3, 3),
                "int?": st.one_of(st.none(), st.integers(-3, 3))}


@st.composite
def graphs(draw: st.DrawFn) -> Graph:
    """Random leaves, random registry ops wired acyclically to earlier nodes, some ports open."""
    n_leaves, n_ops = draw(st.integers(1, 5)), draw(st.integers(0, 10))
    names = draw(st.lists(_NAMES, min_size=n_leaves + n_ops, max_size=n_leaves + n_ops,
                          unique=True))
    g = Graph()
    for name in names[:n_leaves]:
        g.add_node(draw(st.sampled_from(["input", "const"])), name, draw(_COORDS),
                   draw(_COORDS), value=draw(_VALUES), trainable=draw(st.booleans()))
    for name in names[n_leaves:]:
        spec = REGISTRY[draw(st.sampled_from(_OPS))]
        attrs = {a.name: draw(_ATTR_VALUES[a.kind]) for a in spec.attrs if draw(st.booleans())}
        earlier = list(g.nodes)
        node = g.add_node(spec.name, name, draw(_COORDS), draw(_COORDS), attrs=attrs)
        for port in spec.inputs:
            if draw(st.integers(0, 4)):  # mostly wired, sometimes left open
                g.connect(draw(st.sampled_from(earlier)), node.id, port)
    g.set_output(draw(st.one_of(st.none(), st.sampled_from(list(g.nodes)))))
    g.meta = draw(st.fixed_dictionaries({}, optional={"title": st.text(max_size=20),
                                                      "description": st.text(max_size=40)}))
    return g


@settings(max_examples=100, deadline=None)
@given(graphs())
def test_round_trip_of_generated_graphs(g: Graph):
    text = files.dumps(g)
    back = files.loads(text)
    assert files.dumps(back) == text
    assert describe(back) == describe(g)


# --- bad files ------------------------------------------------------------------------------
# file name -> (words the reason must contain, where the location must point)
BAD = {
    "empty.cgraph": ("file is empty", ""),
    "all_nul.cgraph": ("NUL bytes", "byte 0"),
    "not_json.cgraph": ("not valid JSON", "line 1, column 1"),
    "truncated.cgraph": ("not valid JSON: Unterminated string", "line 17"),
    "binary_garbage.cgraph": ("not valid UTF-8", "byte 0"),
    "deep_nesting.cgraph": ("nested more than 64 levels", "line 1, column"),
    "huge_integer.cgraph": ("is not a finite number", "/nodes/0/value"),
    "huge_float.cgraph": ("must be finite numbers", "/nodes/2/value"),
    "nan.cgraph": ("NaN is not a finite number", "/nodes/8/value"),
    "infinity.cgraph": ("-Infinity is not a finite number", "/nodes/9/x"),
    "duplicate_key.cgraph": ("key 'name' appears twice", "/nodes/4"),
    "wrong_type.cgraph": ("'x' must be a number, not a string", "/nodes/4/x"),
    "missing_field.cgraph": ("required field 'op' is missing", "/nodes/5"),
    "extra_field.cgraph": ("unknown field 'code'", "/nodes/0"),
    "unknown_op.cgraph": ("unknown op 'frobnicate'", "/nodes/7/op"),
    "edge_missing_node.cgraph": ("'n99': there is no node", "/edges/3/from"),
    "edge_missing_port.cgraph": ("has no input port 'c'", "/edges/0"),
    "duplicate_ids.cgraph": ("two nodes have the id 'n1'", "/nodes/1/id"),
    "duplicate_names.cgraph": ("already named 'w'", "/nodes/8/name"),
    "bad_name.cgraph": ("'2c' is not a valid name", "/nodes/4/name"),
    "cycle.cgraph": ("cycle: c → a → d → c", "/edges/"),
    "self_loop.cgraph": ("cannot feed its own input", "/edges/2"),
    "two_edges_one_port.cgraph": ("two edges go into input port 'b' of c", "/edges/9"),
    "oversized_tensor.cgraph": ("tensor of shape (40, 40): 1,600 elements, more than 1,000 "
                                "(the limit)",
                                "/nodes/1/value"),
    "ragged_tensor.cgraph": ("same length", "/nodes/1/value"),
    "newer_version.cgraph": ("version 2, newer", "/version"),
    "wrong_format.cgraph": ("not a cgeditor graph", "/format"),
    "top_level_list.cgraph": ("top level is a list", "/"),
    "unknown_attr.cgraph": ("no attribute 'power'", "/nodes/7/attrs"),
    "value_on_op.cgraph": ("compute their value", "/nodes/9/value"),
    "trainable_op.cgraph": ("only input nodes can be trainable", "/nodes/9/trainable"),
    "missing_output.cgraph": ("output 'n42' is not a node", "/output"),
}


def test_every_bad_file_is_in_the_table():
    assert sorted(p.name for p in BAD_FILES.iterdir()) == sorted(BAD)


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_file_gives_one_clear_load_error(name: str, monkeypatch: pytest.MonkeyPatch):
    # The committed oversized tensor is small; shrink the limit instead of committing megabytes.
    monkeypatch.setattr(values, "MAX_ELEMENTS", 1000)
    words, location = BAD[name]
    path = BAD_FILES / name
    with pytest.raises(LoadError) as caught:
        files.load(path)
    error = caught.value
    assert words in error.reason
    assert location in error.location and (error.location or not location)
    assert str(path) in str(error) and error.filename == str(path)
    assert "bug in cgeditor" not in error.reason




def _with_edits(*edits: tuple[str, int, dict]) -> str:
    data = json.loads(SEED_TEXT)
    for array, index, change in edits:
        data[array][index].update(change)
    return json.dumps(data)


@pytest.mark.parametrize(("edits", "words", "location"), [
    ((("edges", 5, {"port": "zz"}), ("edges", 2, {"to": "gone"})), "edge to 'gone'",
     "/edges/2/to"),
    ((("edges", 1, {"from": "n5", "to": "n5"}), ("edges", 3, {"from": "gone"})),
     "cannot feed its own input", "/edges/1"),
    ((("edges", 4, {"port": "zz"}), ("edges", 8, {"to": "gone"})), "no input port 'zz'",
     "/edges/4"),
    ((("nodes", 6, {"op": "mull"}), ("nodes", 2, {"id": "n1"})), "two nodes have the id",
     "/nodes/2/id"),
    ((("nodes", 8, {"trainable": True}), ("nodes", 5, {"op": "mull"})), "unknown op 'mull'",
     "/nodes/5/op"),
])
def test_of_several_bad_parts_the_first_listed_is_named(edits, words: str, location: str):
    # bulk checks find that something is wrong; the message must still name the first part
    with pytest.raises(LoadError) as caught:
        files.loads(_with_edits(*edits), "n.cgraph")
    assert words in caught.value.reason and caught.value.location == location


@pytest.mark.parametrize(("old", "new", "words", "location"), [
    ('"title": "Seed', '"x": [1e400], "title": "Seed', "too large (beyond float64)", "/meta/x/0"),
    ('"value": 8,', '"value": ' + "9" * 5000 + ",", "far too long", "line 18, column"),
    ('{"exponent": 2}', '{"exponent": 1e400}', "out of range (it must be at most 1e300)",
     "/nodes/7/attrs/exponent"),
    (J_X, '"x": 1e10,', "'x' is out of range (it must be at most 1e9)", "/nodes/9/x"),
])
def test_numbers_beyond_float64_anywhere_are_refused(old: str, new: str, words: str,
                                                    location: str):
    assert old in SEED_TEXT
    with pytest.raises(LoadError) as caught:
        files.loads(SEED_TEXT.replace(old, new, 1), "n.cgraph")
    assert words in caught.value.reason and location in caught.value.location


def test_newer_version_tells_the_user_to_upgrade():
    with pytest.raises(LoadError, match="upgrade cgeditor"):
        files.load(BAD_FILES / "newer_version.cgraph")


def test_real_tensor_limit_applies_to_a_generated_file(tmp_path: Path):
    data = json.loads(files.dumps(build_seed()))
    data["nodes"][1]["value"] = [[0] * 1001] * 1000  # 1,001,000 elements: over 1,000,000
    path = tmp_path / "big_tensor.cgraph"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(LoadError, match=r"1,001,000 elements, more than 1,000,000 \(the limit\)"):
        files.load(path)


def test_oversized_file_is_refused_before_parsing(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(files_parse, "MAX_FILE_BYTES", 1024 * 1024)
    path = tmp_path / "huge.cgraph"
    path.write_bytes(b" " * (1024 * 1024 + 1))  # blank: only the size check can say no first
    with pytest.raises(LoadError) as caught:
        files.load(path)
    assert "larger than the 1.0 MiB limit" in caught.value.reason
    with pytest.raises(LoadError, match=r"1\.0 MiB limit"):
        files.loads(path.read_bytes(), "huge.cgraph")


def test_unreadable_paths_are_load_errors(tmp_path: Path):
    with pytest.raises(LoadError, match="cannot read the file") as caught:
        files.load(tmp_path / "nope.cgraph")
    assert caught.value.filename.endswith("nope.cgraph")
    with pytest.raises(LoadError, match=r"not a regular file \(a folder\)"):
        files.load(tmp_path)


def test_loads_accepts_text_and_bytes_and_refuses_lone_surrogates():
    text = files.dumps(build_seed())
    assert files.dumps(files.loads(text)) == files.dumps(files.loads(text.encode())) == text
    with pytest.raises(LoadError, match="unpaired surrogate"):
        files.loads(text.replace("press", "\ud800"), "s.cgraph")


def test_older_versions_go_through_the_migration_hook(monkeypatch: pytest.MonkeyPatch):
    def v1_to_v2(data: dict) -> dict:
        data.setdefault("meta", {})["migrated"] = "from 1"
        return data

    monkeypatch.setattr(files_build, "FORMAT_VERSION", 2)
    monkeypatch.setitem(files_build.MIGRATIONS, 1, v1_to_v2)
    g = files.loads(files.dumps(build_seed()))
    assert g.meta["migrated"] == "from 1"


def test_schema_is_valid_draft_2020_12():
    schema = json.loads((seed_example().parent.parent / "cgraph.schema.json").read_text())
    assert schema["$schema"].endswith("2020-12/schema")
    assert files_build.validator().is_valid(json.loads(files.dumps(build_seed())))


def test_load_pauses_the_garbage_collector_and_restores_its_state():
    text = files.dumps(build_seed())
    assert gc.isenabled()
    with pytest.raises(LoadError):
        files.loads(text.replace('"op": "mul"', '"op": "mull"', 1))
    assert gc.isenabled()  # re-enabled after a refusal too
    gc.disable()
    try:
        files.loads(text)
        assert not gc.isenabled()  # a caller that paused it keeps it paused
    finally:
        gc.enable()


# --- atomic save ----------------------------------------------------------------------------
@pytest.mark.parametrize("failing", ["replace", "fsync"])
def test_failed_save_leaves_old_file_and_no_temp_file(tmp_path: Path, failing: str,
                                                      monkeypatch: pytest.MonkeyPatch):
    path = tmp_path / "g.cgraph"
    files.save(build_seed(), path)
    before = path.read_bytes()
    changed = build_seed()
    changed.rename_node(changed.by_name("w").id, "weight")

    def boom(*_args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, failing, boom)
    with pytest.raises(OSError, match="No space left"):
        files.save(changed, path)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g.cgraph"]


def test_save_keeps_a_backup_of_the_previous_version(tmp_path: Path):
    path = tmp_path / "g.cgraph"
    g = build_seed()
    files.save(g, path, backup=True)  # nothing to back up yet
    assert not (tmp_path / "g.cgraph.bak").exists()
    first = path.read_bytes()
    g.move_node(g.by_name("J").id, 1200, 220)
    files.save(g, path, backup=True)
    assert (tmp_path / "g.cgraph.bak").read_bytes() == first
    assert files.load(path).by_name("J").x == 1200
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g.cgraph", "g.cgraph.bak"]


def test_save_keeps_the_file_mode_and_writes_through_symlinks(tmp_path: Path):
    real = tmp_path / "real.cgraph"
    files.save(build_seed(), real)
    os.chmod(real, 0o640)
    link = tmp_path / "link.cgraph"
    link.symlink_to(real)
    files.save(Graph(), link)
    assert link.is_symlink()
    assert (real.stat().st_mode & 0o777) == 0o640
    assert len(files.load(real)) == 0


@pytest.mark.parametrize(("x", "y", "saved"), [
    (1e9 + 4000.0, -1e9 - 4000.0, (1e9, -1e9)),  # parted or pasted past the edge: kept at it
    (float("inf"), float("nan"), (0, 0)),  # no place at all: the origin
    (-1e9, 5e8, (-1e9, 5e8)),  # on or inside the bound: exact
])
def test_positions_past_the_file_bound_save_at_the_bound_and_load_again(x, y, saved):
    graph = seed_graph()
    node = next(iter(graph.nodes.values()))
    graph.move_node(node.id, x, y)
    again = files.loads(files.dumps(graph))
    assert (again.nodes[node.id].x, again.nodes[node.id].y) == saved
