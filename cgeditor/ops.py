"""Every primitive op of cgeditor as a function, for ``cgeditor.trace``: ``ops.tanh(x)``,
``ops.sum(x, axis=0)``, ``ops.mse(pred, target, name="L")``.

Generated from the op registry (cgeditor.core.ops), so each op there has its function here
with the op's ports as positional inputs and its attributes as keywords. On traced values a
function records one node; on plain numbers and arrays it computes the float64 result.
"""

from cgeditor.model.trace_ops import op_functions

_FUNCTIONS = op_functions()
globals().update(_FUNCTIONS)
__all__ = sorted(_FUNCTIONS)
