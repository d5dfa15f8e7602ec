"""The PySide6 desktop editor: the window shell (window, actions, document, editor, commands,
settings, theme) and its canvas/, docks/ and dialogs/ packages."""
