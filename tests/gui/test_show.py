"""cgeditor.show: the editor opened from a script on a Graph, returning the edits on close."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

import cgeditor
from tests.gui.conftest import Canvas


def script_window():
    """The shown window cgeditor.show opened."""
    from cgeditor.gui.window import MainWindow

    return next(w for w in QApplication.topLevelWidgets()
                if isinstance(w, MainWindow) and w.isVisible()
                and w.document.for_script is not None)


def test_show_opens_the_graph_on_the_canvas_and_returns_the_edits(qtbot):
    graph = cgeditor.trace(lambda w, x, b, y: 0.5 * (w * x + b - y) ** 2, w=2, x=-2, b=8, y=2)
    seen: dict[str, object] = {}

    def look_edit_and_close() -> None:
        window = script_window()
        qtbot.waitUntil(window.isActiveWindow)  # show() brings it over the script's terminal
        seen["items"] = sorted(item.name for item in window.scene.nodes.values())
        seen["title"] = window.windowTitle()
        canvas = Canvas(window)
        window.view.centerOn(canvas.item("const1"))
        canvas.click(canvas.header("const1"))
        seen["selected"] = window.scene.selected_ids()
        window.view.setFocus()
        QTest.keyClick(window.view, Qt.Key.Key_Delete)  # a real edit, by the keyboard
        seen["left"] = len(window.graph)
        window.close()  # asks nothing: the edits go back to the script

    QTimer.singleShot(0, look_edit_and_close)
    edited = cgeditor.show(graph)
    assert seen["items"] == sorted(node.name for node in graph.nodes.values())
    assert "untitled" in str(seen["title"]).lower()
    assert seen["selected"] == [graph.by_name("const1").id]
    assert seen["left"] == len(graph) - 1
    assert sorted(n.name for n in edited.nodes.values()) == sorted(
        n.name for n in graph.nodes.values() if n.name != "const1")
    assert len(graph) == 10 and graph.run().output_value == 2.0  # the script's copy as it was
    assert edited.run().values["powc1"] == 4.0  # a graph of its own, no window behind it
    assert not [w for w in QApplication.topLevelWidgets() if w.objectName() == "main_window"
                and w.isVisible()]


def test_show_makes_its_own_application_in_a_plain_script():
    code = textwrap.dedent("""
        import cgeditor
        from cgeditor.gui import app
        from PySide6.QtCore import QTimer
        from PySide6.QtWidgets import QApplication

        assert QApplication.instance() is None
        made = app.application

        def made_then_closed():  # close the window once the script's loop runs
            application = made()
            QTimer.singleShot(300, lambda: [w.close() for w in application.topLevelWidgets()
                                            if w.objectName() == "main_window"])
            return application

        app.application = made_then_closed
        edited = cgeditor.show(cgeditor.from_formula("y = 2*x", x=3))
        print(len(edited), edited.run().output_value)
    """)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "CGEDITOR_NO_SETTINGS": "1",
           "PYTHONPATH": os.getcwd()}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["3", "6.0"]


def test_without_a_display_show_says_why(monkeypatch):
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setattr(sys, "platform", "linux")
    graph = cgeditor.from_formula("y = 2*x")
    try:
        cgeditor.show(graph)
    except RuntimeError as exc:
        assert "no display" in str(exc)
    else:
        raise AssertionError("show opened a window without a display")
