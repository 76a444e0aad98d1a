"""Wire protocol v1 (docs/PROTOCOL.md) end to end over all three transports, against a live server."""

import asyncio
import json

import websockets
from harness import (PollClient, SSEClient, WSClient, admin, fresh_stamp, http, is_type, mutate, put,
                     run, stamp)


def kinds(frames):
    return [(f["type"], f.get("seq")) for f in frames]


def test_ws_hello_subscribe_snapshot_and_mutation_roundtrip(server):
    server.seed("todos", {"a": {"title": "seeded"}})

    async def scenario():
        async with WSClient(server, "c1") as c1, WSClient(server, "c2") as c2:
            welcome = await c1.hello({"todos": None})
            assert welcome == {"type": "welcome", "protocol": 1, "server": welcome["server"],
                               "heartbeat": 15000}
            snap, synced = await c1.recv(), await c1.recv()
            assert snap["type"] == "snapshot" and snap["seq"] == 1
            assert snap["state"] == {"a": {"title": "seeded"}} and set(snap["versions"]) == {"/a"}
            assert synced == {"type": "synced", "collection": "todos", "epoch": snap["epoch"], "seq": 1}
            await c2.hello({})
            await c2.send({"type": "subscribe", "collection": "todos", "cursor": None})
            assert kinds([await c2.recv(), await c2.recv()]) == [("snapshot", 1), ("synced", 1)]

            op = {"op": "add", "path": "/b", "value": {"title": "new"}, "stamp": fresh_stamp("c1")}
            await c1.send(mutate("c1", 1, [op]))
            patch, ack = await c1.recv(), await c1.recv()  # the patch before the ack (3.3)
            assert patch == {"type": "patch", "collection": "todos", "epoch": snap["epoch"], "seq": 2,
                             "ops": [op], "origin": {"client": "c1", "mutation": 1}}
            assert ack == {"type": "ack", "client": "c1", "mutation": 1, "collection": "todos", "seq": 2}
            assert await c2.recv() == patch
            assert await c2.quiet() == []  # c2 gets the patch only, never c1's ack

    run(scenario())
    assert server.state("todos") == '{"a":{"title":"seeded"},"b":{"title":"new"}}'


def test_a_write_on_each_transport_reaches_the_other_two(server):
    async def scenario():
        async with WSClient(server, "ws1") as ws, SSEClient(server, "sse1", ["todos"]) as sse:
            await ws.hello({"todos": None})
            assert kinds(await ws.recv_until(is_type("synced"))) == [("snapshot", 0), ("synced", 0)]
            assert kinds(await sse.recv_until(is_type("synced"))) == [
                ("welcome", None), ("snapshot", 0), ("synced", 0)]
            poll = PollClient(server, "lp1", ["todos"])
            assert kinds(await poll.poll()) == [("welcome", None), ("snapshot", 0), ("synced", 0)]

            await ws.send(put("ws1", 1, "/w", {"by": "ws"}))
            assert await PollClient(server, "sse1", []).send([put("sse1", 1, "/s", {"by": "sse"})]) == 202
            assert await poll.send([put("lp1", 1, "/l", {"by": "lp"})]) == 202

            ws_frames = await ws.recv_until(lambda f: f.get("type") == "patch" and f["seq"] == 3)
            sse_frames = await sse.recv_until(lambda f: f.get("type") == "ack")
            if not any(f.get("seq") == 3 and f["type"] == "patch" for f in sse_frames):
                sse_frames += await sse.recv_until(lambda f: f.get("type") == "patch" and f["seq"] == 3)
            lp_frames = await poll.poll_until(lambda f: f.get("type") == "ack")
            if poll.cursor["todos"][1] < 3:
                lp_frames += await poll.poll_until(lambda f: f.get("type") == "patch" and f["seq"] == 3)
            for frames in (ws_frames, sse_frames, lp_frames):
                patches = [f for f in frames if f["type"] == "patch"]
                assert [p["seq"] for p in patches] == [1, 2, 3]
                assert {p["origin"]["client"] for p in patches} == {"ws1", "sse1", "lp1"}
            assert [(f["client"], f["mutation"]) for f in sse_frames if f["type"] == "ack"] == [("sse1", 1)]
            assert [(f["client"], f["mutation"]) for f in lp_frames if f["type"] == "ack"] == [("lp1", 1)]
            assert sse.last_id.startswith("todos=") and sse.last_id.endswith(":3")

    run(scenario())
    assert json.loads(server.state("todos")) == {"w": {"by": "ws"}, "s": {"by": "sse"}, "l": {"by": "lp"}}


