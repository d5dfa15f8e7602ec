"""Fuzzing the loader: mutated valid files give a valid Graph or one LoadError, nothing else."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cgeditor.model import files, files_build
from cgeditor.model.errors import LoadError
from cgeditor.model.files_schema import compile_schema
from cgeditor.model.graph import Graph
from cgeditor.paths import seed_example


def _tensor_graph() -> Graph:
    """A second valid file with tensors, attrs, an open port and a const leaf."""
    g = Graph()
    m = g.add_node("const", "M", 0, 0, value=[[1.0, -2.5], [0.25, 4.0]])
    v = g.add_node("input", "v", 0, 110, value=[3, -1], trainable=True)
    mv = g.add_node("matmul", "mv", 200, 50)
    s = g.add_node("sum", "s", 400, 50, attrs={"axis": 0})
    p = g.add_node("powc", "p", 600, 50, attrs={"exponent": 1.5})
    g.add_node("maximum", "loose", 600, 200)  # ports left open on purpose
    g.connect(m.id, mv.id, "a")
    g.connect(v.id, mv.id, "b")
    g.connect(mv.id, s.id, "x")
    g.connect(s.id, p.id, "x")
    g.set_output(p.id)
    g.meta = {"title": "tensors", "zoom": 1.25}
    return g


VALID_TEXTS = [seed_example().read_text(encoding="utf-8"), files.dumps(_tensor_graph())]

# Any code point, lone surrogates (U+D800–U+DFFF) included: JSON can spell them as escapes.
_ANY_TEXT = st.text(st.one_of(st.characters(), st.characters(categories=["Cs"])), max_size=8)
_JSON_LEAVES = st.one_of(
    st.none(), st.booleans(), st.integers(), st.integers(-10**400, 10**400),
    st.floats(), st.text(max_size=12), _ANY_TEXT,
    st.sampled_from(["n1", "n5", "a", "b", "x", "mul", "x\ud800", "\udfff"]))
_KEYS = st.one_of(st.text(max_size=5), _ANY_TEXT)
_JSON = st.recursive(_JSON_LEAVES, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(_KEYS, inner, max_size=3)),
    max_leaves=8)


def check(content: str | bytes) -> None:
    """The property itself: a LoadError that is not a bug, or a whole Graph that saves (to
    bytes on disk, as files.save writes) and loads back equal."""
    try:
        graph = files.loads(content, "fuzz.cgraph")
    except LoadError as error:
        assert error.filename == "fuzz.cgraph" and error.reason
        assert "bug in cgeditor" not in error.reason, error.reason
        assert error.reason.isprintable() and error.location.isprintable()
        return
    saved = files.dumps(graph).encode("utf-8")
    again = files.loads(saved)
    assert files.graph_to_data(again) == files.graph_to_data(graph)
    assert files.dumps(again).encode("utf-8") == saved


def _slots(data: Any) -> list[tuple[Any, Any]]:
    """Every (container, key) pair in the tree, so a mutation can pick any one."""
    slots, stack = [], [data]
    while stack:
        item = stack.pop()
        keys = list(item) if isinstance(item, dict) else range(len(item)) \
            if isinstance(item, list) else []
        for key in keys:
            slots.append((item, key))
            stack.append(item[key])
    return slots


def _dicts_in(data: dict, key: str) -> list[dict]:
    """The dict items of data[key], or none if an earlier mutation broke that list."""
    items = data.get(key)
    return [x for x in items if isinstance(x, dict)] if isinstance(items, list) else []


def _mutate(data: dict, draw: st.DrawFn) -> None:
    kind = draw(st.sampled_from(["delete", "replace", "swap_ids", "dup_edge", "dup_node",
                                 "reverse_edge", "add_key"]))
    nodes, edges = _dicts_in(data, "nodes"), _dicts_in(data, "edges")
    if kind == "swap_ids" and nodes:
        a, b = draw(st.sampled_from(nodes)), draw(st.sampled_from(nodes))
        a["id"], b["id"] = b.get("id"), a.get("id")
    elif kind == "dup_edge" and edges:
        data["edges"].append(copy.deepcopy(draw(st.sampled_from(edges))))
    elif kind == "dup_node" and nodes:
        data["nodes"].append(copy.deepcopy(draw(st.sampled_from(nodes))))
    elif kind == "reverse_edge" and edges:
        edge = draw(st.sampled_from(edges))
        edge["from"], edge["to"] = edge.get("to"), edge.get("from")
    elif slots := _slots(data):
        container, key = draw(st.sampled_from(slots))
        if kind == "delete":
            del container[key]
        elif kind == "add_key" and isinstance(container[key], dict):
            container[key][draw(st.text(max_size=6))] = draw(_JSON)
        else:
            container[key] = draw(_JSON)


def _mutated_tree(data: st.DataObject, least: int, most: int) -> Any:
    """A valid file's JSON tree after ``least`` to ``most`` draws of _mutate."""
    tree = json.loads(data.draw(st.sampled_from(VALID_TEXTS)))
    for _ in range(data.draw(st.integers(least, most))):
        _mutate(tree, data.draw)
    return tree


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_json_level_mutations(data: st.DataObject):
    tree = _mutated_tree(data, 1, 3)
    check(json.dumps(tree, ensure_ascii=data.draw(st.booleans())))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_anything_that_loads_saves_and_loads_back_equal(data: st.DataObject):
    """Strings anywhere (meta, names, ids, ports, ops, keys), lone surrogates included."""
    tree = json.loads(data.draw(st.sampled_from(VALID_TEXTS)))
    slots = [(c, k) for c, k in _slots(tree) if isinstance(c[k], str)]
    meta = [(tree, "meta"), *((tree["meta"], k) for k in tree["meta"])]  # few, so drawn apart
    for _ in range(data.draw(st.integers(1, 3))):
        container, key = data.draw(st.sampled_from(data.draw(st.sampled_from([slots, meta]))))
        container[key] = data.draw(st.one_of(_ANY_TEXT, _JSON))
    check(json.dumps(tree, ensure_ascii=True))


