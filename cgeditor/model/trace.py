"""Python functions to graphs: ``trace`` runs a function on Traced values that record every
primitive op they meet as a node, as torch.fx's symbolic tracing and micrograd's Value do.

Operators reach the registry's infix ops (and unary minus ``neg``, ``abs()``, a constant power
``powc``), numpy's ufuncs the ops whose forward rule they are; every op is a function of
``cgeditor.ops``, which model/trace_ops.py makes from the registry. Nothing is computed while
tracing: run the Graph for numbers.
"""

from __future__ import annotations

import contextlib
import inspect
import operator
from collections.abc import Callable, Mapping
from typing import Any, NoReturn

import numpy as np

from cgeditor.core.ops import REGISTRY, OpSpec
from cgeditor.model.errors import GraphError, TraceError, UnknownNodeError
from cgeditor.model.formula import arity_message
from cgeditor.model.graph import Graph
from cgeditor.model.values import coerce_attrs, parse_value

# Python's name for the special methods of each infix operator the registry may declare.
_SPECIAL_METHODS = {"+": "add", "-": "sub", "*": "mul", "/": "truediv", "**": "pow",
                    "@": "matmul"}
# numpy's ufunc for each infix operator, which ``array + traced`` calls (numpy's dispatch)
_NUMPY_OPERATORS = {"+": np.add, "-": np.subtract, "*": np.multiply, "/": np.true_divide,
                    "**": np.power, "@": np.matmul}
_INPUT_KINDS = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD,
                inspect.Parameter.KEYWORD_ONLY)


class Tracer:
    """The Graph one trace writes, and whether the trace is still running."""

    def __init__(self) -> None:
        self.graph = Graph()
        self.running = True
        self.named: set[str] = set()  # node ids a name= or .named() gave their name

    def check_running(self) -> None:
        if not self.running:
            raise TraceError("this traced value belongs to a trace that has finished; use it "
                             "inside the function you trace")

    def source(self, x: Any, op: str, port: str) -> str:
        """The id of the node that feeds ``x`` to ``op``'s ``port``: a traced value's own, or
        a new const holding a plain number or array."""
        if isinstance(x, Traced):
            if x._tracer is not self:
                raise TraceError(f"{op}'s input {port} comes from another trace; a graph is "
                                 "traced by one call of cgeditor.trace")
            return x._id
        try:
            return self.graph.add_node("const", value=x).id
        except GraphError as exc:
            raise TraceError(f"{op}'s input {port}: {exc}") from None

    def record(self, spec: OpSpec, args: tuple, attrs: Mapping[str, Any],
               name: str | None) -> Traced:
        """A new node of ``spec`` fed by ``args``, as a traced value."""
        if name is not None:
            self.graph.validate_name(name)  # before any const is added for the arguments
        sources = [self.source(x, spec.name, port) for x, port in zip(args, spec.inputs)]
        node = self.graph.add_node(spec.name, name, attrs=attrs)
        if name is not None:
            self.named.add(node.id)
        for port, src in zip(spec.inputs, sources):
            # a new node has no successors, so no edge into it can close a cycle
            self.graph.connect(src, node.id, port, known_acyclic=True)
        return Traced(self, node.id)


def apply(spec: OpSpec, args: tuple, attrs: Mapping[str, Any], name: str | None = None) -> Any:
    """``spec`` applied to ``args``: a node when any argument is traced, else the number.

    Raises TypeError for the wrong number of inputs, AttrError for an attribute the op does
    not have or a value of the wrong kind, TraceError for values of a finished trace.
    """
    if len(args) != len(spec.inputs):
        raise TypeError(arity_message(spec, len(args)))
    full = coerce_attrs(spec, dict(attrs))
    tracer = next((x._tracer for x in args if isinstance(x, Traced)), None)
    if tracer is None:  # plain numbers: computed at once, as a constant folds in torch.fx
        return spec.forward(*(parse_value(x) for x in args), **full)
    tracer.check_running()
    return tracer.record(spec, args, full, name)