def test_duplicate_mutation_is_reacked_without_a_second_patch(server):
    async def scenario():
        async with WSClient(server, "c1") as c1, WSClient(server, "c2") as c2:
            await c1.hello({"todos": None})
            await c2.hello({"todos": None})
            await c1.recv_until(is_type("synced")), await c2.recv_until(is_type("synced"))
            frame = put("c1", 7, "/x", {"n": 1})
            await c1.send(frame)
            first = await c1.recv_until(is_type("ack"))
            await c1.send(frame)  # resent after a "reconnect"
            assert await c1.recv() == first[-1]
            assert [f["type"] for f in await c2.quiet()] == ["patch"]
            # an older mutation id of the same client is also a resend: never applied
            await c1.send(put("c1", 3, "/y", {"n": 1}))
            old = await c1.recv()
            assert (old["type"], old["mutation"], old["seq"]) == ("ack", 3, 1)  # forgotten: current seq
            assert await c2.quiet() == []

    run(scenario())
    assert json.loads(server.state("todos")) == {"x": {"n": 1}}


def test_resume_from_cursor_replays_only_missed_frames(server):
    async def scenario():
        async with WSClient(server, "w") as w:
            await w.hello({"todos": None})
            epoch = (await w.recv())["epoch"]
            for i in range(1, 6):
                await w.send(put("w", i, f"/m{i}", {"n": i}))
                await w.recv_until(is_type("ack"))
        async with WSClient(server, "r") as r:  # WebSocket: hello with a cursor
            await r.hello({"todos": {"epoch": epoch, "seq": 2}})
            assert kinds(await r.recv_until(is_type("synced"))) == [
                ("patch", 3), ("patch", 4), ("patch", 5), ("synced", 5)]
            assert await r.quiet() == []
        async with WSClient(server, "r2") as r2:  # up to date: only synced
            await r2.hello({"todos": {"epoch": epoch, "seq": 5}})
            assert kinds(await r2.quiet()) == [("synced", 5)]
        async with SSEClient(server, "s", ["todos"], last_event_id=f"todos={epoch}:4") as s:
            assert kinds(await s.recv_until(is_type("synced"))) == [
                ("welcome", None), ("patch", 5), ("synced", 5)]
            assert s.retry == 1000
        p = PollClient(server, "p", ["todos"])  # long polling: a cursor in the query
        p.first = False
        p.cursor = {"todos": (epoch, 3)}
        assert kinds(await p.poll()) == [("patch", 4), ("patch", 5), ("synced", 5)]
        assert await p.poll(wait=1) == []

    run(scenario())


def test_stale_epoch_or_future_seq_gets_a_snapshot(server):
    server.seed("todos", {"a": {"n": 1}})

    async def scenario():
        async with WSClient(server, "c") as c:
            await c.hello({"todos": {"epoch": "some-old-epoch", "seq": 1}})
            snap = await c.recv()
            assert snap["type"] == "snapshot" and snap["state"] == {"a": {"n": 1}} and snap["seq"] == 1
            await c.recv()
            await c.send({"type": "subscribe", "collection": "todos", "cursor": {"epoch": snap["epoch"], "seq": 99}})
            assert kinds(await c.recv_until(is_type("synced"))) == [("snapshot", 1), ("synced", 1)]

    run(scenario())


