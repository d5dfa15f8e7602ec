"""Node names and ids: what makes a valid name, how a free name or id is picked, and the
Naming part of Graph that keeps them.

A name must be a Python identifier that exported code can use as is: no keyword, nothing
reserved, no character Python would read as another; and no two nodes share one.
"""

from __future__ import annotations

import keyword
import unicodedata
from collections.abc import Collection, Container, Iterable, Iterator
from functools import lru_cache

from cgeditor.model.errors import InvalidNameError, NameTakenError, UnknownNodeError
from cgeditor.model.node import MAX_NAME_LENGTH, RESERVED_NAMES, Node

_KEYWORDS = frozenset(keyword.kwlist)  # what keyword.iskeyword tests, as a set


def check_name(name: object) -> None:
    """Raise InvalidNameError unless ``name`` is a valid name (taken or not)."""
    if isinstance(name, str) and len(name) > MAX_NAME_LENGTH:  # the file schema's limit
        raise InvalidNameError(f"a name has at most {MAX_NAME_LENGTH} characters, "
                               f"not {len(name):,}")
    if not isinstance(name, str) or not name.isidentifier() or keyword.iskeyword(name):
        raise InvalidNameError(f"{name!r} is not a valid name: use letters, digits and _, "
                               "not starting with a digit")
    problem = confusable_name_problem(name)
    if problem:
        raise InvalidNameError(problem)
    if name in RESERVED_NAMES:
        raise InvalidNameError(f"{name!r} is reserved for exported code")


def confusable_name_problem(name: str) -> str | None:
    """Why ``name`` cannot be a name because Python would read it as another (ℌ as H, a
    full-width ｗ as w), or None. ASCII is its own NFKC form: skipped for 10k-node loads."""
    if name.isascii():
        return None
    plain = unicodedata.normalize("NFKC", name)
    if plain == name:
        return None
    return f"{name!r} is not a valid name: Python reads it as {plain!r}"


def all_plainly_valid(names: Collection[str]) -> bool:
    """Whether every one of ``names`` passes check_name, answered by whole-set passes in C
    (a 10k paste's names). False also where only check_name can tell: a name that is not
    a plain str, or not ASCII (it may read as another)."""
    return (set(map(type, names)) <= {str} and all(map(str.isascii, names))
            and all(map(str.isidentifier, names))
            and max(map(len, names), default=0) <= MAX_NAME_LENGTH
            and RESERVED_NAMES.isdisjoint(names) and _KEYWORDS.isdisjoint(names))


def usable(name: str) -> bool:
    """A name exported code can use: an identifier that is no keyword and not reserved."""
    return name.isidentifier() and not keyword.iskeyword(name) and name not in RESERVED_NAMES


def name_stem(base: str) -> str:
    """What names made from ``base`` are numbered after: ``base`` without its trailing
    digits, shortened to leave room for the number; "n" if that is not a usable name."""
    return _usable_stem(base.rstrip("0123456789")[:MAX_NAME_LENGTH - 12] or "n")


@lru_cache(maxsize=1024)
def _usable_stem(stem: str) -> str:
    """``stem``, or "n" if it is not a usable name: asked once per stem, not per name."""
    return stem if usable(stem) else "n"


def free_names(stem: str, hint: dict[str, int], taken: Container[str],
               also: Container[str] = ()) -> Iterator[str]:
    """stem1, stem2, … that are in neither ``taken`` nor ``also`` as each is asked for
    (the caller takes each before asking for the next), from where ``hint`` says the last
    search for ``stem`` ended; ``hint`` moves on with each.

    So N generated names cost O(N); like a deleted node's name, a name picked for an
    undone paste is not reused."""
    k = hint.get(stem, 1)
    while True:
        name = f"{stem}{k}"
        if name not in taken and name not in also:  # containers: 10^4 names a paste
            hint[stem] = k
            yield name
        k += 1


def numbered_name(base: str, hint: dict[str, int], taken: Container[str],
                  also: Container[str] = ()) -> str:
    """The first of free_names for ``base``'s stem (see name_stem): mul1, mul2, …"""
    return next(free_names(name_stem(base), hint, taken, also))


