"""Where the editor keeps its settings, recent files, recovery files and window layout.

Under CGEDITOR_NO_SETTINGS=1 (tests, CI) everything goes to one private temp directory per
process, so a test run never reads or writes the user's real settings or recovery files.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QSettings, QStandardPaths
from PySide6.QtWidgets import QMenu

from cgeditor.gui.dock_layout import give_back_palette

if TYPE_CHECKING:
    from PySide6.QtWidgets import QMainWindow

GEOMETRY_KEY = "window/geometry"
STATE_KEY = "window/state"
RECOVERY_KEY = "recovery_dir"


def isolated() -> bool:
    """True when the real user settings must not be touched (tests, CI)."""
    return os.environ.get("CGEDITOR_NO_SETTINGS", "") not in ("", "0")


@cache
def _private_dir() -> Path:
    # One directory per process: two windows in one test share it, two test runs do not.
    path = Path(tempfile.mkdtemp(prefix="cgeditor-"))
    atexit.register(shutil.rmtree, path, True)
    return path


def make_settings() -> QSettings:
    """The settings store: the user's own, or a private INI file when isolated."""
    if isolated():
        return QSettings(str(_private_dir() / "settings.ini"), QSettings.Format.IniFormat)
    return QSettings("cgeditor", "cgeditor")


def recovery_dir(settings: QSettings) -> Path:
    """Where autosaved recovery files live (created on demand by the caller)."""
    configured = settings.value(RECOVERY_KEY)
    if configured:
        return Path(str(configured))
    if isolated():
        return _private_dir() / "recovery"
    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    if not base:  # no writable location known: fall back to the home directory
        base = str(Path.home() / ".cgeditor")
    return Path(base) / "recovery"


def save_layout(window: QMainWindow, settings: QSettings) -> None:
    """Remember the window's geometry and dock/toolbar layout for the next start (Ops
    lent to an open Learn dock as shown: the Learn dock, restored open, lends it again)."""
    give_back_palette(window)
    settings.setValue(GEOMETRY_KEY, window.saveGeometry())
    settings.setValue(STATE_KEY, window.saveState())
    settings.sync()


def restore_layout(window: QMainWindow, settings: QSettings) -> bool:
    """Put the window back as it was last closed; False when nothing was remembered."""
    geometry, state = settings.value(GEOMETRY_KEY), settings.value(STATE_KEY)
    restored = False
    if isinstance(geometry, QByteArray | bytes) and geometry:
        restored = window.restoreGeometry(QByteArray(geometry))
    if isinstance(state, QByteArray | bytes) and state:
        restored = window.restoreState(QByteArray(state)) or restored
    return restored


def fit_to_screen(window: QMainWindow) -> None:
    """Shrink ``window`` to its screen's free area where its default size is larger: the
    default suits a big monitor, and on a 1280×800 laptop the right docks and the status bar
    would otherwise hang off the screen."""
    screen = window.screen()
    if screen is None:
        return
    room = screen.availableGeometry()
    frame = window.frameGeometry()  # the title bar and borders need room too
    extra = frame.size() - window.size()
    size = window.size().boundedTo(room.size() - extra)
    if size != window.size():
        window.resize(size)
    if not room.contains(window.frameGeometry()):
        window.move(room.topLeft())


def place_window(window: QMainWindow, settings: QSettings) -> None:
    """Lay ``window`` out as it was last closed, then keep it within its screen: a layout
    remembered on a bigger screen (or another machine sharing the settings) would otherwise
    leave the right docks and the status bar off this one."""
    restore_layout(window, settings)
    fit_to_screen(window)


def string_list(settings: QSettings, key: str) -> list[str]:
    """A list setting as strings: INI files hand back one item as a bare string."""
    value = settings.value(key)
    if value is None:
        return []
    if isinstance(value, str):
        return [value] if value else []
    return [str(item) for item in value]


class RecentFiles:
    """The Open Recent list: newest first, at most ten, files gone from disk left out."""

    KEY = "recent_files"
    LIMIT = 10

    def __init__(self, settings: QSettings, opener: Callable[[str], object]) -> None:
        self.settings, self.opener = settings, opener
        self.menu: QMenu | None = None

    def paths(self) -> list[str]:
        return [p for p in string_list(self.settings, self.KEY) if os.path.isfile(p)]

    def _store(self, paths: list[str]) -> None:
        self.settings.setValue(self.KEY, paths[: self.LIMIT])
        self.settings.sync()
        self.rebuild()

    def add(self, path: str) -> None:
        path = os.path.abspath(path)
        self._store([path, *(p for p in string_list(self.settings, self.KEY) if p != path)])

    def remove(self, path: str) -> None:
        self._store([p for p in string_list(self.settings, self.KEY) if p != path])

    def build_menu(self, parent: QMenu) -> QMenu:
        self.menu = QMenu("Open &Recent", parent)
        self.menu.setObjectName("open_recent")
        self.menu.aboutToShow.connect(self.rebuild)  # files may have vanished meanwhile
        self.rebuild()
        return self.menu

    def rebuild(self) -> None:
        if self.menu is None:
            return
        self.menu.clear()
        recent = self.paths()
        for number, path in enumerate(recent, start=1):
            act = self.menu.addAction(f"&{number % 10} {os.path.basename(path)}")
            act.setData(path)
            act.setToolTip(path)
            act.setStatusTip(path)
            act.triggered.connect(lambda _checked=False, p=path: self.opener(p))
        if not recent:
            self.menu.addAction("No recent files").setEnabled(False)
        self.menu.addSeparator()
        self.menu.addAction("Clear Recent Files").triggered.connect(lambda: self._store([]))
