"""Random sequences of the editor's own edits (renames of the output and others, a new
output, adds, deletes, wires, pastes and duplicates, moves, Undo, Redo, runs): after each,
with the run's numbers cleared, every box, place and wire the canvas shows is what a scene
built afresh on the graph shows; and Undo and Redo bring back each state's file text byte
for byte (boxes fit a new output's name incrementally; pastes name a new implicit output)."""

from __future__ import annotations

import random

import pytest
from PySide6.QtCore import QPointF
from PySide6.QtWidgets import QApplication

from cgeditor.gui import clipboard
from cgeditor.model import files
from tests.gui.test_bulk_display import fresh, shown

NAMES = ("J", "w", "out", "a_rather_long_output_name_here", "q", "zz_long_name_x", "L")
KINDS = ("rename", "rename", "output", "add", "delete", "connect", "paste", "duplicate",
         "move", "undo", "undo", "redo", "run")


def _paste(window, rng: random.Random, duplicate: bool) -> None:
    graph, editor = window.graph, window.editor
    chosen = rng.sample(list(graph.nodes), min(len(graph.nodes), rng.randint(1, 4)))
    if duplicate:
        payload = clipboard.duplicate_payload(graph, chosen)
        if payload is not None:
            editor.paste_payload(payload, f"duplicate:{','.join(chosen)}", "Duplicated")
    else:
        text, _payload = clipboard.copy_nodes(graph, chosen)
        editor.paste_payload(clipboard.validate(text), text)


def _edit(window, rng: random.Random, kind: str) -> None:
    """One edit of ``kind`` through the editor, on what the graph holds now."""
    graph, editor = window.graph, window.editor
    ids = list(graph.nodes)
    if kind == "undo":
        editor.undo()
    elif kind == "redo":
        editor.redo()
    elif kind == "run":
        window.action("backward").trigger()
    elif kind == "add":
        editor.add_op(rng.choice(["neg", "add", "input", "tanh"]),
                      QPointF(rng.randint(-300, 1500), rng.randint(-300, 800)))
    elif not ids:
        return
    elif kind == "rename":
        output = graph.output
        editor.rename(output if output and rng.random() < 0.6 else rng.choice(ids),
                      rng.choice(NAMES))
    elif kind == "output":
        editor.set_output(rng.choice(ids))
    elif kind == "delete":
        editor.delete(rng.sample(ids, min(len(ids), rng.randint(1, 2))))
    elif kind == "connect" and len(ids) > 1:
        src, dst = rng.sample(ids, 2)
        ports = graph.nodes[dst].spec.inputs
        if ports:
            editor.connect(src, dst, rng.choice(ports))
    elif kind in ("paste", "duplicate"):
        _paste(window, rng, kind == "duplicate")
    elif kind == "move":
        node = graph.nodes[rng.choice(ids)]
        editor.move({node.id: ((node.x, node.y),
                               (float(rng.randint(-300, 1500)), float(rng.randint(-300, 800))))})
    QApplication.processEvents()


@pytest.mark.parametrize("seed", range(10))
def test_edits_show_what_a_fresh_scene_shows_and_undo_restores_the_file(window, seed) -> None:
    rng = random.Random(seed)
    done: list[str] = []
    stack = window.undo_stack
    texts: list[str | None] = [files.dumps(window.graph)]  # by undo index; None: not seen
    for _ in range(40):
        before, kind = stack.index(), rng.choice(KINDS)
        _edit(window, rng, kind)
        done.append(kind)
        now, text = stack.index(), files.dumps(window.graph)
        if kind in ("undo", "redo"):
            assert texts[now] in (None, text), done
        elif now > before:  # a run may push its room-making too: the step between unseen
            texts = [*texts[:before + 1], *[None] * (now - before - 1), text]
        else:
            texts[now] = text  # a move merged into the one before, or nothing changed
        if kind != "run":
            window.action("reset").trigger()
            assert shown(window.scene) == fresh(window.graph), done
    while stack.canUndo():
        stack.undo()
        assert texts[stack.index()] in (None, files.dumps(window.graph)), done
    while stack.canRedo():
        stack.redo()
        assert texts[stack.index()] in (None, files.dumps(window.graph)), done