def test_history_limit_falls_back_to_a_snapshot(start_server):
    server = start_server("--history", "3")

    async def scenario():
        async with WSClient(server, "w") as w:
            await w.hello({"todos": None})
            epoch = (await w.recv())["epoch"]
            for i in range(1, 8):
                await w.send(put("w", i, f"/m{i}", {"n": i}))
                await w.recv_until(is_type("ack"))
        async with WSClient(server, "late") as late:
            await late.hello({"todos": {"epoch": epoch, "seq": 1}})
            snap = await late.recv()
            assert snap["type"] == "snapshot" and snap["seq"] == 7 and len(snap["state"]) == 7
        async with WSClient(server, "recent") as recent:
            await recent.hello({"todos": {"epoch": epoch, "seq": 4}})
            assert [f["seq"] for f in await recent.recv_until(is_type("synced"))] == [5, 6, 7, 7]

    run(scenario())


def test_stamped_merge_on_the_server_is_order_independent(server):
    base = {"op": "add", "path": "/m", "value": {"title": "base", "done": False}, "stamp": stamp(1, replica="a")}
    removed = {"op": "remove", "path": "/m", "stamp": stamp(4, replica="c")}
    older = {"op": "replace", "path": "/m/title", "value": "older", "stamp": stamp(5, replica="a")}
    newer = {"op": "replace", "path": "/m/title", "value": "newer", "stamp": stamp(6, replica="b")}

    async def scenario():
        count = {}
        for op in [newer, older, removed, base]:
            replica = op["stamp"].rsplit("-", 1)[1]
            count[replica] = count.get(replica, 0) + 1
            async with WSClient(server, replica) as c:
                await c.hello({})
                await c.send(mutate(replica, count[replica], [op]))
                assert (await c.recv())["type"] == "ack"

    run(scenario())
    # base is shadowed by the remove at 4; the title writes at 5 and 6 are newer than the remove
    assert server.state("todos") == '{"m":{"title":"newer"}}'

    async def snapshot_versions():
        async with WSClient(server, "reader") as r:
            await r.hello({"todos": None})
            return await r.recv()

    snap = run(snapshot_versions())
    assert snap["versions"] == {"/m": removed["stamp"], "/m/title": newer["stamp"]}
    # a tombstone is listed although its path is absent from the state
    assert admin(server, "POST", "/admin/seed", {"collection": "gone", "state": {"x": {}}})["seq"] == 1
    admin(server, "POST", "/admin/seed", {"collection": "gone", "state": {}})

    async def tombstone():
        async with WSClient(server, "reader2") as r:
            await r.hello({"gone": None})
            return await r.recv()

    snap = run(tombstone())
    assert snap["state"] == {} and list(snap["versions"]) == ["/x"]


def test_admin_plain_patch_is_atomic_and_broadcast_plain(server):
    server.seed("todos", {"m": {"tags": ["a", "b"], "n": 1}})

    async def scenario():
        async with WSClient(server, "o") as o:
            await o.hello({"todos": None})
            await o.recv_until(is_type("synced"))
            ops = [{"op": "add", "path": "/m/tags/1", "value": "x"},
                   {"op": "move", "from": "/m/n", "path": "/m/count"},
                   {"op": "test", "path": "/m/count", "value": 1}]
            assert admin(server, "POST", "/admin/patch", {"collection": "todos", "ops": ops})["seq"] == 2
            patch = await o.recv()
            assert patch["type"] == "patch" and patch["seq"] == 2 and patch["ops"] == ops
            # a failing op rejects the whole patch: state untouched, nothing broadcast
            status, _, body = http("POST", f"{server.base}/admin/patch", {"collection": "todos", "ops": [
                {"op": "add", "path": "/m/z", "value": 1}, {"op": "test", "path": "/m/count", "value": 2}]})
            assert status == 409 and json.loads(body)["code"] == "test-failed"
            assert await o.quiet() == []
            # versioned broadcast: the normalized, server-stamped writes
            admin(server, "POST", "/admin/patch", {"collection": "todos", "plain": False,
                                                   "ops": [{"op": "remove", "path": "/m/tags/0"}]})
            patch = await o.recv()
            assert [(op["op"], op["path"], op["value"]) for op in patch["ops"]] == [("add", "/m/tags", ["x", "b"])]
            assert all("stamp" in op for op in patch["ops"])
        # a late subscriber replays the plain patch exactly as live subscribers saw it
        async with WSClient(server, "late") as late:
            await late.hello({"todos": {"epoch": patch["epoch"], "seq": 1}})
            assert (await late.recv())["ops"] == ops

    run(scenario())
    assert server.state("todos") == '{"m":{"count":1,"tags":["x","b"]}}'


