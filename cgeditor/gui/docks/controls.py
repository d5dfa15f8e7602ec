"""The named widgets the Learn docks build their rows of: a wrapped label and a push button
that calls a slot (tests and the screenshot driver find them by objectName); and the column
they stack them in."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from PySide6.QtWidgets import QLayout, QPushButton, QVBoxLayout, QWidget

from cgeditor.gui.keep_together import WrapLabel


def named_label(name: str) -> WrapLabel:
    """An empty word-wrapped label called ``name``."""
    label = WrapLabel()
    label.setObjectName(name)
    return label


def named_button(name: str, text: str, slot: Callable[[], object]) -> QPushButton:
    """A button called ``name`` reading ``text`` (with its mnemonic) that calls ``slot()``."""
    button = QPushButton(text)
    button.setObjectName(name)
    button.clicked.connect(lambda _checked=False: slot())
    return button


def fill_column(layout: QVBoxLayout, parts: Iterable[QWidget | QLayout],
                grow: QWidget | None = None) -> None:
    """Add ``parts`` (widgets and rows of them) in order, then a stretch: the panel's
    lines keep their heights at the top, however tall the dock. With ``grow`` (one of
    ``parts``), that widget takes the spare height instead."""
    for part in parts:
        if isinstance(part, QWidget):
            layout.addWidget(part, 1 if part is grow else 0)
        else:
            layout.addLayout(part)
    if grow is None:
        layout.addStretch(1)
