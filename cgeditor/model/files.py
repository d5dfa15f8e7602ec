"""Reading and writing .cgraph files: canonical JSON out, a refusing pipeline in, atomic saves.

Loading yields a whole valid Graph or one LoadError (files_parse: bytes to data; files_build:
data to Graph). Nothing in a file is ever executed.
"""

from __future__ import annotations

import errno
import json
import math
import os
import stat
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from cgeditor.model import collector, files_parse
from cgeditor.model.atomic import replace_atomically
from cgeditor.model.errors import LoadError
from cgeditor.model.files_build import (
    FORMAT_NAME,
    FORMAT_VERSION,
    check_meta,
    coordinate_bounds,
    data_to_graph,
)
from cgeditor.model.graph import Graph

__all__ = ["FORMAT_NAME", "FORMAT_VERSION", "data_text", "data_to_graph", "dumps",
           "edges_among", "encode_line", "graph_to_data", "load", "loads", "node_data",
           "rows_text", "savable", "save", "save_text", "written_position",
           "written_positions"]


# --- writing ------------------------------------------------------------------------------
def graph_to_data(graph: Graph, ids: Iterable[str] | None = None) -> dict[str, Any]:
    """Plain JSON data for ``graph``: nodes in insertion order, edges by (target, port).
    With ``ids``, the file those nodes (in that order) and the edges among them make on
    their own, as if built into a new graph: no output, no meta (what Copy puts out)."""
    nodes = graph.nodes
    chosen = list(nodes) if ids is None else [i for i in dict.fromkeys(ids) if i in nodes]
    edges = edges_among(graph, chosen)
    whole = ids is None
    return {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "nodes": [node_data(nodes[node_id]) for node_id in chosen],
        "edges": [{"from": s, "to": d, "port": p} for s, d, p in edges],
        "output": graph.explicit_output if whole else None,
        "meta": dict(graph.meta) if whole else {},
    }


def edges_among(graph: Graph, chosen: list[str]) -> list[tuple[str, str, str]]:
    """The edges (src, dst, port) between the nodes ``chosen`` (distinct ids), in the order
    a file lists them: by their target's place in ``chosen``, then by the port's place on
    it. Read port by port in that order: no sort of 2·10^4 edges by a key per edge."""
    nodes, inputs = graph.nodes, graph.input_map()
    among = set(chosen)
    return [(src, dst, port) for dst in chosen for port in nodes[dst].ports
            if (src := inputs.get((dst, port))) is not None and src in among]


def node_data(node: Any) -> dict[str, Any]:
    """One node's entry in the file, as plain JSON data."""
    data: dict[str, Any] = {"id": node.id, "op": node.op, "name": node.name,
                            "x": written_position(node.x), "y": written_position(node.y)}
    if node.spec.attrs:
        data["attrs"] = {k: _number(v) for k, v in node.attrs.items()}
    if node.spec.is_leaf:
        data["value"] = _plain_value(node.value)
    if node.is_input:
        data["trainable"] = bool(node.trainable)
    return data


def written_position(x: float) -> Any:
    """A node's x or y as a file writes it (the loader reads back exactly this)."""
    # Positions are only layout, but the file must load again: a non-finite one (a canvas bug)
    # is written as 0, and one past the schema's bound (parting or pasting near the edge) as the
    # bound, so the node stays at the edge where it was rather than jumping to the origin.
    x = float(x)
    if not math.isfinite(x):  # math, not numpy: 2·10^4 positions when 10^4 nodes are copied
        return 0
    low, high = coordinate_bounds()
    return _number(min(max(x, low), high))


def written_positions(xs: list[float]) -> list[float]:
    """float(written_position(x)) of each of ``xs``: one numpy pass when all are already
    what is written (finite, within the bounds), else each in turn."""
    low, high = coordinate_bounds()
    arr = np.asarray(xs, dtype=np.float64)
    if arr.size == 0 or (np.isfinite(arr).all() and low <= arr.min() and arr.max() <= high):
        return arr.tolist()  # a whole float written as an int reads back as the same float
    return [float(written_position(x)) for x in xs]


def _number(x: Any) -> Any:
    """Whole floats as ints (``2`` not ``2.0``) so files read naturally; -0.0 keeps its sign."""
    if x is None or isinstance(x, (bool, int)):
        return x
    x = float(x)
    if x.is_integer() and abs(x) < 2**53 and not (x == 0 and np.signbit(x)):
        return int(x)
    return x


def _plain_value(value: Any) -> Any:
    if value is None:
        return 0
    arr = np.asarray(value, dtype=np.float64)
    if arr.ndim == 0:
        return _number(arr)
    whole = (arr == np.trunc(arr)) & (np.abs(arr) < 2**53) & ~((arr == 0) & np.signbit(arr))
    mixed = arr.astype(object)
    mixed[whole] = arr[whole].astype(np.int64).tolist()
    return mixed.tolist()