def test_invalid_mutations_are_rejected_and_change_nothing(start_server):
    server = start_server("--collection", "todos")
    s = lambda: fresh_stamp("c")  # noqa: E731
    cases = [
        ([{"op": "add", "path": "/a", "value": {}, "stamp": "not-a-stamp"}], "invalid-stamp"),
        ([{"op": "add", "path": "/a", "value": {}}], "invalid-stamp"),
        ([{"op": "add", "path": "/a", "value": {}, "stamp": fresh_stamp("someone-else")}], "invalid-stamp"),
        ([{"op": "add", "path": "/a/x", "value": 1, "stamp": stamp(9, replica="c")},
          {"op": "add", "path": "/a/y", "value": 1, "stamp": stamp(8, replica="c")}], "invalid-stamp"),
        ([{"op": "move", "from": "/a", "path": "/b", "stamp": s()}], "invalid-op"),
        ([{"op": "test", "path": "/a", "value": 1, "stamp": s()}], "invalid-op"),
        ([{"op": "add", "path": "", "value": {}, "stamp": s()}], "invalid-op"),
        ([{"op": "add", "path": "a", "value": {}, "stamp": s()}], "invalid-op"),
        ([{"op": "add", "path": "/a", "value": 5, "stamp": s()}], "invalid-op"),
        ([{"op": "add", "path": "/a", "value": {"id": "b"}, "stamp": s()}], "invalid-op"),
        ([{"op": "replace", "path": "/a", "stamp": s()}], "invalid-op"),
        ([], "invalid-op"),
        ([{"op": "add", "path": "/a", "value": {}, "stamp": stamp(10**14, replica="c")}], "clock-skew"),
    ]

    async def scenario():
        async with WSClient(server, "c") as c:
            await c.hello({"todos": None})
            await c.recv_until(is_type("synced"))
            for i, (ops, code) in enumerate(cases, start=1):
                await c.send(mutate("c", i, ops))
                reply = await c.recv()
                assert reply["type"] == "reject" and reply["code"] == code, (ops, reply)
                assert (reply["mutation"], reply["collection"]) == (i, "todos") and reply["reason"]
            n = len(cases)
            await c.send(put("c", n + 1, "/a", {}, collection="nope"))
            assert (await c.recv())["code"] == "unknown-collection"
            await c.send(put("other", n + 2, "/a", {}))
            assert (await c.recv())["code"] == "forbidden"
            # a resent rejected mutation gets the same reject again
            await c.send(put("c", 1, "/a", {}))
            assert (await c.recv())["code"] == "invalid-stamp"
            # malformed frames: error bad-frame, the connection stays usable
            for bad in ["{not json", "[1]", '{"type": 5}', json.dumps(mutate("c", 0, [])),
                        json.dumps({"type": "mutate", "client": "c", "mutation": 50, "collection": "todos"}),
                        json.dumps({"type": "ping"}), json.dumps({"type": "subscribe", "collection": "todos"}),
                        "[" * 600 + "]" * 600]:
                await c.ws.send(bad)
                assert (await c.recv())["code"] == "bad-frame", bad
            await c.send({"type": "warp-speed"})  # unknown types are ignored
            await c.send({"type": "ping", "id": 41})
            assert await c.recv() == {"type": "pong", "id": 41}

    run(scenario())
    assert server.state("todos") == "{}"
    assert server.info()["collections"]["todos"]["seq"] == 0


