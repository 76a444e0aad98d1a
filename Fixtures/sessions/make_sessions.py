#!/usr/bin/env python3
"""Writes the bundled replay sessions (NN-name.jsonl) and the hand-computed part of their
expectations (final state, cursors, pending writes) into NN-name.expected.json.

The event logs in the .expected.json files are reviewed by hand; `--keep-events` (the default)
preserves the events already stored, so re-running this script never rewrites them silently.
Run from the package root:  python3 Fixtures/sessions/make_sessions.py
"""
import json, os, sys

HERE = os.path.dirname(os.path.abspath(__file__))
T0 = 1732645000000


def stamp(ms, counter=0, replica="server"):
    return "%015d-%06d-%s" % (ms, counter, replica)


def line(obj):
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


class Session:
    def __init__(self, name, title, collections=("todos",), client="alice"):
        self.name, self.lines = name, []
        self.lines.append({"kind": "session", "version": 1, "client": client,
                           "collections": list(collections), "clock": T0, "title": title})
        self.client = client

    def connect(self, fail=None):
        e = {"kind": "connect"}
        if fail: e["fail"] = fail
        self.lines.append(e); return self

    def hello(self, subscriptions, pending=0):
        self.out({"type": "hello", "protocol": 1, "client": self.client,
                  "subscriptions": subscriptions, "pending": pending}); return self

    def out(self, frame):
        self.lines.append({"kind": "out", "frame": frame}); return self

    def inn(self, *frames):
        if len(frames) == 1: self.lines.append({"kind": "in", "frame": frames[0]})
        else: self.lines.append({"kind": "in", "frames": list(frames)})
        return self

    def text(self, t):
        self.lines.append({"kind": "in", "text": t}); return self

    def welcome(self, server="s1"):
        return self.inn({"type": "welcome", "protocol": 1, "server": server, "heartbeat": 15000})

    def delay(self, ms):
        self.lines.append({"kind": "delay", "ms": ms}); return self

    def disconnect(self, code="error", retry=None, message=None):
        e = {"kind": "disconnect", "code": code}
        if message: e["message"] = message
        if retry is not None: e["retryAfter"] = retry
        self.lines.append(e); return self

    def local(self, action, id, attributes=None, collection="todos"):
        e = {"kind": "local", "action": action, "collection": collection, "id": id}
        if attributes is not None: e["attributes"] = attributes
        self.lines.append(e); return self

    def write(self, state, cursors, pending=0):
        with open(os.path.join(HERE, self.name + ".jsonl"), "w") as f:
            for l in self.lines: f.write(line(l) + "\n")
        path = os.path.join(HERE, self.name + ".expected.json")
        events = []
        if os.path.exists(path):
            with open(path) as f: events = json.load(f).get("events", [])
        with open(path, "w") as f:
            json.dump({"state": state, "cursors": cursors, "pendingWrites": pending, "events": events},
                      f, indent=1, sort_keys=True, ensure_ascii=False)
            f.write("\n")


def snapshot(epoch, seq, state, versions=None, collection="todos"):
    f = {"type": "snapshot", "collection": collection, "epoch": epoch, "seq": seq, "state": state}
    if versions is not None: f["versions"] = versions
    return f


def patch(epoch, seq, ops, origin=None, collection="todos"):
    f = {"type": "patch", "collection": collection, "epoch": epoch, "seq": seq, "ops": ops}
    if origin: f["origin"] = origin
    return f


def synced(epoch, seq, collection="todos"):
    return {"type": "synced", "collection": collection, "epoch": epoch, "seq": seq}


def cur(epoch, seq):
    return {"epoch": epoch, "seq": seq}


def sset(path, value, st):
    return {"op": "add", "path": path, "value": value, "stamp": st}


def srem(path, st):
    return {"op": "remove", "path": path, "stamp": st}


TODOS = {"t1": {"id": "t1", "title": "milk", "done": False}, "t2": {"id": "t2", "title": "bread", "done": True}}
TODO_VERSIONS = {"/t1": stamp(T0 - 1000000), "/t2": stamp(T0 - 999500)}


