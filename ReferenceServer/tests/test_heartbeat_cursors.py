"""Heartbeats carry the stream position (PROTOCOL.md 2.10, 6): a lost final frame is revealed."""

import asyncio

from harness import PollClient, SSEClient, WSClient, is_type, run
from test_faults_auth import write


async def next_ping(client, timeout: float = 3.0) -> dict:
    """The next `ping`, skipping other frames (the stream keeps its order)."""
    while True:
        frame = await client.recv(timeout=timeout, skip_pings=False)
        if frame["type"] == "ping":
            return frame


def test_idle_heartbeat_states_the_current_cursor_on_websocket_and_sse(start_server):
    server = start_server("--heartbeat", "200")
    server.seed("todos", {"a": {"n": 1}})

    async def scenario():
        async with WSClient(server, "c") as c, SSEClient(server, "s", ["todos", "users"]) as s:
            await c.hello({"todos": None})
            snap = await c.recv()
            assert snap["type"] == "snapshot"
            ping = await next_ping(c)
            assert ping["cursors"] == {"todos": {"epoch": snap["epoch"], "seq": 1}}
            await write(server, "w", 1, "b")
            patch = await c.recv()
            assert patch["seq"] == 2
            loop = asyncio.get_running_loop()
            started = loop.time()
            ping = await next_ping(c)
            # Due one heartbeat after the last frame, not a full period after the previous ping.
            assert loop.time() - started < 1.5
            assert ping["cursors"] == {"todos": {"epoch": snap["epoch"], "seq": 2}}
            # SSE: every subscribed collection, including one whose catch-up was only `synced`.
            await s.recv_until(is_type("patch", seq=2))
            ping = await next_ping(s)
            assert ping["cursors"] == {"todos": {"epoch": snap["epoch"], "seq": 2},
                                       "users": {"epoch": snap["epoch"], "seq": 0}}

    run(scenario())


def test_a_lost_final_patch_is_revealed_by_the_next_heartbeat(start_server):
    server = start_server("--heartbeat", "200")

    async def scenario():
        for kind in ("websocket", "sse"):
            server.faults()
            if kind == "websocket":
                client = WSClient(server, "c")
            else:
                client = SSEClient(server, "s", ["todos"])
            async with client as c:
                if kind == "websocket":
                    await c.hello({"todos": None})
                synced = (await c.recv_until(is_type("synced")))[-1]
                epoch, base = synced["epoch"], synced["seq"]
                server.faults(lose_every=2)  # the connection's 2nd patch is lost: the last one
                await write(server, f"w-{kind}", 1, f"{kind}1")
                await write(server, f"w-{kind}", 2, f"{kind}2")
                frames = []
                while True:
                    frame = await c.recv(timeout=3, skip_pings=False)
                    if frame["type"] == "ping":
                        break
                    frames.append(frame)
                assert [f["seq"] for f in frames if f["type"] == "patch"] == [base + 1]
                # The heartbeat is never lost and names the seq the client did not get.
                assert frame["cursors"]["todos"] == {"epoch": epoch, "seq": base + 2}
                server.faults()
                if kind == "websocket":
                    await c.send({"type": "subscribe", "collection": "todos",
                                  "cursor": {"epoch": epoch, "seq": base + 1}})
                    replay = await c.recv_until(is_type("synced"))
                    assert [(f["type"], f["seq"]) for f in replay] == [("patch", base + 2), ("synced", base + 2)]

    run(scenario())


def test_duplicated_heartbeats_are_identical(start_server):
    server = start_server("--heartbeat", "200", "--faults", "duplicate_every=1")

    async def scenario():
        async with WSClient(server, "c") as c:
            await c.hello({"todos": None})
            first = await next_ping(c)
            second = await c.recv(timeout=3, skip_pings=False)
            assert first == second and first["cursors"]["todos"]["seq"] == 0

    run(scenario())


def test_long_poll_batches_end_with_their_cursors(server):
    async def scenario():
        p = PollClient(server, "p", ["todos"])
        await p.poll()
        epoch = p.cursor["todos"][0]
        assert p.heartbeat["cursors"] == {"todos": {"epoch": epoch, "seq": 0}}
        server.faults(lose_every=2)
        await write(server, "w", 1, "a")
        await write(server, "w", 2, "b")
        frames = await p.poll(wait=1)
        assert [(f["type"], f["seq"]) for f in frames] == [("patch", 1), ("synced", 2)]
        # The batch's last patch was lost; its heartbeat says where the batch left the stream.
        assert p.heartbeat["cursors"] == {"todos": {"epoch": epoch, "seq": 2}}
        server.faults()
        assert p.cursor["todos"] == (epoch, 1)  # where the client really is: the next poll repairs it
        frames = await p.poll(wait=0)
        assert [(f["type"], f["seq"]) for f in frames] == [("patch", 2), ("synced", 2)]
        assert p.heartbeat["cursors"] == {"todos": {"epoch": epoch, "seq": 2}}

    run(scenario())


def test_a_patch_is_lost_at_most_once_per_connection(server):
    """lose_every=1 loses every patch, but never the same one twice: the replay repairs the gap."""
    async def scenario():
        async with WSClient(server, "c") as c:
            await c.hello({"todos": None})
            synced = (await c.recv_until(is_type("synced")))[-1]
            epoch, base = synced["epoch"], synced["seq"]
            server.faults(lose_every=1)
            await write(server, "w", 1, "a")
            await write(server, "w", 2, "b")
            await c.send({"type": "subscribe", "collection": "todos", "cursor": {"epoch": epoch, "seq": base}})
            replay = await c.recv_until(is_type("synced"))
            assert [(f["type"], f["seq"]) for f in replay] == [("patch", base + 1), ("patch", base + 2),
                                                               ("synced", base + 2)]

    run(scenario())
