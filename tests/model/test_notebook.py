"""A Graph and a RunResult in a notebook: SVG and HTML text that parse and show the run."""

from __future__ import annotations

import json
import math
import xml.etree.ElementTree as ET

import numpy as np
import pytest

import cgeditor
from cgeditor.model.notebook import MAX_DRAWN, MAX_ROWS
from tests.graphs import chain, seed_graph

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    return root


def node_texts(root: ET.Element) -> dict[str, list[str]]:
    """Each drawn node's texts, by its id."""
    return {g.get("id"): [t.text for t in g.iter(f"{SVG}text")]
            for g in root.iter(f"{SVG}g") if g.get("class") == "node"}


def test_the_picture_shows_boxes_and_wires_and_after_a_run_values_and_gradients():
    graph = seed_graph()
    before = node_texts(parse(graph._repr_svg_()))
    assert len(before) == 10
    by_name = {texts[0]: texts for texts in before.values()}
    assert by_name["w"] == ["w", "in", "= 2"]  # no gradient before a run
    assert by_name["c"] == ["c", "×", "a", "b"]  # no value either: nothing computed yet
    graph.run()
    root = parse(graph._repr_svg_())
    after = {texts[0]: texts for texts in node_texts(root).values()}
    assert after["w"] == ["w", "in", "= 2", "∂J/∂w = −4"]
    assert after["c"] == ["c", "×", "= −4", "∂J/∂c = 2", "a", "b"]
    assert after["J"][:4] == ["J", "×", "= 2", "∂J/∂J = 1"]
    assert len(list(root.iter(f"{SVG}path"))) == len(graph.edges) == 9


def test_an_edit_takes_the_numbers_off_the_picture():
    graph = seed_graph()
    graph.run()
    graph.rename_node(graph.by_name("c").id, "wx")
    texts = {t[0]: t for t in node_texts(parse(graph._repr_svg_())).values()}
    assert texts["wx"] == ["wx", "×", "a", "b"]


def test_wires_run_from_an_output_to_its_port():
    graph = seed_graph()
    root = parse(graph._repr_svg_())
    ends = [path.get("d").split()[-1] for path in root.iter(f"{SVG}path")]
    rects = {g.get("id"): g.find(f"{SVG}rect") for g in root.iter(f"{SVG}g")
             if g.get("class") == "node"}
    j = graph.by_name("J")
    assert f"{float(rects[j.id].get('x')):.1f},{graph_port_y(rects[j.id], 1):.1f}" in ends


def graph_port_y(rect: ET.Element, i: int) -> float:
    return float(rect.get("y")) + 63 + 18 * i + 9


def test_file_text_is_escaped(tmp_path):
    graph = seed_graph()
    graph.meta["title"] = "<script>alert('&')</script> & <b>"
    svg = graph._repr_svg_()
    assert "<script>" not in svg and "<b>" not in svg
    assert parse(svg).find(f"{SVG}title").text == "<script>alert('&')</script> & <b>"
    # a name that is not a plain identifier never gets into a graph at all
    path = tmp_path / "hostile.cgraph"
    cgeditor.save(seed_graph(), path)
    data = json.loads(path.read_text())
    data["nodes"][0]["name"] = "<script>&"
    path.write_text(json.dumps(data))
    with pytest.raises(cgeditor.LoadError, match="name"):
        cgeditor.load(path)


def test_characters_xml_cannot_hold_leave_the_picture_readable(tmp_path):
    # a file's title may hold any JSON string; XML 1.0 has no escape for most controls
    path = tmp_path / "controls.cgraph"
    cgeditor.save(seed_graph(), path)
    data = json.loads(path.read_text())
    data["meta"]["title"] = "a\u0001b\u000bc\ufffed\tok"
    path.write_text(json.dumps(data))
    graph = cgeditor.load(path)
    graph.meta["title"] += "\ud800"  # a lone surrogate, as a script may set
    title = parse(graph._repr_svg_()).find(f"{SVG}title").text
    assert title == "a\ufffdb\ufffdc\ufffdd\tok\ufffd"


def test_a_run_is_an_html_table_of_values_and_gradients():
    result = seed_graph().run()
    root = ET.fromstring(result._repr_html_())
    head = [th.text for th in root.iter("th")]
    assert head == ["node", "op", "value", "∂J/∂node"]
    rows = {tr[0].text: [td.text for td in tr] for tr in root.find("table/tbody")}
    assert rows["w"] == ["w", "input", "2", "−4"]
    assert rows["c"] == ["c", "mul", "−4", "2"]
    assert len(rows) == 10


