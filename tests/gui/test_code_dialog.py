"""Graph out as text: the formula view copies; the module export previews, then saves atomically."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFileDialog

from cgeditor.gui.dialogs import code
from cgeditor.model import export, files
from cgeditor.model.formula import from_formula
from cgeditor.model.formula_text import to_formula
from cgeditor.model.graph import Graph
from cgeditor.paths import seed_example


@pytest.fixture
def seed() -> Graph:
    return files.load(seed_example())


def test_formula_view_shows_and_copies_the_formula(qtbot, seed: Graph) -> None:
    dialog = code.formula_dialog(seed)
    qtbot.addWidget(dialog)
    assert dialog.objectName() == "formula_view"
    assert dialog.text.toPlainText() == to_formula(seed)
    dialog.copy_button.click()
    copied = QGuiApplication.clipboard().text()
    assert copied == to_formula(seed)
    # What is copied reads back as the same computation.
    assert from_formula(copied, w=2, x=-2, b=8, y=2).run().output_value == seed.run().output_value


def test_formula_view_of_an_empty_graph_says_so(qtbot) -> None:
    dialog = code.formula_dialog(Graph())
    qtbot.addWidget(dialog)
    assert "empty" in dialog.status.text()
    assert not dialog.copy_button.isEnabled()


@pytest.mark.parametrize("kind", ["numpy", "torch"])
def test_export_previews_the_generated_module(qtbot, seed: Graph, kind: str) -> None:
    dialog = code.export_dialog(seed, kind, document_path="/tmp/seed.cgraph")
    qtbot.addWidget(dialog)
    expected = {"numpy": export.to_numpy_module, "torch": export.to_torch_module}[kind](seed)
    assert dialog.text.toPlainText() == expected
    assert dialog.suggested_path == f"/tmp/seed_{kind}.py"
    assert dialog.save_button.isEnabled()


def test_saving_writes_a_module_that_runs(qtbot, seed: Graph, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "seed_numpy"  # no .py: one is added
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *a, **k: (str(target), "")))
    dialog = code.export_dialog(seed, "numpy")
    qtbot.addWidget(dialog)
    assert dialog.save() == str(target) + ".py"
    written = Path(str(target) + ".py")
    assert written.read_text(encoding="utf-8") == dialog.text.toPlainText()
    module = runpy.run_path(str(written))
    values, grads = module["forward_backward"]()
    result = seed.run()
    assert values["J"] == pytest.approx(result.output_value)
    assert grads["w"] == pytest.approx(result.grads["w"])
    assert "Saved" in dialog.status.text()


def test_failed_save_says_why_and_leaves_the_old_file(qtbot, seed: Graph, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "missing_folder" / "out.py"
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *a, **k: (str(target), "")))
    dialog = code.export_dialog(seed, "torch")
    qtbot.addWidget(dialog)
    assert dialog.save() is None
    assert "cannot write" in dialog.status.text()
    assert not target.exists()


def test_cancelled_save_writes_nothing(qtbot, seed: Graph, monkeypatch) -> None:
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: ("", "")))
    dialog = code.export_dialog(seed, "numpy")
    qtbot.addWidget(dialog)
    assert dialog.save() is None and dialog.saved_path is None


def test_write_atomically_replaces_the_whole_file(tmp_path: Path) -> None:
    path = tmp_path / "m.py"
    path.write_text("old content that is longer than the new one\n", encoding="utf-8")
    code.write_atomically(path, "new\n")
    assert path.read_text(encoding="utf-8") == "new\n"
    assert [p.name for p in tmp_path.iterdir()] == ["m.py"]  # no temp file left behind


def test_a_graph_that_cannot_be_exported_offers_nothing_to_save(qtbot) -> None:
    dialog = code.export_dialog(Graph(), "numpy")
    qtbot.addWidget(dialog)
    assert dialog.status.text().startswith("Cannot export:")
    assert not dialog.save_button.isEnabled()
    assert not dialog.copy_button.isEnabled()
