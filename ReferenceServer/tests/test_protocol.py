"""Wire protocol v1 end to end over all three transports, against a live server subprocess."""

import asyncio
import json

from harness import PollClient, SSEClient, WSClient, http, is_type, mutate, run, stamp


def test_ws_hello_subscribe_snapshot_and_mutation_roundtrip(server):
    server.seed("todos", {"a": {"title": "seeded"}})

    async def scenario():
        async with WSClient(server, "c1") as c1, WSClient(server, "c2") as c2:
            welcome = await c1.hello({"todos": None})
            assert welcome["protocol"] == 1 and welcome["heartbeat"] > 0
            snap = await c1.recv()
            assert snap["type"] == "snapshot" and snap["seq"] == 1
            assert snap["state"] == {"a": {"title": "seeded"}}
            await c2.hello({})
            await c2.send({"type": "subscribe", "collection": "todos", "cursor": None})
            assert (await c2.recv())["type"] == "snapshot"

            op = {"op": "add", "path": "/b", "value": {"title": "new"}, "stamp": stamp(10, replica="c1")}
            await c1.send(mutate("c1", 1, [op]))
            patch, ack = await c1.recv(), await c1.recv()
            assert patch["type"] == "patch" and patch["seq"] == 2 and patch["ops"] == [op]
            assert patch["origin"] == {"client": "c1", "mutation": 1}
            assert ack == {"type": "ack", "client": "c1", "mutation": 1, "seq": 2}
            assert await c2.recv() == patch
            assert await c2.quiet() == []  # c2 gets the patch only, never c1's ack

    run(scenario())
    assert server.state("todos") == '{"a":{"title":"seeded"},"b":{"title":"new"}}'


def test_a_write_on_each_transport_reaches_the_other_two(server):
    async def scenario():
        async with WSClient(server, "ws1") as ws, SSEClient(server, "sse1", ["todos"]) as sse:
            await ws.hello({"todos": None})
            assert (await ws.recv())["type"] == "snapshot"
            assert (await sse.recv())["type"] == "welcome"
            assert (await sse.recv())["type"] == "snapshot"
            poll = PollClient(server, "lp1", ["todos"])
            first = await poll.poll()
            assert [f["type"] for f in first] == ["welcome", "snapshot"]

            # WebSocket writes
            await ws.send(mutate("ws1", 1, [{"op": "add", "path": "/w", "value": 1, "stamp": stamp(1, replica="ws1")}]))
            # SSE client writes via POST /v1/send
            status = await PollClient(server, "sse1", []).send(
                [mutate("sse1", 1, [{"op": "add", "path": "/s", "value": 2, "stamp": stamp(2, replica="sse1")}])])
            assert status == 202
            # long-polling client writes via POST /v1/send
            assert await poll.send([mutate("lp1", 1, [{"op": "add", "path": "/l", "value": 3, "stamp": stamp(3, replica="lp1")}])]) == 202

            ws_frames = await ws.recv_until(lambda f: f.get("type") == "patch" and f["seq"] == 3)
            sse_frames = await sse.recv_until(lambda f: f.get("type") == "ack")
            sse_frames += await sse.recv_until(lambda f: f.get("type") == "patch" and f["seq"] == 3)
            lp_frames = await poll.poll_until(lambda f: f.get("type") == "ack")
            if poll.cursor["todos"][1] < 3:
                lp_frames += await poll.poll_until(lambda f: f.get("type") == "patch" and f["seq"] == 3)
            for frames in (ws_frames, sse_frames, lp_frames):
                patches = [f for f in frames if f["type"] == "patch"]
                assert [p["seq"] for p in patches] == [1, 2, 3]
                assert {p["origin"]["client"] for p in patches} == {"ws1", "sse1", "lp1"}
            assert [f["mutation"] for f in sse_frames if f["type"] == "ack"] == [1]
            assert [f for f in lp_frames if f["type"] == "ack"][0]["client"] == "lp1"
            # SSE ids carry the cursor string
            assert sse.last_id.startswith("todos=") and sse.last_id.endswith(":3")

    run(scenario())
    assert json.loads(server.state("todos")) == {"w": 1, "s": 2, "l": 3}


def test_duplicate_mutation_is_reacked_without_a_second_patch(server):
    async def scenario():
        async with WSClient(server, "c1") as c1, WSClient(server, "c2") as c2:
            await c1.hello({"todos": None})
            await c2.hello({"todos": None})
            await c1.recv(), await c2.recv()
            frame = mutate("c1", 7, [{"op": "add", "path": "/x", "value": 1}])
            await c1.send(frame)
            first = await c1.recv_until(is_type("ack"))
            await c1.send(frame)  # resent after a "reconnect"
            again = await c1.recv()
            assert again == first[-1]
            assert [f["type"] for f in await c2.quiet()] == ["patch"]
            # an older mutation id from the same client is also a duplicate
            await c1.send(mutate("c1", 3, [{"op": "add", "path": "/y", "value": 1}]))
            old = await c1.recv()
            assert old["type"] == "ack" and old["mutation"] == 3
            assert await c2.quiet() == []

    run(scenario())
    assert json.loads(server.state("todos")) == {"x": 1}


