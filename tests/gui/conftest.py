"""Canvas test fixtures: a window on the seed graph (built with the Graph API) in temporary
settings, and a mouse that presses, drags and releases at scene points on the viewport."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, QSettings, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox

from tests.graphs import seed_graph

Button = Qt.MouseButton
Mod = Qt.KeyboardModifier


def shown_window(qtbot, tmp_path: Path):
    """A MainWindow with settings and recovery files kept in ``tmp_path``, shown."""
    from cgeditor.gui.window import MainWindow

    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    settings.setValue("recovery_dir", str(tmp_path / "recovery"))
    win = MainWindow(settings=settings)
    qtbot.addWidget(win)
    win.resize(1300, 850)
    with qtbot.waitExposed(win):  # the context manager waits; a bare call does not
        win.show()
    return win


@pytest.fixture
def window(qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A shown MainWindow on the seed graph; closing it never prompts."""
    from cgeditor.gui import document

    monkeypatch.setattr(document, "ask_save_changes",
                        lambda *_a: QMessageBox.StandardButton.Discard)
    monkeypatch.setattr(document, "ask_recover", lambda *_a: False)
    win = shown_window(qtbot, tmp_path)
    win.set_graph(seed_graph())
    QApplication.processEvents()
    return win


def learning_on(window, example: str, dock: str):
    """The window's Learn docks on bundled ``example``, with ``dock`` shown: docks start
    hidden, and their buttons take clicks only once shown."""
    from cgeditor.model.examples import load_example

    window.set_graph(load_example(example))
    window.learning.show(dock)
    return window.learning


class Mouse:
    """Real mouse events on the canvas viewport, addressed by scene position."""

    def __init__(self, view) -> None:
        self.view = view
        self.vp = view.viewport()

    def at(self, scene_pos: QPointF) -> QPoint:
        return self.view.mapFromScene(scene_pos)

    def press(self, pos: QPointF, button: Button = Button.LeftButton,
              mods: Mod = Mod.NoModifier) -> None:
        QTest.mousePress(self.vp, button, mods, self.at(pos))

    def move(self, pos: QPointF, button: Button = Button.LeftButton,
             mods: Mod = Mod.NoModifier) -> None:
        # QTest.mouseMove carries no buttons, and the view ignores button-less drags.
        local = QPointF(self.at(pos))
        event = QMouseEvent(QEvent.Type.MouseMove, local, QPointF(self.vp.mapToGlobal(local)),
                            Button.NoButton, button, mods)
        QApplication.sendEvent(self.vp, event)

    def release(self, pos: QPointF, button: Button = Button.LeftButton,
                mods: Mod = Mod.NoModifier) -> None:
        QTest.mouseRelease(self.vp, button, mods, self.at(pos))

    def double_press(self, pos: QPointF, button: Button = Button.LeftButton) -> None:
        """A double-click's events up to its second press, as a platform sends them
        (QTest.mouseDClick sends the DblClick alone, a press never released)."""
        self.press(pos, button)
        self.release(pos, button)
        local = QPointF(self.at(pos))
        event = QMouseEvent(QEvent.Type.MouseButtonDblClick, local,
                            QPointF(self.vp.mapToGlobal(local)), button, button, Mod.NoModifier)
        QApplication.sendEvent(self.vp, event)

    def drag(self, start: QPointF, end: QPointF, button: Button = Button.LeftButton,
             mods: Mod = Mod.NoModifier, steps: int = 6) -> None:
        self.press(start, button, mods)
        for k in range(1, steps + 1):
            t = k / steps
            self.move(QPointF(start.x() + (end.x() - start.x()) * t,
                              start.y() + (end.y() - start.y()) * t), button, mods)
        self.release(end, button, mods)

    def click(self, pos: QPointF, mods: Mod = Mod.NoModifier) -> None:
        QTest.mouseClick(self.vp, Button.LeftButton, mods, self.at(pos))


class Canvas(Mouse):
    """The mouse plus lookups by node name: ids, items and port positions."""

    def __init__(self, window) -> None:
        super().__init__(window.view)
        self.window = window

    def id(self, name: str) -> str:
        return self.window.graph.by_name(name).id

    def item(self, name: str):
        return self.window.scene.nodes[self.id(name)]

    def out_port(self, name: str) -> QPointF:
        return self.item(name).out_port_pos()

    def in_port(self, name: str, port: str) -> QPointF:
        return self.item(name).in_port_pos(port)

    def grab(self, item) -> QPointF:
        """Centre the view on node ``item`` and press on its body, as a drag of it starts;
        where the press was, in scene coordinates."""
        self.view.centerOn(item.sceneBoundingRect().center())
        QApplication.processEvents()
        start = item.sceneBoundingRect().center() + QPointF(0, 10)
        self.press(start)
        return start

    def header(self, name: str) -> QPointF:
        return self.item(name).pos() + QPointF(80, 15)

    def source(self, name: str, port: str) -> str | None:
        src = self.window.graph.source_of(self.id(name), port)
        return None if src is None else self.window.graph.nodes[src].name


@pytest.fixture
def canvas(window) -> Canvas:
    return Canvas(window)
