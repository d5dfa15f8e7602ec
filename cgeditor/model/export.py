"""Code export: a graph as a standalone Python module, numpy (forward and backward written out
line by line, exactly as the engine computes them) or PyTorch (autograd, an nn.Module).
Every line is spelled from the op registry's template, torch_template and vjp_template.
Text from the graph reaches the source only as a literal (repr, or escaped inside the module
docstring); node names are written as identifiers only once checked to be plain identifiers.
"""

from __future__ import annotations

import math
import pprint
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from cgeditor.core.engine import Plan, forward
from cgeditor.model.errors import GraphError
from cgeditor.model.export_helpers import (
    BUILTIN_NAMES,
    NN_MODULE_ATTRS,
    NUMPY_HELPERS,
    TORCH_HELPERS,
    docstring_text,
    helpers_used,
    is_plain_identifier,
)
from cgeditor.model.graph import Graph
from cgeditor.model.run import compile_graph, refuse_unrunnable

# Names the generated code itself uses, and the builtins it may call; a node with one of these
# names gets a trailing "_".
_TAKEN = frozenset({*NUMPY_HELPERS, *TORCH_HELPERS, *BUILTIN_NAMES, "np", "torch", "nn",
                    "math", "DTYPE", "SAVED", "CONSTS", "OUTPUT", "forward_backward", "compute",
                    "gradients", "Model", "values", "grads", "name", "inputs", "leaves",
                    "value", "self", "data"})


class ExportError(GraphError):
    """The graph cannot be exported as it stands (an unconnected port, an op that fails)."""


@dataclass(frozen=True)
class _Prepared:
    """A graph compiled and run once: what every generator needs."""

    plan: Plan
    values: list[Any]
    var: list[str]  # a Python identifier per step
    grad: list[str]  # the gradient variable per step
    title: str
    trainable: frozenset[str]  # names of trainable inputs

    @property
    def out(self) -> int:
        return self.plan.output

    def inputs(self) -> list[int]:
        return [i for i, spec in enumerate(self.plan.specs) if spec.is_input]

    def consts(self) -> list[int]:
        return [i for i, s in enumerate(self.plan.steps) if s.op == "const"]

    def fields(self, i: int) -> dict[str, str]:
        """Template fields for step i: its ports as variable names, its attrs as literals."""
        step, spec = self.plan.steps[i], self.plan.specs[i]
        fields = {port: self.var[j] for port, j in zip(spec.inputs, step.args)}
        attrs = {**spec.default_attrs(), **step.attrs}
        fields.update({k: _attr_literal(v) for k, v in attrs.items()})
        fields.update(g=self.grad[i], out=self.var[i])
        return fields


def _prepare(graph: Graph) -> _Prepared:
    if not graph.nodes:
        raise ExportError("the graph is empty: there is nothing to export")
    refuse_unrunnable(graph, "export", ExportError)
    plan = compile_graph(graph)
    fwd = forward(plan)
    for i, issue in sorted(fwd.issues.items()):
        if issue.kind in ("error", "skipped"):
            raise ExportError(f"cannot export yet: {plan.steps[i].name}: {issue.message}")
    for name in plan.names:
        if not is_plain_identifier(name):
            raise ExportError(f"cannot export: the node name {name!r} is not a plain Python "
                              "identifier")
    var = _identifiers(plan.names)
    var_set = set(var)
    prefix = "grad_"
    while any(prefix + v in var_set for v in var):
        prefix += "_"
    title = str(graph.meta.get("title") or "A computation graph")
    trainable = frozenset(n.name for n in graph.nodes.values() if n.trainable)
    return _Prepared(plan, fwd.values, var, [prefix + v for v in var], title, trainable)


def _identifiers(names: Sequence[str]) -> list[str]:
    used = set(names)
    result = []
    for name in names:
        ident = name
        while ident in _TAKEN or (ident != name and ident in used):
            ident += "_"
        used.add(ident)
        result.append(ident)
    return result


class _Float(float):
    """A float whose repr is valid Python even when it is not finite (float('inf'))."""

    def __repr__(self) -> str:
        return float.__repr__(self) if math.isfinite(self) else f"float({float.__repr__(self)!r})"


