"""Where bundled resources live: the source tree's resources/ or the installed cgeditor/data.

pyproject maps the top-level resources/ folder to the package directory cgeditor/data, which
has no __init__.py: importlib.resources would hand back a MultiplexedPath, not a folder, so
the installed location is taken from this file's own place instead.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
_SOURCE_TREE = _PACKAGE.parent / "resources"
_INSTALLED = _PACKAGE / "data"


def resource_dir() -> Path:
    if (_SOURCE_TREE / "cgraph.schema.json").is_file():
        return _SOURCE_TREE
    return _INSTALLED


def resource(relative: str) -> Path:
    return resource_dir() / relative


def examples_dir() -> Path:
    return resource("examples")


def seed_example() -> Path:
    return resource("examples/seed.cgraph")
