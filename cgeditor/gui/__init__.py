"""The PySide6 desktop editor: windows, canvas items, undo commands, docks, theme."""
