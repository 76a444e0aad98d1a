"""One live outbound stream (a WebSocket or an SSE response): a bounded frame queue and its writer.

Fault injection (delay, duplicate, lose, drop) happens here, on the way out, so the protocol core
stays correct and the client sees exactly the misbehaviour a test asked for.
"""

from __future__ import annotations

import asyncio
import json
from collections import deque
from typing import Awaitable, Callable

from .faults import Faults
from .hub import close_frame, heartbeat_frame, track_emitted

QUEUE_LIMIT = 10000


class Connection:
    def __init__(self, kind: str, faults: Faults, heartbeat_ms: int, client: str | None = None):
        self.kind = kind
        self.client = client
        self.faults = faults
        self.heartbeat_ms = heartbeat_ms
        self.drop_after = faults.claim_drop()
        self.queue: deque[dict] = deque()
        self.wake = asyncio.Event()
        self.cursors: dict[str, tuple[str, int]] = {}
        #: The stream position of every collection as of the last frame this connection emitted,
        #: counting frames the `lose_every` fault swallowed: what a heartbeat reports (PROTOCOL.md 6.1).
        self.emitted: dict[str, tuple[str, int]] = {}
        #: Patches the `lose_every` fault swallowed on this connection, as (collection, epoch, seq).
        self.lost: set[tuple[str, str, int]] = set()
        self.sent = 0
        self.patches = 0
        self.ping_id = 0
        self.ending: tuple[str, str, int | None, bool] | None = None
        self.finished = asyncio.Event()
        self.transport: asyncio.Transport | None = None
        #: Overrides the WebSocket close status derived from the close code (e.g. 1003).
        self.ws_status: int | None = None

    # -- called by the hub (synchronous) ------------------------------------------------------

    def deliver(self, frame: dict) -> None:
        if self.ending is not None:
            return
        if len(self.queue) >= QUEUE_LIMIT:
            # A subscriber that can't keep up is cut off; it resumes from its cursor.
            self.shutdown("overflow", "the client is not reading fast enough", 1000, False)
            return
        self.queue.append(frame)
        self.wake.set()

    def shutdown(self, code: str, reason: str, retry_after_ms: int | None, abrupt: bool) -> None:
        if self.ending is None:
            self.ending = (code, reason, retry_after_ms, abrupt)
            self.wake.set()

    # -- the writer task -----------------------------------------------------------------------

    async def run(self, send: Callable[[dict, str], Awaitable[None]], abort: Callable[[], None],
                  close: Callable[[dict], Awaitable[None]]) -> None:
        """Sends queued frames until the connection ends; `send(frame, text)` writes one frame."""
        heartbeat = self.heartbeat_ms / 1000 if self.heartbeat_ms > 0 else None
        try:
            while True:
                if not self.queue and self.ending is None:
                    self.wake.clear()
                    try:
                        await asyncio.wait_for(self.wake.wait(), heartbeat)
                    except asyncio.TimeoutError:
                        self.queue.append(self.heartbeat())
                if self.ending is not None and (self.ending[3] or not self.queue):
                    code, reason, retry, abrupt = self.ending
                    if abrupt:
                        await self._drain(abort)
                    else:
                        await close(close_frame(code, reason, retry))
                    return
                while self.queue:
                    frame = self.queue.popleft()
                    if not await self._send_one(frame, send):
                        await self._drain(abort)
                        return
                    if self.ending is not None and self.ending[3]:
                        break
        except (ConnectionError, asyncio.CancelledError, RuntimeError):
            abort()
            raise
        finally:
            self.ending = self.ending or ("closed", "", None, True)
            self.finished.set()

    def heartbeat(self) -> dict:
        """A `ping` carrying the stream position after everything sent before it (PROTOCOL.md 6.1):
        frames on one connection are ordered, so a client behind it knows frames were lost."""
        self.ping_id += 1
        return heartbeat_frame(self.ping_id, self.emitted)

    async def _drain(self, abort: Callable[[], None]) -> None:
        """Lets what was already written reach the socket (bounded), then cuts the connection, so
        "drop after N frames" delivers exactly N frames and no close frame."""
        transport = self.transport
        for _ in range(100):
            if transport is None or transport.is_closing() or transport.get_write_buffer_size() == 0:
                break
            await asyncio.sleep(0.01)
        abort()

    async def _send_one(self, frame: dict, send) -> bool:
        """Sends one frame with faults applied; False means: drop the connection now."""
        faults = self.faults
        track_emitted(self.emitted, frame)
        if frame.get("type") == "patch":
            self.patches += 1
            key = (frame.get("collection"), frame.get("epoch"), frame.get("seq"))
            # A patch is lost at most once per connection: otherwise a replay whose length is a
            # multiple of lose_every would lose the same patch forever (a livelock, not a test).
            if faults.lose_every and self.patches % faults.lose_every == 0 and key not in self.lost:
                if len(self.lost) >= QUEUE_LIMIT:  # bounded, even on a long-lived faulty connection
                    self.lost.clear()
                self.lost.add(key)
                return True
        if faults.delay_ms:
            await asyncio.sleep(faults.delay_ms / 1000)
        copies = 1
        if faults.duplicate_every and (self.sent + 1) % faults.duplicate_every == 0:
            copies = 2
        self._advance(frame)
        text = json.dumps(frame, separators=(",", ":"), ensure_ascii=False)
        for _ in range(copies):
            if self.drop_after and self.sent >= self.drop_after:
                return False
            await send(frame, text)
            self.sent += 1
        if self.drop_after and self.sent >= self.drop_after:
            return False
        return True

    def _advance(self, frame: dict) -> None:
        if frame.get("type") in ("patch", "snapshot") and isinstance(frame.get("collection"), str):
            self.cursors[frame["collection"]] = (frame["epoch"], frame["seq"])
