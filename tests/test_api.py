"""The scripting API a teacher uses: cgeditor.from_formula, save, load and Graph.run."""

from __future__ import annotations

import inspect

import pytest

import cgeditor

SEED = "c = w*x; a = c + b; d = a - y; J = 0.5*d**2"


def test_seed_through_the_public_api(tmp_path):
    graph = cgeditor.from_formula(SEED, w=2, x=-2, b=8, y=2)
    path = tmp_path / "seed.cgraph"
    cgeditor.save(graph, path)
    loaded = cgeditor.load(path)
    assert isinstance(loaded, cgeditor.Graph)
    result = loaded.run()
    assert isinstance(result, cgeditor.RunResult)
    assert result.output == "J"
    assert {k: result.values[k] for k in "cadJ"} == {"c": -4, "a": 4, "d": 2, "J": 2}
    assert {k: result.grads[k] for k in "dacbywx"} == {
        "d": 2, "a": 2, "c": 2, "b": 2, "y": -2, "w": -4, "x": 4}
    nudged = loaded.run(feeds={"w": 2.001})
    assert nudged.output_value == pytest.approx(1.996, abs=5e-4)
    assert loaded.run().output_value == 2  # feeds last one run only


def test_run_with_another_output():
    graph = cgeditor.from_formula(SEED, w=2, x=-2, b=8, y=2)
    result = graph.run(output="a")
    assert result.output == "a" and result.grads["w"] == -2 and result.grads["y"] == 0


def test_an_input_may_be_called_text():
    assert cgeditor.from_formula("y = 2*text", text=3).run().output_value == 6


def test_public_errors_are_exported(tmp_path):
    with pytest.raises(cgeditor.FormulaError) as info:
        cgeditor.from_formula("y = w.x")
    assert info.value.column == 5
    bad = tmp_path / "bad.cgraph"
    bad.write_text("{")
    with pytest.raises(cgeditor.LoadError, match=r"bad\.cgraph"):
        cgeditor.load(bad)


def test_gradient_graph_from_the_package() -> None:
    graph = cgeditor.from_formula(SEED, w=2, x=-2, b=8, y=2)
    values = cgeditor.gradient_graph(graph).run().values
    assert (values["dJ_dw"], values["dJ_dx"], values["dJ_db"], values["dJ_dy"]) == (
        -4.0, 4.0, 2.0, -2.0)
    with pytest.raises(cgeditor.GraphError, match="matmul1 is a matmul node"):
        cgeditor.gradient_graph(cgeditor.from_formula("J = sum(x @ A)", x=[1, 2, 3],
                                                      A=[[[[1, 2], [3, 4], [5, 6]]]] * 2))


def _public(cls: type) -> list[str]:
    return [name for name, member in vars(cls).items() if not name.startswith("_")
            and (inspect.isfunction(member) or isinstance(member, property))]


def test_every_public_name_says_what_it_does():
    """help(cgeditor) reads as a manual: every function, class and public method has a
    docstring (the mixins' methods included, as help shows them on Graph)."""
    missing = []
    for name in cgeditor.__all__:
        obj = getattr(cgeditor, name)
        if inspect.isfunction(obj) or inspect.isclass(obj) or inspect.ismodule(obj):
            missing += [name] if not inspect.getdoc(obj) else []
        if inspect.isclass(obj):
            for klass in obj.__mro__[:-1]:
                if klass.__module__.startswith("cgeditor"):
                    missing += [f"{name}.{m}" for m in _public(klass)
                                if not getattr(klass, m).__doc__]
    missing += [f"ops.{name}" for name in cgeditor.ops.__all__
                if not getattr(cgeditor.ops, name).__doc__]
    assert not missing