# One encoder for every line: json.dumps with options builds a new one per call.
encode_line = json.JSONEncoder(sort_keys=True, ensure_ascii=False, allow_nan=False,
                           separators=(", ", ": ")).encode


def dumps(graph: Graph, ids: Iterable[str] | None = None) -> str:
    """Canonical text: sorted keys, shortest float repr, one node or edge per line. With
    ``ids``, the text of those nodes and the edges among them alone (see graph_to_data)."""
    with collector.paused():  # 10^4 node dicts that all outlive the text
        return data_text(graph_to_data(graph, ids))


def data_text(data: dict[str, Any]) -> str:
    """The canonical text of ``data`` (as graph_to_data spells a graph)."""
    with collector.paused():  # 10^4 lines that all outlive the loop
        rows = {key: [encode_line(item) for item in value] for key, value in data.items()
                if isinstance(value, list) and value}
        return rows_text(data, rows)


def rows_text(data: dict[str, Any], rows: dict[str, list[str]]) -> str:
    """The canonical text of ``data`` whose lists are already encoded, one line per item, in
    ``rows`` (by key): the file's layout, spelled once for data_text and files_text."""
    lines = ["{"]
    items = sorted(data.items())
    for k, (key, value) in enumerate(items):
        comma = "," if k < len(items) - 1 else ""
        if rows.get(key):
            body = ",\n".join(f"    {line}" for line in rows[key])
            lines.append(f"  {encode_line(key)}: [\n{body}\n  ]{comma}")
        else:
            lines.append(f"  {encode_line(key)}: {encode_line(value)}{comma}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def save(graph: Graph, path: str | os.PathLike[str], backup: bool = False) -> None:
    """Write ``graph`` to ``path`` atomically; on failure raise OSError (EFBIG for a file
    too large to open again) and leave the old file byte-identical. ``backup`` keeps the
    previous version as ``<path>.bak``."""
    savable(graph)
    save_text(dumps(graph), path, backup)  # everything that can fail in memory fails first


def savable(graph: Graph) -> None:
    """Raise OSError (EINVAL) with the reason when a file of ``graph`` would not open again:
    its meta (set by a script) breaks the file's rules. The nodes' own fields were checked
    as they were set; the file's size is checked as it is written (save_text)."""
    try:
        check_meta(graph.meta, "the graph")
    except LoadError as exc:
        raise OSError(errno.EINVAL, f"{exc.reason} at {exc.location}, so the file could not "
                                    "be opened again") from None


def save_text(text: str, path: str | os.PathLike[str], backup: bool = False) -> None:
    """As save, for a graph's ``text`` already made (by dumps or files_text.FileText). A
    text past the size load accepts is not written (OSError EFBIG): a saved file must
    open again."""
    payload = text.encode("utf-8")
    if len(payload) > files_parse.MAX_FILE_BYTES:
        raise OSError(errno.EFBIG, files_parse.save_size_reason(len(payload)))
    target = Path(os.path.realpath(path))  # through a symlink, so the link stays a link
    if backup and target.exists():
        replace_atomically(target.with_name(target.name + ".bak"), target.read_bytes(), target)
    replace_atomically(target, payload, target)


# --- reading ------------------------------------------------------------------------------
def loads(text: str | bytes, filename: str = "<string>") -> Graph:
    """A whole valid Graph from file contents, or one LoadError naming file, reason, place."""
    try:
        with collector.paused():
            return data_to_graph(files_parse.parse_bytes(text, filename), filename)
    except (LoadError, MemoryError):  # out of memory is not a bug in the file or in us
        raise
    except Exception as exc:  # a bug must still reach the user as a refusal, not a crash
        raise LoadError(filename, f"unexpected problem while reading (a bug in cgeditor): "
                                  f"{type(exc).__name__}: {exc}") from exc


def load(path: str | os.PathLike[str]) -> Graph:
    """Read a .cgraph file; LoadError for unreadable, oversized or invalid files, and at once
    for a path that is not a regular file (a FIFO would block forever, a device never end)."""
    filename = os.fspath(path)
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer before it can be refused.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            os.close(fd)
            raise LoadError(filename, f"not a regular file ({_file_kind(info.st_mode)})")
        with os.fdopen(fd, "rb") as stream:
            if info.st_size > files_parse.MAX_FILE_BYTES:
                raise LoadError(filename, files_parse.size_reason(info.st_size))
            raw = stream.read(files_parse.MAX_FILE_BYTES + 1)  # the size may grow meanwhile
    except OSError as exc:
        raise LoadError(filename, f"cannot read the file: {exc.strerror or exc}") from None
    return loads(raw, filename)


def _file_kind(mode: int) -> str:
    kinds = [(stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a device"),
             (stat.S_ISBLK, "a device"), (stat.S_ISSOCK, "a socket")]
    return next((name for test, name in kinds if test(mode)), "a special file")