def base(s, epoch="e1", seq=2, state=TODOS, versions=TODO_VERSIONS):
    s.connect().hello({"todos": None}).welcome()
    s.inn(snapshot(epoch, seq, state, versions)).inn(synced(epoch, seq))
    return s


sessions = {}

# 01: the README's main example.
s = Session("01-initial-snapshot", "Initial snapshot: connect, welcome, a snapshot of two todos, synced")
base(s).write({"todos": TODOS}, {"todos": cur("e1", 2)})

# 02: plain (unstamped) RFC 6902 patches from a sequencing server.
s = Session("02-adds-changes-removes", "Plain RFC 6902 patches: add a model, change attributes, remove a model")
base(s)
s.inn(patch("e1", 3, [{"op": "add", "path": "/t3", "value": {"id": "t3", "title": "eggs", "done": False}}]))
s.inn(patch("e1", 4, [{"op": "replace", "path": "/t1/title", "value": "oat milk"},
                      {"op": "replace", "path": "/t1/done", "value": True}]))
s.inn(patch("e1", 5, [{"op": "remove", "path": "/t2"}]))
s.inn(patch("e1", 6, [{"op": "test", "path": "/t3/title", "value": "eggs"},
                      {"op": "remove", "path": "/t3/done"}]))
s.write({"todos": {"t1": {"id": "t1", "title": "oat milk", "done": True}, "t3": {"id": "t3", "title": "eggs"}}},
        {"todos": cur("e1", 6)})

# 03: versioned writes on nested paths: objects merge per key, arrays are atomic.
s = Session("03-nested-paths", "Versioned writes on nested paths: per-key object merge, atomic arrays, nested removes")
base(s)
s.inn(patch("e1", 3, [sset("/t1/meta", {"owner": {"name": "ann"}, "tags": ["a", "b"]}, stamp(T0 + 100))]))
s.inn(patch("e1", 4, [sset("/t1/meta/owner/email", "ann@example.com", stamp(T0 + 200))]))
s.inn(patch("e1", 5, [sset("/t1/meta/tags", ["c"], stamp(T0 + 300))]))
s.inn(patch("e1", 6, [srem("/t1/meta/owner/name", stamp(T0 + 400)), sset("/t2/meta/priority", 2, stamp(T0 + 401))]))
s.write({"todos": {"t1": {"id": "t1", "title": "milk", "done": False,
                          "meta": {"owner": {"email": "ann@example.com"}, "tags": ["c"]}},
                   "t2": {"id": "t2", "title": "bread", "done": True, "meta": {"priority": 2}}}},
        {"todos": cur("e1", 6)})

# 04: versioned ops whose stamps arrive out of order, and duplicated ops: the newest stamp wins.
s = Session("04-out-of-order-versioned", "Out-of-order and duplicated versioned ops: last writer by stamp wins, whatever the arrival order")
base(s)
s.inn(patch("e1", 3, [sset("/t1/title", "third", stamp(T0 + 300, 0, "carol"))]))
s.inn(patch("e1", 4, [sset("/t1/title", "first", stamp(T0 + 100, 0, "bob"))]))            # older: absorbed
s.inn(patch("e1", 5, [sset("/t1/title", "second", stamp(T0 + 200, 0, "dave")),            # older: absorbed
                      sset("/t2/title", "rye", stamp(T0 + 250, 0, "dave"))]))
s.inn(patch("e1", 6, [sset("/t1/title", "third", stamp(T0 + 300, 0, "carol")),            # duplicate op
                      sset("/t2/title", "rye", stamp(T0 + 250, 0, "dave"))]))
s.inn(patch("e1", 7, [sset("/t1/title", "tie", stamp(T0 + 300, 0, "bob"))]))             # same ms, lower replica: loses
s.write({"todos": {"t1": {"id": "t1", "title": "third", "done": False}, "t2": {"id": "t2", "title": "rye", "done": True}}},
        {"todos": cur("e1", 7)})

