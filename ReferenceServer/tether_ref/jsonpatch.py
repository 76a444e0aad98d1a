"""RFC 6901 JSON Pointer and RFC 6902 JSON Patch, applied atomically.

Written from the RFCs for the reference server (no third-party package) so that the server is an
independent second implementation of what the Swift side does.
"""

from __future__ import annotations

import copy
import re
from typing import Any

_INDEX = re.compile(r"^(0|[1-9][0-9]*)$")


class PatchError(Exception):
    """A patch or pointer that cannot be applied; `code` is the wire reject code."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def parse_pointer(pointer: Any) -> list[str]:
    """Splits an RFC 6901 pointer into unescaped reference tokens."""
    if not isinstance(pointer, str):
        raise PatchError("invalid-path", "a path must be a string")
    if pointer == "":
        return []
    if not pointer.startswith("/"):
        raise PatchError("invalid-path", f"path {pointer!r} must be empty or start with '/'")
    tokens = []
    for raw in pointer[1:].split("/"):
        if re.search(r"~(?![01])", raw):
            raise PatchError("invalid-path", f"path {pointer!r} has an invalid '~' escape")
        tokens.append(raw.replace("~1", "/").replace("~0", "~"))
    return tokens


def format_pointer(tokens: list[str]) -> str:
    return "".join("/" + t.replace("~", "~0").replace("/", "~1") for t in tokens)


def json_equal(a: Any, b: Any) -> bool:
    """JSON equality: numbers by value, booleans distinct from numbers, objects unordered."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    if isinstance(a, str) and isinstance(b, str):
        return a == b
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(json_equal(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(json_equal(a[k], b[k]) for k in a)
    return False


def _array_index(token: str, array: list, *, allow_end: bool, pointer: str) -> int:
    if token == "-" and allow_end:
        return len(array)
    if not _INDEX.match(token):
        raise PatchError("invalid-path", f"{pointer}: {token!r} is not an array index")
    index = int(token)
    limit = len(array) if allow_end else len(array) - 1
    if index > limit:
        raise PatchError("path-not-found", f"{pointer}: index {index} is out of range")
    return index


def resolve(doc: Any, tokens: list[str], pointer: str = "") -> Any:
    """The value at `tokens`; raises PatchError(path-not-found) when absent."""
    node = doc
    for token in tokens:
        if isinstance(node, dict):
            if token not in node:
                raise PatchError("path-not-found", f"{pointer}: member {token!r} does not exist")
            node = node[token]
        elif isinstance(node, list):
            node = node[_array_index(token, node, allow_end=False, pointer=pointer)]
        else:
            raise PatchError("path-not-found", f"{pointer}: cannot descend into a scalar")
    return node


def _parent(doc: Any, tokens: list[str], pointer: str) -> Any:
    parent = resolve(doc, tokens[:-1], pointer)
    if not isinstance(parent, (dict, list)):
        raise PatchError("path-not-found", f"{pointer}: parent is not a container")
    return parent


def _add(doc: Any, tokens: list[str], value: Any, pointer: str) -> Any:
    if not tokens:
        return value
    parent = _parent(doc, tokens, pointer)
    if isinstance(parent, dict):
        parent[tokens[-1]] = value
    else:
        parent.insert(_array_index(tokens[-1], parent, allow_end=True, pointer=pointer), value)
    return doc


def _remove(doc: Any, tokens: list[str], pointer: str) -> tuple[Any, Any]:
    if not tokens:
        raise PatchError("invalid-path", "cannot remove the whole document")
    parent = _parent(doc, tokens, pointer)
    if isinstance(parent, dict):
        if tokens[-1] not in parent:
            raise PatchError("path-not-found", f"{pointer}: member {tokens[-1]!r} does not exist")
        return doc, parent.pop(tokens[-1])
    index = _array_index(tokens[-1], parent, allow_end=False, pointer=pointer)
    return doc, parent.pop(index)


_REQUIRED = {
    "add": ("path", "value"),
    "remove": ("path",),
    "replace": ("path", "value"),
    "move": ("from", "path"),
    "copy": ("from", "path"),
    "test": ("path", "value"),
}


def validate_op(op: Any) -> None:
    """Checks one operation's shape (not whether it applies)."""
    if not isinstance(op, dict):
        raise PatchError("invalid-op", "an operation must be an object")
    name = op.get("op")
    if name not in _REQUIRED:
        raise PatchError("invalid-op", f"unknown op {name!r}")
    for member in _REQUIRED[name]:
        if member not in op:
            raise PatchError("invalid-op", f"{name} needs {member!r}")
    parse_pointer(op["path"])
    if "from" in _REQUIRED[name]:
        parse_pointer(op["from"])


def apply_op(doc: Any, op: dict) -> Any:
    """Applies one validated operation in place where possible; returns the new document."""
    validate_op(op)
    name = op["op"]
    pointer = op["path"]
    tokens = parse_pointer(pointer)
    if name == "add":
        return _add(doc, tokens, copy.deepcopy(op["value"]), pointer)
    if name == "remove":
        return _remove(doc, tokens, pointer)[0]
    if name == "replace":
        resolve(doc, tokens, pointer)
        if not tokens:
            return copy.deepcopy(op["value"])
        doc, _ = _remove(doc, tokens, pointer)
        return _add(doc, tokens, copy.deepcopy(op["value"]), pointer)
    if name == "move":
        source = parse_pointer(op["from"])
        if source == tokens:
            resolve(doc, source, op["from"])
            return doc
        if tokens[: len(source)] == source:
            raise PatchError("invalid-op", f"cannot move {op['from']} into its own child {pointer}")
        doc, value = _remove(doc, source, op["from"])
        return _add(doc, tokens, value, pointer)
    if name == "copy":
        value = copy.deepcopy(resolve(doc, parse_pointer(op["from"]), op["from"]))
        return _add(doc, tokens, value, pointer)
    # test
    if not json_equal(resolve(doc, tokens, pointer), op["value"]):
        raise PatchError("test-failed", f"test at {pointer!r} failed")
    return doc


def apply_patch(doc: Any, ops: Any) -> Any:
    """Applies a whole patch atomically: returns a new document, or raises with `doc` untouched."""
    if not isinstance(ops, list):
        raise PatchError("invalid-op", "a patch must be an array of operations")
    result = copy.deepcopy(doc)
    for op in ops:
        result = apply_op(result, op)
    return result
