"""The driver tools/screenshots.py runs inside the editor's process: one scene per picture.

A scene is a generator: each ``yield`` hands the event loop back for that many milliseconds,
so the editor keeps running (menus, drags and dialogs included) while the scene waits.
Input goes through the X server with xdotool, as a user's would; widgets are read only to
find where to click and to know when a step has finished.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from driver import Driver, Steps, mouse
from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QWidget


# --- the scenes -------------------------------------------------------------------------
def backward_scene(example: str | None, dark: bool, select: str) -> Callable[[Driver], Steps]:
    """An example (the seed when None) after Forward and Backward, in one theme, with the
    parameter ``select`` clicked so the Inspector and the Chain rule dock explain it."""
    def scene(d: Driver) -> Steps:
        yield from d.ready()
        if dark:
            yield from d.menu("View", "Theme", "Dark")
        if example is not None:
            yield from d.open_example(example)
        yield from d.run_backward()
        yield from d.click_node(select)
        yield from d.rest_pointer()
        yield from d.shot()
    return scene


def guide_forward_mode(d: Driver) -> Steps:
    """The seed with w clicked, then Run > Forward Mode from w: every node's ∂v/∂w."""
    yield from d.ready()
    yield from d.click_node("w")
    yield from d.menu("Run", "Forward Mode from w")
    yield from d.until(lambda: d.status().startswith("Forward mode"), "the forward-mode run")
    yield from d.rest_pointer()
    yield from d.shot()


def guide_step(d: Driver) -> Steps:
    """The seed stepped with F10 through the forward pass and three backward steps (the
    first-run hint goes when the backward pass begins)."""
    yield from d.ready()
    nodes = len(d.win.doc.graph)
    yield from d.keys(*["F10"] * (nodes + 3), pause=350)
    yield from d.rest_pointer()
    yield from d.shot()


def guide_learn(d: Driver) -> Steps:
    """Learn > Gradient Check, then Learn > Train, on the seed example."""
    yield from d.ready()
    yield from d.run_backward()
    yield from d.menu("Learn", "Gradient Check")
    yield 2000
    yield from d.menu("Learn", "Train")
    train = d.win.learning.train
    yield from d.until(lambda: not train.running, "training to finish", timeout=90000)
    yield from d.menu("View", "Fit Graph")  # the right column widened for the Learn docks
    yield from d.rest_pointer()
    yield from d.shot()


def guide_practice(d: Driver) -> Steps:
    """Learn > Practice on the seed: the forward pass and the first two gradients answered
    by typing, then a wrong answer to ∂J/∂y, which earns a hint."""
    yield from d.ready()
    yield from d.menu("Learn", "Practice")
    panel = d.win.learning.practice
    yield from d.until(lambda: panel.practice is not None, "practice to start")
    for answer in ("-4", "4", "2", "4", "2", "0.5", "2"):
        asked = panel.practice.position
        d.xdotool("type", "--delay", "40", "--", answer)  # '--': '-4' is no option
        yield from d.keys("Return", pause=300)
        yield from d.until(lambda asked=asked: panel.practice.position > asked,
                           "the next question")
    yield from d.type("1")
    yield from d.keys("Return")
    yield from d.until(lambda: "Hint" in panel.feedback.text(), "the hint")
    yield from d.shot()


def guide_gradient_graph(d: Driver) -> Steps:
    """Learn > Show Gradient Graph on the seed, F5, and dJ_dw clicked (the Inspector)."""
    yield from d.ready()
    yield from d.menu("Learn", "Show Gradient Graph")
    yield from d.until(lambda: d.win.doc.graph.has_name("dJ_dw"), "the gradient graph")
    yield from d.keys("F5")
    yield from d.click_node("dJ_dw")
    yield from d.rest_pointer()
    yield from d.shot()


