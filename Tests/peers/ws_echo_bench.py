#!/usr/bin/env python3
"""Loopback measurement of `tether ws-echo` (the Swift WebSocket client) driven by a `websockets` server.

Starts a server on 127.0.0.1, runs `TETHER ws-echo ws://127.0.0.1:PORT/`, and measures:
- round trips: N sequential 64-byte text messages (p50/p99 microseconds),
- pipelined throughput: M 64-byte text messages in flight at once (messages per second),
- bulk: K 64 KiB binary messages (MiB per second).
The Python side is part of every number, so these are lower bounds for the client itself.

Usage: ws_echo_bench.py PATH/TO/tether [--round-trips 2000] [--pipelined 20000] [--bulk 200]
"""

import argparse
import asyncio
import statistics
import time

from websockets.asyncio.server import serve


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("tether")
    parser.add_argument("--round-trips", type=int, default=2000)
    parser.add_argument("--pipelined", type=int, default=20000)
    parser.add_argument("--bulk", type=int, default=200)
    args = parser.parse_args()
    results: dict[str, str] = {}
    finished = asyncio.Event()

    async def handler(ws) -> None:
        small = "x" * 64
        for _ in range(200):  # warm-up
            await ws.send(small)
            await ws.recv()
        samples = []
        for _ in range(args.round_trips):
            start = time.perf_counter_ns()
            await ws.send(small)
            await ws.recv()
            samples.append((time.perf_counter_ns() - start) / 1000)
        samples.sort()
        results["round trip p50 us"] = f"{statistics.median(samples):.0f}"
        results["round trip p99 us"] = f"{samples[int(len(samples) * 0.99) - 1]:.0f}"

        async def pump(count, payload):
            for _ in range(count):
                await ws.send(payload)

        start = time.perf_counter()
        sender = asyncio.create_task(pump(args.pipelined, small))
        for _ in range(args.pipelined):
            await ws.recv()
        await sender
        results["pipelined 64 B messages/s"] = f"{args.pipelined / (time.perf_counter() - start):.0f}"

        bulk = bytes(range(256)) * 256
        start = time.perf_counter()
        sender = asyncio.create_task(pump(args.bulk, bulk))
        for _ in range(args.bulk):
            assert await ws.recv() == bulk
        await sender
        results["bulk 64 KiB MiB/s"] = f"{args.bulk * len(bulk) / (1 << 20) / (time.perf_counter() - start):.1f}"
        await ws.close(1000)
        finished.set()

    async with serve(handler, "127.0.0.1", 0, max_size=None) as server:
        port = server.sockets[0].getsockname()[1]
        process = await asyncio.create_subprocess_exec(args.tether, "ws-echo", f"ws://127.0.0.1:{port}/")
        await asyncio.wait_for(finished.wait(), 300)
        status = await asyncio.wait_for(process.wait(), 30)
    for key, value in results.items():
        print(f"{key}: {value}")
    print(f"ws-echo exit status: {status}")


if __name__ == "__main__":
    asyncio.run(main())
