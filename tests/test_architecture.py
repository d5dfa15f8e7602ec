"""The layering rule: everything outside cgeditor.gui imports without Qt.

The modules are discovered, not listed, so a new core, model or cli module is covered the
day it is added. (The import-linter contracts in pyproject.toml check the import graph
statically; this checks what really gets loaded.)
"""

import pkgutil
import subprocess
import sys

import cgeditor


def headless_modules() -> list[str]:
    """Every cgeditor module outside the gui package, found by walking the source tree
    (``__main__`` is left out: importing it runs the command line)."""
    found = pkgutil.walk_packages(cgeditor.__path__, prefix="cgeditor.")
    return sorted(m.name for m in found
                  if m.name != "cgeditor.gui" and not m.name.startswith("cgeditor.gui.")
                  and m.name != "cgeditor.__main__")


def test_discovery_finds_every_layer():
    names = headless_modules()
    assert {"cgeditor.core.engine", "cgeditor.model.graph", "cgeditor.model.files",
            "cgeditor.cli", "cgeditor.cli_tools"} <= set(names)
    assert not [n for n in names if n.startswith("cgeditor.gui")]


def test_everything_below_the_gui_imports_without_qt():
    names = headless_modules()
    code = (f"import importlib, sys\nfor name in {names!r}:\n    importlib.import_module(name)\n"
            "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'pyqtgraph'))\n"
            "assert not bad, bad\nprint(len(" + repr(names) + "))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == str(len(names))
