"""Every menu and toolbar action of the window in one declarative table, beside the shortcut
table (shortcuts.py), and the one function that builds QActions from it.

A row's place in ACTIONS is its place in its menu and, when ``toolbar`` is set, on the
toolbar. ``handler`` is "owner.method": the composition root (window.py) hands ``build`` the
owners (document, run, forward_mode, scalar_fix, learn, dialogs, selection, editor,
view, history, window).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QUndoStack
from PySide6.QtWidgets import QMainWindow, QMenu, QToolBar, QToolButton, QWidget

from cgeditor.gui import icons, shortcuts
from cgeditor.gui.teardown import while_alive

MENUS: tuple[tuple[str, str], ...] = (
    ("file", "&File"), ("edit", "&Edit"), ("view", "&View"), ("run", "&Run"),
    ("learn", "&Learn"), ("help", "&Help"))
SUBMENUS: dict[str, str] = {"export_code": "Export &Code", "panels": "&Panels",
                             "theme": "&Theme"}


@dataclass(frozen=True)
class Action:
    """One action: objectName (also its key in SHORTCUTS and its icon's name) and what it does."""

    name: str
    text: str
    handler: str  # "owner.method"
    tip: str = ""
    menu: str = ""  # a key of MENUS or SUBMENUS; "" for toolbar-only
    toolbar: bool = False
    checkable: bool = False  # then the handler receives the new checked state
    canvas_only: bool = False  # its keys act only while the canvas has focus


@dataclass(frozen=True)
class Slot:
    """A separator ("-"), a submenu (a key of SUBMENUS) or a widget the root supplies
    (e.g. "recent", "theme", "play_speed", "formula_field"), in a menu or on the toolbar."""

    what: str
    menu: str = ""
    toolbar: bool = False


Row = Action | Slot

ACTIONS: tuple[Row, ...] = (
    Action("new", "&New", "document.new", menu="file", toolbar=True),
    Action("open", "&Open…", "document.open", menu="file", toolbar=True),
    Slot("recent", menu="file"),
    Slot("-", menu="file"),
    Action("gallery", "&Examples…", "dialogs.open_gallery",
           "Open one of the bundled example graphs", menu="file"),
    Slot("-", menu="file"),
    Action("save", "&Save", "document.save", menu="file", toolbar=True),
    Action("save_as", "Save &As…", "document.save_as", menu="file"),
    Slot("-", menu="file"),
    Action("export_image", "Export &Image…", "dialogs.export_image", menu="file"),
    Slot("-", menu="file", toolbar=True),
    Action("undo", "Undo", "editor.undo", menu="edit", toolbar=True),
    Action("redo", "Redo", "editor.redo", menu="edit", toolbar=True),
    Slot("-", menu="edit", toolbar=True),
    Action("copy", "&Copy", "selection.copy", menu="edit"),
    Action("paste", "&Paste", "selection.paste", menu="edit"),
    Action("duplicate", "D&uplicate", "selection.duplicate", menu="edit"),
    Action("delete", "&Delete", "selection.delete", menu="edit", canvas_only=True),
    Action("select_all", "Select &All", "selection.select_all", menu="edit"),
    Action("fit", "&Fit Graph", "view.fit_graph", menu="view", toolbar=True, canvas_only=True),
    Action("zoom_in", "Zoom &In", "view.zoom_in", menu="view"),
    Action("zoom_out", "Zoom &Out", "view.zoom_out", menu="view"),
    Action("forward", "&Forward", "run.forward",
           "Compute every node's value, in execution order", menu="run", toolbar=True),
    Action("backward", "&Backward", "run.backward",
           "Compute every gradient ∂J/∂node (runs Forward first if needed)",
           menu="run", toolbar=True),
    Action("forward_mode", "Forward &Mode from the Selected Input", "forward_mode.start",
           "Seed the selected input w with 1 and carry it forward: every node's ∂v/∂w in one "
           "pass (backward gives ∂J/∂ every input in one pass)", menu="run"),
    Action("step", "&Step", "run.step",
           "One node at a time: forward in order, then backward in reverse",
           menu="run", toolbar=True),
    Action("play", "&Play", "run.set_playing", "Step automatically at the chosen speed",
           menu="run", toolbar=True, checkable=True),
    Action("run_all", "Run to &end", "run.run_all",
           "Finish the current stepping, or run forward and backward", menu="run",
           toolbar=True),
    Action("reset", "&Reset", "run.reset", "Clear all results", menu="run", toolbar=True),
    Action("live", "&Live", "run.set_live", "Re-run forward and backward after every edit",
           menu="run", toolbar=True, checkable=True),
    Action("make_scalar_sum", "Insert sum as the output", "scalar_fix.insert_sum",
           menu="run"),
    Action("make_scalar_mean", "Insert mean as the output", "scalar_fix.insert_mean",
           menu="run"),
    Slot("play_speed", toolbar=True),
    Slot("-", toolbar=True),
    Action("formula", "Insert &Formula…", "dialogs.open_formula",
           "Type statements such as c = w*x; J = c**2", menu="edit", toolbar=True),
    Slot("formula_field", toolbar=True),
    Action("layout", "Auto &Layout", "editor.auto_layout",
           "Arrange the graph left to right by layers", menu="view", toolbar=True),
    Action("show_formula", "&Show as Formula…", "dialogs.show_formula",
           "The graph as statements you can copy", menu="view"),
    Action("export_code", "Export &Code", "dialogs.export_numpy",
           "Export the graph as a NumPy or PyTorch module", menu="file", toolbar=True),
    Action("export_numpy", "Export as &NumPy Module…", "dialogs.export_numpy",
           "Python code (numpy only) computing every value and gradient, as the engine does",
           menu="export_code"),
    Action("export_torch", "Export as P&yTorch Module…", "dialogs.export_torch",
           "An nn.Module with the same numbers, for training on GPUs", menu="export_code"),
    Slot("-", menu="file"),
    Action("quit", "&Quit", "window.close", menu="file"),
    Action("gradcheck", "&Gradient Check", "learn.check",
           "Compare every backprop gradient with central finite differences",
           menu="learn", toolbar=True),
    Action("nudge", "&Nudge Selected Input", "learn.nudge",
           "Move the selected input by ε and compare the output with J + ∂J/∂θ·ε",
           menu="learn"),
    Action("cost", "&Cost of Gradients", "learn.measure",
           "Op evaluations and time: backprop against finite differences",
           menu="learn", toolbar=True),
    Action("train", "&Train", "learn.start_training",
           "Gradient descent on the trainable inputs (one undo step)", menu="learn",
           toolbar=True),
    Action("stop_training", "&Stop Training", "learn.stop_training",
           "Stop and keep the parameters learned so far", menu="learn"),
    Action("gradient_graph", "Show Gradient G&raph", "document.open_gradient_graph",
           "The backward pass as a graph of its own: run it (F5) to see each gradient as a "
           "value", menu="learn"),
    Slot("-", menu="learn"),
    Action("practice", "&Practice", "learn.set_practising",
           "Predict each value and gradient before it is revealed (the canvas shows ?)",
           menu="learn", checkable=True),
    Action("ordering", "&Ordering Exercise", "learn.order",
           "Put the forward and backward steps in an order they could run", menu="learn"),
    Action("ordering_up", "Move Card &Up", "learn.move_card_up",
           "Move the selected card of the ordering exercise one place up", menu="learn"),
    Action("ordering_down", "Move Card Do&wn", "learn.move_card_down",
           "Move the selected card of the ordering exercise one place down", menu="learn"),
    Action("failure_lab", "&Failure-mode Lab", "learn.show_failure_lab",
           "Trigger an edge case, see what breaks and why, and apply the remedy",
           menu="learn"),
    Slot("-", menu="view"),
    Slot("panels", menu="view"),
    Slot("theme", menu="view"),
    Action("shortcuts_help", "&Keyboard Shortcuts", "dialogs.show_shortcuts",
           "Every key binding and canvas gesture", menu="help"),
    Action("about", "&About cgeditor", "dialogs.show_about", "Version and libraries",
           menu="help"),
)


def handler_of(row: Action, owners: Mapping[str, object]) -> Callable[..., object]:
    """The bound method ``row.handler`` names; KeyError/AttributeError when it is missing."""
    owner, method = row.handler.split(".")
    return getattr(owners[owner], method)


def make_action(row: Action, parent: QObject, owners: Mapping[str, object]) -> QAction:
    """A QAction for ``row``: text, tip, keys from the shortcut table, icon, handler."""
    action = QAction(row.text, parent)
    action.setObjectName(row.name)
    if row.tip:
        action.setToolTip(row.tip)
        action.setStatusTip(row.tip)
    if row.name in icons.names():  # the icon named like the action, where one ships
        action.setIcon(icons.icon(row.name))
    handler = handler_of(row, owners)
    if row.checkable:
        action.setCheckable(True)
        action.toggled.connect(handler)
    else:
        action.triggered.connect(lambda _checked=False: handler())
    return shortcuts.apply(action)


def follow_history(undo: QAction, redo: QAction, stack: QUndoStack) -> None:
    """Undo/Redo enabled and named after the step they would take ("Undo Add mul"). Only the
    stack's own signals feed them: it announces changes while it is being destroyed."""
    for action, word, can, text in (
            (undo, "Undo", stack.canUndoChanged, stack.undoTextChanged),
            (redo, "Redo", stack.canRedoChanged, stack.redoTextChanged)):
        can.connect(action.setEnabled)
        text.connect(while_alive(lambda step, action=action, word=word:
                                 action.setText(f"{word} {step}".rstrip()), action))
    undo.setEnabled(stack.canUndo())
    redo.setEnabled(stack.canRedo())


def make_menus(window: QMainWindow) -> dict[str, QMenu]:
    """The menu bar's menus (MENUS order) and the SUBMENUS, empty, by key: controllers may
    add to them (the docks' toggles go to "panels") before ``build`` fills them."""
    bar = window.menuBar()
    menus = {key: bar.addMenu(title) for key, title in MENUS}
    for key, title in SUBMENUS.items():
        menus[key] = QMenu(title, window)
        menus[key].setObjectName(f"{key}_menu")
    return menus


def build(parent: QWidget, owners: Mapping[str, object], menus: Mapping[str, QMenu],
          toolbar: QToolBar, slots: Mapping[str, QMenu | QWidget]) -> dict[str, QAction]:
    """Fill ``menus`` (from ``make_menus``) and ``toolbar`` from ACTIONS, in table order;
    ``slots`` supplies the menus and widgets a Slot names. The actions by name."""
    actions: dict[str, QAction] = {}
    for row in ACTIONS:
        if isinstance(row, Action):
            action = actions[row.name] = make_action(row, parent, owners)
            _place(action, row.menu, row.toolbar, menus, toolbar)
        else:
            _place_slot(row, menus, toolbar, slots)
    for name in SUBMENUS:
        if name in actions:  # an action that opens a submenu: a split button on the toolbar
            actions[name].setMenu(menus[name])
            button = toolbar.widgetForAction(actions[name])
            if isinstance(button, QToolButton):
                button.setPopupMode(QToolButton.ToolButtonPopupMode.MenuButtonPopup)
    return actions


def _place(action: QAction, menu: str, on_toolbar: bool, menus: Mapping[str, QMenu],
           toolbar: QToolBar) -> None:
    if menu:
        menus[menu].addAction(action)
    if on_toolbar:
        toolbar.addAction(action)


def _place_slot(row: Slot, menus: Mapping[str, QMenu], toolbar: QToolBar,
                slots: Mapping[str, QMenu | QWidget]) -> None:
    if row.what == "-":
        if row.menu:
            menus[row.menu].addSeparator()
        if row.toolbar:
            toolbar.addSeparator()
        return
    filler = menus.get(row.what) if row.what in SUBMENUS else slots.get(row.what)
    if filler is None:
        return
    if isinstance(filler, QMenu):
        menus[row.menu].addMenu(filler)
    elif row.toolbar:
        toolbar.addWidget(filler)


def canvas_shortcuts(actions: Mapping[str, QAction], canvas: QWidget) -> None:
    """Keys of canvas-only actions (Delete, F) act only while the canvas has focus, so they
    never steal keys from the inspector's text fields."""
    for row in ACTIONS:
        if isinstance(row, Action) and row.canvas_only:
            actions[row.name].setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            canvas.addAction(actions[row.name])
