"""Straight-line code compiled in chunks, each chunk's code shared by every stretch of one shape.

CPython's compiler costs ~10 µs a line, whatever the line says. A long pass is therefore cut
into chunks of about CHUNK_LINES lines where its content says (as rsync and restic cut files): a
cut follows a line when a hash of it and the three before, spelled without slot numbers, falls on
one value in _CUT_EVERY, so an edit moves only the cuts next to it and the chunks further on
keep their text and their code. Each chunk is renamed canonically (its slots numbered in
order of first appearance; its buffer rows come counted from the chunk's first) and becomes a
function whose code object is compiled once per canonical text and kept. The repeated layers of a
network or a chain compile a handful of chunks whatever their number, and the pass itself is
a short driver calling them. The expressions and their order are those of one long function,
so the numbers are too.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Callable, Container, Generator, Mapping, Sequence
from dataclasses import dataclass
from itertools import count, repeat
from operator import itemgetter
from types import CodeType
from typing import Any

import numpy as np

# Long enough that a call per chunk costs little against its lines, a multiple of the common
# periods (2, 3, 4, 5, 6 lines a layer) so that repeated layers cut into identical chunks.
CHUNK_LINES = 60
# The names a generated line may hold: values v12, gradients g12 and partial sums g12_3, vjp
# results p12, bound constants k12 and the seed s0. Everything else in a line comes from the
# registry's templates, which never end a name so (codegen checks): the pattern then needs no
# word boundaries, which makes it several times faster.
SLOT = re.compile(r"([vgpks]\d[\d_]*)")
# Buffer rows, written out=R[3] (codegen): numbered through the pass, then from the first of
# their chunk by _canonical.
ROW = re.compile(r"out=R\[(\d+)\]")
# Cuts: no chunk shorter than _CUT_MIN lines unless it ends the pass; past _CUT_MAX lines without
# a cut, one every CHUNK_LINES (content that never cuts is then cut as fixed slices, which
# repeat with repeated layers). _CUT_EVERY is a power of two; chunks average ~55 lines.
_CUT_MIN, _CUT_MAX, _CUT_EVERY = 40, 2 * CHUNK_LINES, 16
_DIGITLESS = str.maketrans("", "", "0123456789")

# Code objects of recent sources, most recent last. Sources name slots and bound constants,
# never values, so one structure always spells the same source: undo, redo and re-opening a
# file reuse a whole pass, and repeated layers reuse their chunks.
_CODE: dict[tuple[str, str], CodeType] = {}
_CODE_KEPT = 16
_CHUNKS: dict[tuple[str, str], CodeType] = {}
_CHUNKS_KEPT = 512
# The drivers and chunk texts of recent long passes, so that a pass seen before is not cut
# and renamed again.
_DRIVERS: dict[tuple, Any] = {}


@dataclass(frozen=True)
class Body:
    """A pass as its builder spelled it: ``def run(…):``, the argument ``source`` unpacked
    into ``unpack`` (one name per element, ``_`` for unused ones), the body lines (each
    ``target = expression``) and the names returned, in order; ``buffered`` when the lines
    write rows of the buffer ``R`` (``out=R[k]``, k counted through the pass, each row
    written once, in the order of the lines)."""

    head: str
    source: str
    unpack: Sequence[str]
    lines: Sequence[str]
    results: Sequence[str]
    buffered: bool = False


def assemble(body: Body, namespace: dict[str, Any], kind: str) -> Generator[None, None, str]:
    """Define ``run`` in ``namespace``, returning ``body.results`` in order; return its source
    (the driver, then its chunks). A generator that pauses after cutting and renaming and
    after each chunk, so that a build can be spread over several runs (``codegen``). Raises
    what ``compile`` raises (SyntaxError, RecursionError, MemoryError, …)."""
    if len(body.lines) <= CHUNK_LINES:
        unpack = f"    {''.join(n + ', ' for n in body.unpack) or '()'} = {body.source}"
        ret = f"    return {''.join(n + ', ' for n in body.results) or '()'}"
        source = "\n".join([body.head, unpack, *body.lines, ret])
        exec(_kept(_CODE, _CODE_KEPT, source, kind), namespace)
        return source
    key = (body.head, body.source, tuple(body.unpack), "\n".join(body.lines), tuple(body.results))
    source, pieces, positions, getters = _remember(_DRIVERS, _CODE_KEPT, key,
                                                   lambda: _driver(body))
    for name, text in pieces:
        yield
        exec(_kept(_CHUNKS, _CHUNKS_KEPT, text, kind), namespace)
        namespace[name] = namespace.pop("chunk")
    for name, elements in getters.items():  # a chunk's arguments from body.source
        namespace[name] = itemgetter(*elements)
    if positions is not None:  # results out of order: picked at C speed
        namespace["pick"] = itemgetter(*positions) if len(positions) > 1 else \
            (lambda every, k=positions[0]: (every[k],))
    yield
    exec(_kept(_CODE, _CODE_KEPT, source, kind), namespace)
    return "\n\n".join([source, *(text for _, text in pieces)])


_Driver = tuple[str, list[tuple[str, str]], tuple[int, ...] | None, dict[str, list[int]]]


def _driver(body: Body) -> _Driver:
    """A driver calling one function per chunk (its source, and each chunk's name and text):
    chunk c returns the tuple ``t<c>`` of the names it assigns that are results or that
    later chunks read (a partial sum is usually neither: each returned name costs the
    compiler about half a line), and ``run`` returns them all (after the arguments'
    elements when some are results, and before results passed in unchanged, such as the
    seed s0), picking the results (positions, None when in order). A chunk's arguments
    from ``body.source`` come last, taken by one itemgetter ``u<c>`` (getters: their
    elements) when there are several: a subscript each cost the compiler ~6 µs."""
    source = {n: k for k, n in enumerate(body.unpack) if n != "_"}
    starts = _cuts(body.lines)
    cut = [_canonical(body.lines[start:end], body.buffered, source)
           for start, end in zip(starts, [*starts[1:], len(body.lines)])]
    wanted, made = set(body.results), []
    for _, params, assigned, _, _ in reversed(cut):
        made.append([n for n in assigned if n in wanted])
        wanted.update(params)
    made.reverse()
    # name -> (chunk, position) of the chunk result that holds it, filled at C speed
    chunk_of: dict[str, int] = {}
    index_of: dict[str, int] = {}
    driver, names, getters = [body.head], {}, {}
    for c, ((text, params, _, canon, rows), kept) in enumerate(zip(cut, made)):
        text += f"\n    return ({''.join([canon[n] + ', ' for n in kept])})"
        name = names.setdefault(text, f"c{len(names)}")
        outer = [source[p] for p in params if p in source]  # last, as _canonical put them
        args = [f"t{chunk_of[p]}[{index_of[p]}]" if p in chunk_of else p
                for p in params[:len(params) - len(outer)]]
        if len(outer) > 1:
            getters[f"u{c}"] = outer
            args.append(f"*u{c}({body.source})")
        elif outer:
            args.append(f"{body.source}[{outer[0]}]")
        if rows:
            args.append(f"R[{rows[0]}:{rows[1]}]")
        driver.append(f"    t{c} = {name}({', '.join(args)})")
        chunk_of.update(zip(kept, repeat(c)))
        index_of.update(zip(kept, count()))
    positions, every = _returned(body, source, made)
    chunks = [(n, t) for t, n in names.items()]
    if positions == tuple(range(len(positions))):
        driver.append(f"    return {every}")
        return "\n".join(driver), chunks, None, getters
    driver.append(f"    return pick({every})")
    return "\n".join(driver), chunks, positions, getters


def _returned(body: Body, source: Mapping[str, int], made: Sequence[Sequence[str]],
              ) -> tuple[tuple[int, ...], str]:
    """What ``run`` returns: every chunk's tuple spread (after the argument's elements when
    some are results, before results passed in unchanged, such as the seed s0), and the
    position of each of ``body.results`` in it."""
    parts, offset = [], {}
    if not set(body.results).isdisjoint(source):
        parts.append(f"*{body.source}")
        offset.update(source)
    size = len(body.unpack) if parts else 0
    for c, assigned in enumerate(made):  # a name assigned again later is taken from there
        parts.append(f"*t{c}")
        offset.update(zip(assigned, count(size)))
        size += len(assigned)
    for n in dict.fromkeys(body.results):
        if n not in offset:
            offset[n], size = size, size + 1
            parts.append(n)
    return tuple(map(offset.__getitem__, body.results)), f"({', '.join(parts)},)"


def _cuts(lines: Sequence[str]) -> list[int]:
    """Where each chunk of ``lines`` starts (0 first): after each line whose hash, with the three
    lines before it, spelled without digits (slots, rows and constants are numbered by
    position), falls on 0 modulo _CUT_EVERY, within _CUT_MIN and _CUT_MAX. zlib's crc32, not
    the salted hash(), so that every process cuts alike and kept code stays shared."""
    text = "\n".join(lines).translate(_DIGITLESS).encode()
    h = np.fromiter(map(zlib.crc32, text.split(b"\n")), np.uint64, len(lines))
    # odd multipliers mix the four lines' hashes; the sum wraps modulo 2**64 by design
    mixed = h[3:] * 0x9E3779B1 + h[2:-1] * 0x85EBCA77 + h[1:-2] * 0xC2B2AE3D + h[:-3]
    ends = np.flatnonzero((mixed >> np.uint64(24)) % _CUT_EVERY == 0) + 4
    starts, last = [0], 0
    for end in [*ends.tolist(), len(lines)]:
        while end - last > _CUT_MAX:
            last += CHUNK_LINES
            starts.append(last)
        if end - last >= _CUT_MIN and end < len(lines):
            last = end
            starts.append(end)
    return starts


def _canonical(chunk: Sequence[str], buffered: bool, outer: Container[str],
               ) -> tuple[str, list[str], list[str], dict[str, str], tuple[int, int] | None]:
    """``chunk`` as a function of canonical names (n0, n1, … in order of first appearance)
    and, when it writes rows of the buffer, of ``R``, its slice of the buffer: the function's
    text up to its return, the names it reads from before it (its arguments, those in
    ``outer`` last), those it assigns, the canonical name of each, and the rows it writes,
    [first, end) (None if none).

    Each line assigns one name and every name is assigned once (the builders write them so),
    so the names the chunk does not assign come from before it."""
    pieces = SLOT.split("\n".join(chunk))
    tokens = pieces[1::2]
    names = list(dict.fromkeys(tokens))  # in order of first appearance
    canon = dict(zip(names, _numbered(len(names))))
    assigned = [line[4:line.index(" = ")] for line in chunk]
    own = set(assigned)
    params = [t for t in names if t not in own and t not in outer]
    params += [t for t in names if t not in own and t in outer]
    pieces[1::2] = map(canon.__getitem__, tokens)
    text, rows = "".join(pieces), None
    pieces = ROW.split(text) if buffered else []
    if len(pieces) > 1:  # numbered from the chunk's first row, so repeated layers spell one text
        numbers = list(map(int, pieces[1::2]))
        rows = numbers[0], numbers[-1] + 1
        pieces[1::2] = [f"out=R[{n - rows[0]}]" for n in numbers]
        text = "".join(pieces)
    head = f"def chunk({', '.join([*map(canon.__getitem__, params), *(['R'] if rows else [])])}):"
    return f"{head}\n{text}", params, assigned, canon, rows


_NAMES: list[str] = []


def _numbered(count: int) -> list[str]:
    """n0 … n<count - 1>, made once."""
    while len(_NAMES) < count:
        _NAMES.append(f"n{len(_NAMES)}")
    return _NAMES[:count]


def forget() -> None:
    """Drop every kept code object and driver, so the next build runs CPython's compiler
    (for benchmarks of a cold build)."""
    for cache in (_CODE, _CHUNKS, _DRIVERS):
        cache.clear()


def _kept(cache: dict[Any, Any], kept: int, source: str, kind: str) -> CodeType:
    return _remember(cache, kept, (kind, source),
                     lambda: compile(source, f"<cgeditor plan, {kind}>", "exec"))


def _remember(cache: dict[Any, Any], kept: int, key: Any, make: Callable[[], Any]) -> Any:
    """``cache[key]``, made first if missing; the ``kept`` most recently used entries stay."""
    found = cache.pop(key, None)
    if found is None:
        found = make()
    cache[key] = found  # most recent last
    while len(cache) > kept:
        del cache[next(iter(cache))]
    return found
