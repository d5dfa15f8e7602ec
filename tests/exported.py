"""Import a generated module from its text, as a user's script would."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType


def load_module(text: str, path: Path) -> ModuleType:
    """Write `text` to `path` and import it under the file's stem."""
    path.write_text(text, encoding="utf-8")
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
