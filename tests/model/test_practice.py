"""Practice mode's questions, answers, hints, score and canvas picture, without Qt."""

import pytest

from cgeditor.model.examples import load_example
from cgeditor.model.formula import from_formula
from cgeditor.model.graph import Graph
from cgeditor.model.number_text import value_text
from cgeditor.model.practice import HIDDEN, Practice, PracticeRefused
from cgeditor.model.run import run_graph
from tests.graphs import open_port, seed_run


def practice_of(graph: Graph) -> Practice:
    return Practice(run_graph(graph, None, None, True))


def test_seed_questions_are_the_lessons_numbers_in_its_order():
    graph, result = seed_run()
    practice = Practice(result)
    asked = [(q.phase, q.label, float(q.answer)) for q in practice.questions]
    assert asked == [
        ("forward", "c", -4.0), ("forward", "a", 4.0), ("forward", "d", 2.0),
        ("forward", "sq", 4.0), ("forward", "J", 2.0),
        ("backward", "∂J/∂sq", 0.5), ("backward", "∂J/∂d", 2.0), ("backward", "∂J/∂y", -2.0),
        ("backward", "∂J/∂a", 2.0), ("backward", "∂J/∂c", 2.0), ("backward", "∂J/∂b", 2.0),
        ("backward", "∂J/∂x", 4.0), ("backward", "∂J/∂w", -4.0)]
    # the answers are the run's own numbers, node by node
    for q in practice.questions:
        name = graph.nodes[q.node_id].name
        expected = result.values[name] if q.phase == "forward" else result.grads[name]
        assert q.answer == expected


def test_prompts_name_the_inputs_and_what_arrives_from_downstream():
    _graph, result = seed_run()
    by_label = {q.label: q for q in Practice(result).questions}
    assert by_label["c"].prompt == "c = w · x with w = 2, x = −2. What is c?"
    c_grad = by_label["∂J/∂c"].prompt
    assert "∂J/∂a = 2 arrives from a = c + b" in c_grad
    assert c_grad.endswith("What is ∂J/∂c = ∂J/∂a · ∂a/∂c?")
    assert by_label["∂J/∂w"].hints == ("c = w · x sends back ∂J/∂c · x to w",
                                        "∂J/∂w = 2 · (−2)")


def test_typing_every_answer_scores_all_at_the_first_try_and_reveals_everything():
    _graph, result = seed_run()
    practice = Practice(result)
    total = len(practice.questions)
    while practice.current is not None:
        verdict = practice.answer(value_text(practice.current.answer))  # '−4': true minus
        assert verdict.right, verdict.message
    assert practice.done
    assert practice.score_text() == f"{total} of {total} right at the first try"
    shown = practice.display()
    assert shown.node(result.ids[result.order.index("c")]).value_text == "−4"
    assert shown.node(result.ids[result.order.index("w")]).grad_text == "∂J/∂w = −4"
    assert not any(HIDDEN in (d.value_text, d.grad_value) for d in shown.nodes.values())


def test_a_wrong_answer_gives_the_rule_then_the_numbers_and_does_not_move_on():
    _graph, result = seed_run()
    practice = Practice(result)
    while practice.current.label != "∂J/∂w":
        practice.reveal()
    first = practice.answer("1")
    assert not first.right and first.counted
    assert first.message == "Not 1. Hint: c = w · x sends back ∂J/∂c · x to w"
    second = practice.answer("-5")
    assert second.message == "Not −5. Hint: ∂J/∂w = 2 · (−2)"
    assert practice.current.label == "∂J/∂w"
    assert practice.answer("-4").right
    assert practice.done
    assert practice.score_text() == "0 of 13 right at the first try, 1 after a hint, 12 revealed"


def test_unreadable_text_uses_up_no_try():
    _graph, result = seed_run()
    practice = Practice(result)
    verdict = practice.answer("minus four")
    assert not verdict.right and not verdict.counted
    assert "is not a number" in verdict.message
    assert practice.tries == 0
    practice.answer("−4")
    assert practice.outcomes == ["first try"]


