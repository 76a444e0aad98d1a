"""The server's hybrid logical clock, for stamping writes derived from plain RFC 6902 mutations."""

from __future__ import annotations

import time

from .merge import is_stamp


def format_stamp(ms: int, counter: int, replica: str) -> str:
    return f"{ms:015d}-{counter:06d}-{replica}"


class HybridClock:
    """Physical milliseconds, a counter, and a replica id; never goes backwards, observes peers."""

    def __init__(self, replica: str, now_ms=lambda: int(time.time() * 1000)):
        self.replica = replica
        self.now_ms = now_ms
        self.ms = 0
        self.counter = 0

    def tick(self) -> str:
        now = self.now_ms()
        if now > self.ms:
            self.ms, self.counter = now, 0
        else:
            self.counter += 1
            if self.counter > 999_999:
                self.ms, self.counter = self.ms + 1, 0
        return format_stamp(self.ms, self.counter, self.replica)

    def observe(self, stamp: str) -> None:
        if not is_stamp(stamp):
            return
        ms, counter = int(stamp[:15]), int(stamp[16:22])
        if (ms, counter) > (self.ms, self.counter):
            self.ms, self.counter = ms, counter