# 05: duplicated delivery of patches (same seq) is dropped.
s = Session("05-duplicate-delivery", "Duplicate delivery: frames with a seq at or below the cursor are dropped, even with different content")
base(s)
p3 = patch("e1", 3, [{"op": "replace", "path": "/t1/title", "value": "oat milk"}])
s.inn(p3).inn(p3)
s.inn(patch("e1", 3, [{"op": "add", "path": "/t9", "value": {"id": "t9", "title": "same seq, other content"}}]))
s.inn(patch("e1", 2, [{"op": "remove", "path": "/t1"}]))
s.inn(patch("e1", 4, [{"op": "replace", "path": "/t2/done", "value": False}]), p3)
s.write({"todos": {"t1": {"id": "t1", "title": "oat milk", "done": False}, "t2": {"id": "t2", "title": "bread", "done": False}}},
        {"todos": cur("e1", 4)})

# 06: concurrent writers: alice's local write and bob's on the same model merge per attribute.
s = Session("06-concurrent-writers", "Concurrent writers: alice and bob edit the same todo; per-attribute last-writer-wins, both converge")
base(s)
s.delay(1000)
s.local("set", "t1", {"title": "alice's milk", "done": True})
s.out({"type": "mutate", "collection": "todos", "client": "alice", "mutation": 1,
       "ops": [{"op": "add", "path": "/t1/title", "value": "alice's milk", "stamp": stamp(T0 + 1000, 0, "alice")},
               {"op": "add", "path": "/t1/done", "value": True, "stamp": stamp(T0 + 1000, 1, "alice")}]})
# bob wrote the title later (by stamp) than alice; the server sequenced bob first.
s.inn(patch("e1", 3, [sset("/t1/title", "bob's milk", stamp(T0 + 5000, 0, "bob"))], origin={"client": "bob", "mutation": 4}))
s.inn(patch("e1", 4, [sset("/t1/title", "alice's milk", stamp(T0 + 1000, 0, "alice")),
                      sset("/t1/done", True, stamp(T0 + 1000, 1, "alice"))], origin={"client": "alice", "mutation": 1}))
s.inn({"type": "ack", "client": "alice", "mutation": 1, "collection": "todos", "seq": 4})
s.write({"todos": {"t1": {"id": "t1", "title": "bob's milk", "done": True}, "t2": TODOS["t2"]}}, {"todos": cur("e1", 4)})

# 07: a gap in seq triggers a resync from the cursor; the server replays the missing patches.
s = Session("07-gap-then-resync", "A gap (seq 5 after 2) triggers subscribe from the cursor; the replay fills it, the early frame is dropped")
base(s)
s.inn(patch("e1", 5, [{"op": "replace", "path": "/t1/title", "value": "five"}]))
s.out({"type": "subscribe", "collection": "todos", "cursor": cur("e1", 2)})
s.inn(patch("e1", 3, [{"op": "replace", "path": "/t1/title", "value": "three"}]))
s.inn(patch("e1", 4, [{"op": "add", "path": "/t3", "value": {"id": "t3", "title": "four"}}]))
s.inn(patch("e1", 5, [{"op": "replace", "path": "/t1/title", "value": "five"}]))
s.inn(synced("e1", 5))
s.write({"todos": {"t1": {"id": "t1", "title": "five", "done": False}, "t2": TODOS["t2"], "t3": {"id": "t3", "title": "four"}}},
        {"todos": cur("e1", 5)})

# 08: reconnect and resume from the cursor.
s = Session("08-reconnect-resume", "The connection drops; the client reconnects with its cursor and the server replays only what was missed")
base(s)
s.inn(patch("e1", 3, [{"op": "replace", "path": "/t1/done", "value": True}]))
s.disconnect("error", message="connection reset")
s.connect().hello({"todos": cur("e1", 3)}).welcome("s2")
s.inn(patch("e1", 4, [{"op": "replace", "path": "/t2/title", "value": "rye"}]))
s.inn(synced("e1", 4))
s.write({"todos": {"t1": {"id": "t1", "title": "milk", "done": True}, "t2": {"id": "t2", "title": "rye", "done": True}}},
        {"todos": cur("e1", 4)})