def _literal(value: Any) -> str:
    """Exact Python text for a float64 scalar (repr round-trips) or a nested list."""
    if np.ndim(value) == 0:
        return repr(_Float(value))
    arr = np.asarray(value, dtype=np.float64)
    if not np.isfinite(arr).all():
        arr = np.vectorize(_Float, otypes=[object])(arr)
    return pprint.pformat(arr.tolist(), width=88, compact=True)


def _attr_literal(value: Any) -> str:
    """An attribute as a literal: None, an int or a float (what coerce_attrs lets through)."""
    if value is None or isinstance(value, (bool, int, np.integer)):
        return repr(None if value is None else int(value))
    if isinstance(value, (float, np.floating)):
        return repr(_Float(value))
    raise ExportError(f"cannot export an attribute value of type {type(value).__name__}")


def _saved_block(prep: _Prepared, target: str = "SAVED", kind: str = "input") -> list[str]:
    """A module-level table of leaf values by node name: the inputs, or the constants."""
    steps = prep.inputs() if kind == "input" else prep.consts()
    if not steps:
        return [f"# The graph has no {kind} nodes.", f"{target} = {{}}"]
    lines = [f"# The {kind} values saved in the file.", f"{target} = {{"]
    for i in steps:
        text = _literal(prep.values[i]).replace("\n", "\n" + " " * 8)
        lines.append(f"    {prep.plan.steps[i].name!r}: {text},")
    return [*lines, "}"]


def _dict_lines(prep: _Prepared, target: str, names: list[str]) -> list[str]:
    body = [f"        {s.name!r}: {n}," for s, n in zip(prep.plan.steps, names)]
    return [f"    {target} = {{", *body, "    }"]


def _header(prep: _Prepared, what: str) -> list[str]:
    out_name = prep.plan.steps[prep.out].name
    return ['"""' + f"{docstring_text(prep.title)}: {what}", "",
            f"Exported from cgeditor. The output is {out_name}; run this file to print it and",
            "the gradient of the output with respect to every input.", '"""', ""]


def _main_block(prep: _Prepared, call: str, show: str) -> list[str]:
    out_name = prep.plan.steps[prep.out].name
    names = ", ".join(repr(prep.plan.steps[i].name) for i in prep.inputs())
    return ['if __name__ == "__main__":', f"    values, grads = {call}",
            f"    print({out_name + ' ='!r}, {show.format(f'values[{out_name!r}]')})",
            f"    for name in ({names}{',' if len(prep.inputs()) == 1 else ''}):",
            f"        print({'d' + out_name + '/d'!r} + name + ' =', "
            f"{show.format('grads[name]')})", ""]


# --- numpy ----------------------------------------------------------------------------------


def to_numpy_module(graph: Graph) -> str:
    """A standalone module (numpy only) with ``forward_backward(**inputs) -> (values, grads)``."""
    prep = _prepare(graph)
    body = _numpy_forward(prep) + _numpy_backward(prep)
    body += _dict_lines(prep, "values", prep.var) + _dict_lines(prep, "grads", prep.grad)
    body.append("    return values, grads")
    used = helpers_used(NUMPY_HELPERS, "\n".join(body) + "f64(")
    lines = _header(prep, "forward and backward pass in plain numpy.")
    lines += ["import numpy as np", "", ""]
    for name in used:
        lines += [NUMPY_HELPERS[name].strip(), "", ""]
    if any(np.ndim(prep.values[i]) for i in prep.inputs()):  # tensors are too long to inline
        lines += [*_saved_block(prep), "", ""]
    lines += [*_numpy_signature(prep), *body, "", ""]
    lines += _main_block(prep, "forward_backward()", "{}")
    return "\n".join(lines)


def _numpy_signature(prep: _Prepared) -> list[str]:
    params = []
    for i in prep.inputs():
        name, value = prep.plan.steps[i].name, prep.values[i]
        default = _literal(value) if np.ndim(value) == 0 else f"SAVED[{name!r}]"
        params.append(f"    {prep.var[i]}={default},")
    out_name = prep.plan.steps[prep.out].name
    return ["def forward_backward(", *params, "):",
            f'    """Every node\'s value and the gradient of {out_name} with respect to it.',
            "", "    Inputs default to the saved values. Values are float64, as in the engine,",
            '    so 1/0 is inf and (-8) ** 0.5 is nan rather than an error or a complex."""',
            "    # Forward pass, in execution order."]


