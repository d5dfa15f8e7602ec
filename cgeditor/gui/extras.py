"""Adds the formula, layout, code export, gallery and help actions to a MainWindow, with icons
and tooltips, and turns their results into undoable edits (one undo step each).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialog, QMenu, QToolButton

from cgeditor.gui import icons, shortcuts
from cgeditor.gui.canvas.arrange import predicted_layout, scene_layout
from cgeditor.gui.dialogs import code
from cgeditor.gui.dialogs.formula import FormulaDialog, FormulaField, matching_inputs
from cgeditor.gui.dialogs.gallery import GalleryDialog
from cgeditor.gui.dialogs.help import AboutDialog, ShortcutsDialog, show_first_run_hint
from cgeditor.model.errors import GraphError
from cgeditor.model.graph import Graph
from cgeditor.model.run import infer_shapes
from cgeditor.paths import seed_example

if TYPE_CHECKING:
    from cgeditor.gui.commands import NamePicker
    from cgeditor.gui.window import MainWindow

GAP = 120.0  # between the existing graph and an inserted formula

# objectName, menu text, menu key, tooltip
ACTIONS: tuple[tuple[str, str, str, str], ...] = (
    ("gallery", "&Examples…", "file", "Open one of the bundled example graphs"),
    ("export_numpy", "Export as &NumPy Module…", "file",
     "Python code (numpy only) computing every value and gradient, as the engine does"),
    ("export_torch", "Export as P&yTorch Module…", "file",
     "An nn.Module with the same numbers, for training on GPUs"),
    ("formula", "Insert &Formula…", "edit", "Type statements such as c = w*x; J = c**2"),
    ("layout", "Auto &Layout", "view", "Arrange the graph left to right by layers"),
    ("show_formula", "Show as F&ormula…", "view", "The graph as statements you can copy"),
    ("shortcuts_help", "&Keyboard Shortcuts", "help", "Every key binding and canvas gesture"),
    ("about", "&About cgeditor", "help", "Version and libraries"),
)


def formula_payload(formula: Graph, target: Graph, matched: list[str]
                    ) -> tuple[list[dict[str, Any]], list[dict[str, str]],
                               list[tuple[str, str, str]]]:
    """What inserting ``formula`` into ``target`` adds: node specs keyed by formula id, wires
    among them, and wires (target id, formula id, port) from the matched existing nodes."""
    reused = {node.id: target.by_name(node.name).id for node in formula.nodes.values()
              if node.is_input and node.name in matched}
    nodes = [dict(key=node.id, op=node.op, name=node.name, x=node.x, y=node.y,
                  attrs=dict(node.attrs), value=node.value, trainable=node.trainable)
             for node in formula.nodes.values() if node.id not in reused]
    inner = [dict(src=e.src, dst=e.dst, port=e.port) for e in formula.edges
             if e.src not in reused]
    outer = [(reused[e.src], e.dst, e.port) for e in formula.edges if e.src in reused]
    return nodes, inner, outer


def placement(window: MainWindow, formula: Graph, matched: list[str]
              ) -> dict[str, tuple[float, float]]:
    """Where each formula node goes: laid out by the sizes its nodes will take (shapes
    inferred with the matched inputs' values), right of the window's nodes, tops aligned."""
    target = window.graph
    for node in list(formula.nodes.values()):
        if node.op == "input" and node.name in matched:
            formula.set_value(node.id, target.by_name(node.name).value)
    try:
        shapes = infer_shapes(formula)[0]
    except GraphError:
        shapes = {}
    out = formula.output
    positions = predicted_layout(formula, shapes, formula.nodes[out].name if out else "J")
    if not target.nodes or not positions:
        return positions
    rect = window.scene.graph_rect()
    left = min(x for x, _ in positions.values())
    top = min(y for _, y in positions.values())
    dx, dy = rect.right() + GAP - left, rect.top() - top
    return {n: (x + dx, y + dy) for n, (x, y) in positions.items()}


def kept_name(names: NamePicker, name: str) -> str:
    """The formula's own name when it is free (a paste would number it), else a fresh one."""
    return name if names.keep(name) else names.pick(name)


def insert_formula(window: MainWindow, formula: Graph, matched: list[str]) -> list[str]:
    """Add ``formula`` to the window's graph as one undo step; the new node ids."""
    from cgeditor.gui import commands as C
    graph = window.graph
    nodes, inner, outer = formula_payload(formula, graph, matched)
    where = placement(window, formula, matched)
    out = formula.output
    command = C.Group(f"Insert formula {formula.nodes[out].name}" if out else "Insert formula")
    new_id: dict[str, str] = {}
    names = C.NamePicker(graph)
    for spec in nodes:
        x, y = where.get(spec["key"], (spec["x"], spec["y"]))
        add = C.AddNode(graph, spec["op"], kept_name(names, spec["name"]),
                        x, y, spec["attrs"], spec["value"],
                        spec["trainable"], graph.new_id(), command)
        new_id[spec["key"]] = add.node_id
    wires = [(new_id[e["src"]], new_id[e["dst"]], e["port"]) for e in inner]
    wires += [(src, new_id[dst], port) for src, dst, port in outer]
    for src, dst, port in wires:
        C.Connect(graph, src, dst, port, command, text=f"Connect {port}")
    window.undo_stack.push(command)
    window.scene.select_ids(list(new_id.values()))
    window.fit()
    return list(new_id.values())


def auto_layout(window: MainWindow) -> int:
    """Arrange the window's graph by layers as one undo step; how many nodes moved."""
    from cgeditor.gui import commands as C
    window.scene.reserve_shapes()  # sizes for the graph as it is now, not after a debounce
    graph = window.graph
    moves = {node_id: ((graph.nodes[node_id].x, graph.nodes[node_id].y), pos)
             for node_id, pos in scene_layout(window.scene).items()
             if (graph.nodes[node_id].x, graph.nodes[node_id].y) != pos}
    if moves:
        command = C.MoveNodes(graph, moves)
        command.setText("Auto layout")
        window.undo_stack.push(command)
    window.fit()
    return len(moves)


class Extras(QObject):
    """The actions this module adds to one window, and the dialogs they open."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.actions: dict[str, QAction] = {}
        self.dialogs: dict[str, QDialog] = {}
        self.hint: QObject | None = None
        slots: dict[str, Callable[[], object]] = {
            "gallery": self.open_gallery, "export_numpy": lambda: self.export_code("numpy"),
            "export_torch": lambda: self.export_code("torch"), "formula": self.open_formula,
            "layout": lambda: auto_layout(self.window), "show_formula": self.show_formula,
            "shortcuts_help": lambda: self._show("shortcuts_help", ShortcutsDialog(window)),
            "about": lambda: self._show("about", AboutDialog(window)),
        }
        for name, text, _menu, tip in ACTIONS:
            self.actions[name] = self._action(name, text, tip, slots[name])
        self.field = FormulaField(window)
        self.field.formula_entered.connect(
            lambda graph: insert_formula(window, graph, matching_inputs(graph, window.graph)))
        self._fill_menus_and_toolbar()

    def _action(self, name: str, text: str, tip: str, slot: Callable[[], object]) -> QAction:
        action = QAction(text, self.window)
        action.setObjectName(name)
        action.setToolTip(tip)
        action.setStatusTip(tip)
        action.triggered.connect(lambda _checked=False: slot())
        return shortcuts.apply(action)

    def _fill_menus_and_toolbar(self) -> None:
        menus = self.window.menus
        for name, _text, menu, _tip in ACTIONS:
            if menu != "file":  # placed once the document's own file actions exist
                menus[menu].addAction(self.actions[name])
        self.export_menu = QMenu("Export &Code", self.window)
        self.export_menu.addActions([self.actions["export_numpy"], self.actions["export_torch"]])
        toolbar = self.window.toolbar
        toolbar.addSeparator()
        toolbar.addAction(self.actions["formula"])
        toolbar.addWidget(self.field)
        toolbar.addAction(self.actions["layout"])
        export = QAction("Export Code", self.window)
        export.setObjectName("export_code")
        export.setToolTip("Export the graph as a NumPy or PyTorch module")
        export.setMenu(self.export_menu)
        export.triggered.connect(lambda _checked=False: self.export_code("numpy"))
        toolbar.addAction(export)
        button = toolbar.widgetForAction(export)
        if isinstance(button, QToolButton):
            button.setPopupMode(QToolButton.ToolButtonPopupMode.MenuButtonPopup)
        self.actions["export_code"] = export

    def finish(self) -> None:
        """After the window (and its document controller) is built: file menu places, icons
        on every action, and the first-run hint on the seed example."""
        file_menu = self.window.menus["file"]
        anchors = {a.objectName(): a for a in file_menu.actions()}
        save, quit_ = anchors.get("save"), anchors.get("quit")
        # Examples after Open (and Recent), code export just above Quit; addAction and
        # addMenu stand in when the document did not make those actions.
        if save is not None:
            file_menu.insertAction(save, self.actions["gallery"])
            file_menu.insertSeparator(save)
        else:
            file_menu.addAction(self.actions["gallery"])
        if quit_ is not None:
            file_menu.insertMenu(quit_, self.export_menu)
            file_menu.insertSeparator(quit_)
        else:
            file_menu.addMenu(self.export_menu)
        icons.apply_icons(self.window)
        self._maybe_hint()

    def _maybe_hint(self) -> None:
        document = getattr(self.window, "document", None)
        example = getattr(document, "example", None)
        if example is None or Path(example) != seed_example():
            return
        self.hint = show_first_run_hint(self.window.view, self.window.settings)
        backward = self.window.action("backward")
        if self.hint is not None and backward is not None:
            # Once the user has pressed Backward the hint has done its job.
            backward.triggered.connect(self._hint_done)
        if self.hint is not None:
            # It speaks of the seed graph: another document hides it (until the next start).
            self.window.graph_replaced.connect(self._hide_hint)

    def _hide_hint(self) -> None:
        if self.hint is not None:
            self.hint.hide()

    def _hint_done(self) -> None:
        if self.hint is not None and self.hint.isVisible():
            self.hint.dismiss()
        self.hint = None

    # --- dialogs --------------------------------------------------------------------------
    def _show(self, name: str, dialog: QDialog) -> QDialog:
        old = self.dialogs.pop(name, None)
        if old is not None:
            old.close()
            old.deleteLater()
        self.dialogs[name] = dialog
        dialog.open()
        return dialog

    def open_formula(self) -> QDialog:
        dialog = FormulaDialog(self.window.graph, self.window)
        dialog.accepted.connect(lambda: self._insert_from(dialog))
        return self._show("formula", dialog)

    def _insert_from(self, dialog: FormulaDialog) -> None:
        graph = dialog.result_graph()
        if graph is not None:
            insert_formula(self.window, graph, dialog.matched_names())

    def show_formula(self) -> QDialog:
        return self._show("show_formula", code.formula_dialog(self.window.graph,
                                                                   self.window))

    def export_code(self, kind: str) -> QDialog:
        path = getattr(getattr(self.window, "document", None), "path", None)
        return self._show(f"export_{kind}", code.export_dialog(
            self.window.graph, kind, self.window, path))

    def open_gallery(self) -> QDialog:
        dialog = GalleryDialog(self.window)
        dialog.example_chosen.connect(self.open_example)
        return self._show("gallery", dialog)

    def open_example(self, path: str) -> bool:
        """Open a bundled example as an untitled copy (Save asks where; never overwrites it)."""
        return bool(self.window.document.open_example(path))


def install_extras(window: MainWindow) -> Extras:
    """Add this module's actions to ``window`` (call in MainWindow.__init__ before the
    document controller exists; the rest is finished once the constructor has returned)."""
    extras = Extras(window)
    window.extras = extras  # type: ignore[attr-defined]
    if getattr(window, "document", None) is not None:
        extras.finish()
    else:
        QTimer.singleShot(0, extras, extras.finish)  # dropped if the window dies first
    return extras
