#!/usr/bin/env python3
"""Rough throughput of the reference server (not a Tether benchmark: that is tether-bench).

    python3 ReferenceServer/tools/loadtest.py [--mutations 2000] [--db FILE]

Starts a server on a free port, connects a WebSocket writer, a WebSocket subscriber, an SSE
subscriber and a long-polling subscriber, pipelines N one-op mutations, and reports mutations/s
until the last ack and until every subscriber saw the last seq.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests"))

from harness import PollClient, ServerProcess, SSEClient, WSClient, put  # noqa: E402


async def measure(server: ServerProcess, n: int) -> dict:
    async with WSClient(server, "writer") as w, WSClient(server, "sub") as sub, \
            SSEClient(server, "sse", ["load"]) as sse:
        await w.hello({})
        await sub.hello({"load": None})
        await sub.recv_until(lambda f: f["type"] == "synced")
        await sse.recv_until(lambda f: f["type"] == "synced")
        lp = PollClient(server, "lp", ["load"])
        await lp.poll()
        started = time.perf_counter()
        results: dict[str, float] = {}

        async def until_seq(name, recv):
            while True:
                frame = await recv()
                if frame.get("type") == "patch" and frame["seq"] == n:
                    results[name] = time.perf_counter() - started
                    return

        async def polling():
            while lp.cursor["load"][1] < n:
                await lp.poll(wait=5)
            results["longpoll"] = time.perf_counter() - started

        async def writing():
            for i in range(1, n + 1):
                await w.send(put("writer", i, f"/m{i % 500}", {"n": i}, collection="load"))
            acks = 0
            while acks < n:
                if (await w.recv(timeout=30))["type"] == "ack":
                    acks += 1
            results["acks"] = time.perf_counter() - started

        await asyncio.wait_for(asyncio.gather(
            writing(), until_seq("websocket", lambda: sub.recv(timeout=30)),
            until_seq("sse", lambda: sse.recv(timeout=30)), polling()), 120)
        return {k: round(n / v) for k, v in results.items()}


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--mutations", type=int, default=2000)
    p.add_argument("--db")
    args = p.parse_args()
    server = ServerProcess(db=args.db).start()
    try:
        rates = asyncio.run(measure(server, args.mutations))
    finally:
        server.kill()
    print(f"{args.mutations} mutations; per second until: " +
          ", ".join(f"{k} {v}" for k, v in rates.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