@pytest.mark.parametrize("where, text", [
    ("/meta/note", '"note": "x\\ud800"'), ("/meta/x\\udc00", '"x\\udc00": 1'),
    ("/meta/list/1", '"list": ["ok", "\\udfff tail"]')])
def test_a_lone_surrogate_anywhere_is_refused_at_load_with_its_place(where, text) -> None:
    tree = json.loads(VALID_TEXTS[0])
    body = json.dumps(tree)
    body = body.replace('"meta": {', '"meta": {' + text + ", ", 1) if '"meta": {' in body \
        else body[:-1] + ', "meta": {' + text + "}}"
    with pytest.raises(LoadError, match="unpaired surrogate") as caught:
        files.loads(body, "s.cgraph")
    assert caught.value.location == where
    assert len(str(caught.value).splitlines()) == 1
    paired = body.replace("\\ud800", "\\ud83d\\ude00").replace("\\udc00", "\\ud83d\\ude00")
    paired = paired.replace("\\udfff", "\\ud83d\\ude00")
    loaded = files.loads(paired)  # a pair is one character (😀): fine, and saves
    assert "😀" in files.dumps(loaded)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(VALID_TEXTS), st.lists(st.tuples(st.integers(0), st.integers(1, 255)),
                                              min_size=1, max_size=6))
def test_byte_flips(text: str, flips: list[tuple[int, int]]):
    raw = bytearray(text.encode("utf-8"))
    for index, mask in flips:
        raw[index % len(raw)] ^= mask
    check(bytes(raw))


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(VALID_TEXTS), st.integers(0), st.binary(max_size=8))
def test_truncation_and_insertion(text: str, cut: int, junk: bytes):
    raw = text.encode("utf-8")
    cut %= len(raw)
    check(raw[:cut])
    check(raw[:cut] + junk + raw[cut:])


def test_unmutated_files_load():
    for text in VALID_TEXTS:
        assert files.dumps(files.loads(text)) == text


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_fast_schema_check_agrees_with_jsonschema(data: st.DataObject):
    tree = _mutated_tree(data, 0, 2)
    assert files_build.fast_check()(tree) == files_build.validator().is_valid(tree)


def test_fast_schema_check_refuses_keywords_it_does_not_know():
    with pytest.raises(ValueError, match="'uniqueItems' is not supported"):
        compile_schema({"type": "array", "uniqueItems": True})


_COLUMN_CASES = {  # edits the column-at-a-time checks of nodes and edges must see, each alone
    "edge missing a key": lambda t: t["edges"][0].pop("port"),
    "edge extra key": lambda t: t["edges"][-1].update(weight=1),
    "edge not an object": lambda t: t["edges"].append(["n1", "n2", "a"]),
    "id with a space": lambda t: t["edges"][0].update({"to": "n 1"}),
    "id with a final newline": lambda t: t["edges"][0].update({"from": "n1\n"}),
    "id too long": lambda t: t["nodes"][0].update(id="n" * 65),
    "empty port": lambda t: t["edges"][0].update(port=""),
    "port a number": lambda t: t["edges"][0].update(port=1),
    "x a boolean": lambda t: t["nodes"][0].update(x=True),
    "x beyond range": lambda t: t["nodes"][-1].update(x=1e9 + 1),
    "y at the bound": lambda t: t["nodes"][-1].update(y=-1e9),
    "trainable null": lambda t: t["nodes"][0].update(trainable=None),
    "no nodes": lambda t: t.update(nodes=[], edges=[]),
    "attrs with a string": lambda t: t["nodes"][3].update(attrs={"axis": "0"}),
}


@pytest.mark.parametrize("edit", _COLUMN_CASES.values(), ids=_COLUMN_CASES.keys())
def test_fast_schema_check_agrees_on_column_edits(edit: Any):
    tree = json.loads(VALID_TEXTS[1])
    edit(tree)
    assert files_build.fast_check()(tree) == files_build.validator().is_valid(tree)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet='"[]{}a:,é', max_size=80))
def test_depth_prescan_agrees_with_a_plain_walk(text: str):
    from cgeditor.model.files_parse import _max_depth

    depth = deepest = 0
    inside = False
    for char in text:
        inside ^= char == '"'
        if not inside and char in "[{]}":
            depth += 1 if char in "[{" else -1
            deepest = max(deepest, depth)
    assert _max_depth(text) == deepest
