"""The parts a Graph is made of: Node and Edge, and the naming rules they share."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from cgeditor.core.ops import REGISTRY, OpSpec

MAX_NAME_LENGTH = 128  # as resources/cgraph.schema.json
RESERVED_NAMES = frozenset({"np", "torch", "math", "nn", "F"})


@dataclass
class Node:
    """One node: ``id`` is stable (files, undo); ``name`` is what users see and type."""

    id: str
    op: str
    name: str
    x: float = 0.0
    y: float = 0.0
    attrs: dict[str, Any] = field(default_factory=dict)
    value: Any = None  # inputs and consts only
    trainable: bool = False  # inputs only

    @property
    def spec(self) -> OpSpec:
        """The op's record in the registry."""
        return REGISTRY[self.op]

    @property
    def ports(self) -> tuple[str, ...]:
        """The names of the node's input ports, in order ((a, b) for mul)."""
        return REGISTRY[self.op].inputs

    # Cached per node (a node's op never changes): runs read them for every node.
    @cached_property
    def is_leaf(self) -> bool:
        """It holds a value (an input or a const) instead of computing one."""
        return REGISTRY[self.op].is_leaf

    @cached_property
    def is_input(self) -> bool:
        """An input: a leaf you set, feed per run or train (a const is a leaf that is not)."""
        return REGISTRY[self.op].is_input


@dataclass(frozen=True)
class Edge:
    """From ``src``'s output to input port ``port`` of ``dst``."""

    src: str
    dst: str
    port: str
