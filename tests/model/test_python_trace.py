"""cgeditor.trace: Python functions traced into graphs, op by op, against from_formula."""

from __future__ import annotations

import inspect
import operator
from collections import Counter

import numpy as np
import pytest

import cgeditor
from cgeditor import ops
from cgeditor.core.ops import REGISTRY
from cgeditor.model.errors import (
    AttrError,
    NameTakenError,
    TraceError,
    UnknownNodeError,
    ValueParseError,
)
from tests.core.test_ops import SAMPLES

RNG = np.random.default_rng(7)
COMPUTING = sorted(name for name, spec in REGISTRY.items() if not spec.is_leaf)
# Python's operators, to reach each registry op that declares an infix spelling.
PYTHON_OPERATORS = {"+": operator.add, "-": operator.sub, "*": operator.mul,
                    "/": operator.truediv, "**": operator.pow, "@": operator.matmul}


def ops_in(graph: cgeditor.Graph) -> Counter:
    return Counter(node.op for node in graph.nodes.values())


def test_the_seed_example_traced_from_a_lambda():
    graph = cgeditor.trace(lambda w, x, b, y: 0.5 * (w * x + b - y) ** 2, w=2, x=-2, b=8, y=2)
    result = graph.run()
    assert result.output_value == 2.0
    assert {k: result.grads[k] for k in "wxby"} == {"w": -4, "x": 4, "b": 2, "y": -2}
    assert ops_in(graph) == Counter(input=4, const=1, mul=2, add=1, sub=1, powc=1)
    assert [graph.nodes[graph.output].attrs, graph.nodes[graph.output].op] == [{}, "mul"]
    assert graph.by_name("powc1").attrs == {"exponent": 2.0}  # a Python power is fixed


def test_names_come_from_parameters_name_arguments_and_the_function():
    def J(w, x, b, y):
        c = ops.mul(w, x, name="c")
        d = (c + b - y).named("d")
        return 0.5 * d ** 2

    graph = cgeditor.trace(J, w=2, x=-2, b=8, y=2)
    names = {node.name for node in graph.nodes.values()}
    assert {"w", "x", "b", "y", "c", "d", "J"} <= names
    assert graph.nodes[graph.output].name == "J"
    assert graph.run().grads["c"] == 2.0


def test_defaults_and_missing_values_feed_the_inputs():
    graph = cgeditor.trace(lambda w, x=3.0: w * x, w=2)
    assert graph.run().values == {"w": 2.0, "x": 3.0, "mul1": 6.0}
    assert cgeditor.trace(lambda w: w + 1).by_name("w").value == 0.0


@pytest.mark.parametrize("name", COMPUTING)
def test_every_registry_op_has_its_function(name):
    function = getattr(ops, name)
    assert function.__name__ == name and name in ops.__all__
    params = inspect.signature(function).parameters
    assert list(params)[:len(REGISTRY[name].inputs)] == list(REGISTRY[name].inputs)
    assert REGISTRY[name].doc in " ".join(function.__doc__.split())  # wrapped for help()


def test_the_ops_namespace_holds_exactly_the_computing_ops():
    assert sorted(ops.__all__) == COMPUTING


def _traced_and_formula(name: str, inputs: tuple, attrs: dict) -> tuple:
    """The op's graph weighted into one number (Σ op · W), traced and from a formula."""
    spec = REGISTRY[name]
    out = np.asarray(getattr(ops, name)(*inputs, **attrs))  # computed at once: no trace
    weight = RNG.uniform(0.5, 1.5, out.shape)
    weight = weight.tolist() if out.shape else float(weight)

    def fn(*xs):
        return ops.sum(getattr(ops, name)(*xs, **attrs) * weight)

    fn.__signature__ = inspect.Signature(
        [inspect.Parameter(port, inspect.Parameter.POSITIONAL_ONLY) for port in spec.inputs])
    values = dict(zip(spec.inputs, inputs))
    traced = cgeditor.trace(fn, **values)
    keywords = "".join(f", {k}={v!r}" for k, v in attrs.items())
    text = f"J = sum({name}({', '.join(spec.inputs)}{keywords}) * {weight!r})"
    return traced, cgeditor.from_formula(text, **values)


@pytest.mark.parametrize("name,k", [(n, k) for n in COMPUTING for k in range(len(SAMPLES[n]))])
def test_every_op_traces_as_the_formula_builds_it(name, k):
    inputs, attrs = SAMPLES[name][k]
    traced, built = _traced_and_formula(name, inputs, attrs)
    assert ops_in(traced) == ops_in(built)
    assert traced.by_name(f"{name}1").attrs == built.by_name(f"{name}1").attrs
    got, want = traced.run(), built.run()
    assert got.ok and want.ok
    np.testing.assert_allclose(got.output_value, want.output_value, rtol=1e-12, atol=1e-12)
    for port in REGISTRY[name].inputs:
        np.testing.assert_allclose(got.grads[port], want.grads[port], rtol=1e-12, atol=1e-12)
        assert np.shape(got.grads[port]) == np.shape(inputs[REGISTRY[name].inputs.index(port)])