def test_first_frame_must_be_a_hello_of_protocol_1(server):
    async def expect_close(first, code, status):
        async with WSClient(server, "c") as c:
            await c.ws.send(first)
            close = await c.recv()
            assert close["type"] == "close" and close["code"] == code
            try:
                await c.recv(timeout=2)
                raise AssertionError("the server should close")
            except websockets.ConnectionClosed as e:
                assert e.rcvd is not None and e.rcvd.code == status

    async def scenario():
        await expect_close(json.dumps({"type": "subscribe", "collection": "todos", "cursor": None}), "bad-frame", 1002)
        await expect_close("nonsense", "bad-frame", 1002)
        await expect_close(json.dumps({"type": "hello", "protocol": 2, "client": "c", "subscriptions": {}}),
                           "unsupported-protocol", 1002)
        await expect_close(json.dumps({"type": "hello", "protocol": 1, "client": "bad id!", "subscriptions": {}}),
                           "bad-frame", 1002)
        async with WSClient(server, "c") as c:
            await c.hello({})
            await c.ws.send(b"binary")
            assert (await c.recv())["code"] == "bad-frame"
            try:
                await c.recv(timeout=2)
            except websockets.ConnectionClosed as e:
                assert e.rcvd.code == 1003

    run(scenario())


def test_heartbeat_pings_on_websocket_and_sse(start_server):
    server = start_server("--heartbeat", "200")

    async def scenario():
        async with WSClient(server, "c") as c, SSEClient(server, "s", ["todos"]) as s:
            assert (await c.hello({}))["heartbeat"] == 200
            ping = await c.recv(timeout=2, skip_pings=False)
            assert ping["type"] == "ping" and isinstance(ping["id"], int)
            await c.send({"type": "pong", "id": ping["id"]})
            frames = [await s.recv(timeout=2, skip_pings=False) for _ in range(4)]
            assert frames[-1]["type"] == "ping"
        async with WSClient(server, "silent") as quiet:  # answers nothing: idle-timeout after 3 x 200 ms
            await quiet.hello({})
            frames = []
            try:
                while True:
                    frames.append(await quiet.recv(timeout=3, skip_pings=False))
            except websockets.ConnectionClosed:
                pass
            assert frames[-1]["type"] == "close" and frames[-1]["code"] == "idle-timeout"

    run(scenario())


def test_long_poll_holds_until_a_patch_arrives(server):
    async def scenario():
        p = PollClient(server, "p", ["todos"])
        await p.poll()
        loop = asyncio.get_running_loop()
        started = loop.time()
        waiting = asyncio.ensure_future(p.poll(wait=5))
        await asyncio.sleep(0.3)
        assert not waiting.done()
        async with WSClient(server, "w") as w:
            await w.hello({})
            await w.send(put("w", 1, "/a", {"n": 1}))
            await w.recv()
        assert kinds(await waiting) == [("patch", 1), ("synced", 1)]
        assert loop.time() - started < 4
        started = loop.time()
        assert await p.poll(wait=1) == []
        assert loop.time() - started >= 0.9
        # a newer poll of the same client answers the older one with []
        older = asyncio.ensure_future(p.poll(wait=5))
        await asyncio.sleep(0.3)
        newer = asyncio.ensure_future(p.poll(wait=1))
        assert await asyncio.wait_for(older, 2) == []
        await newer

    run(scenario())