def test_resume_from_cursor_replays_only_missed_frames(server):
    async def scenario():
        async with WSClient(server, "w") as w:
            await w.hello({"todos": None})
            snap = await w.recv()
            epoch = snap["epoch"]
            for i in range(1, 6):
                await w.send(mutate("w", i, [{"op": "add", "path": f"/m{i}", "value": i}]))
                await w.recv_until(is_type("ack"))
        # WebSocket resume from seq 2
        async with WSClient(server, "r") as r:
            await r.hello({"todos": {"epoch": epoch, "seq": 2}})
            frames = await r.recv_until(lambda f: f.get("seq") == 5)
            assert [(f["type"], f["seq"]) for f in frames] == [("patch", 3), ("patch", 4), ("patch", 5)]
            assert await r.quiet() == []
        # up to date: nothing
        async with WSClient(server, "r2") as r2:
            await r2.hello({"todos": {"epoch": epoch, "seq": 5}})
            assert await r2.quiet() == []
        # SSE resume with Last-Event-ID
        async with SSEClient(server, "s", ["todos"], last_event_id=f"todos={epoch}:4") as s:
            frames = await s.recv_until(lambda f: f.get("seq") == 5)
            assert [(f["type"], f.get("seq")) for f in frames] == [("welcome", None), ("patch", 5)]
            assert s.retry == 1000
        # long polling resume from a cursor
        p = PollClient(server, "p", ["todos"])
        p.first = False
        p.cursor = {"todos": (epoch, 3)}
        assert [(f["type"], f["seq"]) for f in await p.poll()] == [("patch", 4), ("patch", 5)]
        assert await p.poll(wait=0.2) == []

    run(scenario())


def test_stale_epoch_or_future_seq_gets_a_snapshot(server):
    server.seed("todos", {"a": 1})

    async def scenario():
        async with WSClient(server, "c") as c:
            await c.hello({"todos": {"epoch": "some-old-epoch", "seq": 1}})
            snap = await c.recv()
            assert snap["type"] == "snapshot" and snap["state"] == {"a": 1} and snap["seq"] == 1
            await c.send({"type": "subscribe", "collection": "todos", "cursor": {"epoch": snap["epoch"], "seq": 99}})
            assert (await c.recv())["type"] == "snapshot"

    run(scenario())


def test_history_limit_falls_back_to_a_snapshot(start_server):
    server = start_server("--history", "3")

    async def scenario():
        async with WSClient(server, "w") as w:
            await w.hello({"todos": None})
            epoch = (await w.recv())["epoch"]
            for i in range(1, 8):
                await w.send(mutate("w", i, [{"op": "add", "path": f"/m{i}", "value": i}]))
                await w.recv_until(is_type("ack"))
        async with WSClient(server, "late") as late:
            await late.hello({"todos": {"epoch": epoch, "seq": 1}})
            snap = await late.recv()
            assert snap["type"] == "snapshot" and snap["seq"] == 7 and len(snap["state"]) == 7
        async with WSClient(server, "recent") as recent:
            await recent.hello({"todos": {"epoch": epoch, "seq": 4}})
            assert [f["seq"] for f in await recent.recv_until(lambda f: f.get("seq") == 7)] == [5, 6, 7]

    run(scenario())


def test_stamped_merge_on_the_server_is_order_independent(server):
    older = {"op": "replace", "path": "/m/title", "value": "older", "stamp": stamp(5, replica="a")}
    newer = {"op": "replace", "path": "/m/title", "value": "newer", "stamp": stamp(6, replica="b")}
    removed = {"op": "remove", "path": "/m", "stamp": stamp(4, replica="c")}
    base = {"op": "add", "path": "/m", "value": {"title": "base", "done": False}, "stamp": stamp(1, replica="a")}

    async def scenario():
        async with WSClient(server, "a") as a:
            await a.hello({})
            for i, op in enumerate([newer, older, removed, base], start=1):
                await a.send(mutate("a", i, [op]))
                assert (await a.recv())["type"] == "ack"

    run(scenario())
    # base is shadowed by the remove at 4; the title writes at 5 and 6 are newer than the remove
    assert server.state("todos") == '{"m":{"title":"newer"}}'


def test_plain_patch_is_atomic_and_normalized_to_stamped_ops(server):
    server.seed("todos", {"m": {"tags": ["a", "b"], "n": 1}})

    async def scenario():
        async with WSClient(server, "c") as c, WSClient(server, "o") as o:
            await c.hello({"todos": None})
            await o.hello({"todos": None})
            await c.recv(), await o.recv()
            await c.send(mutate("c", 1, [{"op": "add", "path": "/m/tags/1", "value": "x"},
                                         {"op": "move", "from": "/m/n", "path": "/m/count"},
                                         {"op": "test", "path": "/m/count", "value": 1}]))
            patch, ack = await c.recv(), await c.recv()
            assert ack["type"] == "ack"
            assert [(op["op"], op["path"]) for op in patch["ops"]] == [
                ("add", "/m/tags"), ("remove", "/m/n"), ("add", "/m/count")]
            assert all("stamp" in op for op in patch["ops"])
            assert await o.recv() == patch
            # a failing op rejects the whole mutation, state untouched, nothing broadcast
            await c.send(mutate("c", 2, [{"op": "add", "path": "/m/z", "value": 1},
                                         {"op": "test", "path": "/m/count", "value": 2}]))
            reject = await c.recv()
            assert reject["type"] == "reject" and reject["code"] == "test-failed" and reject["mutation"] == 2
            assert reject["reason"]
            assert await o.quiet() == []

    run(scenario())
    assert server.state("todos") == '{"m":{"count":1,"tags":["a","x","b"]}}'


