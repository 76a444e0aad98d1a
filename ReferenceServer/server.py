#!/usr/bin/env python3
"""Tether's reference server: wire protocol v1 over WebSocket, SSE and long polling.

    python3 ReferenceServer/server.py --host 127.0.0.1 --port 8080 [--db FILE] [--epoch NAME]
        [--faults SPEC] [--token SECRET] [--heartbeat MS] [--history N]

Prints ``listening on http://HOST:PORT`` once ready (with ``--port 0`` the kernel picks the port and
the line shows it). Stop it with ``POST /admin/shutdown``, SIGTERM or SIGINT.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from aiohttp import web  # noqa: E402

from tether_ref.app import Server  # noqa: E402
from tether_ref.faults import Faults  # noqa: E402
from tether_ref.hub import COLLECTION_RE, EPOCH_RE, Hub  # noqa: E402
from tether_ref.store import Store  # noqa: E402


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description="Tether reference server (wire protocol v1)")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (only this one)")
    p.add_argument("--port", type=int, default=8080, help="port (0: pick a free one)")
    p.add_argument("--db", default=":memory:", help="SQLite file for the persistent log")
    p.add_argument("--epoch", help="epoch name; if the database has another one, start a new epoch")
    p.add_argument("--faults", help="e.g. drop_after=5,drop_times=1,duplicate_every=2,delay_ms=20")
    p.add_argument("--token", help="require this bearer token on every transport")
    p.add_argument("--heartbeat", type=int, default=15000, help="server ping interval in ms (0: off)")
    p.add_argument("--history", type=int, default=1000, help="patches retained per collection")
    p.add_argument("--checkpoint-every", type=int, default=100,
                   help="persist the merge tree every N patches (the log covers the rest)")
    p.add_argument("--retry-ms", type=int, default=1000, help="SSE retry: hint in ms")
    p.add_argument("--tombstone-horizon-ms", type=int, default=25 * 3600 * 1000,
                   help="collect tombstones older than this much stamp time (default 25 h: an "
                        "hour behind the clients' 24 h, as VERSIONING.md advises; 0: never)")
    p.add_argument("--max-skew-ms", type=int, default=60_000,
                   help="reject stamps this far ahead of the server clock (clock-skew; 0: off)")
    p.add_argument("--collection", action="append", dest="collections", metavar="NAME",
                   help="only these collections exist (repeatable; default: any valid name)")
    args = p.parse_args(argv)
    if args.epoch is not None and not EPOCH_RE.match(args.epoch):
        p.error("--epoch: 1-64 characters of [A-Za-z0-9_.-]")
    for name in args.collections or []:
        if not COLLECTION_RE.match(name):
            p.error(f"--collection {name!r}: 1-64 characters of [A-Za-z0-9_.-]")
    try:
        args.fault_config = Faults.parse(args.faults)
    except ValueError as e:
        p.error(f"--faults: {e}")
    return args


async def serve(args: argparse.Namespace) -> None:
    store = Store(args.db)
    hub = Hub(store, epoch=args.epoch, history=args.history, heartbeat_ms=args.heartbeat,
              faults=args.fault_config, tombstone_horizon_ms=args.tombstone_horizon_ms,
              max_skew_ms=args.max_skew_ms, checkpoint_every=max(1, args.checkpoint_every),
              known_collections=args.collections)
    server = Server(hub, token=args.token, retry_ms=args.retry_ms)
    # handler_cancellation: a client that goes away ends its SSE stream or long poll at once.
    runner = web.AppRunner(server.app, handle_signals=False, access_log=None, shutdown_timeout=2,
                           handler_cancellation=True)
    await runner.setup()
    site = web.TCPSite(runner, args.host, args.port, reuse_address=True)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, server.stopping.set)
    print(f"listening on http://{args.host}:{port}", flush=True)
    await server.stopping.wait()
    # Graceful: tell every client when to come back, flush, checkpoint, close.
    server.shutting_down = True
    retry = hub.faults.retry_after_ms
    hub.close_all("going-away", "the server is shutting down", retry)
    await asyncio.sleep(0.2)
    hub.checkpoint_all()
    await runner.cleanup()
    store.close()


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        asyncio.run(serve(args))
    except OSError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
