"""The transport-independent protocol core: collections, seq/epoch log, dedup, merge, fan-out.

Every method here is synchronous and runs on the event loop thread, so a mutation (validate, merge,
commit, broadcast) is atomic with respect to every other frame, and a subscriber's replay and its
registration for live patches happen at one instant (nothing can slip in between).
"""

from __future__ import annotations

import asyncio
import copy
import json
import re
import secrets
import time
from collections import deque
from typing import Any, Protocol

from .clock import HybridClock
from .faults import Faults
from .jsonpatch import PatchError, apply_op, format_pointer, parse_pointer, resolve, validate_op
from .merge import VersionedState, Write, is_stamp, stamp_ms
from .store import Store

PROTOCOL_VERSION = 1
CLIENT_RE = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
COLLECTION_RE = re.compile(r"^[A-Za-z0-9_.:-]{1,128}$")
EPOCH_RE = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
_REMOVE = object()


def canonical(value: Any) -> str:
    """Canonical serialization: sorted keys, compact, UTF-8 (non-ASCII not escaped)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


class Reject(Exception):
    def __init__(self, code: str, reason: str):
        super().__init__(reason)
        self.code = code
        self.reason = reason


class Sink(Protocol):
    """A live connection that receives frames (WebSocket or SSE stream)."""

    client: str | None

    def deliver(self, frame: dict) -> None: ...

    def shutdown(self, code: str, reason: str, retry_after_ms: int | None, abrupt: bool) -> None: ...


# -- cursors ---------------------------------------------------------------------------------


def parse_cursor_string(text: str | None) -> dict[str, tuple[str, int]]:
    """`todos=e1:42,notes=e1:7` → {"todos": ("e1", 42), ...}; malformed parts are ignored."""
    out: dict[str, tuple[str, int]] = {}
    if not text:
        return out
    for part in text.split(","):
        name, eq, position = part.strip().partition("=")
        epoch, colon, seq = position.rpartition(":")
        if eq and colon and COLLECTION_RE.match(name) and EPOCH_RE.match(epoch) and seq.isdigit():
            out[name] = (epoch, int(seq))
    return out


def format_cursor_string(cursors: dict[str, tuple[str, int]]) -> str:
    return ",".join(f"{name}={epoch}:{seq}" for name, (epoch, seq) in cursors.items())


def parse_cursor_object(value: Any) -> tuple[str, int] | None:
    """A wire cursor `{"epoch": "e1", "seq": 42}` or null; raises Reject on a malformed one."""
    if value is None:
        return None
    if (not isinstance(value, dict) or not isinstance(value.get("epoch"), str)
            or not is_int(value.get("seq")) or value["seq"] < 0):
        raise Reject("invalid-frame", "a cursor is {\"epoch\": string, \"seq\": integer >= 0} or null")
    return value["epoch"], value["seq"]


# -- collections -----------------------------------------------------------------------------


class Collection:
    def __init__(self, name: str, seq: int = 0, floor: int = 0, checkpoint_seq: int = 0,
                 tree: VersionedState | None = None):
        self.name = name
        self.seq = seq
        self.floor = floor
        self.checkpoint_seq = checkpoint_seq
        self.tree = tree or VersionedState()
        self._state: dict | None = None
        self.persisted = False

    @property
    def state(self) -> dict:
        if self._state is None:
            self._state = self.tree.materialize()
        return self._state

    def invalidate(self) -> None:
        self._state = None


class Hub:
    def __init__(self, store: Store, *, epoch: str | None = None, history: int = 1000,
                 heartbeat_ms: int = 15000, faults: Faults | None = None,
                 tombstone_horizon_ms: int = 24 * 3600 * 1000, max_skew_ms: int = 24 * 3600 * 1000,
                 checkpoint_every: int = 100, mailbox_limit: int = 1000):
        self.store = store
        self.history = max(1, history)
        self.heartbeat_ms = heartbeat_ms
        self.faults = faults or Faults()
        self.tombstone_horizon_ms = tombstone_horizon_ms
        self.max_skew_ms = max_skew_ms
        self.checkpoint_every = checkpoint_every
        self.mailbox_limit = mailbox_limit
        self.server_id = store.meta("server_id")
        if self.server_id is None:
            self.server_id = "ref-" + secrets.token_hex(4)
            store.set_meta("server_id", self.server_id)
        self.clock = HybridClock(self.server_id)
        self.collections: dict[str, Collection] = {}
        self.subscribers: dict[str, set[Sink]] = {}
        self.sinks: set[Sink] = set()
        self.mailboxes: dict[str, Mailbox] = {}
        self.highest: dict[str, int] = dict(store.highest())
        self._changed = asyncio.Event()
        self._last_gc = 0.0
        self._load()
        stored = store.meta("epoch")
        if stored is None:
            self.epoch = epoch or "e" + secrets.token_hex(4)
            store.set_meta("epoch", self.epoch)
        elif epoch is not None and epoch != stored:
            self.epoch = stored
            self.new_epoch(epoch)
        else:
            self.epoch = stored

    # -- loading and epochs ------------------------------------------------------------------

    def _load(self) -> None:
        for name, seq, floor, checkpoint_seq, checkpoint in self.store.collections():
            tree = VersionedState.from_json(checkpoint)
            for frame in self.store.log_after(name, checkpoint_seq):
                for op in frame.get("ops", []):
                    tree.apply(_write_from_op(op))
            self.collections[name] = Collection(name, seq, floor, checkpoint_seq, tree)
            self.collections[name].persisted = True
            self.clock.observe(tree.max_stamp())

    def new_epoch(self, epoch: str | None = None, keep_state: bool = True) -> str:
        """Starts a new epoch: history is forgotten, seqs restart at 0, every client gets a snapshot."""
        if epoch is not None and not EPOCH_RE.match(epoch):
            raise ValueError(f"invalid epoch name {epoch!r}")
        new = epoch or "e" + secrets.token_hex(4)
        while new == self.epoch:
            new = "e" + secrets.token_hex(4)
        self.store.begin()
        try:
            self.store.clear_log()
            for c in self.collections.values():
                if not keep_state:
                    c.tree = VersionedState()
                    c.invalidate()
                c.seq = c.floor = c.checkpoint_seq = 0
                c.persisted = True
                self.store.save_collection(c.name, 0, 0, 0, c.tree.to_json())
            self.store.set_meta("epoch", new)
            self.store.commit()
        except BaseException:
            self.store.rollback()
            raise
        self.epoch = new
        self._notify()
        return new

    def collection(self, name: str, create: bool = True) -> Collection | None:
        c = self.collections.get(name)
        if c is None and create:
            c = Collection(name)
            self.collections[name] = c
        return c

    # -- frames out --------------------------------------------------------------------------

    def welcome(self) -> dict:
        return {"type": "welcome", "protocol": PROTOCOL_VERSION, "server": self.server_id,
                "heartbeat": self.heartbeat_ms, "epoch": self.epoch}

    def snapshot(self, name: str) -> dict:
        c = self.collection(name)
        return {"type": "snapshot", "collection": name, "epoch": self.epoch, "seq": c.seq,
                "state": copy.deepcopy(c.state), "versions": c.tree.versions()}

    def catch_up(self, name: str, cursor: tuple[str, int] | None, limit: int | None = None) -> list[dict]:
        """What a subscriber at `cursor` needs: the missed patches, or a snapshot when they're gone."""
        c = self.collection(name)
        if cursor is None or cursor[0] != self.epoch or cursor[1] > c.seq or cursor[1] < c.floor:
            return [self.snapshot(name)]
        if cursor[1] == c.seq:
            return []
        return self.store.log_after(name, cursor[1], limit)

    def subscribe(self, sink: Sink, name: str, cursor: tuple[str, int] | None) -> None:
        for frame in self.catch_up(name, cursor):
            sink.deliver(frame)
        self.subscribers.setdefault(name, set()).add(sink)

    def unsubscribe(self, sink: Sink, name: str | None = None) -> None:
        names = [name] if name else list(self.subscribers)
        for n in names:
            self.subscribers.get(n, set()).discard(sink)

    def attach(self, sink: Sink) -> None:
        self.sinks.add(sink)

    def detach(self, sink: Sink) -> None:
        self.sinks.discard(sink)
        self.unsubscribe(sink)
        for box in self.mailboxes.values():
            box.live.discard(sink)

    def _broadcast(self, name: str, frame: dict) -> None:
        for sink in list(self.subscribers.get(name, ())):
            sink.deliver(frame)
        self._notify()

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    async def wait_change(self, timeout: float) -> None:
        try:
            await asyncio.wait_for(self._changed.wait(), timeout)
        except asyncio.TimeoutError:
            pass

    def change_event(self) -> asyncio.Event:
        return self._changed

    # -- mailboxes (replies for SSE / long-polling clients, who post their frames) ------------

    def mailbox(self, client: str) -> "Mailbox":
        box = self.mailboxes.get(client)
        if box is None:
            box = Mailbox(self.mailbox_limit)
            self.mailboxes[client] = box
        box.touched = time.monotonic()
        if len(self.mailboxes) > 10000:
            oldest = min(self.mailboxes, key=lambda k: self.mailboxes[k].touched)
            del self.mailboxes[oldest]
        return box

    def post(self, client: str, frame: dict) -> None:
        self.mailbox(client).put(frame)
        self._notify()

    # -- mutations ---------------------------------------------------------------------------

    def mutate(self, frame: dict, default_client: str | None = None) -> list[dict]:
        """Handles a `mutate` frame; returns the reply frames for its sender (ack/reject/error)."""
        client = frame.get("client", default_client)
        mutation = frame.get("mutation")
        name = frame.get("collection")
        if not isinstance(client, str) or not CLIENT_RE.match(client):
            return [error_frame("invalid-frame", "mutate needs a valid \"client\" id")]
        if not is_int(mutation) or mutation < 0:
            return [error_frame("invalid-frame", "mutate needs an integer \"mutation\" id >= 0")]
        highest = self.highest.get(client)
        if highest is not None and mutation <= highest:
            return [self._duplicate(client, mutation)]
        try:
            if not isinstance(name, str) or not COLLECTION_RE.match(name):
                raise Reject("invalid-frame", "mutate needs a valid \"collection\" name")
            ops = frame.get("ops")
            if not isinstance(ops, list) or not ops:
                raise Reject("invalid-op", "\"ops\" must be a non-empty array")
            c = self.collection(name)
            stamped = [isinstance(op, dict) and "stamp" in op for op in ops]
            if all(stamped):
                writes = self._versioned_writes(ops)
                wire_ops = [_op_from_write(w) for w in writes]
            elif not any(stamped):
                writes = self._plain_writes(c, ops)
                wire_ops = [_op_from_write(w) for w in writes]
            else:
                raise Reject("mixed-ops", "a mutation's ops must all carry stamps or none may")
        except Reject as r:
            reply = {"type": "reject", "client": client, "mutation": mutation,
                     "code": r.code, "reason": r.reason}
            self._record(client, mutation, name if isinstance(name, str) else "", reply)
            return [reply]
        except PatchError as e:
            reply = {"type": "reject", "client": client, "mutation": mutation,
                     "code": e.code, "reason": e.message}
            self._record(client, mutation, name, reply)
            return [reply]
        for w in writes:
            c.tree.apply(w)
            self.clock.observe(w.stamp)
        c.invalidate()
        patch = {"type": "patch", "collection": name, "epoch": self.epoch, "seq": c.seq + 1,
                 "ops": wire_ops, "origin": {"client": client, "mutation": mutation}}
        ack = {"type": "ack", "client": client, "mutation": mutation, "seq": c.seq + 1}
        self._commit_patch(c, patch, outcome=(client, mutation, ack))
        self._broadcast(name, patch)
        return [ack]

    def _duplicate(self, client: str, mutation: int) -> dict:
        stored = self.store.outcome(client, mutation)
        if stored is not None:
            epoch, name, reply = stored
            if reply["type"] == "reject" or epoch == self.epoch:
                return reply
            c = self.collection(name)
            return {**reply, "seq": c.seq}
        # Forgotten outcome (older than what we keep): it was applied long ago; the state at the
        # current seq of every collection reflects it.
        return {"type": "ack", "client": client, "mutation": mutation, "seq": 0, "duplicate": True}

    def _record(self, client: str, mutation: int, name: str, reply: dict) -> None:
        self.store.begin()
        try:
            self.store.record_outcome(client, mutation, self.epoch, name, reply, keep=1000)
            self.store.commit()
        except BaseException:
            self.store.rollback()
            raise
        self.highest[client] = max(self.highest.get(client, mutation), mutation)

    def _commit_patch(self, c: Collection, patch: dict, outcome: tuple | None) -> None:
        seq = c.seq + 1
        floor = max(c.floor, seq - self.history)
        checkpoint = None
        if seq - c.checkpoint_seq >= self.checkpoint_every:
            checkpoint = c.tree.to_json()
        self.store.begin()
        try:
            self.store.append_log(c.name, seq, patch)
            if checkpoint is not None:
                self.store.save_collection(c.name, seq, floor, seq, checkpoint)
            elif not c.persisted:
                self.store.save_collection(c.name, seq, floor, c.checkpoint_seq, [])
            else:
                self.store.save_collection(c.name, seq, floor, None, None)
            # Keep every patch newer than the checkpoint so a restart can rebuild the tree.
            self.store.trim_log(c.name, min(floor, c.checkpoint_seq if checkpoint is None else seq))
            if outcome is not None:
                client, mutation, reply = outcome
                self.store.record_outcome(client, mutation, self.epoch, c.name, reply, keep=1000)
            self.store.commit()
        except BaseException:
            self.store.rollback()
            raise
        c.seq, c.floor = seq, floor
        c.persisted = True
        if checkpoint is not None:
            c.checkpoint_seq = seq
        if outcome is not None:
            client, mutation, _ = outcome
            self.highest[client] = max(self.highest.get(client, mutation), mutation)
        self._maybe_gc(c)

    def _maybe_gc(self, c: Collection) -> None:
        now = time.monotonic()
        if now - self._last_gc < 5:
            return
        self._last_gc = now
        horizon = max(self.clock.ms, int(time.time() * 1000)) - self.tombstone_horizon_ms
        if c.tree.collect_tombstones(horizon):
            c.invalidate()

    def _versioned_writes(self, ops: list) -> list[Write]:
        limit = int(time.time() * 1000) + self.max_skew_ms
        writes = []
        for index, op in enumerate(ops):
            where = f"op {index}"
            if op.get("op") not in ("add", "replace", "remove"):
                raise Reject("invalid-op", f"{where}: a stamped op is add, replace or remove")
            try:
                tokens = parse_pointer(op.get("path"))
            except PatchError as e:
                raise Reject(e.code, f"{where}: {e.message}")
            if not tokens:
                raise Reject("invalid-path", f"{where}: a stamped op cannot target the whole collection")
            stamp = op.get("stamp")
            if not is_stamp(stamp):
                raise Reject("invalid-stamp", f"{where}: malformed stamp {stamp!r}")
            if stamp_ms(stamp) > limit:
                raise Reject("stamp-skew", f"{where}: stamp {stamp} is too far in the future")
            if op["op"] == "remove":
                writes.append(Write(tuple(tokens), stamp))
            else:
                if "value" not in op:
                    raise Reject("invalid-op", f"{where}: {op['op']} needs a \"value\"")
                writes.append(Write(tuple(tokens), stamp, copy.deepcopy(op["value"])))
        return writes

    def _plain_writes(self, c: Collection, ops: list) -> list[Write]:
        """Applies a plain RFC 6902 patch to a scratch copy (atomic: all or nothing) and normalizes it
        into server-stamped writes, so every replica merges the same writes."""
        doc = copy.deepcopy(c.state)
        pending: list[tuple[tuple, Any]] = []
        for op in ops:
            validate_op(op)
            name = op["op"]
            before = list(doc) if op["path"] == "" else []
            doc = apply_op(doc, op)
            if not isinstance(doc, dict):
                raise Reject("not-an-object", "the collection must stay a JSON object")
            if name == "test":
                continue
            targets = [(parse_pointer(op["path"]), name == "remove")]
            if name == "move":
                targets.insert(0, (parse_pointer(op["from"]), True))
            for tokens, removes in targets:
                if not tokens:  # the whole collection was replaced: one write per model
                    pending.extend(((key,), _REMOVE) for key in before if key not in doc)
                pending.extend(_normalize(doc, tokens, removes))
        return [Write(path, self.clock.tick(), value) if value is not _REMOVE
                else Write(path, self.clock.tick()) for path, value in pending]

    # -- seeding -----------------------------------------------------------------------------

    def seed(self, name: str, state: dict) -> dict:
        """Replaces a collection's state with `state` as one server-stamped patch."""
        if not COLLECTION_RE.match(name):
            raise ValueError("invalid collection name")
        if not isinstance(state, dict):
            raise ValueError("state must be an object")
        c = self.collection(name)
        writes = [Write((key,), self.clock.tick()) for key in c.state if key not in state]
        writes += [Write((key,), self.clock.tick(), copy.deepcopy(value)) for key, value in state.items()]
        for w in writes:
            c.tree.apply(w)
        c.invalidate()
        patch = {"type": "patch", "collection": name, "epoch": self.epoch, "seq": c.seq + 1,
                 "ops": [_op_from_write(w) for w in writes]}
        self._commit_patch(c, patch, outcome=None)
        self._broadcast(name, patch)
        return {"epoch": self.epoch, "seq": c.seq}

    # -- shutdown ----------------------------------------------------------------------------

    def close_all(self, code: str, reason: str, retry_after_ms: int | None, abrupt: bool = False) -> None:
        for sink in list(self.sinks):
            sink.shutdown(code, reason, retry_after_ms, abrupt)
        self._notify()

    def checkpoint_all(self) -> None:
        self.store.begin()
        try:
            for c in self.collections.values():
                if c.persisted:
                    self.store.save_collection(c.name, c.seq, c.floor, c.seq, c.tree.to_json())
                    self.store.trim_log(c.name, c.floor)
                    c.checkpoint_seq = c.seq
            self.store.commit()
        except BaseException:
            self.store.rollback()
            raise


