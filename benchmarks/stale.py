"""What keeping a run beside its graph costs: the snapshot taken at every run (RunSource.of,
or only the values when no structural edit came since the last one),
the comparison made at every edit of a stale run (RunSource.matches, cheapest when the node
count differs, dearest when only the last node differs), and following names after a rename
or removal (KeptRun.follow_names); each beside one forward+backward run of the same graph.
Prints a table of medians in ms; no Qt.
"""

from __future__ import annotations

from live import scalar_graph
from timing import median_ms, print_sizes

from cgeditor.model.kept_run import KeptRun, RunSource
from cgeditor.model.node import Node


def rows(n: int) -> list[tuple[str, float]]:
    graph = scalar_graph(n)
    run_ms = median_ms(graph.run, 5, warm=True)
    source = RunSource.of(graph)

    def snapshot() -> None:
        RunSource.of(graph)

    def values_only() -> None:
        source.with_values(graph)

    kept = KeptRun()
    kept.attach(graph)
    result = graph.run()
    kept.ran(result)
    last = list(graph.nodes)[-1]
    graph.rename_node(last, "renamed")  # same count: matches walks every node to the last
    worst = median_ms(lambda: source.matches(graph), 20)

    def follow() -> None:
        kept._renamed = True  # as after each rename or removal
        kept.follow_names(result)

    follow_ms = median_ms(follow, 10)
    extra: Node = graph.add_node("const", value=1.0)
    early = median_ms(lambda: source.matches(graph), 20)
    graph.remove_node(extra.id)
    def compile_anew() -> None:
        graph.run_cache = None  # as after a structural edit
        graph.compile()

    return [("forward + backward run", run_ms),
            ("compiling the plan after a structural edit", median_ms(compile_anew, 5)),
            ("snapshot at a run after a structural edit", median_ms(snapshot, 10)),
            ("snapshot at a run after value edits only", median_ms(values_only, 10)),
            ("compare after an edit: node count differs", early),
            ("compare after an edit: last node renamed", worst),
            ("follow names after a rename or removal", follow_ms)]


def main() -> None:
    print_sizes("stale-run bookkeeping (median ms)", {n: rows(n) for n in (1_000, 10_000)}, 46)


if __name__ == "__main__":
    main()
