"""What the gradient graph costs beside the backward pass it writes out: building it
(model/gradient_graph.py: the vjp templates as nodes, named and laid out) and running it
forward, against the engine's own forward + backward run of the same graph, on the Live
benchmark's scalar graph at 1k, 3k and 10k nodes (the GUI's Learn > Show Gradient Graph
must not freeze on 10k). Prints a table of medians in ms; no Qt.
"""

from __future__ import annotations

from live import scalar_graph
from timing import median_ms, print_sizes

from cgeditor.model.gradient_graph import gradient_graph
from cgeditor.model.run import run_graph


def rows(n: int) -> list[tuple[str, float]]:
    graph = scalar_graph(n)
    run_ms = median_ms(lambda: run_graph(graph, None, None, True), 5, warm=True)
    build_ms = median_ms(lambda: gradient_graph(graph), 3 if n < 10_000 else 1)
    grads = gradient_graph(graph)
    forward_ms = median_ms(lambda: run_graph(grads, None, None, False), 5, warm=True)
    return [("engine: forward + backward run", run_ms),
            ("build the gradient graph", build_ms),
            (f"its forward run ({len(grads) // 1000}k+ nodes)", forward_ms)]


def main() -> None:
    print_sizes("gradient graph (median ms)", {n: rows(n) for n in (1_000, 3_000, 10_000)}, 40)


if __name__ == "__main__":
    main()