@pytest.mark.parametrize("symbol", sorted({s.infix for s in REGISTRY.values() if s.infix}))
def test_every_infix_op_is_reached_by_its_python_operator(symbol):
    spec = next(s for s in REGISTRY.values() if s.infix == symbol)
    apply = PYTHON_OPERATORS[symbol]
    both = cgeditor.trace(lambda a, b: apply(a, b), a=[1.5, 2.0], b=[0.5, 3.0])
    assert ops_in(both) == Counter(input=2, **{spec.name: 1})
    reflected = cgeditor.trace(lambda b: apply(np.array([1.5, 2.0]), b), b=[0.5, 3.0])
    assert ops_in(reflected) == Counter(input=1, const=1, **{spec.name: 1})
    np.testing.assert_array_equal(both.run().output_value, reflected.run().output_value)
    np.testing.assert_array_equal(both.run().output_value,
                                  apply(np.array([1.5, 2.0]), np.array([0.5, 3.0])))


def test_unary_minus_abs_and_a_fixed_power():
    graph = cgeditor.trace(lambda x: abs(-x) ** 3 + 2 ** x, x=-1.5)
    assert ops_in(graph) == Counter(input=1, neg=1, abs=1, powc=1, const=1, pow=1, add=1)
    result = graph.run()
    assert result.output_value == pytest.approx(1.5 ** 3 + 2 ** -1.5, rel=1e-15)
    assert result.grads["x"] == pytest.approx(-3 * 1.5 ** 2 + np.log(2) * 2 ** -1.5, rel=1e-14)


def test_tensors_broadcast_as_numpy_does():
    W, x, b = RNG.normal(size=(2, 3)), RNG.normal(size=3), 0.25

    def loss(W, x, b):
        return ops.mean((W @ x + b) ** 2)

    result = cgeditor.trace(loss, W=W, x=x, b=b).run()
    r = W @ x + b
    upstream = 2 * r / r.size
    assert result.output_value == pytest.approx(np.mean(r ** 2), rel=1e-14)
    np.testing.assert_allclose(result.grads["W"], np.outer(upstream, x), rtol=1e-13)
    np.testing.assert_allclose(result.grads["x"], W.T @ upstream, rtol=1e-13)
    assert result.grads["b"] == pytest.approx(upstream.sum(), rel=1e-13)
    built = cgeditor.from_formula("loss = mean((W @ x + b) ** 2)", W=W, x=x, b=b).run()
    np.testing.assert_allclose(result.grads["W"], built.grads["W"], rtol=1e-12)


def test_an_array_on_the_left_broadcasts_into_a_const():
    graph = cgeditor.trace(lambda s: np.array([[1.0], [2.0]]) * s, s=[3.0, 4.0])
    np.testing.assert_array_equal(graph.run().output_value, [[3.0, 4.0], [6.0, 8.0]])


def test_ops_on_plain_numbers_compute_at_once():
    assert ops.tanh(0.5) == np.tanh(0.5)
    np.testing.assert_array_equal(ops.sum([[1, 2], [3, 4]], axis=0), [4.0, 6.0])


@pytest.mark.parametrize("fn,words", [
    (lambda x: x if x else -x, "control flow"),
    (lambda x: x * 2 if x > 0 else x, "no comparison op"),
    (lambda x: x + float(x), "Python number"),
    (lambda x: x[0], "indexing"),
    (lambda x: sum(v for v in x), "Python number"),
], ids=["if", "compare", "float", "index", "iterate"])
def test_control_flow_on_a_traced_value_is_refused_clearly(fn, words):
    with pytest.raises(TraceError, match=words) as info:
        cgeditor.trace(fn, x=[1.0, 2.0])
    assert str(info.value).startswith("x is a traced value")


def _of(count: int, f):
    """``f`` as a function of ``count`` named parameters, as trace needs."""
    return (lambda a: f(a)) if count == 1 else (lambda a, b: f(a, b))


UFUNC_OPS = sorted(name for name, spec in REGISTRY.items() if isinstance(spec.forward, np.ufunc))


@pytest.mark.parametrize("name", UFUNC_OPS)
def test_numpy_ufuncs_that_are_registry_ops_trace_as_those_ops(name):
    inputs, _ = SAMPLES[name][-1]
    spec, values = REGISTRY[name], dict(zip("ab", inputs))
    by_numpy = cgeditor.trace(_of(len(inputs), spec.forward), **values)
    by_ops = cgeditor.trace(_of(len(inputs), getattr(ops, name)), **values)
    assert ops_in(by_numpy) == ops_in(by_ops) == Counter(input=len(inputs), **{name: 1})
    np.testing.assert_array_equal(by_numpy.run(backward=False).output_value,
                                  spec.forward(*inputs))


def test_numpy_scalars_on_the_left_and_a_fixed_power_through_numpy():
    graph = cgeditor.trace(lambda x: np.float64(3.0) * np.power(x, 2), x=[1.0, 2.0])
    assert ops_in(graph) == Counter(input=1, const=1, mul=1, powc=1)
    np.testing.assert_array_equal(graph.run(backward=False).output_value, [3.0, 12.0])
    # a numpy integer or float exponent is a fixed power too, as a Python one is
    for exponent in (np.int64(3), np.float32(3.0), np.float64(3.0)):
        graph = cgeditor.trace(lambda x: x ** exponent, x=[1.0, -2.0])  # noqa: B023
        assert ops_in(graph) == Counter(input=1, powc=1), exponent
        assert graph.by_name("powc1").attrs == {"exponent": 3.0}


