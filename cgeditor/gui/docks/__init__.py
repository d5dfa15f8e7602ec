"""The docks around the canvas: palette, inspector, trace, chain rule, gradient check, cost
and training."""