def test_reveal_gives_the_answer_and_moves_on():
    _graph, result = seed_run()
    practice = Practice(result)
    assert practice.reveal() == "Revealed: c = −4"
    assert practice.current.label == "a"
    assert practice.outcomes == ["revealed"]


def test_forward_picture_hides_what_is_not_answered_and_lights_the_inputs():
    graph, result = seed_run()
    practice = Practice(result)
    ids = {graph.nodes[i].name: i for i in result.ids}
    shown = practice.display()
    assert shown.node(ids["w"]).value_text == "2"  # inputs are given
    assert shown.node(ids["half"]).value_text == "0.5"
    for name in ("c", "a", "d", "sq", "J"):
        assert shown.node(ids[name]).value_text == HIDDEN
        assert shown.node(ids[name]).value is None  # no tooltip leaks the number
    assert shown.current == ids["c"] and shown.node(ids["c"]).current
    assert not shown.node(ids["c"]).dimmed and ids["c"] not in shown.dimmed
    assert shown.node(ids["a"]).dimmed and not shown.node(ids["w"]).dimmed
    assert shown.lit_wires == {(ids["c"], "a"), (ids["c"], "b")}
    assert not any(d.grad_text for d in shown.nodes.values())  # no gradient yet
    practice.answer("-4")
    shown = practice.display()
    assert shown.node(ids["c"]).value_text == "−4"
    assert shown.node(ids["a"]).value_text == HIDDEN and shown.current == ids["a"]


def test_backward_picture_hides_gradients_and_their_wires_until_answered():
    graph, result = seed_run()
    practice = Practice(result)
    ids = {graph.nodes[i].name: i for i in result.ids}
    while practice.current.label != "∂J/∂c":
        practice.reveal()
    shown = practice.display()
    assert shown.node(ids["a"]).grad_text == "∂J/∂a = 2"  # answered: what arrives at c
    assert shown.node(ids["c"]).grad_text == f"∂J/∂c = {HIDDEN}"
    assert shown.node(ids["w"]).grad_text == f"∂J/∂w = {HIDDEN}"
    assert shown.node(ids["c"]).value_text == "−4"  # the forward pass is all shown
    assert shown.lit_wires == {(ids["a"], "a")}  # where c's gradient comes from
    # the wire from c into a carries ∂J/∂c's answer: blank until it is given
    assert shown.wire(ids["a"], "a").grad_text == ""
    practice.answer("2")
    assert practice.display().wire(ids["a"], "a").grad_text == "∂J/∂c += 2"


def test_fan_out_asks_for_the_sum_over_every_use():
    practice = practice_of(load_example("fanout"))
    question = next(q for q in practice.questions if q.label == "∂f/∂x")
    assert question.answer == 9.0  # 2x + y + 1 at x = 3, y = 2
    assert "x is used 4 times, so its gradient is a sum" in question.prompt
    assert question.hints[1] == "∂f/∂x = 1 · 3 + 1 · 3 + 1 · 2 + 1 · 1"


def test_tensor_steps_are_shown_not_asked_and_the_notes_say_so():
    practice = practice_of(load_example("matrix"))
    assert [q.label for q in practice.questions] == ["sum1", "J", "∂J/∂sum1"]
    assert "shown, not asked" in practice.notes[0]
    for name in ("matmul1", "y", "powc1", "W", "x", "b"):
        assert name in practice.notes[0]
    # a single number from a small tensor is asked, the tensor written out whole
    y = practice.result.values["y"]
    assert practice.current.prompt == (
        f"sum1 = sum(powc1) with powc1 = [{value_text(y[0] ** 2)}, {value_text(y[1] ** 2)}]. "
        "What is sum1?")
    assert practice.answer(str(float(y[0] ** 2 + y[1] ** 2))).right
    shown = practice.display()
    matmul = practice.result.ids[practice.result.order.index("matmul1")]
    assert shown.node(matmul).grid is not None  # passed: its numbers are on the canvas


def test_forward_only_when_the_output_is_a_tensor():
    graph = from_formula("c = w * x; y = c * v", w=2.0, x=3.0, v=[1.0, 2.0])
    practice = practice_of(graph)
    assert [(q.label, float(q.answer)) for q in practice.questions] == [("c", 6.0)]
    assert any(note.startswith("No gradient questions") for note in practice.notes)