def test_http_requests_are_validated(start_server):
    server = start_server("--collection", "todos")
    base = server.base

    def error(method, url, body=None, raw=None):
        status, _, text = http(method, url, body) if raw is None else http_raw(url, raw)
        return status, json.loads(text)["code"]

    def http_raw(url, data):
        import urllib.error
        import urllib.request
        try:
            with urllib.request.urlopen(urllib.request.Request(url, data=data, method="POST"), timeout=5) as r:
                return r.status, dict(r.headers), r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, dict(e.headers), e.read().decode()

    assert error("GET", f"{base}/v1/events?collection=todos") == (400, "bad-request")
    assert error("GET", f"{base}/v1/poll?client=c") == (400, "bad-request")
    assert error("GET", f"{base}/v1/poll?client=c&collection=todos&wait=1.5") == (400, "bad-request")
    assert error("GET", f"{base}/v1/poll?client=c&collection=todos&wait=61") == (400, "bad-request")
    assert error("GET", f"{base}/v1/poll?client=c&collection=todos&cursor=garbage") == (400, "bad-request")
    assert error("GET", f"{base}/v1/poll?client=c&collection=other") == (404, "unknown-collection")
    assert error("GET", f"{base}/v1/ws") == (400, "bad-request")
    assert error("GET", f"{base}/v1/nothing") == (404, "not-found")
    assert error("POST", f"{base}/v1/send", [{"type": "ping", "id": 1}]) == (400, "bad-request")
    assert error("POST", f"{base}/v1/send?client=c", None, raw=b"{}") == (400, "bad-request")
    assert error("POST", f"{base}/v1/send?client=c", None, raw=b"[1]") == (400, "bad-request")
    assert error("POST", f"{base}/v1/send?client=c", [{"type": "ping", "id": 1}] * 1001) == (413, "too-large")
    status, _, body = http("POST", f"{base}/v1/send?client=c", [{"type": "ping", "id": 1}, {"type": "ping"}])
    assert (status, body) == (202, "{}")
    status, _, body = http("GET", f"{base}/v1/poll?client=c&collection=todos&cursor=&wait=0")
    frames = json.loads(body)
    assert frames[-3:-1] == [{"type": "pong", "id": 1}, frames[-2]] and frames[-2]["code"] == "bad-frame"
    assert frames[-1]["type"] == "ping" and frames[-1]["cursors"]["todos"]["seq"] == 0


def test_resync_by_posted_subscribe_on_sse_and_long_polling(server):
    async def scenario():
        async with SSEClient(server, "s", ["todos"]) as s:
            snap = (await s.recv_until(is_type("synced")))[-1]
            epoch = snap["epoch"]
            async with WSClient(server, "w") as w:
                await w.hello({})
                for i in (1, 2):
                    await w.send(put("w", i, f"/m{i}", {"n": i}))
                    await w.recv_until(is_type("ack"))
            assert kinds([await s.recv(), await s.recv()]) == [("patch", 1), ("patch", 2)]
            sender = PollClient(server, "s", [])
            assert await sender.send([{"type": "subscribe", "collection": "todos",
                                       "cursor": {"epoch": epoch, "seq": 1}}]) == 202
            assert kinds(await s.recv_until(is_type("synced"))) == [("patch", 2), ("synced", 2)]
            assert await sender.send([{"type": "subscribe", "collection": "todos", "cursor": None}]) == 202
            assert kinds(await s.recv_until(is_type("synced"))) == [("snapshot", 2), ("synced", 2)]
            assert server.info()["connections"] == 1
        await asyncio.sleep(0.5)
        assert server.info()["connections"] == 0  # a client that goes away is noticed at once
        p = PollClient(server, "p", ["todos"])
        await p.poll()
        assert await p.send([{"type": "subscribe", "collection": "todos", "cursor": None},
                             {"type": "subscribe", "collection": "nope!", "cursor": None}]) == 202
        frames = await p.poll(wait=1)
        assert kinds(frames) == [("snapshot", 2), ("synced", 2), ("error", None)]
        assert frames[-1]["code"] == "bad-frame"

    run(scenario())
