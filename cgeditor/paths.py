"""Where bundled resources live: the source tree's resources/ or the installed cgeditor.data."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

_SOURCE_TREE = Path(__file__).resolve().parent.parent / "resources"


def resource_dir() -> Path:
    if (_SOURCE_TREE / "examples").is_dir():
        return _SOURCE_TREE
    return Path(str(resources.files("cgeditor.data")))


def resource(relative: str) -> Path:
    return resource_dir() / relative


def examples_dir() -> Path:
    return resource("examples")


def seed_example() -> Path:
    return resource("examples/seed.cgraph")