@pytest.mark.parametrize("make, words", [
    (lambda: open_port()[0], "practice needs a graph that runs"),
    (Graph, "the graph is empty"),
    (lambda: from_formula("y = W @ x", W=[[1.0, 2.0]], x=[1.0, 1.0]),
     "nothing to practise: .* has none \\(its steps involve tensors\\)"),
    (lambda: from_formula("x", x=1.0), "nothing to practise: .* has none$"),
    (lambda: from_formula("J = log(x)", x=0.0), "practice needs a graph that runs"),
])
def test_graphs_that_cannot_be_practised_are_refused_with_the_reason(make, words):
    with pytest.raises(PracticeRefused, match=words):
        practice_of(make())


def test_answers_match_to_a_tenth_of_a_percent():
    practice = practice_of(from_formula("t = a / b", a=1.0, b=3.0))
    assert not practice.answer("0.33").right
    assert practice.answer("0.333").right
    practice = practice_of(from_formula("t = a / b", a=1.0, b=3.0))
    assert practice.answer("1/3").right
    practice = practice_of(from_formula("t = a - b", a=1.0, b=1.0))
    assert not practice.answer("1e-6").right
    assert practice.answer("-0").right


def test_a_near_miss_asks_for_more_digits_and_a_function_hint_says_what_it_computes():
    practice = practice_of(load_example("neuron"))
    while practice.current.label != "f":
        practice.reveal()
    near = practice.answer("0.73")  # σ(1) = 0.7311: rounded too early
    assert not near.right and near.message == ("0.73 is close, but not within 0.1 %: "
                                               "give more digits.")
    wrong = practice.answer("0.5")
    assert wrong.message == ("Not 0.5. Hint: f = sigmoid(z) = sigmoid(1); sigmoid is "
                             "logistic sigmoid 1 / (1 + e⁻ˣ).")
    assert practice.answer("0.7311").right


def test_a_graph_of_tensors_only_is_refused_naming_why():
    # seven elements: more than a question writes out
    with pytest.raises(PracticeRefused, match="its steps involve tensors"):
        practice_of(from_formula("J = sum(v * v)", v=[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0]))
    assert [q.label for q in practice_of(load_example("xor")).questions] == ["J"]


def test_hints_name_each_port_a_step_reads_twice_and_spell_a_helper_rule_as_its_number():
    practice = practice_of(load_example("fanout"))
    x = next(q for q in practice.questions if q.label == "∂f/∂x")
    assert x.hints[0].startswith(
        "xx = x · x sends back ∂f/∂xx · x on port a, ∂f/∂xx · x on port b to x; ")
    _graph, result = seed_run()
    d = next(q for q in Practice(result).questions if q.label == "∂J/∂d")
    assert d.hints[0] == "sq = d^2 sends back ∂sq/∂d · ∂J/∂sq (∂sq/∂d = 4 here) to d"


def test_known_slips_are_named_before_any_hint():
    _graph, result = seed_run()
    practice = Practice(result)
    assert practice.answer("4").message == "Not 4: check the sign."  # c = −4
    while practice.current.label != "∂J/∂d":
        practice.reveal()
    assert practice.answer("4").message == ("Not 4: that is the local derivative ∂sq/∂d "
                                            "alone; multiply it by what arrives, ∂J/∂sq = 0.5.")
    assert practice.answer("0.5").message == ("Not 0.5: that is ∂J/∂sq as it arrives; "
                                              "multiply it by the local derivative ∂sq/∂d.")
    # the first hint is still the rule, the second the numbers
    assert practice.answer("7").message.startswith("Not 7. Hint: sq = d^2 sends back")
    assert practice.answer("7").message == "Not 7. Hint: ∂J/∂d = 0.5 · 4"
    assert practice.tries == 4 and practice.answer("2").right
    assert practice.outcomes[-1] == "after a hint"


def test_one_use_of_several_is_named_as_such():
    practice = practice_of(load_example("fanout"))
    while practice.current.label != "∂f/∂x":
        practice.reveal()
    assert practice.answer("2").message == (
        "Not 2: that is what xy alone sends back; x is used 4 times, so add what every use "
        "sends back.")
