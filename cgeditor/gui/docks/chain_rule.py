"""The chain-rule dock: for the selected node, ∂J/∂node as a sum over paths to the output of
the products of local derivatives, with the run's numbers, as rich text.
"""

from __future__ import annotations

from html import escape as _escape

from PySide6.QtGui import QTextOption
from PySide6.QtWidgets import QTextBrowser, QVBoxLayout, QWidget

from cgeditor.gui import shortcuts
from cgeditor.gui import theme as T
from cgeditor.gui.keep_together import keep_together
from cgeditor.model.explain import TENSOR_NOTE, Explanation, path_text
from cgeditor.model.run import RunState


def escape(text: str) -> str:
    """HTML-escaped ``text`` whose shapes and signed numbers never break across lines."""
    return keep_together(_escape(text))


HINT = "Select one node to see why its gradient is what it is."


def run_hint() -> str:
    """What to do when a node is selected but no run explains it yet (no name: a rename
    before the run would leave a named hint behind)."""
    keys = shortcuts.sequences("backward")
    key = f" ({keys[0].toString()})" if keys else ""
    return f"Press Backward{key} to see why the selected node's gradient is what it is."


def explanation_html(exp: Explanation | None, name: str = "", stale: bool = False,
                     selected: bool = False) -> str:
    """Rich text for the dock: the headline formula, the note on counts, then every path.
    Without an explanation: how to get one, for a ``selected`` node, else HINT."""
    if exp is None:
        return f"<p><i>{escape(run_hint() if selected else HINT)}</i></p>"
    lines = exp.text.splitlines()
    parts = []
    if stale:
        parts.append(f"<p style='color:{T.current().flash.name()}'><b>stale:</b> the graph "
                     "changed after this run; run again for current numbers.</p>")
    if name:
        parts.append(f"<h3>{escape(name)}</h3>")
    if exp.tensor:
        parts.append(f"<p><i>{escape(TENSOR_NOTE)}</i></p>")
    heads = [line for line in lines if not line.startswith(("path ", TENSOR_NOTE))]
    parts += [f"<p><b>{escape(line)}</b></p>" for line in heads if not line.startswith("showing")]
    if exp.count_total > 1:
        parts.append(f"<p>showing {exp.shown} of {exp.count_text} paths</p><ol>")
        parts += [f"<li><code>{escape(path_text(p))}</code></li>" for p in exp.paths]
        parts.append("</ol>")
        if exp.gradient is not None:
            parts.append("<p>The sum over all paths is the gradient backprop computed.</p>")
    return "\n".join(parts)


class ExplainerWidget(QWidget):
    """A read-only rich-text view; the run controller feeds it explanations."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("explainer_widget")
        self.browser = QTextBrowser(self)
        self.browser.setObjectName("explainer_text")
        self.browser.setOpenLinks(False)
        # at word boundaries only: a narrow dock must not cut a shape or a number anywhere
        self.browser.setWordWrapMode(QTextOption.WrapMode.WordWrap)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.browser)
        self.explanation: Explanation | None = None
        self.show_explanation(None)

    def show_explanation(self, exp: Explanation | None, name: str = "",
                         stale: bool = False, selected: bool = False) -> None:
        self.explanation = exp
        self.browser.setHtml(explanation_html(exp, name, stale, selected))

    def show_state(self, state: RunState) -> None:
        """Follow the published run: the selected node's explanation, marked when stale."""
        self.show_explanation(state.explanation, state.selected_name, state.stale,
                              state.selected is not None)

    def plain_text(self) -> str:
        return self.browser.toPlainText()
