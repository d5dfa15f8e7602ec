"""Shared test setup: Qt renders offscreen so the suite needs no display, and the repository
root is importable so tests can share helpers as ``tests.graphs`` or ``tests.gui.pixels``."""

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("CGEDITOR_NO_SETTINGS", "1")

# `python -m pytest` puts the working directory on sys.path but a bare `pytest` does not,
# and tests/ has no __init__.py: without this, `from tests.… import` works only one way.
_ROOT = str(Path(__file__).resolve().parent.parent)
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)