def _numpy_forward(prep: _Prepared) -> list[str]:
    lines = []
    for i, spec in enumerate(prep.plan.specs):
        v = prep.var[i]
        if spec.is_input:
            lines.append(f"    {v} = f64({v})")
        elif spec.is_leaf:
            text = _literal(prep.values[i]).replace("\n", "\n" + " " * 12)
            lines.append(f"    {v} = f64({text})")
        else:
            lines.append(f"    {v} = {spec.template.format(**prep.fields(i))}")
    return lines


def _numpy_backward(prep: _Prepared) -> list[str]:
    """Every vjp goes through unbroadcast, even in a graph of scalars: the caller may pass
    arrays later, and unbroadcast both sums a broadcast gradient back to its input's shape
    and returns a fresh array, so ``+=`` on fan-out never writes into another gradient."""
    plan, out = prep.plan, prep.out
    lines = ["", f"    # Backward pass, in reverse order: grad_n = d{plan.steps[out].name}/dn.",
             "    # unbroadcast sums each gradient back to its node's shape, as the engine does.",
             f"    {prep.grad[out]} = scalar_seed({prep.var[out]}, {plan.steps[out].name!r})"]
    reached = {out}
    for i in plan.down:  # the engine's order: a fan-in's terms summed as it sums them
        spec = plan.specs[i]
        if i not in reached or spec.is_leaf:
            continue
        fields = prep.fields(i)
        lines.append(f"    # {prep.var[i]} = {spec.template.format(**fields)}")
        for j, template in zip(plan.steps[i].args, spec.vjp_template):
            expr = f"unbroadcast({template.format(**fields)}, np.shape({prep.var[j]}))"
            lines.append(f"    {prep.grad[j]} {'+=' if j in reached else '='} {expr}")
            reached.add(j)
    missed = [i for i in range(len(plan.steps)) if i not in reached]
    if missed:
        lines.append(f"    # Nodes that do not reach {plan.steps[out].name} get gradient 0.")
    # [()]: a scalar's 0 is a float64 as the engine's, not a 0-d array
    lines += [f"    {prep.grad[i]} = np.zeros_like({prep.var[i]})[()]" for i in missed]
    return [*lines, ""]


# --- torch ----------------------------------------------------------------------------------


def to_torch_module(graph: Graph) -> str:
    """A module with ``compute`` (torch forward), ``Model`` (an nn.Module whose parameters are
    the trainable inputs) and ``gradients(**inputs) -> (values, grads)`` by autograd, for
    every node as the engine has them: constants are arguments of ``compute`` (defaulting to
    ``CONSTS``) so that ``gradients`` can differentiate them too."""
    prep = _prepare(graph)
    body = _torch_compute(prep)
    used = helpers_used(TORCH_HELPERS, "\n".join(body))
    lines = _header(prep, "a PyTorch module.")
    imports = ["import math", ""] if any("math." in TORCH_HELPERS[n] for n in used) else []
    lines += [*imports, "import torch", "from torch import nn", "",
              "DTYPE = torch.float64", f"OUTPUT = {prep.plan.steps[prep.out].name!r}", "", ""]
    for name in used:
        lines += [TORCH_HELPERS[name].strip(), "", ""]
    lines += [*_saved_block(prep), "", *_saved_block(prep, "CONSTS", "constant"), "", ""]
    lines += [*body, "", "", *_torch_model(prep), "", ""]
    lines += [*_torch_gradients(), "", ""]
    lines += _main_block(prep, "gradients()", "{}.tolist()")
    return "\n".join(lines)


