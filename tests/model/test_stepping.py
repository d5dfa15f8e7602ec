"""The stepper: forward in execution order, backward in reverse, per-wire gradients."""

import numpy as np

from cgeditor.model.files import load
from cgeditor.model.graph import Graph
from cgeditor.model.stepping import Stepper
from cgeditor.paths import seed_example
from tests.graphs import fan_out, seed_run


def test_forward_in_order_then_backward_in_reverse():
    graph, result = seed_run()
    stepper = Stepper(result)
    assert stepper.phase == "idle" and stepper.current is None
    seen = []
    while (node := stepper.step()) is not None:
        seen.append((stepper.phase, node))
    forward = [n for phase, n in seen if phase == "forward"]
    backward = [n for phase, n in seen if phase == "backward"]
    assert forward == result.ids
    assert backward == list(reversed(result.ids))  # every seed node reaches J
    assert backward[0] == graph.by_name("J").id
    assert stepper.done and stepper.step() is None


def test_values_then_gradients_are_revealed_one_at_a_time():
    _graph, result = seed_run()
    stepper = Stepper(result)
    n = len(result.ids)
    for k in range(n):
        stepper.step()
        assert stepper.values_revealed == set(range(k + 1))
        assert not stepper.grads_revealed
    stepper.step()
    assert stepper.phase == "backward" and stepper.grads_revealed == {n - 1}


def test_wire_contribution_and_reads_on_w_to_c():
    graph, result = seed_run()
    stepper = Stepper(result)
    c = result.ids.index(graph.by_name("c").id)
    assert stepper.parts[(c, 0)] == -4.0  # w → c.a: the gradient flowing back to w
    assert stepper.parts[(c, 1)] == 4.0  # x → c.b
    while stepper.current != c or stepper.phase != "backward":
        stepper.step()
    assert stepper.reads() == [(c, 0), (c, 1)]
    assert {(c, 0), (c, 1)} <= stepper.wires_revealed


def test_fan_out_gradient_is_the_sum_of_its_wires():
    graph = fan_out(3.0)
    x = graph.by_name("x")
    result = graph.run()
    stepper = Stepper(result)
    xi = result.ids.index(x.id)
    into_x = [part for (i, k), part in stepper.parts.items()
              if result.plan.steps[i].args[k] == xi]
    assert sorted(into_x) == [1.0, 3.0, 3.0]
    assert sum(into_x) == result.grads["x"] == 7.0


def test_reset_and_run_to_end():
    _graph, result = seed_run()
    stepper = Stepper(result)
    stepper.run_to_end()
    assert stepper.done and len(stepper.grads_revealed) == len(result.ids)
    stepper.reset()
    assert stepper.phase == "idle" and not stepper.values_revealed


def test_forward_only_run_has_no_backward_sweep():
    graph = load(seed_example())
    stepper = Stepper(graph.run(backward=False))
    stepper.run_to_end()
    assert [phase for phase, _ in stepper.events] == ["forward"] * len(graph.nodes)


def test_nodes_off_the_output_path_get_no_backward_step():
    graph = Graph()
    x = graph.add_node("input", "x", value=2.0)
    side = graph.add_node("exp", "side", x=100, y=100)
    out = graph.add_node("neg", "out", x=100)
    graph.connect(x.id, side.id, "x")
    graph.connect(x.id, out.id, "x")
    graph.set_output(out.id)
    stepper = Stepper(graph.run())
    backward = [stepper.result.ids[i] for phase, i in stepper.events if phase == "backward"]
    assert side.id not in backward and backward == [out.id, x.id]
    assert np.isclose(stepper.result.grads["x"], -1.0)
