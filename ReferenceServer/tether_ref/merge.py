"""Conflict-free versioned state: per-key last-writer-wins with shadowing and tombstones.

A Python port of the rule in HELPERS.md / docs/PROTOCOL.md, written independently of the Swift
implementation so the two can be checked against each other (Fixtures/versioning/merge-vectors.json).

The collection is a tree of nodes. Each node carries the stamp of its last exact write and a kind:
an object (children), an atomic value (scalar or array), or a tombstone. A node that became an object
only because a newer write landed below it (an "implicit" object) remembers the write it replaced as
its *base*, so that re-applying surviving writes after a replacement is exact.

Stamps are wire strings ``"<15-digit ms>-<6-digit counter>-<replica>"``; fixed widths make string order
equal to tuple order. The zero stamp is ``""`` (older than every real stamp).
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from typing import Any, Iterator

STAMP_RE = re.compile(r"^[0-9]{15}-[0-9]{6}-[A-Za-z0-9_.:-]{1,64}$")
ZERO = ""

_MISSING = object()


def is_stamp(value: Any) -> bool:
    return isinstance(value, str) and STAMP_RE.match(value) is not None


def stamp_ms(stamp: str) -> int:
    return int(stamp[:15]) if stamp else 0


@dataclass(frozen=True)
class Write:
    """One versioned write: set(path, value) or remove(path), at `stamp`."""

    path: tuple[str, ...]
    stamp: str
    value: Any = _MISSING  # _MISSING means remove

    @property
    def is_remove(self) -> bool:
        return self.value is _MISSING


class Node:
    __slots__ = ("stamp", "kind", "value", "children", "base", "base_value")

    def __init__(self, stamp: str = ZERO):
        self.stamp = stamp
        self.kind = "o"  # "o" object, "a" atomic, "t" tombstone
        self.value: Any = None
        self.children: dict[str, Node] = {}
        # For objects: "explicit" (set of an object), "atomic"/"tomb" (converted from that write),
        # or "none" (created implicitly, zero stamp).
        self.base = "none"
        self.base_value: Any = None


class VersionedState:
    """The merge tree of one collection. `apply` is idempotent and order-independent."""

    def __init__(self) -> None:
        self.root = Node()

    # -- applying writes ---------------------------------------------------------------------

    def apply(self, write: Write) -> bool:
        """Applies one write; returns False when it was shadowed, older, or a duplicate."""
        node = self.root
        for token in write.path:
            if node.stamp and node.stamp >= write.stamp:
                return False  # an ancestor was replaced or removed at/after this write
            if node.kind != "o":
                self._convert(node)
            child = node.children.get(token)
            if child is None:
                child = Node()
                node.children[token] = child
            node = child
        if write.stamp <= node.stamp:
            return False
        old_children = node.children if node.kind == "o" else {}
        if write.is_remove:
            self._make_tombstone(node, write.stamp)
        else:
            self._assign(node, write.value, write.stamp)
        survivors: list[Write] = []
        for key, child in old_children.items():
            _collect(child, write.path + (key,), write.stamp, None, survivors)
        for survivor in survivors:
            self.apply(survivor)
        return True

    @staticmethod
    def _convert(node: Node) -> None:
        node.base = "atomic" if node.kind == "a" else "tomb"
        node.base_value = node.value
        node.kind = "o"
        node.value = None
        node.children = {}

    @staticmethod
    def _make_tombstone(node: Node, stamp: str) -> None:
        node.stamp = stamp
        node.kind = "t"
        node.value = None
        node.children = {}
        node.base = "none"
        node.base_value = None

    @classmethod
    def _assign(cls, node: Node, value: Any, stamp: str) -> None:
        node.stamp = stamp
        node.base_value = None
        if isinstance(value, dict):
            node.kind = "o"
            node.base = "explicit"
            node.value = None
            node.children = {}
            for key, member in value.items():
                child = Node()
                cls._assign(child, member, stamp)
                node.children[key] = child
        else:
            node.kind = "a"
            node.base = "none"
            node.value = copy.deepcopy(value)
            node.children = {}

    # -- reading -----------------------------------------------------------------------------

    def materialize(self) -> dict:
        """The collection state (always an object)."""
        value = _materialize(self.root)
        return value if isinstance(value, dict) else {}

    def writes(self) -> list[Write]:
        """The surviving writes, parents before children: re-applying them rebuilds this tree."""
        out: list[Write] = []
        for key, child in self.root.children.items():
            _collect(child, (key,), ZERO, None, out)
        return out

    def versions(self) -> dict[str, str]:
        """Pointer → stamp of every surviving write (tombstones included)."""
        from .jsonpatch import format_pointer

        return {format_pointer(list(w.path)): w.stamp for w in self.writes()}

    def max_stamp(self) -> str:
        best = ZERO
        for w in self.writes():
            if w.stamp > best:
                best = w.stamp
        return best

    def collect_tombstones(self, before_ms: int) -> int:
        """Forgets tombstones whose stamp time is before `before_ms` (the tombstone horizon)."""
        return _gc(self.root, before_ms)

    # -- persistence -------------------------------------------------------------------------

    def to_json(self) -> list:
        return [[list(w.path), w.stamp] + ([] if w.is_remove else [w.value]) for w in self.writes()]

    @classmethod
    def from_json(cls, data: list) -> "VersionedState":
        state = cls()
        for entry in data:
            path, stamp = tuple(entry[0]), entry[1]
            state.apply(Write(path, stamp, entry[2]) if len(entry) > 2 else Write(path, stamp))
        return state


def _materialize(node: Node) -> Any:
    if node.kind == "t":
        return _MISSING
    if node.kind == "a":
        return copy.deepcopy(node.value)
    out = {}
    for key, child in node.children.items():
        value = _materialize(child)
        if value is not _MISSING:
            out[key] = value
    return out


def _group_value(node: Node) -> Any:
    """The value of the write that created `node`: its members carrying the same stamp."""
    if node.kind == "a":
        return copy.deepcopy(node.value)
    if node.base == "atomic":
        return copy.deepcopy(node.base_value)
    if node.base == "tomb":
        return _MISSING
    out = {}
    for key, child in node.children.items():
        if child.stamp == node.stamp and child.kind != "t":
            value = _group_value(child)
            if value is not _MISSING:
                out[key] = value
    return out


def _collect(node: Node, path: tuple, floor: str, group: str | None, out: list[Write]) -> None:
    """Emits the writes in `node`'s subtree newer than `floor`, parents first."""
    if group is not None and node.stamp == group and node.kind != "t":
        inner = group  # an expanded member of the enclosing object write
    elif node.stamp and node.stamp > floor:
        if node.kind == "t":
            out.append(Write(path, node.stamp))
        else:
            out.append(Write(path, node.stamp, _group_value(node)))
        inner = node.stamp if (node.kind == "o" and node.base == "explicit") else None
    else:
        inner = None
    if node.kind == "o":
        for key, child in node.children.items():
            _collect(child, path + (key,), floor, inner, out)


