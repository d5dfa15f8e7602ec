"""The dialogs: formula, examples gallery, code view and help."""