def _refusal(what: str) -> Callable[..., NoReturn]:
    def refuse(self: Traced, *_args: Any, **_kwargs: Any) -> NoReturn:
        raise TraceError(f"{self.name} is a traced value: {what}")
    return refuse


_CONTROL_FLOW = ("its number is not known while tracing, so it cannot decide control flow "
                 "(if, while, and/or, bool()); write the choice with ops such as "
                 "cgeditor.ops.maximum, relu or abs, or trace each branch on its own")
_NO_NUMBER = ("its number is not known while tracing, so it cannot become a Python number "
              "(int(), float(), an index or a length)")
_NO_COMPARE = ("graphs have no comparison op, so it cannot be compared; write the choice "
               "with cgeditor.ops.maximum, minimum or relu")


class Traced:
    """A value inside a traced function: each op applied to it adds a node to the graph."""

    __slots__ = ("_id", "_tracer")
    __hash__ = object.__hash__

    def __init__(self, tracer: Tracer, node_id: str) -> None:
        self._tracer = tracer
        self._id = node_id

    @property
    def name(self) -> str:
        """The name of the node that computes this value."""
        return self._tracer.graph.nodes[self._id].name

    def named(self, name: str) -> Traced:
        """Give this value's node ``name`` (operators cannot take a name= argument); returns
        the value itself. Raises InvalidNameError / NameTakenError as a rename does."""
        self._tracer.check_running()
        self._tracer.graph.rename_node(self._id, name)
        self._tracer.named.add(self._id)
        return self

    def __repr__(self) -> str:
        return f"<traced {self.name}: {self._tracer.graph.nodes[self._id].op}>"

    def __neg__(self) -> Traced:
        return apply(REGISTRY["neg"], (self,), {})

    def __pos__(self) -> Traced:
        return self

    def __abs__(self) -> Traced:
        return apply(REGISTRY["abs"], (self,), {})

    def __pow__(self, other: Any) -> Traced:
        if isinstance(other, (int, float, np.integer, np.floating)) \
                and not isinstance(other, bool):
            # a fixed power, as a formula's x**2: no gradient flows into a plain number
            return apply(REGISTRY["powc"], (self,), {"exponent": other})
        return apply(REGISTRY["pow"], (self, other), {})

    def __array_ufunc__(self, ufunc: np.ufunc, method: str, *inputs: Any, **kwargs: Any
                        ) -> Traced:
        """numpy's ufuncs that are registry ops (np.exp, np.tanh, np.maximum, and the
        operators' np.add, … that ``array + traced`` calls) record that op."""
        spec = _UFUNC_OPS.get(ufunc)
        if method == "reduce":
            raise TraceError(f"{self.name} is a traced value: numpy.{ufunc.__name__}.reduce "
                             "cannot take it; use its sum() or mean(), or cgeditor.ops.sum")
        if spec is None or method != "__call__" or kwargs:
            raise TraceError(f"{self.name} is a traced value: numpy.{ufunc.__name__} is not "
                             "an op cgeditor has; use an operator or a function of "
                             "cgeditor.ops")
        if ufunc is np.power and inputs[0] is self and not isinstance(inputs[1], Traced):
            return self.__pow__(inputs[1])  # a fixed power, as x ** 2
        return apply(spec, inputs, {})

    __bool__ = _refusal(_CONTROL_FLOW)
    __len__ = __iter__ = __index__ = __int__ = __float__ = __complex__ = _refusal(_NO_NUMBER)
    __getitem__ = _refusal("graphs have no indexing op, so it cannot be indexed or sliced; "
                           "reduce it with cgeditor.ops.sum or mean")
    __array__ = _refusal("its number is not known while tracing, so numpy cannot make an "
                         "array of it; use an operator or a function of cgeditor.ops")
    __lt__ = __le__ = __gt__ = __ge__ = __eq__ = __ne__ = _refusal(_NO_COMPARE)  # type: ignore