# 09: server restart with a new epoch: snapshot diffed into minimal events.
s = Session("09-epoch-change", "Server restarts with a new epoch: the snapshot becomes minimal events (one change, one remove, one add, one update)")
base(s)
s.disconnect("server-restart", retry=500)
s.connect().hello({"todos": cur("e1", 2)}).welcome("s1-restarted")
s.inn(snapshot("e2", 0, {"t1": {"id": "t1", "title": "milk", "done": True}, "t3": {"id": "t3", "title": "jam", "done": False}},
               {"/t1": stamp(T0 + 2000), "/t2": stamp(T0 + 2001), "/t3": stamp(T0 + 2002)}))
s.inn(synced("e2", 0))
s.write({"todos": {"t1": {"id": "t1", "title": "milk", "done": True}, "t3": {"id": "t3", "title": "jam", "done": False}}},
        {"todos": cur("e2", 0)})

# 10: local optimistic write, echoed and acknowledged.
s = Session("10-local-write-acked", "Local optimistic write: applied at once, sent as a stamped mutation, echoed, acknowledged once")
base(s)
s.local("set", "t1", {"done": True})
s.out({"type": "mutate", "collection": "todos", "client": "alice", "mutation": 1,
       "ops": [{"op": "add", "path": "/t1/done", "value": True, "stamp": stamp(T0, 2, "alice")}]})
s.local("add", "t9", {"title": "jam", "done": False})
s.out({"type": "mutate", "collection": "todos", "client": "alice", "mutation": 2,
       "ops": [{"op": "add", "path": "/t9", "value": {"title": "jam", "done": False, "id": "t9"}, "stamp": stamp(T0, 3, "alice")}]})
s.inn(patch("e1", 3, [sset("/t1/done", True, stamp(T0, 2, "alice"))], origin={"client": "alice", "mutation": 1}))
s.inn({"type": "ack", "client": "alice", "mutation": 1, "collection": "todos", "seq": 3})
s.inn({"type": "ack", "client": "alice", "mutation": 1, "collection": "todos", "seq": 3})  # duplicate ack: ignored
s.inn(patch("e1", 4, [sset("/t9", {"title": "jam", "done": False, "id": "t9"}, stamp(T0, 3, "alice"))],
            origin={"client": "alice", "mutation": 2}),
      {"type": "ack", "client": "alice", "mutation": 2, "collection": "todos", "seq": 4})
s.write({"todos": {"t1": {"id": "t1", "title": "milk", "done": True}, "t2": TODOS["t2"],
                   "t9": {"id": "t9", "title": "jam", "done": False}}}, {"todos": cur("e1", 4)})

# 11: local write rejected and rolled back.
s = Session("11-local-write-rejected", "Local write rejected: the optimistic change is rolled back with change events, then a rejected event")
base(s)
s.local("set", "t2", {"title": "sourdough"})
s.out({"type": "mutate", "collection": "todos", "client": "alice", "mutation": 1,
       "ops": [{"op": "add", "path": "/t2/title", "value": "sourdough"}]})
s.local("remove", "t1")
s.out({"type": "mutate", "collection": "todos", "client": "alice", "mutation": 2, "ops": [{"op": "remove", "path": "/t1"}]})
s.inn({"type": "reject", "client": "alice", "mutation": 1, "collection": "todos", "code": "forbidden", "reason": "read-only attribute"})
s.inn({"type": "reject", "client": "alice", "mutation": 2, "collection": "todos", "code": "forbidden", "reason": "cannot delete"})
s.write({"todos": TODOS}, {"todos": cur("e1", 2)})

# 12: malformed frames: error events, state untouched; an unappliable patch forces a snapshot.
s = Session("12-malformed-frames", "Malformed frames are reported and change nothing; an unappliable patch forces a snapshot resync")
base(s)
s.text("{not json")
s.inn({"type": "teleport", "collection": "todos"})
s.inn({"type": "patch", "collection": "todos", "epoch": "e1", "ops": []})
s.inn({"type": "patch", "collection": "todos", "epoch": "e1", "seq": "3", "ops": []})
s.inn({"type": "snapshot", "collection": "todos", "epoch": "e1", "seq": 9, "state": {"t1": 5}})
s.inn(patch("e1", 3, [{"op": "replace", "path": "/t1/title", "value": "x"}, {"op": "remove", "path": "/t7"}]))
s.out({"type": "subscribe", "collection": "todos", "cursor": None})
s.inn(snapshot("e1", 3, {"t1": {"id": "t1", "title": "milk", "done": False}, "t2": TODOS["t2"]}, TODO_VERSIONS))
s.inn(synced("e1", 3))
s.write({"todos": TODOS}, {"todos": cur("e1", 3)})