def guide_ordering(d: Driver) -> Steps:
    """Learn > Ordering Exercise on the seed, the Backward pass chosen in the dock's level
    list, ∂J/∂sq dragged to the top, Check, and a card marked misplaced clicked (its node
    and the wire its gradient comes back along lit)."""
    yield from d.ready()
    yield from d.menu("Learn", "Ordering Exercise")
    panel = d.win.learning.ordering
    yield from d.until(lambda: panel.active, "the cards")
    yield from d.click(panel.level)
    yield from d.keys("Down", "Return")  # Backward pass: its cards are dealt at once
    yield from d.until(lambda: panel.active and panel.ordering.level == "backward",
                       "the backward cards")
    cards = panel.cards
    held = next(row for row, key in enumerate(panel.order())
                if panel.ordering.by_key[key].label == "∂J/∂sq")
    source = d.point(cards.viewport(), cards.visualItemRect(cards.item(held)).center())
    d.xdotool("mousemove", "--sync", *source, "mousedown", "1")
    yield 200
    yield from _glide(d, cards.viewport(), cards.visualItemRect(cards.item(0)).center())
    d.xdotool("mouseup", "1")
    yield 300
    yield from d.click(panel.check_button)
    yield from d.until(lambda: panel.ordering.attempts == 1, "the check")
    marked = [row for row, key in enumerate(panel.order()) if key in panel.marks]
    if marked:
        yield from d.click(cards.viewport(), cards.visualItemRect(cards.item(marked[0])).center())
    yield from d.shot()


def guide_failure_lab(d: Driver) -> Steps:
    """Learn > Failure-mode Lab; the dead-ReLU case clicked and opened; b set to −3 in the
    Inspector; F6: the lab names the dead ReLU with the run's numbers and its remedy."""
    yield from d.ready()
    yield from d.menu("Learn", "Failure-mode Lab")
    lab = d.win.learning.lab
    cases = lab.cases
    row = next(k for k in range(cases.count()) if "dead ReLU" in cases.item(k).text())
    yield from d.click(cases.viewport(), cases.visualItemRect(cases.item(row)).center())
    yield from d.click(lab.open_button)
    yield from d.until(lambda: "ReLU" in d.win.doc.graph.meta.get("title", ""), "the case")
    yield 1500  # the first paint and the fit after it
    yield from d.click_node("b")
    field = d.win.inspector.fields["value"].edit
    yield from d.click(field)
    yield from d.keys("ctrl+a", pause=200)
    d.xdotool("type", "--delay", "40", "--", "-3")  # '--': '-3' is no option
    yield from d.keys("Return", "F6")
    yield from d.until(lambda: "dead ReLU" in lab.diagnosis.text(), "the diagnosis")
    yield 800  # scrolled to the remedy
    yield from d.rest_pointer()
    yield from d.shot()


def guide_build(d: Driver) -> Steps:
    """File > New; c = w*x typed in the formula field; add dragged from the palette; a wire
    being dragged from c's output to add's input a (the picture is taken mid-drag)."""
    yield from d.ready()
    yield from d.menu("File", "New")
    graph = lambda: d.win.doc.graph  # noqa: E731 - New replaces the graph
    yield from d.until(lambda: len(graph()) == 0, "an empty graph")
    yield from d.click(d.win.dialogs.field)
    yield from d.type("c = w*x")
    yield from d.keys("Return")
    yield from d.until(lambda: len(graph()) == 3, "c = w*x inserted")
    yield 800
    view, scene = d.win.view, d.win.doc.scene
    c_item = scene.nodes[graph().by_name("c").id]
    tree = d.win.palette.tree
    item = next(i for i in tree.findItems("add", Qt.MatchFlag.MatchContains
                                          | Qt.MatchFlag.MatchRecursive))
    source = d.point(tree.viewport(), tree.visualItemRect(item).center())
    below_c = c_item.pos() + c_item.rect().bottomLeft()
    target = view.mapFromScene(below_c) + QPoint(180, 70)
    d.xdotool("mousemove", "--sync", *source, "mousedown", "1")
    yield 200
    yield from _glide(d, view.viewport(), target)
    d.xdotool("mouseup", "1")
    yield from d.until(lambda: len(graph()) == 4, "the add node dropped")
    yield 800
    add = next(n for n in graph().nodes.values() if n.op == "add")
    add_item = scene.nodes[add.id]
    start = view.mapFromScene(c_item.out_port_pos())
    end = view.mapFromScene(add_item.in_port_pos("a"))
    d.xdotool("mousemove", "--sync", *d.point(view.viewport(), start), "mousedown", "1")
    yield 200
    yield from _glide(d, view.viewport(), end + QPoint(-2, 0))
    yield 500
    yield from d.shot()
    d.xdotool("mouseup", "1")
    yield 300