def test_invalid_mutations_are_rejected_and_change_nothing(server):
    cases = [
        ([{"op": "add", "path": "/a", "value": 1, "stamp": "not-a-stamp"}], "invalid-stamp"),
        ([{"op": "add", "path": "/a", "value": 1, "stamp": stamp(1)}, {"op": "add", "path": "/b", "value": 1}], "mixed-ops"),
        ([{"op": "move", "from": "/a", "path": "/b", "stamp": stamp(1)}], "invalid-op"),
        ([{"op": "add", "path": "", "value": {}, "stamp": stamp(1)}], "invalid-path"),
        ([{"op": "remove", "path": "/missing"}], "path-not-found"),
        ([{"op": "frobnicate", "path": "/a"}], "invalid-op"),
        ([{"op": "replace", "path": "", "value": [1]}], "not-an-object"),
        ([], "invalid-op"),
        ([{"op": "add", "path": "/a", "value": 1, "stamp": stamp(10**14)}], "stamp-skew"),
    ]

    async def scenario():
        async with WSClient(server, "c") as c:
            await c.hello({"todos": None})
            await c.recv()
            for i, (ops, code) in enumerate(cases, start=1):
                await c.send(mutate("c", i, ops))
                reply = await c.recv()
                assert reply["type"] == "reject" and reply["code"] == code, (ops, reply)
                assert reply["mutation"] == i
            # a resent rejected mutation gets the same reject again
            await c.send(mutate("c", 1, [{"op": "add", "path": "/a", "value": 1}]))
            assert (await c.recv())["code"] == "invalid-stamp"
            # malformed frames get error frames, the connection stays usable
            await c.ws.send("{not json")
            assert (await c.recv())["type"] == "error"
            await c.send({"type": "mutate", "collection": "todos", "mutation": 99, "ops": [], "client": 5})
            assert (await c.recv())["code"] == "invalid-frame"
            await c.send({"type": "warp"})
            assert (await c.recv())["code"] == "unknown-frame"
            await c.send({"type": "ping", "id": 41})
            assert await c.recv() == {"type": "pong", "id": 41}

    run(scenario())
    assert server.state("todos") == "{}"
    assert server.info()["collections"]["todos"]["seq"] == 0


def test_hello_is_required_and_protocol_checked(server):
    async def scenario():
        async with WSClient(server, "c") as c:
            await c.send({"type": "subscribe", "collection": "todos", "cursor": None})
            assert (await c.recv())["code"] == "hello-required"
            await c.send({"type": "hello", "protocol": 2, "client": "c", "subscriptions": {}})
            assert (await c.recv())["code"] == "unsupported-protocol"
            close = await c.recv()
            assert close["type"] == "close" and close["code"] == "unsupported-protocol"

    run(scenario())


def test_heartbeat_pings_on_websocket_and_sse(start_server):
    server = start_server("--heartbeat", "200")

    async def scenario():
        async with WSClient(server, "c") as c, SSEClient(server, "s", ["todos"]) as s:
            await c.hello({})
            ping = await c.recv(timeout=2, skip_pings=False)
            assert ping["type"] == "ping" and isinstance(ping["id"], int)
            await c.send({"type": "pong", "id": ping["id"]})
            frames = [await s.recv(timeout=2, skip_pings=False) for _ in range(3)]
            assert frames[-1]["type"] == "ping"

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
            await w.send(mutate("w", 1, [{"op": "add", "path": "/a", "value": 1}]))
            await w.recv()
        frames = await waiting
        assert [f["type"] for f in frames] == ["patch"]
        assert loop.time() - started < 4
        started = loop.time()
        assert await p.poll(wait=0.5) == []
        assert loop.time() - started >= 0.45

    run(scenario())


def test_http_transport_errors(server):
    base = server.base
    assert http("GET", f"{base}/v1/events?collection=todos")[0] == 400
    assert http("GET", f"{base}/v1/poll?client=c")[0] == 400
    assert http("GET", f"{base}/v1/poll?client=c&collection=todos&wait=abc")[0] == 400
    status, _, body = http("POST", f"{base}/v1/send?client=c", None)
    assert status == 400 and json.loads(body)["code"] == "invalid-frame"
    status, _, _ = http("POST", f"{base}/v1/send?client=c", [{"type": "ping", "id": 1}])
    assert status == 202
    status, _, body = http("GET", f"{base}/v1/poll?client=c&collection=todos&cursor=&wait=0")
    assert {"type": "pong", "id": 1} in json.loads(body)