class Naming:
    """Graph's names and ids: lookups by name, checks, and free names and ids to pick. A
    mixin: Graph provides ``nodes``, ``_by_name`` (name -> id), ``_name_hint`` (see
    numbered_name) and ``_id_counter``."""

    nodes: dict[str, Node]
    _by_name: dict[str, str]
    _name_hint: dict[str, int]
    _id_counter: int

    def by_name(self, name: str) -> Node:
        """The node called ``name``; UnknownNodeError if there is none."""
        try:
            return self.nodes[self._by_name[name]]
        except KeyError:
            raise UnknownNodeError(f"there is no node named {name!r}") from None

    def has_name(self, name: str) -> bool:
        """Whether a node is called ``name``."""
        return name in self._by_name

    def names(self, ids: Iterable[str]) -> list[str]:
        """The names of the nodes ``ids``, in that order."""
        return [self.nodes[i].name for i in ids]

    def validate_name(self, name: str, node_id: str | None = None) -> None:
        """Raise InvalidNameError for a name no node may have, NameTakenError for one
        another node than ``node_id`` has."""
        check_name(name)
        owner = self._by_name.get(name)
        if owner is not None and owner != node_id:
            raise NameTakenError(f"another node is already named {name!r}")

    def unique_name(self, base: str) -> str:
        """``base`` if it is a free, valid name, else base1, base2, … (names for several
        nodes added together: unique_names)."""
        if base not in self._by_name and usable(base):
            return base
        return self.generated_name(base)

    def unique_names(self, bases: Iterable[str]) -> list[str]:
        """Names for nodes added together (a paste): each keeps its base where that is a free,
        valid name (the first of equal ones), the rest take numbered names that neither the
        graph nor a kept base has. Pasted h and h1 over a graph's h are named h2 and h1, not
        h1 and h2 (the node called h1 would lose its name to another). O(1) a name."""
        bases = list(bases)
        taken: set[str] = set()
        for base in bases:
            if base not in self._by_name and base not in taken and usable(base):
                taken.add(base)
        kept = set(taken)
        names = []
        by_name, hint = self._by_name, self._name_hint
        runs: dict[str, Iterator[str]] = {}  # one search per stem, resumed for each name
        for base in bases:
            if base in kept:
                name = base
            else:
                stem = name_stem(base)
                run = runs.get(stem) or runs.setdefault(
                    stem, free_names(stem, hint, by_name, taken))
                name = next(run)
            kept.discard(name)  # a later equal base is numbered
            taken.add(name)
            names.append(name)
        return names

    def generated_name(self, base: str, taken: set[str] | None = None) -> str:
        """A numbered name that is free (and not in ``taken``): mul1, mul2, … (new nodes of
        an op are named so)."""
        return numbered_name(base, self._name_hint, self._by_name,
                             () if taken is None else taken)

    def skip_ids(self, ids: Iterable[str]) -> None:
        """``new_id`` never gives one of ``ids`` (those of a file's nodes), even after their
        node is deleted: a new node must not pass for a deleted one wherever a kept result
        or check names nodes by id."""
        # Only ids new_id could reach: a 60-digit one would make the next id too long to save.
        numbers = [int(i[1:]) for i in ids
                   if i[:1] == "n" and len(i) <= 16 and i[1:].isascii() and i[1:].isdigit()]
        self._id_counter = max([self._id_counter, *numbers])

    def new_id(self) -> str:
        """A node id no node has had in this graph (n1, n2, …)."""
        return self.new_ids(1)[0]

    def new_ids(self, count: int) -> list[str]:
        """``count`` node ids, those ``count`` calls of new_id would give (a paste's)."""
        ids: list[str] = []
        k, nodes = self._id_counter, self.nodes
        while len(ids) < count:
            k += 1
            candidate = f"n{k}"
            if candidate not in nodes:
                ids.append(candidate)
        self._id_counter = k
        return ids
