"""Work that touches every node must stay linear in the graph's size: NumPy and PyTorch code
export, the chain-rule explanation of the first input, and shape inference (``check``), on the
chain h_k = tanh(h_{k-1}·w + b) at 10k and 100k nodes; and the explanation of x0 on
x_k = x_{k-1}·x_{k-1} chained 14,400 times (2**14400 paths).

CPU seconds, best of ``--repeats``; µs per node should stay flat from 10k to 100k (the ratio
column is the 100k time over ten times the 10k time: 1.0 is exactly linear).
Run: python benchmarks/linear.py [--quick]
"""

from __future__ import annotations

import argparse

from engine import best  # CPU time, best of repeats (benchmarks/engine.py)

from cgeditor.model.explain import explain
from cgeditor.model.export import to_numpy_module, to_torch_module
from cgeditor.model.graph import Graph
from cgeditor.model.run import infer_shapes


def tanh_chain(nodes: int) -> Graph:
    """Three inputs, then (mul, add, tanh) layers until ``nodes`` nodes."""
    g = Graph()
    h = g.add_node("input", "h0", value=0.1)
    w = g.add_node("input", "w", y=1, value=0.9, trainable=True)
    b = g.add_node("input", "b", y=2, value=0.01, trainable=True)
    k = 0
    while len(g) + 3 <= nodes:
        k += 1
        m = g.add_node("mul", f"m{k}", x=3 * k)
        a = g.add_node("add", f"a{k}", x=3 * k + 1)
        t = g.add_node("tanh", f"h{k}", x=3 * k + 2)
        g.connect(h.id, m.id, "a")
        g.connect(w.id, m.id, "b")
        g.connect(m.id, a.id, "a")
        g.connect(b.id, a.id, "b")
        g.connect(a.id, t.id, "x")
        h = t
    return g


def doubling(layers: int) -> Graph:
    g = Graph()
    prev = g.add_node("input", "x0", value=1.0)
    for k in range(1, layers + 1):
        node = g.add_node("mul", f"x{k}", x=k)
        g.connect(prev.id, node.id, "a")
        g.connect(prev.id, node.id, "b")
        prev = node
    return g


def rows(sizes: tuple[int, ...], repeats: int) -> dict[str, dict[int, float]]:
    table: dict[str, dict[int, float]] = {}
    for n in sizes:
        g = tanh_chain(n)
        result = g.run()
        x = g.by_name("h0").id
        cases = {"numpy export": (to_numpy_module, g), "torch export": (to_torch_module, g),
                 "explain h0": (explain, result, x), "check (shapes)": (infer_shapes, g)}
        for name, (fn, *fn_args) in cases.items():
            table.setdefault(name, {})[n] = best(lambda f=fn, a=fn_args: f(*a), repeats)
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1k and 10k nodes, one repeat")
    args = parser.parse_args()
    sizes = (1_000, 10_000) if args.quick else (10_000, 100_000)
    repeats = 1 if args.quick else 3
    table = rows(sizes, repeats)
    small, big = sizes
    print(f"{'task':<16}{f'{small:,} nodes':>14}{f'{big:,} nodes':>15}"
          f"{'µs/node':>10}{'µs/node':>10}{'ratio':>8}")
    for name, times in table.items():
        a, b = times[small], times[big]
        print(f"{name:<16}{a:>12.3f} s{b:>13.3f} s{a / small * 1e6:>10.1f}"
              f"{b / big * 1e6:>10.1f}{b / (a * big / small):>8.2f}")
    g = doubling(14_400)
    result = g.run()
    seconds = best(lambda: explain(result, g.by_name("x0").id), repeats)
    exp = explain(result, g.by_name("x0").id)
    print(f"\nexplain x0 on x -> x·x chained 14,400 times: {seconds:.3f} s, "
          f"{exp.count_text} paths, {len(exp.text):,} characters of text")


if __name__ == "__main__":
    main()
