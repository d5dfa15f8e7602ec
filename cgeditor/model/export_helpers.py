"""Source of the small helper functions that exported modules include when they use them.

Each numpy helper mirrors the engine's own rule line for line (core/ops.py, core/engine.py),
so an exported module gives the engine's numbers, not merely close ones.
"""

from __future__ import annotations

import re

NUMPY_HELPERS: dict[str, str] = {
    "f64": '''
def f64(value):
    """A float64 scalar or array, as the engine stores every value."""
    return np.asarray(value, dtype=np.float64)[()]
''',
    "unbroadcast": '''
def unbroadcast(grad, shape):
    """Sum a broadcast gradient back to ``shape`` (numpy broadcasting in reverse).

    Always a fresh array, so accumulating with += never writes into another gradient."""
    grad = np.asarray(grad, dtype=np.float64)
    if grad.shape != shape:
        extra = grad.ndim - len(shape)
        if extra > 0:
            grad = grad.sum(axis=tuple(range(extra)))
        kept = tuple(k for k, n in enumerate(shape) if n == 1 and grad.shape[k] != 1)
        if kept:
            grad = grad.sum(axis=kept, keepdims=True)
        grad = np.broadcast_to(grad, shape)
    return np.array(grad)[()]
''',
    "softmax": '''
def softmax(x, axis=-1):
    shifted = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return shifted / np.sum(shifted, axis=axis, keepdims=True)
''',
    "log_softmax": '''
def log_softmax(x, axis=-1):
    shifted = x - np.max(x, axis=axis, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))
''',
    "batch_count": '''
def batch_count(logits):
    """How many examples a batch of logits holds (every axis but the last)."""
    return int(np.prod(np.shape(logits)[:-1])) if np.ndim(logits) > 1 else 1
''',
    "cross_entropy": '''
def cross_entropy(logits, target):
    """Softmax cross-entropy against target probabilities, averaged over the batch."""
    return np.float64(-np.sum(target * log_softmax(logits)) / batch_count(logits))
''',
    "cross_entropy_grad_logits": '''
def cross_entropy_grad_logits(g, logits, target):
    total = np.sum(target, axis=-1, keepdims=True)
    return g * (softmax(logits) * total - target) / batch_count(logits)
''',
    "cross_entropy_grad_target": '''
def cross_entropy_grad_target(g, logits, target):
    return -g * log_softmax(logits) / batch_count(logits)
''',
    "matmul_grad_a": '''
def matmul_grad_a(g, a, b):
    """Gradient of a @ b with respect to a (1-d operands are vectors, as in numpy)."""
    if np.ndim(a) == 1 and np.ndim(b) == 1:
        return g * b
    if np.ndim(a) == 1:
        return b @ g
    if np.ndim(b) == 1:
        return np.outer(g, b)
    return g @ np.swapaxes(b, -1, -2)
''',
    "matmul_grad_b": '''
def matmul_grad_b(g, a, b):
    """Gradient of a @ b with respect to b."""
    if np.ndim(a) == 1 and np.ndim(b) == 1:
        return g * a
    if np.ndim(a) == 1:
        return np.outer(a, g)
    return np.swapaxes(a, -1, -2) @ g
''',
    "expand_back": '''
def expand_back(g, x, axis):
    """Spread the gradient of a sum (over ``axis``, or all) back over x's shape."""
    if axis is not None and np.ndim(x):
        g = np.expand_dims(g, axis)
    return np.broadcast_to(g, np.shape(x))
''',
    "reduced_size": '''
def reduced_size(x, axis):
    """How many elements a mean over ``axis`` (or all) divides by."""
    return np.size(x) if axis is None else np.shape(x)[axis]
''',
}

TORCH_HELPERS: dict[str, str] = {
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
            if name not in wanted and re.search(rf"(?<![\w.]){name}\(", text):
                wanted.add(name)
                pending.append(helpers[name])
    return [name for name in helpers if name in wanted]
