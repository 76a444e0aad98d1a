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
COLLECTION_RE = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
EPOCH_RE = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
_REMOVE = object()
MAX_INT = 2**53 - 1
MAX_OPS = 10_000
MAX_DEPTH = 512
OUTCOMES_KEPT = 1024
MAX_COLLECTIONS_TOTAL = 10_000


def canonical(value: Any) -> str:
    """Canonical serialization: sorted keys, compact, UTF-8 (non-ASCII not escaped)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def is_int(value: Any) -> bool:
    """A protocol integer: a JSON integer in 0...2^53-1 (booleans are not integers)."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_INT


def depth_ok(value: Any, limit: int = MAX_DEPTH) -> bool:
    """Whether `value` nests at most `limit` containers deep (iterative: no recursion limit)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            if depth > limit:
                return False
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            if depth > limit:
                return False
            stack.extend((v, depth + 1) for v in item)
    return True


class Reject(Exception):
    """A mutation the server refuses (PROTOCOL.md section 5): answered with `reject`."""

    def __init__(self, code: str, reason: str):
        super().__init__(reason)
        self.code = code
        self.reason = reason


class BadFrame(Exception):
    """A malformed frame (PROTOCOL.md section 2): answered with `error` code `bad-frame`."""

    def __init__(self, message: str, code: str = "bad-frame"):
        super().__init__(message)
        self.code = code
        self.message = message


class Sink(Protocol):
    """A live connection that receives frames (WebSocket or SSE stream)."""

    client: str | None

    def deliver(self, frame: dict) -> None: ...

    def shutdown(self, code: str, reason: str, retry_after_ms: int | None, abrupt: bool) -> None: ...


# -- cursors ---------------------------------------------------------------------------------


def format_cursor_string(cursors: dict[str, tuple[str, int]]) -> str:
    return ",".join(f"{name}={epoch}:{seq}" for name, (epoch, seq) in cursors.items())


def parse_cursor_object(value: Any) -> tuple[str, int] | None:
    """A wire cursor `{"epoch": "e1", "seq": 42}` or null; raises BadFrame on a malformed one."""
    if value is None:
        return None
    if (not isinstance(value, dict) or not isinstance(value.get("epoch"), str)
            or not is_int(value.get("seq"))):
        raise BadFrame("a cursor is {\"epoch\": string, \"seq\": integer} or null")
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
                 tombstone_horizon_ms: int = 25 * 3600 * 1000, max_skew_ms: int = 60_000,
                 checkpoint_every: int = 100, mailbox_limit: int = 1000,
                 known_collections: list[str] | None = None):
        self.store = store
        self.history = max(1, history)
        self.heartbeat_ms = heartbeat_ms
        self.faults = faults or Faults()
        self.tombstone_horizon_ms = tombstone_horizon_ms
        self.max_skew_ms = max_skew_ms
        self.checkpoint_every = checkpoint_every
        self.mailbox_limit = mailbox_limit
        #: When set, only these collections exist (others are `unknown-collection`).
        self.known = set(known_collections) if known_collections else None
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
            c = Collection(name, seq, floor, checkpoint_seq, tree)
            c.persisted = True
            self.collections[name] = c
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

    def exists(self, name: Any) -> bool:
        """Whether `name` is a collection: listed by --collection, or (by default) any valid name,
        up to MAX_COLLECTIONS_TOTAL of them (bounded memory)."""
        if not isinstance(name, str) or COLLECTION_RE.match(name) is None:
            return False
        if self.known is not None:
            return name in self.known
        return name in self.collections or len(self.collections) < MAX_COLLECTIONS_TOTAL

    def collection(self, name: str, create: bool = True) -> Collection | None:
        c = self.collections.get(name)
        if c is None and create:
            c = Collection(name)
            self.collections[name] = c
        return c

    # -- frames out --------------------------------------------------------------------------

    def welcome(self) -> dict:
        return {"type": "welcome", "protocol": PROTOCOL_VERSION, "server": self.server_id,
                "heartbeat": self.heartbeat_ms}

    def snapshot(self, name: str) -> dict:
        c = self.collection(name)
        return {"type": "snapshot", "collection": name, "epoch": self.epoch, "seq": c.seq,
                "state": copy.deepcopy(c.state), "versions": c.tree.versions()}

    def synced(self, name: str) -> dict:
        return {"type": "synced", "collection": name, "epoch": self.epoch, "seq": self.collection(name).seq}

    def is_current(self, name: str, cursor: tuple[str, int] | None) -> bool:
        c = self.collection(name)
        return cursor is not None and cursor == (self.epoch, c.seq)

    def catch_up(self, name: str, cursor: tuple[str, int] | None, limit: int | None = None) -> list[dict]:
        """Section 3.1: the missed patches, or a snapshot when they are gone; then `synced`.

        With `limit` (long polling) a long replay is cut short and the `synced` left out; the next
        poll continues from the new cursor."""
        c = self.collection(name)
        if cursor is None or cursor[0] != self.epoch or cursor[1] > c.seq or cursor[1] < c.floor:
            return [self.snapshot(name), self.synced(name)]
        frames = [_wire_form(f) for f in self.store.log_after(name, cursor[1], limit)] if cursor[1] < c.seq else []
        if frames and frames[-1]["seq"] < c.seq:
            return frames
        return frames + [self.synced(name)]

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

    def change_event(self) -> asyncio.Event:
        """An event set at the next change (patch, epoch, mailbox frame, shutdown)."""
        return self._changed

    # -- mailboxes (section 3.3: replies for SSE / long-polling clients) ----------------------

    def mailbox(self, client: str) -> "Mailbox":
        box = self.mailboxes.get(client)
        if box is None:
            if len(self.mailboxes) >= 10000:  # bounded: forget the least recently used client
                oldest = min(self.mailboxes, key=lambda k: self.mailboxes[k].touched)
                del self.mailboxes[oldest]
            box = Mailbox(self.mailbox_limit)
            self.mailboxes[client] = box
        box.touched = time.monotonic()
        return box

    def post(self, client: str, frame: dict) -> None:
        self.mailbox(client).put(frame)
        self._notify()

    def notify_mailbox(self) -> None:
        """Wakes waiting long polls (e.g. so an older poll of a client yields to a newer one)."""
        self._notify()

    # -- mutations (section 5) ---------------------------------------------------------------

    def mutate(self, frame: dict, sender: str | None = None) -> list[dict]:
        """Handles a `mutate` frame; returns the frames for its sender (ack, reject, or error).

        `sender` is the client id the connection speaks for (hello / `client=`); a mutation for
        another client is rejected `forbidden`."""
        client, mutation, name, ops = (frame.get(k) for k in ("client", "mutation", "collection", "ops"))
        if not isinstance(client, str) or not CLIENT_RE.match(client):
            return [error_frame("bad-frame", "mutate needs a valid \"client\" id")]
        if not is_int(mutation) or mutation < 1:
            return [error_frame("bad-frame", "mutate needs an integer \"mutation\" id >= 1")]
        if not isinstance(name, str) or not COLLECTION_RE.match(name):
            return [error_frame("bad-frame", "mutate needs a valid \"collection\" name")]
        if not isinstance(ops, list) or not all(isinstance(op, dict) for op in ops):
            return [error_frame("bad-frame", "mutate needs \"ops\", an array of objects")]
        try:
            if sender is not None and client != sender:
                raise Reject("forbidden", f"this connection speaks for {sender!r}, not {client!r}")
            highest = self.highest.get(client)
            if highest is not None and mutation <= highest:
                return [self._duplicate(client, mutation, name)]
            if not self.exists(name):
                raise Reject("unknown-collection", f"no collection {name!r}")
            if not ops:
                raise Reject("invalid-op", "a mutation has at least one op")
            if len(ops) > MAX_OPS:
                raise Reject("too-large", f"at most {MAX_OPS} ops per mutation")
            writes = self._versioned_writes(ops, client)
        except Reject as r:
            reply = {"type": "reject", "client": client, "mutation": mutation, "collection": name,
                     "code": r.code, "reason": r.reason}
            if r.code != "forbidden":  # never let one client spend another client's mutation ids
                self._record(client, mutation, name, reply)
            return [reply]
        c = self.collection(name)
        for w in writes:
            c.tree.apply(w)
            self.clock.observe(w.stamp)
        c.invalidate()
        seq = c.seq + 1
        patch = {"type": "patch", "collection": name, "epoch": self.epoch, "seq": seq,
                 "ops": ops, "origin": {"client": client, "mutation": mutation}}
        ack = {"type": "ack", "client": client, "mutation": mutation, "collection": name, "seq": seq}
        self._commit_patch(c, patch, outcome=(client, mutation, ack))
        self._broadcast(name, patch)
        return [ack]

    def _duplicate(self, client: str, mutation: int, name: str) -> dict:
        """A resent mutation: the remembered outcome, or (forgotten / other epoch) an ack at the
        stream's current seq."""
        stored = self.store.outcome(client, mutation)
        if stored is not None:
            epoch, stored_name, reply = stored
            if reply["type"] == "reject" or epoch == self.epoch:
                return reply
            name = stored_name
        current = self.collection(name).seq if self.exists(name) else 0
        return {"type": "ack", "client": client, "mutation": mutation, "collection": name, "seq": current}

    def _record(self, client: str, mutation: int, name: str, reply: dict) -> None:
        self.store.begin()
        try:
            self.store.record_outcome(client, mutation, self.epoch, name, reply, keep=OUTCOMES_KEPT)
            self.store.commit()
        except BaseException:
            self.store.rollback()
            raise
        self.highest[client] = max(self.highest.get(client, mutation), mutation)

    def _commit_patch(self, c: Collection, patch: dict, outcome: tuple | None) -> None:
        """Persists one patch (and the mutation's outcome) in one transaction, before anyone sees it."""
        seq = c.seq + 1
        floor = max(c.floor, seq - self.history)
        checkpoint = c.tree.to_json() if seq - c.checkpoint_seq >= self.checkpoint_every else None
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
            self.store.trim_log(c.name, min(floor, seq if checkpoint is not None else c.checkpoint_seq))
            if outcome is not None:
                client, mutation, reply = outcome
                self.store.record_outcome(client, mutation, self.epoch, c.name, reply, keep=OUTCOMES_KEPT)
            self.store.commit()
        except BaseException:
            self.store.rollback()
            raise
        c.seq, c.floor, c.persisted = seq, floor, True
        if checkpoint is not None:
            c.checkpoint_seq = seq
        if outcome is not None:
            client, mutation, _ = outcome
            self.highest[client] = max(self.highest.get(client, mutation), mutation)
        self._maybe_gc(c)

    def _maybe_gc(self, c: Collection) -> None:
        now = time.monotonic()
        if self.tombstone_horizon_ms <= 0 or now - self._last_gc < 5:
            return
        self._last_gc = now
        horizon = max(self.clock.ms, int(time.time() * 1000)) - self.tombstone_horizon_ms
        for each in self.collections.values():
            if each.tree.collect_tombstones(horizon):
                each.invalidate()

    def _versioned_writes(self, ops: list, client: str) -> list[Write]:
        """Validates a mutation's stamped ops (section 5) into writes, or raises Reject."""
        limit = int(time.time() * 1000) + self.max_skew_ms if self.max_skew_ms > 0 else None
        writes = []
        previous = ""
        for index, op in enumerate(ops):
            where = f"op {index}"
            if op.get("op") not in ("add", "replace", "remove"):
                raise Reject("invalid-op", f"{where}: a mutation op is add, replace or remove")
            try:
                tokens = parse_pointer(op.get("path"))
            except PatchError as e:
                raise Reject("invalid-op", f"{where}: {e.message}")
            if not tokens:
                raise Reject("invalid-op", f"{where}: an op cannot address the collection root")
            stamp = op.get("stamp")
            if not is_stamp(stamp):
                raise Reject("invalid-stamp", f"{where}: missing or malformed stamp {stamp!r}")
            if stamp[23:] != client:
                raise Reject("invalid-stamp", f"{where}: stamp replica {stamp[23:]!r} is not {client!r}")
            if stamp <= previous:
                raise Reject("invalid-stamp", f"{where}: stamps within a mutation must increase")
            previous = stamp
            if limit is not None and stamp_ms(stamp) > limit:
                raise Reject("clock-skew", f"{where}: stamp {stamp} is too far ahead of the server clock")
            if op["op"] == "remove":
                writes.append(Write(tuple(tokens), stamp))
                continue
            if "value" not in op:
                raise Reject("invalid-op", f"{where}: {op['op']} needs a \"value\"")
            value = op["value"]
            _check_model_write(tokens, value, where)
            writes.append(Write(tuple(tokens), stamp, copy.deepcopy(value)))
        return writes

    # -- admin writes ------------------------------------------------------------------------

    def apply_plain(self, name: str, ops: Any, broadcast_plain: bool = True) -> dict:
        """Applies a plain RFC 6902 patch atomically (all or nothing) as one server patch.

        The merge tree records it as server-stamped writes (normalized as VERSIONING.md says);
        subscribers get the ops as sent (a *plain* patch) or, with `broadcast_plain=False`, the
        stamped writes (a *versioned* patch). Raises PatchError / ValueError, state untouched."""
        if not self.exists(name):
            raise ValueError(f"no collection {name!r}")
        if not isinstance(ops, list) or not all(isinstance(op, dict) for op in ops):
            raise ValueError("ops must be an array of RFC 6902 operations")
        c = self.collection(name)
        if any("stamp" in op for op in ops):
            raise ValueError("plain ops carry no stamps")
        writes = self._plain_writes(c, ops)
        for w in writes:
            c.tree.apply(w)
        c.invalidate()
        wire_ops = copy.deepcopy(ops) if broadcast_plain else [_op_from_write(w) for w in writes]
        patch = {"type": "patch", "collection": name, "epoch": self.epoch, "seq": c.seq + 1, "ops": wire_ops}
        self._commit_log_form(c, patch, writes)
        self._broadcast(name, patch)
        return {"epoch": self.epoch, "seq": c.seq}

    def _commit_log_form(self, c: Collection, patch: dict, writes: list[Write]) -> None:
        """Commits a patch whose log entry must carry stamped ops (so a restart can rebuild the
        tree) even when subscribers got it plain."""
        logged = {**patch, "ops": [_op_from_write(w) for w in writes]}
        if logged["ops"] == patch["ops"]:
            self._commit_patch(c, patch, outcome=None)
            return
        logged["plainOps"] = patch["ops"]
        self._commit_patch(c, logged, outcome=None)

    def _plain_writes(self, c: Collection, ops: list) -> list[Write]:
        """Applies a plain RFC 6902 patch to a scratch copy (atomic: all or nothing) and normalizes it
        into server-stamped writes, so every replica's merge tree holds the same writes."""
        doc = copy.deepcopy(c.state)
        pending: list[tuple[tuple, Any]] = []
        for op in ops:
            validate_op(op)
            name = op["op"]
            before = list(doc) if op["path"] == "" else []
            doc = apply_op(doc, op)
            if not isinstance(doc, dict) or not all(isinstance(m, dict) for m in doc.values()):
                raise PatchError("invalid-op", "the collection must stay an object of model objects")
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

    def seed(self, name: str, state: Any) -> dict:
        """Replaces a collection's state with `state` as one server-stamped (versioned) patch."""
        if not self.exists(name):
            raise ValueError(f"invalid or unknown collection {name!r}")
        if not isinstance(state, dict) or not all(isinstance(m, dict) for m in state.values()):
            raise ValueError("state must be an object of model objects")
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