@pytest.mark.parametrize(("ufunc", "op"), [(np.square, "square"), (np.negative, "neg")])
def test_numpy_ufuncs_that_registry_ops_compute_under_other_spellings(ufunc, op):
    # np.square is the square op (written x ** 2) and np.negative unary minus
    graph = cgeditor.trace(lambda x: ufunc(x), x=[1.5, -2.0])
    assert ops_in(graph) == Counter({"input": 1, op: 1})
    np.testing.assert_array_equal(graph.run(backward=False).output_value,
                                  ufunc(np.array([1.5, -2.0])))


def test_array_methods_and_numpy_reductions_trace_as_registry_ops():
    W = RNG.normal(size=(2, 3))

    def numpy_style(W):
        return np.mean((W.T @ W).sum(axis=0) ** 2) + np.sum(np.transpose(W), 1).mean()

    def with_ops(W):
        return ops.mean(ops.sum(ops.transpose(W) @ W, axis=0) ** 2) + \
            ops.mean(ops.sum(ops.transpose(W), axis=1))

    traced, built = cgeditor.trace(numpy_style, W=W), cgeditor.trace(with_ops, W=W)
    assert ops_in(traced) == ops_in(built)
    got, want = traced.run(), built.run()
    assert got.output_value == pytest.approx(numpy_style(W), rel=1e-14)
    np.testing.assert_allclose(got.grads["W"], want.grads["W"], rtol=1e-12)


@pytest.mark.parametrize("fn,words", [
    (lambda x: x.sum(dtype=np.float32), r"its sum\(\) takes only axis"),
    (lambda x: np.mean(x, keepdims=True), r"its mean\(\) takes only axis"),
    (lambda x: x.transpose(1, 0), r"its transpose\(\) takes only no arguments"),
], ids=["dtype", "keepdims", "axes"])
def test_numpy_extras_beyond_the_ops_attributes_are_refused(fn, words):
    with pytest.raises(TraceError, match=words):
        cgeditor.trace(fn, x=[[1.0, 2.0]])


@pytest.mark.parametrize("fn,words", [
    (lambda x: np.asarray(x) + 1, r"numpy cannot make an array of it"),
    (lambda x: np.floor(x), r"numpy\.floor is not an op"),
    (lambda x: np.add.reduce(x), r"numpy\.add\.reduce cannot take it; use its sum\(\)"),
    (lambda x: np.exp(x, out=np.zeros(2)), r"numpy\.exp is not an op"),
], ids=["asarray", "floor", "reduce", "out"])
def test_numpy_outside_the_registry_refuses_and_points_at_cgeditor_ops(fn, words):
    with pytest.raises(TraceError, match=words):
        cgeditor.trace(fn, x=[1.0, 2.0])


@pytest.mark.parametrize("fn,error,words", [
    (lambda x: (x, x), TraceError, "one output"),
    (lambda x: 3.0, TraceError, "does not depend on its inputs"),
    (lambda *xs: xs[0], TraceError, r"\*xs"),
    (lambda x: ops.mul(x, x, name="x"), NameTakenError, "x"),
    (lambda x: ops.sum(x, axis="two"), AttrError, "sum.axis"),
    (lambda x: ops.add(x), TypeError, r"add takes 2 inputs \(a, b\), got 1"),
    (lambda x: x + "a", TraceError, "add's input b"),
    (lambda x: x ** 10 ** 400, AttrError, "powc.exponent: 1000.* is not a finite number"),
])
def test_what_a_graph_cannot_hold_is_refused(fn, error, words):
    with pytest.raises(error, match=words):
        cgeditor.trace(fn, x=1.0)


def test_bad_inputs_are_named():
    with pytest.raises(UnknownNodeError, match=r"'z' is not a parameter of the lambda"):
        cgeditor.trace(lambda x: x + 1, z=1)
    with pytest.raises(ValueParseError, match="value for x: "):
        cgeditor.trace(lambda x: x + 1, x=[1.0, "abc"])


def test_a_value_kept_from_a_finished_trace_is_refused():
    kept = []
    cgeditor.trace(lambda x: kept.append(x) or x + 1, x=1.0)
    with pytest.raises(TraceError, match="finished"):
        ops.exp(kept[0])
    with pytest.raises(TraceError, match="another trace"):
        cgeditor.trace(lambda y: y + kept[0], y=1.0)


def test_a_traced_graph_is_laid_out_for_reading():
    graph = cgeditor.trace(lambda w, x, b, y: 0.5 * (w * x + b - y) ** 2, w=2, x=-2, b=8, y=2)
    places = {(node.x, node.y) for node in graph.nodes.values()}
    assert len(places) == len(graph.nodes)
    assert graph.nodes[graph.output].x == max(node.x for node in graph.nodes.values())
