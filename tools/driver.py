"""The mouse, the keyboard and the camera a scene of tools/driver_scenes.py works with, inside
the editor's process: input through the X server with xdotool, as a user's would; widgets read
only to find where to click and to know when a step has finished.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from PySide6.QtCore import QPoint
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QDialog, QMenu, QWidget

Steps = Iterator[int]


class Driver:
    """The mouse, the keyboard and the camera of one scene."""

    def __init__(self, name: str, out: Path, display: str) -> None:
        self.name, self.out, self.display = name, out, display
        self.win: Any = None  # the main window, set by ready()
        self.app: QApplication | None = None

    # --- looking ----------------------------------------------------------------------
    def status(self) -> str:
        return self.win.statusBar().currentMessage()

    def messages(self) -> str:
        return self.win.messages.toPlainText()

    def dialog(self, object_name: str) -> QDialog | None:
        for widget in QApplication.topLevelWidgets():
            if widget.objectName() == object_name and widget.isVisible():
                return widget  # type: ignore[return-value]
        return None

    def until(self, ready: Callable[[], object], what: str, timeout: float = 30000) -> Steps:
        waited = 0
        while not ready():
            if waited > timeout:
                raise RuntimeError(f"{self.name}: gave up waiting for {what}")
            yield 100
            waited += 100

    def ready(self) -> Steps:
        """Wait for the editor's window, shown and fitted."""
        def window() -> QWidget | None:
            return next((w for w in QApplication.topLevelWidgets()
                         if w.objectName() == "main_window" and w.isVisible()), None)
        yield from self.until(window, "the main window")
        self.win = window()  # type: ignore[assignment]
        self.focus()
        yield 1500  # the first paint and the fit after it

    def focus(self, widget: QWidget | None = None) -> None:
        """Give a window the keyboard, as a window manager does when one opens or when a
        dialog closes (Xvfb runs none)."""
        window = widget if widget is not None else self.win
        self.xdotool("windowfocus", "--sync", str(int(window.winId())))

    # --- acting -----------------------------------------------------------------------
    def xdotool(self, *args: str) -> None:
        subprocess.run(["xdotool", *args], check=True)

    def point(self, widget: QWidget, local: QPoint | None = None) -> tuple[str, str]:
        spot = widget.mapToGlobal(local if local is not None else widget.rect().center())
        return str(spot.x()), str(spot.y())

    def move(self, widget: QWidget, local: QPoint | None = None) -> Steps:
        self.xdotool("mousemove", "--sync", *self.point(widget, local))
        yield 150

    def click(self, widget: QWidget, local: QPoint | None = None, clicks: int = 1) -> Steps:
        yield from self.move(widget, local)
        self.xdotool("click", "--repeat", str(clicks), "--delay", "90", "1")
        yield 300

    def keys(self, *keys: str, pause: int = 600) -> Steps:
        yield from self.rest_pointer()
        for key in keys:
            self.xdotool("key", key)
            yield pause

    def type(self, text: str) -> Steps:
        self.xdotool("type", "--delay", "40", text)
        yield 400

    def rest_pointer(self) -> Steps:
        """The pointer in the canvas's top right corner: over the window (keys reach it)
        but over nothing that highlights, shows a tooltip or a status tip."""
        view = self.win.view.viewport()
        spot = QPoint(view.width() - 6, 6)
        if mouse() != tuple(int(v) for v in self.point(view, spot)):
            yield from self.move(view, spot)

    def menu(self, *path: str) -> Steps:
        """Click through the menu bar: menu("View", "Theme", "Dark")."""
        bar = self.win.menuBar()
        action = _action(bar.actions(), path[0])
        yield from self.click(bar, bar.actionGeometry(action).center())
        for label in path[1:]:
            menu: QMenu = action.menu()
            yield from self.until(menu.isVisible, f"the {path[0]} menu")
            action = _action(menu.actions(), label)
            spot = menu.actionGeometry(action).center()
            if action.menu() is not None:
                yield from self.move(menu, spot)
            else:
                yield from self.click(menu, spot)
        yield 500

    def open_example(self, title: str) -> Steps:
        """File > Examples…, then a double-click on the example whose title starts so."""
        yield from self.menu("File", "Examples")
        yield from self.until(lambda: self.dialog("gallery"), "the examples gallery")
        gallery = self.dialog("gallery")
        items = [gallery.list.item(i) for i in range(gallery.list.count())]
        item = next(i for i in items if i.text().startswith(title))
        spot = gallery.list.visualItemRect(item).center()
        yield from self.click(gallery.list.viewport(), spot, clicks=2)
        yield from self.until(lambda: self.dialog("gallery") is None, "the gallery to close")
        self.focus()
        yield 1500  # the first paint and the fit after it

    def run_backward(self) -> Steps:
        """F5 then F6, and wait for the status line's gradients."""
        yield from self.keys("F5", "F6")
        yield from self.until(lambda: "∂" in self.status(), "the status line after Backward")
        yield 800

    def click_node(self, name: str) -> Steps:
        """Click node ``name`` in its title bar (clear of its ports) to select it."""
        item = self.win.doc.scene.nodes[self.win.doc.graph.by_name(name).id]
        spot = item.mapToScene(item.rect().center().x(), item.rect().top() + 8)
        view = self.win.view
        yield from self.click(view.viewport(), view.mapFromScene(spot))
        yield 800

    # --- the camera -------------------------------------------------------------------
    def shot(self, name: str | None = None, window: QWidget | None = None) -> Steps:
        """Grab the screen (or the part one window covers) into out/NAME.png."""
        yield 600  # the last repaint
        target = self.out / f"{name or self.name}.png"
        crop = []
        if window is not None:
            box = window.frameGeometry()
            crop = ["-crop", f"{box.width()}x{box.height()}+{box.x()}+{box.y()}", "+repage"]
        subprocess.run(["import", "-display", self.display, "-window", "root", *crop,
                        str(target)], check=True)
        yield 100


def _action(actions: list[QAction], label: str) -> QAction:
    """The action whose text, without & and …, starts with ``label``."""
    for action in actions:
        text = action.text().replace("&", "").replace("…", "")
        if text.startswith(label):
            return action
    raise LookupError(f"no menu entry {label!r} in {[a.text() for a in actions]}")


def mouse() -> tuple[int, int]:
    """Where the X pointer is, in screen pixels."""
    out = subprocess.run(["xdotool", "getmouselocation", "--shell"], capture_output=True,
                         text=True, check=True).stdout
    fields = dict(line.split("=", 1) for line in out.split() if "=" in line)
    return int(fields["X"]), int(fields["Y"])