class Mailbox:
    """Reply frames for one HTTP-transport client: handed to its live SSE stream, or held (bounded)
    until its next stream or poll."""

    def __init__(self, limit: int):
        self.frames: deque[dict] = deque(maxlen=limit)
        self.live: set[Sink] = set()
        self.touched = time.monotonic()

    def put(self, frame: dict) -> None:
        if self.live:
            for sink in list(self.live):
                sink.deliver(frame)
        else:
            self.frames.append(frame)

    def drain(self) -> list[dict]:
        frames = list(self.frames)
        self.frames.clear()
        return frames


def error_frame(code: str, message: str, retry_after_ms: int | None = None) -> dict:
    frame = {"type": "error", "code": code, "message": message}
    if retry_after_ms is not None:
        frame["retryAfter"] = retry_after_ms
    return frame


def close_frame(code: str, reason: str, retry_after_ms: int | None = None) -> dict:
    frame = {"type": "close", "code": code, "reason": reason}
    if retry_after_ms is not None:
        frame["retryAfter"] = retry_after_ms
    return frame


def _write_from_op(op: dict) -> Write:
    path = tuple(parse_pointer(op["path"]))
    if op["op"] == "remove":
        return Write(path, op["stamp"])
    return Write(path, op["stamp"], op["value"])


def _op_from_write(w: Write) -> dict:
    if w.is_remove:
        return {"op": "remove", "path": format_pointer(list(w.path)), "stamp": w.stamp}
    return {"op": "add", "path": format_pointer(list(w.path)), "value": w.value, "stamp": w.stamp}


def _normalize(doc: dict, tokens: list[str], removes: bool) -> list[tuple[tuple, Any]]:
    """The versioned writes equivalent to one plain op's effect at `tokens`, read from the new doc."""
    if not tokens:  # the whole collection was replaced: one write per model
        return [((key,), copy.deepcopy(value)) for key, value in doc.items()]
    node: Any = doc
    for i, token in enumerate(tokens[:-1]):
        node = node[token] if isinstance(node, dict) else None
        if isinstance(node, list):  # touching inside an array writes the whole array
            return [(tuple(tokens[: i + 1]), copy.deepcopy(node))]
    if removes:
        return [(tuple(tokens), _REMOVE)]
    return [(tuple(tokens), copy.deepcopy(resolve(doc, tokens)))]
