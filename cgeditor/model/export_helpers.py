"""Source of the small helper functions that exported modules include when they use them.

The numpy helpers are the engine's own functions, taken from their source without type
hints (inspect.getsource): core/rules.py's rules, and core/values.py's as_value (exported as
f64) and sum_to_shape, which unbroadcast wraps. So an exported module gives the engine's
numbers, not merely close ones, and cannot drift from them.
"""

from __future__ import annotations

import ast
import builtins
import inspect
import keyword
import re
import unicodedata
from collections.abc import Callable

from cgeditor.core import rules, values

# The rules an exported module may call, by the name its templates use.
_RULES: dict[str, Callable] = {
    name: fn for name, fn in vars(rules).items()
    if inspect.isfunction(fn) and fn.__module__ == rules.__name__
}


def _source(fn: Callable, name: str | None = None) -> str:
    """``fn``'s source without annotations (the exported module imports nothing but numpy),
    renamed to ``name`` if given."""
    tree = ast.parse(inspect.getsource(fn))
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef):
            node.returns = None
            for arg in (*node.args.args, *node.args.kwonlyargs):
                arg.annotation = None
    if name is not None:
        tree.body[0].name = name  # type: ignore[attr-defined]
    return "\n" + ast.unparse(tree) + "\n"


NUMPY_HELPERS: dict[str, str] = {
    "f64": _source(values.as_value, "f64"),
    "sum_to_shape": _source(values.sum_to_shape),
    # The engine's fit_to, but always a fresh array: the exported backward accumulates with
    # +=, which must never write into another node's gradient.
    "unbroadcast": '''
def unbroadcast(grad, shape):
    """Sum a broadcast gradient back to ``shape`` (numpy broadcasting in reverse), as a
    fresh float64 scalar or array."""
    return np.array(sum_to_shape(grad, shape))[()]
''',
    "scalar_seed": '''
def scalar_seed(output, name):
    """The seed of backward, d(output)/d(output) = 1. Like torch and the editor, a tensor
    output is refused rather than silently summed: differentiate its sum or mean."""
    if np.size(output) != 1:
        raise ValueError(
            f"the output {name} has shape {np.shape(output)}, but gradients need a scalar "
            f"output (a single number); differentiate sum({name}) or mean({name})")
    return f64(np.ones_like(output))
''',
    **{name: _source(fn) for name, fn in _RULES.items()},
}

TORCH_HELPERS: dict[str, str] = {
    "real_pow": '''
def real_pow(a, b):
    """a ** b whose gradient in b is 0 where a < 0, as in cgeditor: a negative base has a real
    power only at integer b, so there is no derivative in b (plain ** would give nan).
    The exponent is selected rather than the result, so no nan reaches autograd."""
    return a ** torch.where(a < 0, b.detach(), b)
''',
    "cross_entropy": '''
def cross_entropy(logits, target):
    """Softmax cross-entropy against target probabilities, averaged over the batch."""
    count = math.prod(logits.shape[:-1]) if logits.dim() > 1 else 1
    return -torch.sum(target * torch.log_softmax(logits, dim=-1)) / count
''',
}

# nn.Module's own attributes: an input with one of these names is stored with a trailing "_".
NN_MODULE_ATTRS = frozenset({
    "T_destination", "add_module", "apply", "bfloat16", "buffers", "call_super_init",
    "children", "compile", "cpu", "cuda", "double", "dump_patches", "eval", "extra_repr",
    "float", "forward", "get_buffer", "get_extra_state", "get_parameter", "get_submodule",
    "half", "ipu", "load_state_dict", "modules", "mtia", "named_buffers", "named_children",
    "named_modules", "named_parameters", "parameters", "register_backward_hook",
    "register_buffer", "register_forward_hook", "register_forward_pre_hook",
    "register_full_backward_hook", "register_full_backward_pre_hook",
    "register_load_state_dict_post_hook", "register_load_state_dict_pre_hook",
    "register_module", "register_parameter", "register_state_dict_post_hook",
    "register_state_dict_pre_hook", "requires_grad_", "set_extra_state", "set_submodule",
    "share_memory", "smart_apply", "state_dict", "to", "to_empty", "train", "training", "type",
    "xpu", "zero_grad",
})


def helpers_used(helpers: dict[str, str], code: str) -> list[str]:
    """The helpers ``code`` calls, with the helpers they call in turn, in table order."""
    wanted: set[str] = set()
    pending = [code]
    while pending:
        text = pending.pop()
        for name in helpers:
            # The plain substring test (C speed) first: the regex's look-behind scans a
            # 100k-line module for each helper it does not find (4.5 s at 30k nodes).
            if name not in wanted and f"{name}(" in text \
                    and re.search(rf"(?<![\w.]){name}\(", text):
                wanted.add(name)
                pending.append(helpers[name])
    return [name for name in helpers if name in wanted]



# Builtins a node's variable must not shadow: the templates call tuple(), range() and the like,
# and some (__debug__) cannot even be assigned.
BUILTIN_NAMES = frozenset(dir(builtins))


def is_plain_identifier(name: object) -> bool:
    """True for a name that is safe to write as a Python identifier in generated code: an
    identifier, no keyword, and its own NFKC form (Python would read ℌ as H)."""
    return (isinstance(name, str) and name.isidentifier() and not keyword.iskeyword(name)
            and unicodedata.normalize("NFKC", name) == name)


def docstring_text(text: str) -> str:
    """``text`` escaped for the inside of a triple-quoted (non-raw) string literal.

    The literal's value is exactly ``text``: backslashes and quotes are escaped, and every
    character that is not printable (newlines, NUL, U+2028, lone surrogates, …) is written
    as its escape sequence, so nothing in ``text`` can end the string or the line."""
    out = []
    for char in text:
        if char in '\\"':
            out.append("\\" + char)
        elif char.isprintable():
            out.append(char)
        else:
            out.append(repr(char)[1:-1])  # \n, \x00, \u2028, \ud800
    return "".join(out)
