"""Moving nodes changes no number, not even in its last bit. Ties in the execution order go
left to right on the canvas, so a move can reorder a fan-in's consumers; backward visits the
nodes in an order the wiring alone fixes, so the fan-in's terms are summed in one order. The
graph: x feeds three products with 0.1, 0.2 and 0.3, whose sum in another order is another
float (0.6 against 0.6000000000000001); every placement of the three, on every code path
(careful, compiled floats, tables of arrays, compiled numpy of mixed shapes) and in the
exported numpy code, gives the same bits. Two branches that go non-finite apart are each an
origin, wherever they stand."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest

from cgeditor.core.engine import backward, forward
from cgeditor.model.export import to_numpy_module
from cgeditor.model.graph import Graph
from cgeditor.model.run import compile_graph
from tests.exported import load_module

TERMS = (0.1, 0.2, 0.3)


def fan_in(x_value=1.0, terms=TERMS) -> tuple[Graph, list[str]]:
    """J = (x·a0 + x·a1) + x·a2: ∂J/∂x = a0 + a1 + a2, summed in backward's order."""
    graph = Graph()
    x = graph.add_node("input", "x", 0.0, 0.0, value=x_value).id
    products = []
    for k, a in enumerate(terms):
        ak = graph.add_node("input", f"a{k}", 0.0, 100.0 * (k + 1), value=a).id
        c = graph.add_node("mul", f"c{k}", 200.0 + 100 * k, 100.0 * k).id
        graph.connect(x, c, "a")
        graph.connect(ak, c, "b")
        products.append(c)
    s = graph.add_node("add", "s", 600.0, 0.0).id
    graph.connect(products[0], s, "a")
    graph.connect(products[1], s, "b")
    j = graph.add_node("add", "J", 800.0, 0.0).id
    graph.connect(s, j, "a")
    graph.connect(products[2], j, "b")
    return graph, products


def placed(perm: tuple[int, ...], **kwargs) -> Graph:
    """The fan-in with its products placed left to right in the order ``perm``."""
    graph, products = fan_in(**kwargs)
    for rank, k in enumerate(perm):
        graph.move_node(products[k], 200.0 + 100 * rank, 100.0 * k)
    return graph


def bits(value) -> bytes:
    return np.asarray(value).tobytes()


def test_the_terms_summed_in_other_orders_are_other_floats() -> None:
    """The graph can tell: not every order of the three terms gives one float."""
    sums = {bits((TERMS[i] + TERMS[j]) + TERMS[k])
            for i, j, k in itertools.permutations(range(3))}
    assert len(sums) == 2


PLACEMENTS = list(itertools.permutations(range(3)))


@pytest.mark.parametrize("compiled", [False, True])
@pytest.mark.parametrize("kind", ["scalars", "arrays", "mixed"])
def test_every_placement_gives_the_same_gradient_bits(compiled: bool, kind: str) -> None:
    """Scalars (compiled: float code), arrays of one shape (tables), mixed shapes (numpy)."""
    x = np.ones(3) if kind == "arrays" else 1.0
    terms = (np.full(2, 0.1), 0.2, 0.3) if kind == "mixed" else TERMS
    seen = set()
    for perm in PLACEMENTS:
        graph = placed(perm, x_value=x, terms=terms)
        plan = compile_graph(graph)
        orders = [plan.steps[i].name for i in range(len(plan.steps))]
        fwd = forward(plan, compiled=compiled)
        grads = backward(plan, fwd.values, compiled=compiled).grads
        seen.add(bits(grads[plan.index["x"]]))
        assert orders.index(f"c{perm[0]}") < orders.index(f"c{perm[2]}")  # placed so
    assert len(seen) == 1


def test_a_run_after_a_move_equals_a_fresh_run_of_the_saved_file() -> None:
    from cgeditor.model import files

    ran = {}
    for perm in PLACEMENTS:
        graph = placed(perm)
        fresh = files.loads(files.dumps(graph)).run()
        assert bits(graph.run().grads["x"]) == bits(fresh.grads["x"])
        ran[perm] = bits(fresh.grads["x"])
    assert len(set(ran.values())) == 1


def test_the_exported_numpy_code_sums_as_the_engine_does(tmp_path: Path) -> None:
    for k, perm in enumerate(PLACEMENTS):
        graph = placed(perm)
        module = load_module(to_numpy_module(graph), tmp_path / f"placed{k}.py")
        _values, grads = module.forward_backward()
        assert bits(grads["x"]) == bits(graph.run().grads["x"])


def two_logs(left: bool) -> Graph:
    """J = log(u) + log(v) at u = v = 0, log(u) left of log(v) or right of it."""
    graph = Graph()
    u = graph.add_node("input", "u", 0.0, 0.0, value=0.0).id
    v = graph.add_node("input", "v", 0.0, 100.0, value=0.0).id
    lu = graph.add_node("log", "lu", 200.0 if left else 400.0, 0.0).id
    lv = graph.add_node("log", "lv", 400.0 if left else 200.0, 100.0).id
    graph.connect(u, lu, "x")
    graph.connect(v, lv, "x")
    j = graph.add_node("add", "J", 600.0, 0.0).id
    graph.connect(lu, j, "a")
    graph.connect(lv, j, "b")
    return graph


def test_two_branches_that_fail_apart_are_each_an_origin_wherever_they_stand() -> None:
    for left in (True, False):
        issues = two_logs(left).run().issues
        origins = {(name, issue.kind) for name, issue in issues.items() if issue.origin}
        assert origins == {("lu", "nonfinite"), ("lv", "nonfinite"),  # log(0) = -inf
                           ("u", "nonfinite_grad"), ("v", "nonfinite_grad")}  # 1/0


def test_the_status_line_names_one_origin_wherever_the_branches_stand() -> None:
    """Both logs are origins; the status line names one, and a move (which keeps the run
    current) must not make a fresh run name the other."""
    from cgeditor.model.number_text import status_text

    lines = set()
    for left in (True, False):
        result = two_logs(left).run()
        assert result.origin() == "lu"  # J reads it on its first port
        lines.add(status_text(result))
    assert len(lines) == 1 and lines.pop().startswith("lu: non-finite value: log at x = 0")
