"""Switching themes: View > Theme (System, Light, Dark), remembered in the settings, and
everything that follows a switch at once: canvas, items, widget palette, icons and the
widgets that keep colours outside paint() (plots, swatches).
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from weakref import WeakSet

import shiboken6
from PySide6.QtCore import QEvent, QObject, QSettings
from PySide6.QtGui import QAction, QActionGroup, QGuiApplication

from cgeditor.gui import icons
from cgeditor.gui import theme as T

if TYPE_CHECKING:
    from PySide6.QtWidgets import QMainWindow, QMenu

THEME_KEY = "view/theme"
CHOICES = {"system": None, "light": False, "dark": True}  # choice -> set_dark argument
LABELS = {"system": "&System", "light": "&Light", "dark": "&Dark"}


def restyle_window(window: QMainWindow) -> None:
    """Repaint everything of ``window`` that holds colours outside paint(): the scene
    background, cached node pixmaps, the cached grid, icons, swatches and followers."""
    icons.apply_icons(window, T.current() is T.DARK)
    for widget in [w for w in _followers if shiboken6.isValid(w) and _inside(w, window)]:
        widget.restyle()


# --- widgets that restyle themselves: plots and swatches keep colours -------------------
_followers: WeakSet[QObject] = WeakSet()


def follow(widget: QObject) -> None:
    """Have every theme switch call ``widget.restyle()``, for widgets that hold colours
    outside paint() and that no window attribute names (the Learn docks' plots)."""
    _followers.add(widget)


def _inside(obj: QObject, window: QObject) -> bool:
    """Whether ``window`` owns ``obj``: parents, not window(), so floating docks count."""
    parent = obj.parent()
    while parent is not None and parent is not window:
        parent = parent.parent()
    return parent is window


_menus: WeakSet[ThemeMenu] = WeakSet()  # every open window's menu: the theme is app-wide
_state = {"choice": "system", "applying": False}


def apply_theme(choice: str) -> None:
    """Switch every open window to ``choice`` (system, light or dark)."""
    _state["choice"] = choice
    _state["applying"] = True  # our own palette change must not look like the desktop's
    try:
        T.set_dark(CHOICES[choice])
        T.apply_widget_palette(T.current() is T.DARK)
        for menu in [m for m in _menus if shiboken6.isValid(m)]:  # skip windows Qt deleted
            menu.show_choice(choice)
            restyle_window(menu.window)
    finally:
        _state["applying"] = False


def choice() -> str:
    """The theme the application wears now: system, light or dark."""
    return _state["choice"]


def stored_choice(settings: QSettings) -> str:
    value = str(settings.value(THEME_KEY, "system"))
    return value if value in CHOICES else "system"


class ThemeMenu(QObject):
    """View > Theme: System, Light or Dark, remembered in the window's settings. In System
    mode the editor follows the desktop when its colour scheme or palette changes."""

    def __init__(self, window: QMainWindow, menu: QMenu) -> None:
        super().__init__(window)
        self.window = window
        self.menu = menu  # View > Theme, which this fills
        self.group = QActionGroup(self)
        self.actions: dict[str, QAction] = {}
        for name, text in LABELS.items():
            action = QAction(text, window)
            action.setObjectName(f"theme_{name}")
            action.setCheckable(True)
            action.setStatusTip("Follow the desktop's light or dark setting" if name == "system"
                                else f"Use the {name} colours")
            action.triggered.connect(lambda _checked=False, c=name: self.choose(c))
            self.group.addAction(action)
            self.menu.addAction(action)
            self.actions[name] = action
        _menus.add(self)
        QGuiApplication.styleHints().colorSchemeChanged.connect(self._system_changed)
        window.installEventFilter(self)
        apply_theme(stored_choice(window.settings))

    def show_choice(self, name: str) -> None:
        self.actions[name].setChecked(True)

    def choose(self, name: str) -> None:
        self.window.settings.setValue(THEME_KEY, name)
        self.window.settings.sync()
        apply_theme(name)

    def _system_changed(self, *_args: object) -> None:
        if choice() == "system" and not _state["applying"]:
            apply_theme("system")

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ApplicationPaletteChange:
            self._system_changed()
        return False
