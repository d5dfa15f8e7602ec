"""cgeditor: build computation graphs, run forward and backward passes, see every gradient.

Make a Graph:
    from_formula("c = w*x; J = 0.5*c**2", w=2, x=-2)   statements, never evaluated
    trace(lambda w, x: 0.5 * (w * x) ** 2, w=2, x=-2)   a Python function, op by op
    load("seed.cgraph")                                 a file (LoadError says what and where)
    gradient_graph(graph)                               a graph's backward pass as a graph

Use it:
    r = graph.run()        r.values["J"], r.grads["w"]: numbers by node name
    save(graph, path)      atomic: the old file stays whole if anything fails
    show(graph)            the editor window on a copy; returns the edited graph on close
    graph / r in Jupyter   a picture of the graph, a table of the run

``cgeditor.ops`` holds every op of the registry as a function (ops.tanh, ops.sum(x,
axis=0), …) for traced functions; errors are GraphError subclasses (FormulaError,
TraceError, …) or LoadError, each message saying what was refused and why.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cgeditor import ops
from cgeditor.model.errors import FormulaError, GraphError, LoadError, TraceError
from cgeditor.model.graph import Edge, Graph, Node
from cgeditor.model.run import RunResult
from cgeditor.model.trace import trace

__version__ = "0.1.0"
__all__ = [
    "Edge", "FormulaError", "Graph", "GraphError", "LoadError", "Node", "RunResult",
    "TraceError", "__version__", "from_formula", "gradient_graph",
    "load", "ops", "save", "show", "trace",
]


# files and formula are imported on first use: every cgeditor import runs this package first,
# and files pulls in jsonschema (~0.1 s), which the editor's start and the CLI's --help skip.
def load(path: str | Path) -> Graph:
    """Read a .cgraph file; raises LoadError naming the file, the reason and the place."""
    from cgeditor.model.files import load as _load
    return _load(path)


def save(graph: Graph, path: str | Path) -> None:
    """Write ``graph`` to ``path`` atomically (the old file stays whole if anything fails)."""
    from cgeditor.model.files import save as _save
    _save(graph, path)


def show(graph: Graph | None = None) -> Graph:
    """Open the editor window on a copy of ``graph`` (a new graph if None) and return, when
    the window closes, the graph it then holds; ``graph`` itself is left as it was, so write
    ``g = cgeditor.show(g)`` to keep the edits. Blocks until the window closes; works in a
    plain script and in IPython or Jupyter (with or without ``%gui qt``). Needs PySide6 and
    a display: RuntimeError saying why where no window can be opened."""
    from cgeditor.gui.app import show as _show  # Qt loads only when a window is asked for
    return _show(graph)


def from_formula(text: str, /, **values: Any) -> Graph:
    """Build a Graph from statements such as ``c = w*x; J = 0.5*c**2``; keyword arguments
    set input values (``from_formula("y = w*x", w=2, x=3)``: numbers or nested lists for
    tensors; unset inputs are 0.0). Nothing is evaluated: FormulaError, with the line and
    column, for anything but names, numbers, lists, operators and registry ops;
    UnknownNodeError for a value given to a name the formula does not have, NotALeafError
    for one given to a name it computes."""
    from cgeditor.model.formula import from_formula as _from_formula
    return _from_formula(text, **values)


def gradient_graph(graph: Graph, output: str | None = None) -> Graph:
    """A new Graph holding ``graph`` and its backward pass as nodes of registry ops: run it
    and each ``dJ_dw`` node's value is ∂J/∂w; differentiate it again for second derivatives.
    ``output`` names the node to differentiate (the graph's output by default). Raises
    GradientGraphError (a GraphError) naming the node whose vjp no registry op spells."""
    from cgeditor.model.gradient_graph import gradient_graph as _gradient_graph
    return _gradient_graph(graph, output)