# 13: a large batch: 300 patches in one transport read become 300 adds and one update.
s = Session("13-large-batch", "A large batch: 300 patches delivered in one read are applied in order and surface as one update")
base(s)
frames = [patch("e1", 3 + i, [{"op": "add", "path": "/n%03d" % i, "value": {"id": "n%03d" % i, "n": i}}]) for i in range(300)]
frames += [patch("e1", 303, [{"op": "remove", "path": "/n%03d" % i} for i in range(0, 300, 2)])]
s.inn(*frames)
big = dict(TODOS)
for i in range(1, 300, 2): big["n%03d" % i] = {"id": "n%03d" % i, "n": i}
s.write({"todos": big}, {"todos": cur("e1", 303)})

# 14: a mutation acknowledged exactly once across a reconnect (resent; the server re-acks).
s = Session("14-exactly-once-across-reconnect", "The ack is lost in a disconnect: the mutation is resent after reconnecting, applied once, acknowledged once")
base(s)
s.local("set", "t1", {"title": "soy milk"})
s.out({"type": "mutate", "collection": "todos", "client": "alice", "mutation": 1,
       "ops": [{"op": "add", "path": "/t1/title", "value": "soy milk", "stamp": stamp(T0, 2, "alice")}]})
s.inn(patch("e1", 3, [sset("/t1/title", "soy milk", stamp(T0, 2, "alice"))], origin={"client": "alice", "mutation": 1}))
s.disconnect("error", message="connection reset before the ack")
s.connect().hello({"todos": cur("e1", 3)}, pending=1)
s.out({"type": "mutate", "collection": "todos", "client": "alice", "mutation": 1,
       "ops": [{"op": "add", "path": "/t1/title", "value": "soy milk", "stamp": stamp(T0, 2, "alice")}]})
s.welcome().inn(synced("e1", 3))
s.inn({"type": "ack", "client": "alice", "mutation": 1, "collection": "todos", "seq": 3})
s.write({"todos": {"t1": {"id": "t1", "title": "soy milk", "done": False}, "t2": TODOS["t2"]}}, {"todos": cur("e1", 3)})

# 15: server close with a retry hint; connect failures back off; ping is answered.
s = Session("15-close-retry-backoff", "Server close with retryAfter, two failed connects with backoff, a ping answered with pong")
base(s)
s.inn({"type": "ping", "id": 7})
s.out({"type": "pong", "id": 7})
s.inn({"type": "close", "code": "going-away", "reason": "deploy", "retryAfter": 2000})
s.disconnect("going-away", retry=2000)
s.connect(fail="connection refused")
s.connect(fail="connection refused")
s.connect().hello({"todos": cur("e1", 2)}).welcome()
s.inn(synced("e1", 2))
s.write({"todos": TODOS}, {"todos": cur("e1", 2)})

# 16: a pending local write survives a snapshot resync without flicker.
s = Session("16-snapshot-keeps-pending-write", "A snapshot arriving while a local write is unacknowledged keeps the write visible (no flicker), then the ack confirms it")
base(s)
s.local("set", "t2", {"done": False})
s.out({"type": "mutate", "collection": "todos", "client": "alice", "mutation": 1,
       "ops": [{"op": "add", "path": "/t2/done", "value": False, "stamp": stamp(T0, 2, "alice")}]})
s.inn(patch("e2", 1, [{"op": "replace", "path": "/t1/title", "value": "x"}]))  # another epoch: resync
s.out({"type": "subscribe", "collection": "todos", "cursor": cur("e1", 2)})
s.inn(snapshot("e2", 1, {"t1": {"id": "t1", "title": "x", "done": False}, "t2": TODOS["t2"]},
               {"/t1": stamp(T0 - 10), "/t2": stamp(T0 - 999500)}))
s.inn(synced("e2", 1))
s.inn(patch("e2", 2, [sset("/t2/done", False, stamp(T0, 2, "alice"))], origin={"client": "alice", "mutation": 1}),
      {"type": "ack", "client": "alice", "mutation": 1, "collection": "todos", "seq": 2})
