"""The PySide6 desktop editor: windows, canvas items, undo commands, docks, theme."""

from cgeditor.gui.main_window import MainWindow

__all__ = ["MainWindow"]
