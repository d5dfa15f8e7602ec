"""Both exports and the document's own run give torch's float64 numbers at every op's special
points and on the matmul operand grid, and agree on powers at zero."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from cgeditor.core.ops import REGISTRY
from cgeditor.model.export import to_numpy_module, to_torch_module
from cgeditor.model.formula import from_formula
from cgeditor.model.graph import Graph
from tests.exported import load_module
from tests.torch_refs import RefCase, assert_matches, load


def refs_graph(cases: tuple[RefCase, ...]) -> tuple[Graph, dict[str, Any]]:
    """Every case side by side: c{k}_{port} → op{k} → Σ(op{k} · w{k}), the sums added into
    one output, so each input's gradient is its own case's ∂J/∂input. The weights are inputs
    fed at call time (a graph holds finite values only; some upstream weights are inf)."""
    g, total, weights = Graph(), None, {}
    for k, case in enumerate(cases):
        node = g.add_node(case.op, f"op{k}", x=1, y=k, attrs=case.attrs)
        for port, value in zip(REGISTRY[case.op].inputs, case.inputs):
            g.connect(g.add_node("input", f"c{k}_{port}", y=k, value=value).id, node.id, port)
        weight = g.add_node("input", f"w{k}", x=1, y=k, value=np.ones_like(case.weight))
        weights[f"w{k}"] = case.weight
        weighted, part = g.add_node("mul", f"m{k}", x=2, y=k), g.add_node("sum", f"s{k}", x=3)
        for src, dst, port in [(node, weighted, "a"), (weight, weighted, "b"),
                               (weighted, part, "x")]:
            g.connect(src.id, dst.id, port)
        if total is not None:
            added = g.add_node("add", f"t{k}", x=4, y=k)
            g.connect(total.id, added.id, "a")
            g.connect(part.id, added.id, "b")
            part = added
        total = part
    return g, weights


REF_GROUPS = {op: tuple(c for c in load("sweep") if c.op == op)
              for op in sorted({c.op for c in load("sweep")})}
REF_GROUPS["matmul-grid"] = load("matmul_grid")


def assert_refs(cases: tuple[RefCase, ...], values: dict, grads: dict, label: str) -> None:
    for k, case in enumerate(cases):
        assert_matches(values[f"op{k}"], case.value, f"{label} {case.id}: value")
        for port, want in zip(REGISTRY[case.op].inputs, case.expected):
            assert_matches(grads[f"c{k}_{port}"], want, f"{label} {case.id}: ∂J/∂{port}")


@pytest.mark.parametrize("group", sorted(REF_GROUPS))
def test_numpy_export_and_graph_run_match_torch_at_special_points(group: str,
                                                                   tmp_path: Path) -> None:
    """Torch's float64 numbers, with pow's documented convention (∂/∂b = 0 where a < 0)."""
    cases = REF_GROUPS[group]
    graph, weights = refs_graph(cases)
    module = load_module(to_numpy_module(graph), tmp_path / "refs_np.py")
    with np.errstate(all="ignore"):  # overflow and log(0) are the point here
        assert_refs(cases, *module.forward_backward(**weights), "numpy export")
    # The document's own run, as the canvas and the CLI show it (a document holds and takes
    # finite values only, so the cases with an inf or nan upstream weight are left out).
    finite = tuple(c for c in cases if np.isfinite(c.weight).all())
    graph, weights = refs_graph(finite)
    run = graph.run(weights)
    assert_refs(finite, run.values, run.grads, "Graph.run")


@pytest.mark.parametrize("group", sorted(REF_GROUPS))
def test_torch_export_matches_torch_at_special_points(group: str, tmp_path: Path) -> None:
    """Autograd on the exported module: torch's numbers, and pow's convention (real_pow)."""
    pytest.importorskip("torch", reason="torch is an optional extra: pip install torch")
    cases = REF_GROUPS[group]
    graph, weights = refs_graph(cases)
    module = load_module(to_torch_module(graph), tmp_path / "refs_torch.py")
    values, grads = module.gradients(**weights)
    assert_refs(cases, {k: v.detach().numpy() for k, v in values.items()},
                {k: v.numpy() for k, v in grads.items()}, "torch export")


@pytest.mark.parametrize(("formula", "values", "want"), [
    ("J = sum(x**0)", {"x": np.array([0.0, 1.0])}, {"x": [0.0, 0.0]}),
    ("J = sum(x**b)", {"x": np.array([0.0, 1.0]), "b": 0.0}, {"x": [0.0, 0.0], "b": 0.0}),
    ("J = x**b", {"x": 0.0, "b": -1.0}, {"x": -np.inf, "b": -np.inf}),
])
def test_powers_at_zero_agree_in_the_engine_and_both_exports(formula: str, values: dict,
                                                             want: dict, tmp_path: Path) -> None:
    torch = pytest.importorskip("torch", reason="torch is an optional extra")
    graph = from_formula(formula, **values)
    engine = graph.run().grads
    with np.errstate(all="ignore"):
        _, numpy_grads = load_module(to_numpy_module(graph), tmp_path / "p_np.py") \
            .forward_backward()
    _, torch_grads = load_module(to_torch_module(graph), tmp_path / "p_torch.py").gradients()
    for name, expected in want.items():
        assert_matches(engine[name], np.array(expected), f"engine ∂J/∂{name}")
        assert_matches(numpy_grads[name], np.array(expected), f"numpy ∂J/∂{name}")
        assert isinstance(torch_grads[name], torch.Tensor)
        assert_matches(torch_grads[name].numpy(), np.array(expected), f"torch ∂J/∂{name}")
