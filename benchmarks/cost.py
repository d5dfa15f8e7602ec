"""The cost of gradients: backprop against central finite differences on J = Σ w_i·x_i.

Prints op evaluations and measured seconds for p = 10, 100, 1,000 (``--budget S`` caps the
finite-difference time per graph and scales the rest up, marked with ~).
"""

from __future__ import annotations

import argparse

from cgeditor.model.cost import scaling_table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--p", type=int, nargs="+", default=[10, 100, 1000])
    parser.add_argument("--budget", type=float, default=None,
                        help="seconds of finite differences per graph before estimating")
    args = parser.parse_args()
    print(f"{'p':>6} {'n ops':>6} {'backprop evals':>15} {'finite-diff evals':>18} "
          f"{'ratio':>7} {'backprop s':>11} {'finite-diff s':>14} {'time ratio':>11}")
    for row in scaling_table(args.p, budget=args.budget):
        mark = "~" if row.estimated else " "
        print(f"{row.params:>6} {row.ops:>6} {row.backprop:>15,} {row.finite_diff:>18,} "
              f"{row.ratio:>7.0f} {row.backprop_seconds:>11.6f} "
              f"{mark}{row.finite_diff_seconds:>13.4f} {row.time_ratio:>11.0f}")


if __name__ == "__main__":
    main()