def _check_model_write(tokens: list[str], value: Any, where: str) -> None:
    """Models are objects, and a model's `id` member equals its key (PROTOCOL.md section 1)."""
    if len(tokens) == 1:
        if not isinstance(value, dict):
            raise Reject("invalid-op", f"{where}: a model must be an object")
        if "id" in value and value["id"] != tokens[0]:
            raise Reject("invalid-op", f"{where}: the model's id {value['id']!r} differs from its key")
    elif len(tokens) == 2 and tokens[1] == "id" and value != tokens[0]:
        raise Reject("invalid-op", f"{where}: a model's id must equal its key {tokens[0]!r}")


class Mailbox:
    """Reply frames for one HTTP-transport client: handed to its live SSE stream, or held (bounded)
    until its next stream or poll."""

    def __init__(self, limit: int):
        self.frames: deque[dict] = deque(maxlen=limit)
        self.live: set[Sink] = set()
        self.touched = time.monotonic()
        self.polls = 0  # generation of the client's newest long poll

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


def track_emitted(emitted: dict[str, tuple[str, int]], frame: dict) -> None:
    """Advances a connection's stream positions past one outgoing frame: a `snapshot` or `synced`
    states the position, a `patch` moves it to its seq."""
    if frame.get("type") in ("patch", "snapshot", "synced") and isinstance(frame.get("collection"), str):
        emitted[frame["collection"]] = (frame["epoch"], frame["seq"])


def heartbeat_frame(ping_id: int, emitted: dict[str, tuple[str, int]]) -> dict:
    """A `ping` with `cursors` (PROTOCOL.md 2.10, 6): the position of every collection the
    connection has sent a frame of, as of this point in its frame order."""
    return {"type": "ping", "id": ping_id,
            "cursors": {name: {"epoch": epoch, "seq": seq} for name, (epoch, seq) in emitted.items()}}


def close_frame(code: str, reason: str, retry_after_ms: int | None = None) -> dict:
    frame = {"type": "close", "code": code, "reason": reason}
    if retry_after_ms is not None:
        frame["retryAfter"] = retry_after_ms
    return frame


def _wire_form(logged: dict) -> dict:
    """A logged patch as subscribers saw it (plain admin patches are logged with stamped ops)."""
    if "plainOps" not in logged:
        return logged
    frame = {k: v for k, v in logged.items() if k != "plainOps"}
    frame["ops"] = logged["plainOps"]
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
