"""Fault injection (drop, duplicate, delay, lose, 503) and bearer-token auth."""

import asyncio
import http.client as http_client
import json

import pytest
import websockets
from harness import PollClient, SSEClient, WSClient, http, is_type, put, run


async def write(server, client, mutation, key):
    async with WSClient(server, client) as c:
        await c.hello({})
        await c.send(put(client, mutation, f"/{key}", {"n": mutation}))
        assert (await c.recv())["type"] == "ack"


def test_drop_after_n_frames_from_the_command_line(start_server):
    server = start_server("--faults", "drop_after=4,drop_times=1")
    server.seed("todos", {"a": {"n": 1}})

    async def scenario():
        async with WSClient(server, "c") as c:
            await c.hello({"todos": None})  # frame 1: welcome
            snap = await c.recv()  # frame 2
            await c.recv()  # frame 3: synced
            await write(server, "w", 1, "b")  # frame 4: the patch, then the connection is cut
            assert (await c.recv())["seq"] == 2
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await c.recv(timeout=3)
            assert closed.value.rcvd is None  # abrupt: no close frame
        # drop_times=1: the next connection is healthy and resumes from its cursor
        async with WSClient(server, "c") as c:
            await c.hello({"todos": {"epoch": snap["epoch"], "seq": 2}})
            assert (await c.recv())["type"] == "synced"
            await write(server, "w", 2, "c")
            await write(server, "w", 3, "d")
            assert [f["seq"] for f in await c.recv_until(lambda f: f.get("seq") == 4)] == [3, 4]

    run(scenario())


def test_sse_drop_then_resume_with_last_event_id(server):
    async def scenario():
        server.faults(drop_after=4, drop_times=1)
        async with SSEClient(server, "s", ["todos"]) as s:
            await s.recv_until(is_type("synced"))
            await write(server, "w", 1, "a")
            assert (await s.recv())["seq"] == 1
            with pytest.raises(ConnectionError):
                await s.recv(timeout=2)
            last = s.last_id
        assert last.endswith(":1")
        await write(server, "w", 2, "b")
        await write(server, "w", 3, "c")
        async with SSEClient(server, "s", ["todos"], last_event_id=last) as s:
            frames = await s.recv_until(is_type("synced"))
            assert [(f["type"], f.get("seq")) for f in frames] == [
                ("welcome", None), ("patch", 2), ("patch", 3), ("synced", 3)]

    run(scenario())


def test_duplicated_frames(server):
    async def scenario():
        server.faults(duplicate_every=1)
        async with WSClient(server, "c") as c:
            await c.hello({"todos": None})
            assert (await c.recv())["type"] == "welcome"  # the welcome twice
            first, second = await c.recv(), await c.recv()
            assert first == second and first["type"] == "snapshot"
        server.faults()  # {} clears every fault
        async with WSClient(server, "c") as c:
            await c.hello({"todos": None})
            assert [f["type"] for f in await c.quiet()] == ["snapshot", "synced"]

    run(scenario())


def test_delayed_frames_and_lost_patches(server):
    async def scenario():
        async with WSClient(server, "c") as c:
            await c.hello({"todos": None})
            snap = await c.recv()
            await c.recv()
            server.faults(delay_ms=300, lose_every=2)
            loop = asyncio.get_running_loop()
            started = loop.time()
            for i in range(1, 4):
                await write(server, "w", i, f"k{i}")
            frames = await c.recv_until(lambda f: f.get("seq") == 3, timeout=5)
            assert loop.time() - started >= 0.5  # two delayed frames
            assert [f["seq"] for f in frames] == [1, 3]  # seq 2 lost: the client sees a gap
            server.faults()
            # the gap is repaired by re-subscribing from the last contiguous cursor
            await c.send({"type": "subscribe", "collection": "todos", "cursor": {"epoch": snap["epoch"], "seq": 1}})
            assert [(f["type"], f["seq"]) for f in await c.recv_until(is_type("synced"))] == [
                ("patch", 2), ("patch", 3), ("synced", 3)]

    run(scenario())


def test_unavailable_answers_503_with_retry_after(server):
    server.faults(unavailable=2, retry_after_ms=2500)
    url = f"{server.base}/v1/poll?client=p&collection=todos&wait=0"
    for _ in range(2):
        status, headers, body = http("GET", url)
        assert status == 503 and headers["Retry-After"] == "3"
        assert json.loads(body)["retryAfter"] == 2500
    assert http("GET", url)[0] == 200


def test_long_poll_drop_loses_the_response_not_the_history(server):
    epoch = server.info()["epoch"]
    run(write(server, "w", 1, "a"))
    server.faults(drop_after=1, drop_times=1)
    url = f"{server.base}/v1/poll?client=p&collection=todos&wait=0&cursor=todos={epoch}:0"
    with pytest.raises((ConnectionError, OSError, http_client.HTTPException)):
        http("GET", url)  # urllib does not retry (aiohttp would, transparently)
    status, _, body = http("GET", url)  # same cursor: nothing was lost
    frames = json.loads(body)
    assert status == 200 and [(f["type"], f.get("seq")) for f in frames] == [("patch", 1), ("synced", 1), ("ping", None)]
    assert frames[-1]["cursors"] == {"todos": {"epoch": epoch, "seq": 1}}


def test_bad_fault_spec_is_refused(server):
    status, _, body = http("POST", f"{server.base}/admin/faults", {"explode": 1})
    assert status == 400 and "explode" in json.loads(body)["message"]


def test_token_auth_on_every_transport(start_server):
    server = start_server("--token", "s3cret")
    good = {"Authorization": "Bearer s3cret"}
    base = server.base
    for url in (f"{base}/v1/events?client=s&collection=todos", f"{base}/v1/poll?client=p&collection=todos&wait=0"):
        status, headers, body = http("GET", url)
        assert status == 401 and headers["WWW-Authenticate"] == "Bearer"
        assert json.loads(body)["code"] == "unauthorized"
        assert http("GET", url, headers={"Authorization": "Bearer nope"})[0] == 401
    assert http("POST", f"{base}/v1/send?client=p", [{"type": "ping", "id": 1}])[0] == 401
    assert http("POST", f"{base}/v1/send?client=p", [{"type": "ping", "id": 1}], headers=good)[0] == 202
    assert http("GET", f"{base}/v1/poll?client=p&collection=todos&wait=0&token=s3cret")[0] == 200

    async def scenario():
        async with SSEClient(server, "s", ["todos"], headers=good) as s:
            assert s.status == 200 and (await s.recv())["type"] == "welcome"
        with pytest.raises(websockets.InvalidStatus) as refused:
            async with WSClient(server, "c", headers={"Authorization": "Bearer nope"}):
                pass
        assert refused.value.response.status_code == 401
        async with WSClient(server, "c", headers=good) as c:
            await c.hello({})
        async with WSClient(server, "c") as c:  # no header: the token may come in hello
            await c.hello({}, token="s3cret")
        async with WSClient(server, "c") as c:
            await c.send({"type": "hello", "protocol": 1, "client": "c", "subscriptions": {"todos": None}})
            close = await c.recv()
            assert (close["type"], close["code"]) == ("close", "unauthorized")
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await c.recv()
            assert closed.value.rcvd.code == 1008

    run(scenario())