def _gc(node: Node, before_ms: int) -> int:
    removed = 0
    for key in list(node.children):
        child = node.children[key]
        if child.kind == "t" and stamp_ms(child.stamp) < before_ms:
            del node.children[key]
            removed += 1
        elif child.kind == "o":
            removed += _gc(child, before_ms)
    return removed


# -- a direct, non-incremental evaluation of the rule (used by the property tests) ------------


def materialize_writes(writes: list[Write]) -> dict:
    """Evaluates materialize(root, floor=zero) straight from the definition over a set of writes."""
    unique = {(w.path, w.stamp, w.is_remove): w for w in writes}.values()
    value = _eval((), ZERO, list(unique))
    return value if isinstance(value, dict) else {}


def _eval(q: tuple, floor: str, writes: list[Write]) -> Any:
    n = len(q)
    relevant = [w for w in writes if w.path[:n] == q and w.stamp > floor]
    exact = [w for w in relevant if len(w.path) == n]
    r = max(exact, key=lambda w: w.stamp) if exact else None
    r_floor = max(floor, r.stamp) if r else floor
    below = [w for w in relevant if len(w.path) > n and w.stamp > r_floor]
    if r is not None and not r.is_remove and isinstance(r.value, dict):
        # members of V, stamped r.stamp, overlaid by what D materializes (floor r.stamp)
        members = [Write(q + (k,), r.stamp, v) for k, v in r.value.items()]
        return _object_from(q, r.stamp, members + below, members_floor=True)
    if not below:
        if r is None or r.is_remove:
            return _MISSING if q else {}
        return copy.deepcopy(r.value)
    return _object_from(q, r_floor, below)


def _object_from(q: tuple, floor: str, writes: list[Write], members_floor: bool = False) -> dict:
    n = len(q)
    keys: list[str] = []
    for w in writes:
        if w.path[n] not in keys:
            keys.append(w.path[n])
    out = {}
    for key in keys:
        sub = [w for w in writes if w.path[n] == key]
        # the object's own members carry exactly r.stamp; evaluate them with a floor just below it
        child_floor = ZERO if members_floor else floor
        value = _eval(q + (key,), child_floor, [w for w in sub if w.stamp >= floor or members_floor])
        if value is not _MISSING:
            out[key] = value
    return out


def iter_paths(node: Node, path: tuple = ()) -> Iterator[tuple]:
    yield path
    for key, child in node.children.items():
        yield from iter_paths(child, path + (key,))