def _torch_compute(prep: _Prepared) -> list[str]:
    lines = [*_torch_signature(prep),
             '    """Every node\'s value, by name, in execution order (tensors in and out);',
             '    constants default to CONSTS."""']
    for i, (step, spec) in enumerate(zip(prep.plan.steps, prep.plan.specs)):
        if step.op == "const":  # as_tensor keeps a tensor passed in, and so its autograd
            lines.append(f"    {prep.var[i]} = torch.as_tensor({prep.var[i]}, dtype=DTYPE)")
        elif not spec.is_leaf:
            template = spec.torch_template or spec.template
            lines.append(f"    {prep.var[i]} = {template.format(**prep.fields(i))}")
    lines += _dict_lines(prep, "values", prep.var)
    return [*lines, "    return values"]


def _torch_signature(prep: _Prepared) -> list[str]:
    """Inputs first, then constants with their saved values as defaults: the order in which
    ``gradients`` passes its leaves."""
    params = [prep.var[i] for i in prep.inputs()]
    params += [f"{prep.var[i]}=CONSTS[{prep.plan.steps[i].name!r}]" for i in prep.consts()]
    line = f"def compute({', '.join(params)}):"
    if len(line) <= 88:
        return [line]
    return ["def compute(", *(f"    {p}," for p in params), "):"]


def _torch_model(prep: _Prepared) -> list[str]:
    init, feed = [], []
    for i, attr in zip(prep.inputs(), _module_attrs(prep)):
        node, name = prep.plan.steps[i], prep.var[i]
        tensor = f"torch.tensor(SAVED[{node.name!r}], dtype=DTYPE)"
        if node.name in prep.trainable:
            init.append(f"        self.{attr} = nn.Parameter({tensor})")
            feed.append(f"            self.{attr},  # {name}")
        else:
            init.append(f"        self.register_buffer({attr!r}, {tensor})")
            feed.append(f"            data.get({node.name!r}, self.{attr}),  # {name}")
    # compute() takes the inputs positionally, in this order: inside a class body Python would
    # mangle a keyword such as __w into _Model__w.
    return ["class Model(nn.Module):",
            '    """The output as an nn.Module: trainable inputs are parameters, data inputs are',
            '    buffers; pass new data to forward by name (model(x=batch))."""', "",
            "    def __init__(self):", "        super().__init__()", *init, "",
            "    def forward(self, **data):", "        values = compute(", *feed, "        )",
            "        return values[OUTPUT]"]


def _module_attrs(prep: _Prepared) -> list[str]:
    """An attribute name on Model per input: clear of nn.Module's own state (_names, public
    methods) and of name mangling (__w would become _Model__w inside the class)."""
    used: set[str] = set(NN_MODULE_ATTRS)
    attrs = []
    for i in prep.inputs():
        name = prep.var[i]
        attr = name + "_" if name in NN_MODULE_ATTRS or name.startswith("_") else name
        if attr.startswith("__"):
            attr = "input" + attr
        while attr in used:
            attr += "_"
        used.add(attr)
        attrs.append(attr)
    return attrs


def _torch_gradients() -> list[str]:
    return [
        "def gradients(**inputs):",
        '    """Values and gradients of the output with respect to every node, constants',
        "    included, by autograd. Inputs and constants are given by name and default to",
        "    SAVED and CONSTS. A tensor output is refused, as in the editor: differentiate",
        '    its sum or mean."""',
        "    leaves = {",
        "        name: torch.as_tensor(inputs.get(name, value), dtype=DTYPE).detach()",
        "        .clone().requires_grad_(True)",
        "        for name, value in {**SAVED, **CONSTS}.items()",
        "    }",
        "    values = compute(*leaves.values())",
        "    for value in values.values():",
        "        if value.requires_grad and not value.is_leaf:",
        "            value.retain_grad()",
        "    if values[OUTPUT].numel() != 1:",
        "        raise ValueError(",
        '            f"the output {OUTPUT} has shape {tuple(values[OUTPUT].shape)}, but "',
        '            f"gradients need a scalar output (a single number); differentiate "',
        '            f"sum({OUTPUT}) or mean({OUTPUT})")',
        "    values[OUTPUT].backward()",
        "    grads = {name: value.grad if value.grad is not None else torch.zeros_like(value)",
        "             for name, value in values.items()}",
        "    return values, grads",
    ]
