"""What practice mode costs beside the run it asks about: listing a run's questions, the
canvas picture with '?' for what is unanswered, and one answer (checked, the next question
worded, the picture again), on the Live benchmark's scalar graph at 1k and 10k nodes.
Prints a table of medians in ms; no Qt.
"""

from __future__ import annotations

from live import scalar_graph
from timing import median_ms, print_sizes

from cgeditor.model.number_text import value_text
from cgeditor.model.practice import Practice
from cgeditor.model.run import run_graph


def rows(n: int) -> list[tuple[str, float]]:
    graph = scalar_graph(n)
    order = graph.order()
    run_ms = median_ms(lambda: run_graph(graph, None, None, True), 5, warm=True)
    result = run_graph(graph, None, None, True)
    start_ms = median_ms(lambda: Practice(result), 5, warm=True)
    practice = Practice(result)
    picture_ms = median_ms(lambda: practice.display(order), 5, warm=True)

    def answer() -> None:  # right at the first try, as the student types it
        practice.answer(value_text(practice.current.answer))
        assert practice.current.prompt  # the next question worded
        practice.display(order)

    answer_ms = median_ms(answer, 9)
    while practice.current is not None and practice.current.phase == "forward":
        practice.reveal()
    backward_ms = median_ms(answer, 9)
    return [("forward + backward run", run_ms),
            ("list the run's questions (Practice)", start_ms),
            ("canvas picture with '?' (display)", picture_ms),
            ("one answer, forward pass", answer_ms),
            ("one answer, backward pass", backward_ms)]


def main() -> None:
    print_sizes("practice mode (median ms)", {n: rows(n) for n in (1_000, 10_000)}, 40)


if __name__ == "__main__":
    main()