def _glide(d: Driver, widget: QWidget, to: QPoint, steps: int = 12) -> Steps:
    """Move the held mouse to ``to`` in small steps, as a hand would (drags need motion)."""
    x0, y0 = mouse()
    x1, y1 = (int(v) for v in d.point(widget, to))
    for i in range(1, steps + 1):
        d.xdotool("mousemove", str(x0 + (x1 - x0) * i // steps),
                  str(y0 + (y1 - y0) * i // steps))
        yield 40


def guide_formula_export(d: Driver) -> Steps:
    """Edit > Insert Formula with a formula typed, and File > Export Code > NumPy on the
    seed, each dialog grabbed and the two put side by side."""
    yield from d.ready()
    yield from d.menu("Edit", "Insert Formula")
    yield from d.until(lambda: d.dialog("formula_dialog"), "the formula dialog")
    yield from d.type("z = w1*x1 + w2*x2 + b; out = tanh(z)")
    yield 1500
    parts = Path(tempfile.mkdtemp(prefix="cgeditor-shots-"))
    yield from d.shot(str(parts / "formula"), d.dialog("formula_dialog"))
    yield from d.keys("Escape")
    d.focus()
    yield from d.menu("File", "Export Code", "Export as NumPy")
    yield from d.until(lambda: d.dialog("export_numpy") or d.dialog("code_numpy"),
                       "the NumPy export")
    code = d.dialog("export_numpy") or d.dialog("code_numpy")
    # Wheel down to the forward and backward passes, past the helper functions.
    lines = code.text.toPlainText().split("\n")
    first = next((i for i, line in enumerate(lines) if line.startswith("def forward_")), 0)
    yield from d.move(code.text.viewport())
    if first > 2:
        d.xdotool("click", "--repeat", str((first - 2) // 3), "--delay", "30", "5")
    yield 400
    yield from d.shot(str(parts / "code"), code)
    subprocess.run(["convert", str(parts / "formula.png"), str(parts / "code.png"),
                    "-bordercolor", "#b8bcc4", "-border", "6", "-background", "#b8bcc4",
                    "-gravity", "North", "+append", str(d.out / f"{d.name}.png")], check=True)


SCENES: dict[str, Callable[[Driver], Steps]] = {
    "seed-backward": backward_scene(None, False, "w"),
    "seed-backward-dark": backward_scene(None, True, "w"),
    **{f"{key}-backward-{theme}": backward_scene(title, theme == "dark", select)
       for key, title, select in (("xor", "A 2-2-1 network", "W1"), ("softmax", "Softmax", "W"),
                                  ("matrix", "A matrix layer", "W"))
       for theme in ("light", "dark")},
    "guide-build": guide_build,
    "guide-step": guide_step,
    "guide-forward-mode": guide_forward_mode,
    "guide-learn": guide_learn,
    "guide-practice": guide_practice,
    "guide-ordering": guide_ordering,
    "guide-gradient-graph": guide_gradient_graph,
    "guide-formula-export": guide_formula_export,
    "guide-python": backward_scene(None, False, "w"),
    "guide-failure-lab": guide_failure_lab,
}


def traced_seed() -> int:
    """What a script does to open the editor: the README's traced J, then cgeditor.show."""
    import cgeditor
    from cgeditor import ops

    def J(w: Any, x: Any, b: Any, y: Any) -> Any:
        c = ops.mul(w, x, name="c")
        d = (c + b - y).named("d")
        return 0.5 * d ** 2

    cgeditor.show(cgeditor.trace(J, w=2, x=-2, b=8, y=2))
    return 0


# Scenes of a window a script opens (cgeditor.show), instead of the editor's own start.
FROM_PYTHON: dict[str, Callable[[], int]] = {"guide-python": traced_seed}


def _end(code: int) -> None:
    """End the editor at once: its home is thrown away, and a quit would ask about the
    unsaved graph of some scenes."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def run_child(name: str, out: Path, display: str) -> int:
    """Start the editor as ``cgeditor`` does and play scene ``name`` inside its event loop."""
    from cgeditor.gui import app

    QGuiApplication.setHighDpiScaleFactorRoundingPolicy(  # as app.main does
        Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
    driver = Driver(name, out, display)
    driver.app = QApplication(sys.argv[:1])  # kept: app.main uses this instance
    steps = SCENES[name](driver)

    def step() -> None:
        try:
            delay = next(steps)
        except StopIteration:
            _end(0)
        except Exception:  # a failed scene: say where, and end the editor
            traceback.print_exc()
            _end(1)
        QTimer.singleShot(delay, step)

    QTimer.singleShot(300, step)
    return FROM_PYTHON[name]() if name in FROM_PYTHON else app.main(None)
