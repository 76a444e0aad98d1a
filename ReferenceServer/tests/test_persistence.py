"""Persistence (SQLite log), restarts, epochs and graceful shutdown."""

import json

import websockets
from harness import SSEClient, WSClient, admin, is_type, put, run


async def write_models(server, client, start, count, collection="todos"):
    async with WSClient(server, client) as c:
        await c.hello({})
        acks = []
        for i in range(start, start + count):
            await c.send(put(client, i, f"/m{i}", {"n": i}, collection))
            acks.append(await c.recv())
        return acks


def test_killed_server_keeps_epoch_history_and_dedup(start_server, tmp_path):
    db = str(tmp_path / "log.db")
    server = start_server("--checkpoint-every", "3", db=db)
    acks = run(write_models(server, "w", 1, 7))
    assert [a["seq"] for a in acks] == list(range(1, 8))
    epoch = server.info()["epoch"]
    state = server.state("todos")
    server.kill()  # SIGKILL: no graceful checkpoint

    again = start_server("--checkpoint-every", "3", db=db)
    assert again.info()["epoch"] == epoch
    assert again.state("todos") == state

    async def scenario():
        async with WSClient(again, "r") as r:
            await r.hello({"todos": {"epoch": epoch, "seq": 4}})
            frames = await r.recv_until(is_type("synced"))
            assert [(f["type"], f["seq"]) for f in frames] == [("patch", 5), ("patch", 6), ("patch", 7), ("synced", 7)]
            # a mutation resent after the restart is re-acked with its original seq, not re-applied
            async with WSClient(again, "w") as w:
                await w.hello({})
                await w.send(put("w", 5, "/m5", {"n": 5}))
                assert await w.recv() == acks[4]
                await w.send(put("w", 8, "/m8", {"n": 8}))
                assert (await w.recv())["seq"] == 8
            assert [f["seq"] for f in await r.recv_until(is_type("patch"))] == [8]

    run(scenario())


def test_graceful_shutdown_sends_close_with_retry_hint(start_server, tmp_path):
    db = str(tmp_path / "log.db")
    server = start_server(db=db)
    run(write_models(server, "w", 1, 2))

    async def scenario():
        async with WSClient(server, "c") as c, SSEClient(server, "s", ["todos"]) as s:
            await c.hello({"todos": None})
            await c.recv_until(is_type("synced"))
            await s.recv_until(is_type("synced"))
            admin(server, "POST", "/admin/shutdown")
            close = await c.recv()
            assert close["type"] == "close" and close["code"] == "going-away" and close["retryAfter"] == 1000
            sse_close = await s.recv_until(is_type("close"))
            assert sse_close[-1]["code"] == "going-away" and s.retry == 1000
            try:
                await c.recv(timeout=2)
                raise AssertionError("the socket should close")
            except websockets.ConnectionClosed as e:
                assert e.rcvd is not None and e.rcvd.code == 1001

    run(scenario())
    assert server.proc.wait(5) == 0
    again = start_server(db=db)
    assert json.loads(again.state("todos")) == {"m1": {"n": 1}, "m2": {"n": 2}}
    assert again.info()["collections"]["todos"]["seq"] == 2


def test_restart_with_another_epoch_forgets_history_but_keeps_state(start_server, tmp_path):
    db = str(tmp_path / "log.db")
    server = start_server("--epoch", "first", db=db)
    run(write_models(server, "w", 1, 3))
    server.kill()
    server = start_server("--epoch", "second", db=db)
    info = server.info()
    assert info["epoch"] == "second" and info["collections"]["todos"]["seq"] == 0

    async def scenario():
        async with WSClient(server, "c") as c:
            await c.hello({"todos": {"epoch": "first", "seq": 3}})
            snap = await c.recv()
            assert snap["type"] == "snapshot" and snap["epoch"] == "second" and snap["seq"] == 0
            assert sorted(snap["state"]) == ["m1", "m2", "m3"]
            assert set(snap["versions"]) == {"/m1", "/m2", "/m3"}
            # dedup memory survives the epoch change
            assert (await c.recv())["type"] == "synced"
            # dedup memory survives the epoch change; the old ack's seq means nothing now
        async with WSClient(server, "w") as w:
            await w.hello({"todos": {"epoch": "second", "seq": 0}})
            assert (await w.recv())["type"] == "synced"
            await w.send(put("w", 2, "/m2", {"n": 0}))
            assert await w.recv() == {"type": "ack", "client": "w", "mutation": 2, "collection": "todos", "seq": 0}
            await w.send(put("w", 4, "/m4", {"n": 4}))
            frames = await w.recv_until(is_type("ack"))
            assert [(f["type"], f["seq"]) for f in frames] == [("patch", 1), ("ack", 1)]

    run(scenario())


def test_admin_restart_closes_connections_and_starts_a_new_epoch(server):
    server.seed("todos", {"a": {"n": 1}})

    async def scenario():
        async with WSClient(server, "c") as c:
            await c.hello({"todos": None})
            old = await c.recv()
            await c.recv()
            new_epoch = server.restart_epoch(epoch="fresh", retryAfter=250)
            assert new_epoch == "fresh"
            close = await c.recv()
            assert close == {"type": "close", "code": "server-restart",
                             "reason": close["reason"], "retryAfter": 250}
        async with WSClient(server, "c") as c:
            await c.hello({"todos": {"epoch": old["epoch"], "seq": old["seq"]}})
            snap = await c.recv()
            assert (snap["type"], snap["epoch"], snap["seq"], snap["state"]) == ("snapshot", "fresh", 0, {"a": {"n": 1}})
        # forgetting state too
        server.restart_epoch(keepState=False)
        assert server.state("todos") == "{}"

    run(scenario())
