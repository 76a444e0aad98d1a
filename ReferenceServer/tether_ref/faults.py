"""Fault injection for tests: dropped connections, duplicated, delayed and lost frames, 503s.

Set at start with ``--faults "drop_after=5,drop_times=1,duplicate_every=2,delay_ms=50"`` or at run time
with ``POST /admin/faults`` (a JSON object with the same keys; ``{}`` clears everything).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields


@dataclass
class Faults:
    #: Abort a connection (no close frame) after it has sent this many frames. 0 = off.
    drop_after: int = 0
    #: How many connections the drop applies to; 0 = every connection.
    drop_times: int = 0
    #: Send every Nth frame twice. 0 = off.
    duplicate_every: int = 0
    #: Wait this long before sending each frame.
    delay_ms: int = 0
    #: Silently skip every Nth patch frame (the client sees a seq gap). 0 = off. On a stream a
    #: patch is skipped at most once per connection, so the replay that repairs the gap gets through.
    lose_every: int = 0
    #: Answer the next N HTTP requests to /v1/* with 503 and Retry-After.
    unavailable: int = 0
    #: The Retry-After / retryAfter hint used by faults and shutdowns, in milliseconds.
    retry_after_ms: int = 1000

    @classmethod
    def parse(cls, spec: str | None) -> "Faults":
        faults = cls()
        if spec:
            for item in spec.split(","):
                item = item.strip()
                if not item:
                    continue
                key, _, value = item.partition("=")
                faults.set(key.strip(), value.strip())
        return faults

    def set(self, key: str, value) -> None:
        names = {f.name for f in fields(self)}
        key = key.replace("-", "_")
        camel = {"dropAfter": "drop_after", "dropTimes": "drop_times",
                 "duplicateEvery": "duplicate_every", "delayMs": "delay_ms",
                 "loseEvery": "lose_every", "retryAfterMs": "retry_after_ms"}
        key = camel.get(key, key)
        if key not in names:
            raise ValueError(f"unknown fault {key!r}")
        number = int(value)
        if number < 0:
            raise ValueError(f"fault {key} must be >= 0")
        setattr(self, key, number)

    def update(self, values: dict) -> None:
        for key, value in values.items():
            self.set(key, value)

    def as_dict(self) -> dict:
        return asdict(self)

    def claim_drop(self) -> int:
        """The drop threshold for a new connection (0 = never), consuming one of drop_times."""
        if self.drop_after <= 0:
            return 0
        if self.drop_times > 0:
            self.drop_times -= 1
            if self.drop_times == 0:
                threshold = self.drop_after
                self.drop_after = 0
                return threshold
        return self.drop_after

    def claim_unavailable(self) -> bool:
        if self.unavailable > 0:
            self.unavailable -= 1
            return True
        return False
