"""The layering rule: core and model import without Qt."""

import subprocess
import sys


def test_core_and_model_import_without_qt():
    code = ("import sys; import cgeditor.core.ops, cgeditor.core.engine, cgeditor.core.gradcheck;"
            "import cgeditor.model.graph, cgeditor.model.run, cgeditor.model.values;"
            "import cgeditor.model.files, cgeditor.model.formula; import cgeditor.cli;"
            "bad = [m for m in sys.modules if m.startswith('PySide6')];"
            "assert not bad, bad; print('clean')")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "clean"