def _install_operators() -> None:
    """Give Traced a forward and a reflected method for each registry op with an infix
    spelling; the methods written in the class above (the constant power) take precedence."""
    for spec in REGISTRY.values():
        method = _SPECIAL_METHODS.get(spec.infix or "")
        if method is None:
            continue
        if f"__{method}__" not in vars(Traced):
            setattr(Traced, f"__{method}__", _forward_method(spec))
        setattr(Traced, f"__r{method}__", _reflected_method(spec))


def _forward_method(spec: OpSpec) -> Callable[[Traced, Any], Traced]:
    def method(self: Traced, other: Any) -> Traced:
        return apply(spec, (self, other), {})
    method.__name__ = f"__{_SPECIAL_METHODS[spec.infix or '']}__"
    return method


def _reflected_method(spec: OpSpec) -> Callable[[Traced, Any], Traced]:
    def method(self: Traced, other: Any) -> Traced:
        return apply(spec, (other, self), {})
    method.__name__ = f"__r{_SPECIAL_METHODS[spec.infix or '']}__"
    return method


_install_operators()


def _install_array_methods() -> None:
    """ndarray's methods that are one-input registry ops (x.sum(axis=0), x.mean(),
    x.transpose()) and x.T, so numpy code traces, and np.sum(x), which calls x.sum."""
    for spec in REGISTRY.values():
        if len(spec.inputs) == 1 and callable(getattr(np.ndarray, spec.name, None)):
            setattr(Traced, spec.name, _array_method(spec))
    if "transpose" in vars(Traced):
        Traced.T = property(Traced.transpose)  # type: ignore[attr-defined]


def _array_method(spec: OpSpec) -> Callable[..., Traced]:
    names = [a.name for a in spec.attrs]

    def method(self: Traced, *args: Any, **kwargs: Any) -> Traced:
        # numpy's own extras (dtype, out, keepdims) pass as None or False from np.sum(x)
        extras = [*args[len(names):], *(v for k, v in kwargs.items() if k not in names)]
        if any(v is not None and v is not False for v in extras):
            raise TraceError(f"{self.name} is a traced value: its {spec.name}() takes only "
                             f"{', '.join(names) or 'no arguments'} while tracing")
        attrs = dict(zip(names, args))
        attrs.update((k, v) for k, v in kwargs.items() if k in names)
        return apply(spec, (self,), attrs)

    method.__name__ = spec.name
    method.__doc__ = f"{spec.doc} Records one {spec.name} node (cgeditor.ops.{spec.name})."
    return method


_install_array_methods()


def _ufunc_ops() -> dict[np.ufunc, OpSpec]:
    """The registry op each numpy ufunc computes: the op whose forward rule it is, the op
    of its infix operator, of unary minus, or of its name (np.square)."""
    table: dict[np.ufunc, OpSpec] = {}
    for spec in REGISTRY.values():
        named = getattr(np, spec.name, None)
        for ufunc in (spec.forward, _NUMPY_OPERATORS.get(spec.infix or ""),
                      np.negative if spec.forward is operator.neg else None, named):
            if isinstance(ufunc, np.ufunc) and ufunc.nin == len(spec.inputs):
                table.setdefault(ufunc, spec)
    return table


_UFUNC_OPS = _ufunc_ops()


