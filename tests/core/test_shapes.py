"""Shape inference agrees with the forward rules of every op in the registry, and a node over the
size limits is refused, named with its shape, before anything of it is allocated."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cgeditor.core import shapes
from cgeditor.core.engine import Step, backward, compile_plan, forward
from cgeditor.core.ops import REGISTRY
from cgeditor.core.shapes import ShapeError

OPS = sorted(name for name, spec in REGISTRY.items() if not spec.is_leaf)
_SHAPE = st.lists(st.integers(1, 3), max_size=3).map(tuple)


def _attrs(op: str) -> st.SearchStrategy[dict]:
    kinds = {a.name: a.kind for a in REGISTRY[op].attrs}
    choices = {"int": st.integers(-3, 2), "int?": st.one_of(st.none(), st.integers(-3, 2)),
               "float": st.sampled_from([2.0, 3.0, 0.5])}
    return st.fixed_dictionaries({name: choices[kind] for name, kind in kinds.items()})


def test_every_op_declares_a_shape_rule() -> None:
    assert [name for name in OPS if REGISTRY[name].shape is None] == []


@pytest.mark.parametrize("op", OPS)
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_the_shape_rule_agrees_with_the_forward_rule(op: str, data: st.DataObject) -> None:
    spec = REGISTRY[op]
    first = data.draw(_SHAPE)
    # Half the time the other inputs share or broadcast with the first, half anything.
    related = st.one_of(st.just(first), _SHAPE,
                        st.just(first[1:]), st.just(tuple(1 for _ in first)))
    in_shapes = [first] + [data.draw(related) for _ in spec.inputs[1:]]
    attrs = data.draw(_attrs(op))
    inputs = [np.float64(0.5) if s == () else np.full(s, 0.5) for s in in_shapes]
    try:
        with np.errstate(all="ignore"):
            expected = np.shape(spec.forward(*inputs, **attrs))
    except (ValueError, IndexError, TypeError) as exc:
        with pytest.raises(ShapeError):
            spec.shape(*in_shapes, **attrs)
        assert str(exc)
        return
    assert spec.shape(*in_shapes, **attrs)[0] == expected


def _plan(leaves: dict[str, object], ops: list[tuple[str, str, tuple[str, ...]]]):
    steps = [Step(name, "input", (), {}, value) for name, value in leaves.items()]
    index = {name: i for i, name in enumerate(leaves)}
    for name, op, args in ops:
        index[name] = len(steps)
        steps.append(Step(name, op, tuple(index[a] for a in args)))
    return compile_plan(steps)


def test_a_broadcast_over_the_node_limit_is_refused_by_name_and_shape(monkeypatch) -> None:
    monkeypatch.setattr(shapes, "MAX_NODE_ELEMENTS", 5_000)
    tall, wide = np.ones((100, 1)), np.ones((1, 100))  # the issue's (10⁶×1) + (1×1000), small
    plan = _plan({"tall": tall, "wide": wide, "k": np.float64(2.0)},
                 [("big", "add", ("tall", "wide")), ("total", "sum", ("big",)),
                  ("fine", "mul", ("tall", "k"))])
    fwd = forward(plan)
    big, total, fine = plan.index["big"], plan.index["total"], plan.index["fine"]
    assert fwd.issues[big].kind == "error"
    assert fwd.issues[big].message == ("big refused: its result would have shape (100, 100) "
                                       "(10,000 elements), over the limit of 5,000 per node")
    assert fwd.values[big] is None and fwd.values[total] is None
    assert fwd.issues[total].kind == "skipped"
    np.testing.assert_array_equal(fwd.values[fine], tall * 2.0)  # the rest still runs


def test_a_loss_whose_inside_broadcasts_too_far_is_refused(monkeypatch) -> None:
    monkeypatch.setattr(shapes, "MAX_NODE_ELEMENTS", 5_000)
    plan = _plan({"p": np.ones((100, 1)), "t": np.ones((1, 100))},
                 [("loss", "mse", ("p", "t"))])
    fwd = forward(plan)
    assert "a step inside it would have shape (100, 100)" in fwd.issues[1 + 1].message
    assert backward(plan, fwd.values).grads == [None, None, None]


def test_a_chain_of_modest_tensors_is_refused_when_the_graph_adds_up(monkeypatch) -> None:
    monkeypatch.setattr(shapes, "MAX_GRAPH_ELEMENTS", 1_000)
    m = np.eye(10) * 0.5  # the issue's 1,000 matmuls of one 1000×1000 constant, small
    chain = [("m1", "matmul", ("M", "M"))]
    chain += [(f"m{k}", "matmul", (f"m{k - 1}", "M")) for k in range(2, 20)]
    plan = _plan({"M": m}, chain)
    fwd = forward(plan)
    # M and m1…m8 hold 900 elements; m9 would make 1,000 — allowed; m10 is refused.
    assert [plan.steps[i].name for i, v in enumerate(fwd.values) if v is not None] == \
        ["M", *(f"m{k}" for k in range(1, 10))]
    refused = fwd.issues[plan.index["m10"]]
    assert refused.message == ("m10 refused: with its result of shape (10, 10) the graph's "
                               "values would hold 1,100 elements, over the limit of 1,000 "
                               "for one graph")
    np.testing.assert_allclose(fwd.values[plan.index["m9"]], np.eye(10) * 0.5 ** 10)


@pytest.mark.parametrize("leaves, op, attrs", [
    ({"A": np.ones((2, 3)), "v": np.ones(2)}, "matmul", {}),
    ({"A": np.ones(2), "v": np.ones(3)}, "add", {}),
    ({"A": np.ones((2, 3)), "v": np.ones((4, 1, 2))}, "matmul", {}),
    ({"A": np.ones((2, 3))}, "softmax", {"axis": 2}),
    ({"A": np.float64(1.0)}, "mean", {"axis": 0}),
    ({"A": np.ones((2, 3)), "v": np.ones(2)}, "cross_entropy", {}),
])
def test_inference_computes_nothing_and_words_mismatches_as_the_engine(leaves, op, attrs):
    steps = [Step(name, "input", (), {}, value) for name, value in leaves.items()]
    steps += [Step("y", op, tuple(range(len(leaves))), attrs), Step("z", "exp", (len(leaves),))]
    plan = compile_plan(steps)
    report = shapes.infer(plan, [s.value for s in plan.steps])
    y = len(leaves)
    assert report.mismatches == {y: forward(plan).issues[y].message}
    assert report.shapes[:y] == [np.shape(v) for v in leaves.values()]
    assert report.shapes[y:] == [None, None] and report.too_large == {}