def test_a_run_without_gradients_says_why_and_names_problems():
    result = cgeditor.from_formula("y = log(x) * [1, 2]", x=0).run()
    root = ET.fromstring(result._repr_html_())
    assert [th.text for th in root.iter("th")][-1] == "problem"
    rows = {tr[0].text: [td.text for td in tr] for tr in root.find("table/tbody")}
    assert rows["log1"][2] == "−inf" and "log" in rows["log1"][4]
    assert rows["x"][3] == "—"
    assert "gradient" in root.find("p").text


def test_a_run_with_forward_mode_adds_each_tangent():
    result = seed_graph().run(jvp="w")
    root = ET.fromstring(result._repr_html_())
    assert [th.text for th in root.iter("th")] == ["node", "op", "value", "∂J/∂node",
                                                   "∂node/∂w"]
    rows = {tr[0].text: [td.text for td in tr] for tr in root.find("table/tbody")}
    assert rows["w"][4] == "1" and rows["c"][4] == "−2" and rows["J"][4] == "−4"
    assert rows["b"][4] == "0"


def test_tensors_show_their_shape_and_range():
    graph = cgeditor.trace(lambda W: cgeditor.ops.sum(W * 2), W=np.arange(6.0).reshape(2, 3))
    graph.run()
    texts = {t[0]: t for t in node_texts(parse(graph._repr_svg_())).values()}
    assert texts["W"][2:] == ["= (2, 3) [0, 5]", "∂sum1/∂W = (2, 3) all 2"]


def test_nodes_that_share_a_place_are_laid_out():
    graph = seed_graph({name: (0, 0) for name in
                        ("w", "x", "b", "y", "c", "a", "d", "sq", "half", "J")})
    rects = [g.find(f"{SVG}rect") for g in parse(graph._repr_svg_()).iter(f"{SVG}g")
             if g.get("class") == "node"]
    corners = {(r.get("x"), r.get("y")) for r in rects}
    assert len(corners) == 10
    assert all(node.x == 0 and node.y == 0 for node in graph.nodes.values())  # not moved


@pytest.mark.parametrize("placed", [True, False], ids=["placed", "one-spot"])
def test_a_big_graph_draws_a_bounded_part_with_a_caption(placed):
    graph, nodes = chain(*[("tanh", f"t{i}") for i in range(10_000)], step=200 if placed else 0)
    graph.run()
    svg = graph._repr_svg_()
    root = parse(svg)
    drawn = node_texts(root)
    assert len(drawn) == MAX_DRAWN
    assert nodes[-1].id in drawn  # the output is among them
    caption = next(t.text for t in root.iter(f"{SVG}text") if t.text.startswith("The last"))
    assert caption.startswith(f"The last {MAX_DRAWN} of 10,001 nodes")
    assert len(svg) < 2_000 * MAX_DRAWN
    # placed in one long row (10k nodes 200 apart), the drawn part is folded as a formula
    # is, not drawn 60,000 px wide
    assert float(root.get("width")) < 6_000 and float(root.get("height")) < 4_000
    result = ET.fromstring(graph.last_result._repr_html_())
    rows = list(result.find("table/tbody"))
    assert len(rows) == MAX_ROWS + 1 and rows[-1][0].text == "… and 9,801 more nodes"


def test_an_empty_graph_is_a_picture_too():
    root = parse(cgeditor.Graph()._repr_svg_())
    assert [t.text for t in root.iter(f"{SVG}text")] == ["An empty graph"]


@pytest.mark.parametrize("far", [math.inf, -math.inf, math.nan, 1e300])
def test_a_place_no_file_keeps_is_laid_out_afresh(far: float) -> None:
    """A script may move a node anywhere; the picture keeps a size a browser can show."""
    graph = seed_graph()
    graph.move_node(graph.by_name("w").id, far, 0.0)
    svg = ET.fromstring(graph._repr_svg_())
    width, height = float(svg.get("width")), float(svg.get("height"))
    assert math.isfinite(width) and 0 < width < 5000 and 0 < height < 5000
    assert all(math.isfinite(float(v)) for v in svg.get("viewBox").split())
