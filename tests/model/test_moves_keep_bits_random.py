"""Random graphs of the registry's ops as a user builds them: moving nodes (which reorders the
execution order's ties), saving and opening again change no value, gradient or issue, not
even in the last bit; and the exported numpy module gives the engine's numbers to the bit."""

from __future__ import annotations

import itertools
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cgeditor.core.engine import Plan
from cgeditor.core.ops import REGISTRY
from cgeditor.model import files
from cgeditor.model.export import to_numpy_module
from cgeditor.model.graph import Graph
from cgeditor.model.run import RunResult
from tests.core.test_compiled_random import OPS, TOTAL, random_plan
from tests.exported import load_module

SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=list(HealthCheck))
_modules = itertools.count()


def built(plan: Plan, rng: np.random.Generator) -> tuple[Graph, list[str]]:
    """The plan as a Graph on five columns (ties in x are common); leaves finite, as a
    document's values must be (1e308 for inf: sums of them still overflow)."""
    graph, ids = Graph(), []
    for step in plan.steps:
        x = float(rng.integers(0, 5)) * 100
        if not step.args:
            value = np.nan_to_num(step.value, nan=0.0, posinf=1e308, neginf=-1e308)
            ids.append(graph.add_node("input", step.name, x, 0.0, value=value).id)
        else:
            ids.append(graph.add_node(step.op, step.name, x, 0.0, attrs=step.attrs).id)
    for step, node_id in zip(plan.steps, ids):
        for port, j in zip(REGISTRY[step.op].inputs, step.args):
            graph.connect(ids[j], node_id, port)
    graph.set_output(ids[plan.output])
    return graph, ids


def bits(numbers: dict[str, Any]) -> dict[str, Any]:
    return {name: None if v is None else (type(v).__name__, np.shape(v), np.asarray(v).tobytes())
            for name, v in numbers.items()}


def outcome(result: RunResult) -> tuple:
    return (bits(result.values), bits(result.grads),
            {name: (i.kind, i.message, i.origin) for name, i in result.issues.items()})


@SETTINGS
@given(seed=st.integers(0, 2**32 - 1), special=st.booleans(), total=st.booleans())
def test_moves_and_a_saved_file_change_no_bit(seed: int, special: bool, total: bool) -> None:
    plan = random_plan(seed, 10, special, TOTAL if total else OPS)
    rng = np.random.default_rng(seed)
    graph, ids = built(plan, rng)
    first = outcome(graph.run())
    for _ in range(3):  # the later runs may take compiled code: still the same bits
        graph.move_nodes({node_id: (float(rng.integers(0, 5)) * 100, 0.0) for node_id in ids})
        assert outcome(graph.run()) == first
    opened = files.loads(files.dumps(graph))
    assert outcome(opened.run()) == first
    assert files.dumps(opened) == files.dumps(graph)


@SETTINGS
@given(seed=st.integers(0, 2**32 - 1), special=st.booleans(), total=st.booleans())
def test_the_exported_module_gives_the_engines_bits(seed: int, special: bool, total: bool,
                                                     ) -> None:
    plan = random_plan(seed, 10, special, TOTAL if total else OPS)
    graph, _ids = built(plan, np.random.default_rng(seed))
    result = graph.run()
    if result.issues or np.ndim(result.values[plan.steps[plan.output].name]):
        return  # the module raises where the engine reports: tested in test_export.py
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"exported_{next(_modules)}.py"
        values, grads = load_module(to_numpy_module(graph), path).forward_backward()
    assert bits(values) == bits(result.values)
    reached = {k: v for k, v in result.grads.items() if v is not None}
    assert bits({k: grads[k] for k in reached}) == bits(reached)
    for name in result.grads.keys() - reached.keys():  # the module's documented 0 for None
        assert not np.any(grads[name]) and np.shape(grads[name]) == np.shape(values[name])
