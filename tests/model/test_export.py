"""Exported numpy and torch modules give the engine's values and gradients, for every bundled
example and for a graph around every op in the registry; run as scripts they print them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from cgeditor.core.ops import REGISTRY
from cgeditor.core.values import as_value, fit_to
from cgeditor.model.examples import CATALOGUE, build_example
from cgeditor.model.export import ExportError, to_numpy_module, to_torch_module
from cgeditor.model.export_helpers import NN_MODULE_ATTRS, NUMPY_HELPERS
from cgeditor.model.graph import Graph
from tests.exported import load_module

RNG = np.random.default_rng(7)


def _mixed(*shape: int) -> np.ndarray:
    """Both signs, away from 0 and from ties (kinks of relu, abs, max)."""
    return RNG.choice([-1.0, 1.0], shape) * RNG.uniform(0.2, 1.5, shape)


def _pos(*shape: int) -> np.ndarray:
    return RNG.uniform(0.5, 2.0, shape)


def _probs(*shape: int) -> np.ndarray:
    p = _pos(*shape)
    return p / p.sum(axis=-1, keepdims=True)


# One case per op (inputs, attrs); the broadcasting ones mix shapes so unbroadcast is exercised.
OP_CASES: dict[str, tuple[tuple[Any, ...], dict[str, Any]]] = {
    "add": ((_mixed(2, 3), _mixed(3)), {}), "sub": ((_mixed(3), _mixed(2, 3)), {}),
    "mul": ((_mixed(2, 3), 1.7), {}), "div": ((_mixed(2, 3), _pos(2, 1)), {}),
    "pow": ((_pos(3), _mixed(3)), {}), "neg": ((_mixed(4),), {}),
    "powc": ((_pos(3),), {"exponent": -1.5}), "square": ((_mixed(2, 2),), {}),
    "maximum": ((np.array([0.1, 2.0, -1.0]), np.array([1.0, -0.5, 0.3])), {}),
    "minimum": ((np.array([0.1, 2.0, -1.0]), 0.6), {}), "abs": ((_mixed(5),), {}),
    "sign": ((_mixed(5),), {}), "step": ((_mixed(2, 3),), {}),
    "exp": ((_mixed(3),), {}), "log": ((_pos(3),), {}), "sqrt": ((_pos(3),), {}),
    "sin": ((_mixed(3),), {}), "cos": ((_mixed(3),), {}), "tanh": ((_mixed(2, 3),), {}),
    "sigmoid": ((_mixed(2, 3),), {}), "relu": ((_mixed(6),), {}),
    "softmax": ((_mixed(2, 3),), {"axis": 0}), "log_softmax": ((_mixed(2, 3),), {}),
    "matmul": ((_mixed(2, 3), _mixed(3, 4)), {}), "transpose": ((_mixed(2, 3),), {}),
    "matrix_transpose": ((_mixed(2, 2, 3),), {}),
    "sum": ((_mixed(2, 3),), {"axis": 1}), "mean": ((_mixed(2, 3),), {}),
    "mse": ((_mixed(4), _mixed(4)), {}), "cross_entropy": ((_mixed(2, 3), _probs(2, 3)), {}),
}
EXTRA_CASES = {"matmul-vector": ("matmul", (_mixed(3), _mixed(3, 2)), {}),
               "matmul-dot": ("matmul", (_mixed(3), _mixed(3)), {}),
               "sum-all": ("sum", (_mixed(2, 3),), {}),
               "mean-axis": ("mean", (_mixed(2, 3),), {"axis": -1}),
               "scalar-pow": ("pow", (1.3, -0.7), {})}


def op_graph(op: str, inputs: tuple, attrs: dict) -> Graph:
    """inputs → op → Σ(op · W): a fixed weight W makes every output element count."""
    g = Graph()
    node = g.add_node(op, "op", x=1, attrs=attrs)
    for k, (port, value) in enumerate(zip(REGISTRY[op].inputs, inputs)):
        leaf = g.add_node("input", f"x{k}", y=k, value=value, trainable=True)
        g.connect(leaf.id, node.id, port)
    out = g.run(backward=False).values["op"]
    weight = g.add_node("const", "W", x=1, y=3, value=_mixed(*np.shape(out)) if np.ndim(out)
                        else 0.8)
    weighted = g.add_node("mul", "weighted", x=2)
    total = g.add_node("sum", "J", x=3)
    g.connect(node.id, weighted.id, "a")
    g.connect(weight.id, weighted.id, "b")
    g.connect(weighted.id, total.id, "x")
    return g


def _cases() -> list:
    cases = [pytest.param(lambda n=name: build_example(n), id=f"example-{name}")
             for name in CATALOGUE]
    for op in sorted(REGISTRY):
        if not REGISTRY[op].is_leaf:
            case = OP_CASES.get(op)
            cases.append(pytest.param(lambda o=op, c=case: op_graph(o, *c) if c else None,
                                      id=f"op-{op}"))
    cases += [pytest.param(lambda c=c: op_graph(*c), id=k) for k, c in EXTRA_CASES.items()]
    return cases




def assert_close(got: Any, want: Any, label: str) -> None:
    np.testing.assert_allclose(np.asarray(got, dtype=float), np.asarray(want, dtype=float),
                               rtol=1e-10, atol=1e-13, err_msg=label)
    assert np.shape(got) == np.shape(want), label


@pytest.mark.parametrize("make", _cases())
def test_numpy_module_matches_the_engine(make, tmp_path: Path) -> None:
    graph = make()
    assert graph is not None, "op has no case in OP_CASES: add one"
    expected = graph.run()
    assert expected.ok, expected.issues
    module = load_module(to_numpy_module(graph), tmp_path / "exported_np.py")
    values, grads = module.forward_backward()
    assert list(values) == expected.order
    for name in expected.order:
        assert_close(values[name], expected.values[name], f"value of {name}")
        assert_close(grads[name], expected.grads[name], f"gradient of {name}")


@pytest.mark.parametrize("make", _cases())
def test_torch_module_matches_the_engine(make, tmp_path: Path) -> None:
    pytest.importorskip("torch", reason="torch is an optional extra: pip install torch")
    graph = make()
    assert graph is not None, "op has no case in OP_CASES: add one"
    expected = graph.run()
    module = load_module(to_torch_module(graph), tmp_path / "exported_torch.py")
    values, grads = module.gradients()
    assert list(values) == expected.order
    for name in expected.order:  # constants included: the engine differentiates them too
        assert_close(values[name].detach().numpy(), expected.values[name], f"value of {name}")
        assert_close(grads[name].numpy(), expected.grads[name], f"gradient of {name}")


def test_torch_model_parameters_are_the_trainable_inputs(tmp_path: Path) -> None:
    torch = pytest.importorskip("torch", reason="torch is an optional extra")
    graph = build_example("seed_fit")
    module = load_module(to_torch_module(graph), tmp_path / "fit_torch.py")
    model = module.Model()
    trainable = {n.name for n in graph.nodes.values() if n.trainable}
    assert {name for name, _ in model.named_parameters()} == trainable
    loss = model()
    assert torch.isclose(loss, torch.tensor(float(graph.run().output_value),
                                            dtype=torch.float64))
    data = {n.name for n in graph.nodes.values() if n.op == "input" and not n.trainable}
    assert data <= set(dict(model.named_buffers()))
    public = {a for a in dir(torch.nn.Module()) if not a.startswith("_")}
    assert public <= NN_MODULE_ATTRS, "an nn.Module attribute is missing from NN_MODULE_ATTRS"


def test_seed_module_run_as_a_script_prints_output_and_input_gradients(tmp_path: Path) -> None:
    path = tmp_path / "seed_export.py"
    path.write_text(to_numpy_module(build_example("seed")), encoding="utf-8")
    done = subprocess.run([sys.executable, str(path)], capture_output=True, text=True,
                          check=True, cwd=tmp_path)
    lines = done.stdout.splitlines()
    assert lines[0] == "J = 2.0"
    assert set(lines[1:]) == {"dJ/dw = -4.0", "dJ/dx = 4.0", "dJ/db = 2.0", "dJ/dy = -2.0"}
    assert "cgeditor" not in path.read_text().replace("Exported from cgeditor", "")


def test_numpy_module_takes_new_inputs_and_sums_fan_out(tmp_path: Path) -> None:
    g = Graph()
    x = g.add_node("input", "x", value=3.0)
    y = g.add_node("input", "y", x=0, y=1, value=2.0)
    xx = g.add_node("mul", "xx", x=1)
    xy = g.add_node("mul", "xy", x=1, y=1)
    s = g.add_node("add", "s", x=2)
    f = g.add_node("add", "f", x=3)
    for src, dst, port in [(x, xx, "a"), (x, xx, "b"), (x, xy, "a"), (y, xy, "b"),
                           (xx, s, "a"), (xy, s, "b"), (s, f, "a"), (x, f, "b")]:
        g.connect(src.id, dst.id, port)
    text = to_numpy_module(g)
    assert "grad_x += " in text
    module = load_module(text, tmp_path / "fan.py")
    values, grads = module.forward_backward(x=-1.5, y=4.0)
    assert values["f"] == pytest.approx(2.25 - 6.0 - 1.5)
    assert grads["x"] == pytest.approx(2 * -1.5 + 4.0 + 1.0)
    # Arrays fed to this scalar export: accumulating into grad_x must not alias grad_f.
    summed(g)
    module = load_module(to_numpy_module(g), tmp_path / "fan_summed.py")
    x_new = np.array([-1.5, 0.5])
    values, grads = module.forward_backward(x=x_new, y=4.0)
    expected = g.run({"x": x_new, "y": 4.0})
    assert expected.ok, expected.issues
    for name in expected.order:
        assert_close(grads[name], expected.grads[name], f"gradient of {name}")


def summed(graph: Graph) -> Graph:
    """``graph`` with total = sum(output) as its output: arrays fed to a graph built on
    scalars give a tensor output, which backward (engine and exports alike) refuses."""
    out = graph.output
    total = graph.add_node("sum", "total", x=9)
    graph.connect(out, total.id, "x")
    graph.set_output(total.id)
    return graph


@pytest.mark.parametrize("torch_module", [False, True], ids=["numpy", "torch"])
def test_exports_refuse_a_tensor_output_as_the_editor_does(torch_module: bool,
                                                           tmp_path: Path) -> None:
    graph = build_example("seed")
    feeds = {"w": np.array([1.0, -0.5, 2.0])}
    if torch_module:
        pytest.importorskip("torch", reason="torch is an optional extra")
        run = load_module(to_torch_module(graph), tmp_path / "t.py").gradients
    else:
        run = load_module(to_numpy_module(graph), tmp_path / "n.py").forward_backward
    with pytest.raises(ValueError) as info:
        run(**feeds)
    assert str(info.value) == ("the output J has shape (3,), but gradients need a scalar output "
                               "(a single number); differentiate sum(J) or mean(J)")


def test_names_that_clash_with_generated_code_are_renamed(tmp_path: Path) -> None:
    g = Graph()
    a = g.add_node("input", "unbroadcast", value=np.array([1.0, 2.0]))
    b = g.add_node("input", "grad_values", y=1, value=0.5)
    c = g.add_node("input", "values", y=2, value=np.array([3.0, -1.0]))
    m = g.add_node("mul", "grad_unbroadcast", x=1)
    s = g.add_node("add", "training", x=2)
    t = g.add_node("sum", "f64", x=3)
    for src, dst, port in [(a, m, "a"), (b, m, "b"), (m, s, "a"), (c, s, "b"), (s, t, "x")]:
        g.connect(src.id, dst.id, port)
    expected = g.run()
    values, grads = load_module(to_numpy_module(g), tmp_path / "clash.py").forward_backward()
    for name in expected.order:
        assert_close(values[name], expected.values[name], name)
        assert_close(grads[name], expected.grads[name], name)


@pytest.mark.parametrize(("grad_shape", "shape"), [
    ((), ()), ((3,), ()), ((2, 3), (3,)), ((2, 3), (1, 3)), ((2, 3), (2, 1)), ((4, 2, 3), (2, 1)),
])
def test_exported_chores_are_the_engines_functions(grad_shape: tuple, shape: tuple) -> None:
    """f64 and unbroadcast, run from the text an exported module carries, give the engine's
    as_value and fit_to results: same type, shape and numbers, and a fresh gradient."""
    namespace: dict[str, Any] = {"np": np}
    exec("".join(NUMPY_HELPERS[name] for name in ("f64", "sum_to_shape", "unbroadcast")),
         namespace)
    grad = np.arange(1.0, 1.0 + np.prod(grad_shape)).reshape(grad_shape)
    got, want = namespace["unbroadcast"](grad, shape), fit_to(grad, np.zeros(shape))
    assert type(got) is type(want) and np.shape(got) == shape
    np.testing.assert_array_equal(got, want)
    assert not np.shares_memory(got, grad)
    for raw in (2, [1, 2], [[0.5]]):
        value = namespace["f64"](raw)
        assert type(value) is type(as_value(raw)) and value.dtype == np.float64
        np.testing.assert_array_equal(value, as_value(raw))


def test_a_graph_with_an_open_port_is_refused_with_the_reason() -> None:
    g = Graph()
    g.add_node("input", "x", value=1.0)
    g.add_node("exp", "e", x=1)
    with pytest.raises(ExportError, match="not connected"):
        to_numpy_module(g)
    with pytest.raises(ExportError, match="empty"):
        to_torch_module(Graph())


def test_every_op_has_export_templates_for_each_input() -> None:
    for spec in REGISTRY.values():
        if spec.is_leaf:
            continue
        assert len(spec.vjp_template) == len(spec.inputs), spec.name
        assert "np." not in (spec.torch_template or spec.template), spec.name


def test_torch_model_keeps_inputs_named_like_module_attributes_apart(tmp_path: Path) -> None:
    pytest.importorskip("torch", reason="torch is an optional extra")
    g = Graph()
    a = g.add_node("input", "training", value=2.0, trainable=True)
    b = g.add_node("input", "_hidden", y=1, value=3.0)
    m = g.add_node("mul", "J", x=1)
    g.connect(a.id, m.id, "a")
    g.connect(b.id, m.id, "b")
    module = load_module(to_torch_module(g), tmp_path / "attrs_torch.py")
    model = module.Model()
    assert model.training is True  # nn.Module's flag is untouched
    assert model().item() == 6.0
    assert [name for name, _ in model.named_parameters()] == ["training_"]
    values, grads = module.gradients(training=5.0)
    assert values["J"].item() == 15.0 and grads["training"].item() == 3.0


def test_torch_gradients_take_new_constants_and_inputs_by_name(tmp_path: Path) -> None:
    pytest.importorskip("torch", reason="torch is an optional extra")
    graph = summed(build_example("seed"))
    feeds = {"half": np.array([0.25, 2.0]), "w": np.array([[1.0], [-3.0]])}
    expected = graph.run(feeds)
    assert expected.ok, expected.issues
    module = load_module(to_torch_module(graph), tmp_path / "seed_feeds_torch.py")
    values, grads = module.gradients(**feeds)
    for name in expected.order:
        assert_close(values[name].detach().numpy(), expected.values[name], f"value of {name}")
        assert_close(grads[name].numpy(), expected.grads[name], f"gradient of {name}")


def test_torch_module_with_long_names_and_no_inputs_differentiates_its_constants(
        tmp_path: Path) -> None:
    pytest.importorskip("torch", reason="torch is an optional extra")
    g = Graph()
    a = g.add_node("const", "a_rather_long_constant_name", value=np.array([1.5, -2.0]))
    b = g.add_node("const", "another_rather_long_constant_name", y=1, value=0.5)
    m = g.add_node("mul", "product", x=1)
    s = g.add_node("sum", "J", x=2)
    for src, dst, port in [(a, m, "a"), (b, m, "b"), (m, s, "x")]:
        g.connect(src.id, dst.id, port)
    text = to_torch_module(g)
    assert "SAVED = {}" in text and "def compute(\n" in text  # too long for one line
    expected = g.run()
    values, grads = load_module(text, tmp_path / "consts_torch.py").gradients()
    for name in expected.order:
        assert_close(values[name].detach().numpy(), expected.values[name], f"value of {name}")
        assert_close(grads[name].numpy(), expected.grads[name], f"gradient of {name}")


@pytest.mark.parametrize("feeds", [
    {"w": np.array([1.0, -0.5, 2.0])},
    {"w": np.array([[1.0], [-0.5]]), "x": np.array([0.3, -2.0, 4.0]), "y": np.array([1.0])},
], ids=["vector-w", "broadcast-matrix"])
def test_scalar_numpy_export_is_correct_for_tensors_fed_later(feeds: dict,
                                                              tmp_path: Path) -> None:
    """The seed graph (plus a sum) is all scalars when exported; arrays passed in later still
    get the engine's gradients (summed back to each input's shape, fan-out never aliased)."""
    graph = summed(build_example("seed"))
    expected = graph.run(feeds)
    assert expected.ok, expected.issues
    module = load_module(to_numpy_module(graph), tmp_path / "seed_tensor_np.py")
    values, grads = module.forward_backward(**feeds)
    for name in expected.order:
        assert_close(values[name], expected.values[name], f"value of {name}")
        assert_close(grads[name], expected.grads[name], f"gradient of {name}")