def trace(fn: Callable[..., Any], /, **inputs: Any) -> Graph:
    """The Graph ``fn`` computes, found by calling it once on traced values.

    Each parameter of ``fn`` becomes an input node of that name, holding the value given in
    ``inputs`` (a number, nested list or ndarray; else the parameter's default, else 0.0).
    Operators (+ − * / ** @, unary −, abs()), the functions of ``cgeditor.ops`` and numpy's
    ufuncs that are registry ops (np.exp, np.tanh, np.maximum, …), and the methods x.sum,
    x.mean, x.transpose and x.T (which np.sum, np.mean and np.transpose call) record one
    node each,
    named by their ``name=`` argument or ``.named()``, else generated (mul1, …); Python
    numbers and arrays become consts. ``fn`` must return one traced value, the output,
    which takes ``fn``'s own name when that is free. The nodes are laid out as a formula's.

    Raises TraceError for control flow on a traced value (if, while, bool(), comparisons),
    other numpy functions applied to one, *args or **kwargs parameters, or a result that is
    not one traced value; UnknownNodeError for an input ``fn`` does not take; the GraphError
    of a refused name or value; and whatever ``fn`` itself raises.
    """
    params = _parameters(fn)
    unknown = sorted(set(inputs) - {p.name for p in params})
    if unknown:
        known = ", ".join(p.name for p in params) or "none"
        raise UnknownNodeError(f"{unknown[0]!r} is not a parameter of {_label(fn)} (its "
                               f"parameters: {known})")
    tracer = Tracer()
    try:
        result = _call(fn, params, inputs, tracer)
    finally:
        tracer.running = False
    graph = tracer.graph
    graph.set_output(_output_id(fn, tracer, result))
    _name_output(fn, tracer)
    from cgeditor.model.layout import apply_layout, readable_layout  # as from_formula
    apply_layout(graph, readable_layout(graph))
    return graph


def _parameters(fn: Callable[..., Any]) -> list[inspect.Parameter]:
    try:
        params = list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):
        raise TraceError(f"cannot read the parameters of {_label(fn)}; trace a Python "
                         "function or lambda") from None
    for p in params:
        if p.kind not in _INPUT_KINDS:
            raise TraceError(f"{_label(fn)} takes {'*' if p.kind == p.VAR_POSITIONAL else '**'}"
                             f"{p.name}; name each input as a parameter of its own")
    return params


def _call(fn: Callable[..., Any], params: list[inspect.Parameter], inputs: Mapping[str, Any],
          tracer: Tracer) -> Any:
    args: list[Traced] = []
    kwargs: dict[str, Traced] = {}
    for p in params:
        value = inputs.get(p.name, 0.0 if p.default is p.empty else p.default)
        try:
            node = tracer.graph.add_node("input", name=p.name, value=value)
        except GraphError as exc:
            raise type(exc)(f"value for {p.name}: {exc}") from None
        if p.kind is p.POSITIONAL_ONLY:
            args.append(Traced(tracer, node.id))
        else:
            kwargs[p.name] = Traced(tracer, node.id)
    return fn(*args, **kwargs)


def _output_id(fn: Callable[..., Any], tracer: Tracer, result: Any) -> str:
    if isinstance(result, Traced) and result._tracer is tracer:
        return result._id
    if isinstance(result, Traced):
        raise TraceError(f"{_label(fn)} returned a value of another trace")
    if isinstance(result, (tuple, list, dict)):
        raise TraceError(f"{_label(fn)} returned a {type(result).__name__}; a graph has one "
                         "output: return one value (sum the losses, or trace each output)")
    raise TraceError(f"{_label(fn)} returned {type(result).__name__} {result!r:.40}, which "
                     "does not depend on its inputs; return a value computed from them")


def _name_output(fn: Callable[..., Any], tracer: Tracer) -> None:
    """``def J(w, x): ...`` gives the output the name J, unless it has one given or is an
    input, or another node has that name."""
    graph, out = tracer.graph, tracer.graph.output
    name = getattr(fn, "__name__", "")
    if out is None or out in tracer.named or graph.nodes[out].is_leaf or name == "<lambda>":
        return
    if name.isidentifier() and not graph.has_name(name):
        with contextlib.suppress(GraphError):  # a reserved name: the generated one stays
            graph.rename_node(out, name)


def _label(fn: Callable[..., Any]) -> str:
    name = getattr(fn, "__name__", None)
    return "the lambda" if name == "<lambda>" else f"{name}()" if name else repr(fn)