s.write({"todos": {"t1": {"id": "t1", "title": "x", "done": False}, "t2": {"id": "t2", "title": "bread", "done": False}}},
        {"todos": cur("e2", 2)})

# 17: tombstones shadow older writes; a newer write resurrects.
s = Session("17-tombstones", "A removal shadows older writes at and below its path; only a newer write brings the model back")
base(s)
s.inn(patch("e1", 3, [srem("/t1", stamp(T0 + 500, 0, "bob"))]))
s.inn(patch("e1", 4, [sset("/t1/title", "late edit", stamp(T0 + 400, 0, "carol"))]))          # older: shadowed
s.inn(patch("e1", 5, [sset("/t1", {"id": "t1", "title": "old"}, stamp(T0 + 450, 0, "dave"))]))  # older: shadowed
s.inn(patch("e1", 6, [srem("/t2/done", stamp(T0 + 600, 0, "bob"))]))
s.inn(patch("e1", 7, [sset("/t2/done", True, stamp(T0 + 550, 0, "carol"))]))                   # older: shadowed
s.inn(patch("e1", 8, [sset("/t1", {"id": "t1", "title": "back"}, stamp(T0 + 700, 0, "erin"))]))  # newer: wins
s.write({"todos": {"t1": {"id": "t1", "title": "back"}, "t2": {"id": "t2", "title": "bread"}}}, {"todos": cur("e1", 8)})

# 18: two collections on one connection, each with its own stream.
s = Session("18-two-collections", "Two collections on one connection: independent epochs and cursors, synced only when both caught up", collections=("todos", "users"))
s.connect().hello({"todos": None, "users": None}).welcome()
s.inn(snapshot("e1", 2, TODOS, TODO_VERSIONS))
s.inn(synced("e1", 2))
s.inn(snapshot("u7", 10, {"u1": {"id": "u1", "name": "Ann"}}, collection="users"))
s.inn(patch("u7", 11, [{"op": "add", "path": "/u2", "value": {"id": "u2", "name": "Bo"}}], collection="users"))
s.inn(synced("u7", 11, collection="users"))
s.inn(patch("e1", 3, [{"op": "replace", "path": "/t2/title", "value": "rye"}]))
s.inn(patch("u7", 12, [{"op": "replace", "path": "/u1/name", "value": "Anne"}], collection="users"))
s.write({"todos": {"t1": TODOS["t1"], "t2": {"id": "t2", "title": "rye", "done": True}},
         "users": {"u1": {"id": "u1", "name": "Anne"}, "u2": {"id": "u2", "name": "Bo"}}},
        {"todos": cur("e1", 3), "users": cur("u7", 12)})

# 19: an ack that overtakes its echo; a later rejection must not roll back the acknowledged write.
s = Session("19-ack-before-echo", "An ack arrives before its echo patch; rolling back a later rejected write keeps the acknowledged one")
base(s)
s.local("set", "t1", {"title": "almond milk"})
s.out({"type": "mutate", "collection": "todos", "client": "alice", "mutation": 1,
       "ops": [{"op": "add", "path": "/t1/title", "value": "almond milk", "stamp": stamp(T0, 2, "alice")}]})
s.local("set", "t2", {"title": "rye"})
s.out({"type": "mutate", "collection": "todos", "client": "alice", "mutation": 2,
       "ops": [{"op": "add", "path": "/t2/title", "value": "rye", "stamp": stamp(T0, 3, "alice")}]})
s.inn({"type": "ack", "client": "alice", "mutation": 1, "collection": "todos", "seq": 3})
s.inn({"type": "reject", "client": "alice", "mutation": 2, "collection": "todos", "code": "invalid-op"})
s.inn(patch("e1", 3, [sset("/t1/title", "almond milk", stamp(T0, 2, "alice"))], origin={"client": "alice", "mutation": 1}))
s.write({"todos": {"t1": {"id": "t1", "title": "almond milk", "done": False}, "t2": TODOS["t2"]}}, {"todos": cur("e1", 3)})

print("wrote sessions")
