#!/usr/bin/env python3
"""Strict RFC 6455 test peer for Tether's WebSocket client.

The peer is a WebSocket *server* that drives the client as an echo testee: the client must echo every
text/binary message it receives. Each scenario is selected by the request path, `/case/<id>`, with ids from
../shared/reference/websocket-client-cases.md (Autobahn numbers for P0, H/M/C/L for the client checks
Autobahn does not make).

- The client's handshake request and frames are checked by the `websockets` sans-I/O `ServerProtocol`
  (masking, RSV bits, opcodes, close codes and close-reason UTF-8), plus a small raw header parser that
  records every client frame's mask key (keys must vary) and notices frames sent after the client's close.
- Server-to-client frames are written as raw bytes so that invalid ones can be sent.
- After a case connection ends, `GET /verdict/<id>` (a WebSocket) answers one text message:
  `{"case": id, "pass": bool, "detail": str}`.
- `GET /echo` is a plain, well-behaved echo server (also over TLS with --cert/--key).

Usage: ws_peer.py [--host 127.0.0.1] [--port 0] [--cert CERT --key KEY]
Prints `READY <port>` on stdout once listening.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import ssl
import sys

from websockets.frames import Close, Opcode
from websockets.http11 import Request
from websockets.server import ServerProtocol
from websockets.streams import StreamReader
from websockets.utils import accept_key

CONT, TEXT, BINARY, CLOSE, PING, PONG = 0, 1, 2, 8, 9, 10
TIMEOUT = object()
EOF = object()

VERDICTS: dict[str, tuple[bool, str]] = {}
VERDICT_EVENTS: dict[str, asyncio.Event] = {}
SEEN_KEYS: set[str] = set()


class CaseFailed(Exception):
    pass


def frame(opcode: int, payload: bytes = b"", *, fin: bool = True, rsv: int = 0, mask: bool = False,
          length: int | None = None, length_form: int | None = None) -> bytes:
    """A server-to-client frame, possibly invalid (reserved bits, masked, lying or non-minimal length)."""
    n = len(payload) if length is None else length
    head = bytes([(0x80 if fin else 0) | (rsv << 4) | opcode])
    m = 0x80 if mask else 0
    if length_form == 64 or (length_form is None and n > 0xFFFF):
        head += bytes([m | 127]) + n.to_bytes(8, "big")
    elif length_form == 16 or (length_form is None and n >= 126):
        head += bytes([m | 126]) + n.to_bytes(2, "big")
    else:
        head += bytes([m | n])
    if mask:
        key = os.urandom(4)
        payload = bytes(b ^ key[i % 4] for i, b in enumerate(payload))
        head += key
    return head + payload


def close_payload(code: int | None, reason: bytes = b"") -> bytes:
    return b"" if code is None else code.to_bytes(2, "big") + reason


class RawFrameLog:
    """Parses the client's raw frame headers: mask bit and key of every frame, in order."""

    def __init__(self) -> None:
        self.buffer = bytearray()
        self.frames: list[tuple[int, bool, bytes]] = []  # (opcode, masked, key)

    def feed(self, data: bytes) -> None:
        self.buffer += data
        while True:
            b = self.buffer
            if len(b) < 2:
                return
            opcode, masked, n, i = b[0] & 0x0F, bool(b[1] & 0x80), b[1] & 0x7F, 2
            if n == 126:
                if len(b) < 4:
                    return
                n, i = int.from_bytes(b[2:4], "big"), 4
            elif n == 127:
                if len(b) < 10:
                    return
                n, i = int.from_bytes(b[2:10], "big"), 10
            key = bytes(b[i:i + 4]) if masked else b""
            end = i + (4 if masked else 0) + n
            if len(b) < end:
                return
            self.frames.append((opcode, masked, key))
            del self.buffer[:end]


class Conn:
    """One accepted connection: raw writes to the client, parsed client frames from a queue."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, proto: ServerProtocol,
                 request: Request) -> None:
        self.reader, self.writer, self.proto, self.request = reader, writer, proto, request
        self.raw = RawFrameLog()
        self.queue: asyncio.Queue = asyncio.Queue()
        self.eof = asyncio.Event()
        self.close_index: int | None = None  # index in raw.frames of the client's first close
        self.pump_task = asyncio.create_task(self.pump())

    async def pump(self) -> None:
        try:
            while True:
                data = await self.reader.read(65536)
                if not data:
                    break
                self.raw.feed(data)
                if self.close_index is None:
                    for index, (opcode, _, _) in enumerate(self.raw.frames):
                        if opcode == CLOSE:
                            self.close_index = index
                            break
                self.proto.receive_data(data)
                for event in self.proto.events_received():
                    await self.queue.put(event)
                self.proto.data_to_send()  # replies are written by hand; drop the protocol's own
                if self.proto.parser_exc is not None:
                    await self.queue.put(self.proto.parser_exc)
        except (ConnectionError, OSError):
            pass
        self.eof.set()
        await self.queue.put(EOF)

    async def send(self, data: bytes, chop: int | None = None, delay: float = 0.0) -> None:
        if chop is None:
            self.writer.write(data)
            await self.writer.drain()
            return
        for i in range(0, len(data), chop):
            self.writer.write(data[i:i + chop])
            await self.writer.drain()
            if delay:
                await asyncio.sleep(delay)

    async def next(self, timeout: float = 3.0):
        try:
            event = await asyncio.wait_for(self.queue.get(), timeout)
        except asyncio.TimeoutError:
            return TIMEOUT
        if isinstance(event, Exception):
            raise CaseFailed(f"client frame rejected by websockets: {event!r}")
        return event

    # -- expectations ---------------------------------------------------------------------------

    async def expect_message(self, opcode: int, payload: bytes, timeout: float = 10.0) -> None:
        event = await self.next(timeout)
        if event is TIMEOUT or event is EOF:
            raise CaseFailed(f"expected an echo of {len(payload)} bytes, got {'timeout' if event is TIMEOUT else 'EOF'}")
        if event.opcode != Opcode(opcode) or not event.fin:
            raise CaseFailed(f"expected a whole {Opcode(opcode).name} message, got {event.opcode.name} fin={event.fin}")
        if opcode == TEXT:
            try:
                event.data.decode("utf-8", errors="strict")
            except UnicodeDecodeError as error:
                raise CaseFailed(f"client sent invalid UTF-8 in a text frame: {error}")
        if event.data != payload:
            raise CaseFailed(f"echo differs: {len(event.data)} bytes {event.data[:40]!r} vs {len(payload)} {payload[:40]!r}")

    async def expect_pong(self, payload: bytes, timeout: float = 5.0) -> None:
        event = await self.next(timeout)
        if event is TIMEOUT or event is EOF or event.opcode != Opcode.PONG:
            raise CaseFailed(f"expected a pong, got {describe(event)}")
        if event.data != payload:
            raise CaseFailed(f"pong payload differs: {event.data[:40]!r}")

    async def expect_close(self, codes: set[int | None], timeout: float = 5.0, allow_drop: bool = False) -> int | None:
        """The client's next frame is a close with one of `codes` (None = empty payload)."""
        event = await self.next(timeout)
        if event is EOF and allow_drop:
            return None
        if event is TIMEOUT or event is EOF or event.opcode != Opcode.CLOSE:
            raise CaseFailed(f"expected a close frame with {sorted(map(str, codes))}, got {describe(event)}")
        code = None
        if event.data:
            code = Close.parse(event.data).code
        if code not in codes:
            raise CaseFailed(f"close code {code}, expected one of {sorted(map(str, codes))}")
        return code

    async def expect_quiet(self, seconds: float = 0.2) -> None:
        """Nothing more from the client (frames after its close are a violation)."""
        await asyncio.sleep(seconds)
        if self.close_index is not None and len(self.raw.frames) > self.close_index + 1:
            extra = [f[0] for f in self.raw.frames[self.close_index + 1:]]
            raise CaseFailed(f"client sent frames after its close: opcodes {extra}")
        while not self.queue.empty():
            event = self.queue.get_nowait()
            if event is not EOF and not isinstance(event, Exception):
                raise CaseFailed(f"unexpected frame {describe(event)}")

    async def finish_normally(self) -> None:
        """Server-initiated close 1000: the client echoes it and sends nothing after."""
        await self.send(frame(CLOSE, close_payload(1000)))
        await self.expect_close({1000})
        await self.expect_quiet()

    async def expect_failure(self, codes: set[int | None], allow_drop: bool = False, timeout: float = 5.0) -> None:
        """The client fails the connection: a close with `codes` (or, if allowed, a TCP drop), nothing else."""
        code = await self.expect_close(codes, timeout=timeout, allow_drop=allow_drop)
        if code is not None or not allow_drop:
            await self.send(frame(CLOSE, close_payload(1000)))
            await self.expect_quiet()

    def check_masks(self) -> None:
        frames = self.raw.frames
        unmasked = [op for op, masked, _ in frames if not masked]
        if unmasked:
            raise CaseFailed(f"client sent unmasked frames: opcodes {unmasked}")
        keys = [key for _, _, key in frames]
        if len(keys) >= 3 and len(set(keys)) < len(keys) - 1:
            raise CaseFailed(f"mask keys repeat: {len(set(keys))} distinct of {len(keys)}")

    async def shutdown(self) -> None:
        try:
            self.writer.close()
            await asyncio.wait_for(self.writer.wait_closed(), 2)
        except (ConnectionError, OSError, asyncio.TimeoutError):
            pass
        self.pump_task.cancel()


def describe(event) -> str:
    if event is TIMEOUT:
        return "timeout"
    if event is EOF:
        return "TCP close"
    return f"{event.opcode.name} frame ({len(event.data)} bytes)"


# -- cases --------------------------------------------------------------------------------------

LENGTHS = [0, 125, 126, 127, 128, 65535, 65536]
CASES: dict[str, object] = {}


def case(case_id: str):
    def register(function):
        CASES[case_id] = function
        return function
    return register


def echo_case(case_id: str, opcode: int, payload: bytes, chop: int | None = None, delay: float = 0.0):
    async def run(c: Conn) -> None:
        await c.send(frame(opcode, payload), chop=chop, delay=delay)
        await c.expect_message(opcode, payload, timeout=10)
        await c.finish_normally()
    CASES[case_id] = run


for index, n in enumerate(LENGTHS):
    echo_case(f"1.1.{index + 1}", TEXT, b"*" * n)
    echo_case(f"1.2.{index + 1}", BINARY, b"\xfe" * n)
echo_case("1.1.8", TEXT, b"*" * 65536, chop=997)
echo_case("1.2.8", BINARY, b"\xfe" * 65536, chop=997)


def ping_case(case_id: str, payload: bytes, chop: int | None = None):
    async def run(c: Conn) -> None:
        await c.send(frame(PING, payload), chop=chop, delay=0.001 if chop else 0.0)
        await c.expect_pong(payload)
        await c.finish_normally()
    CASES[case_id] = run


ping_case("2.1", b"")
ping_case("2.2", b"Hello, world!")
ping_case("2.3", b"\x00\xff\xfe\xfd\xfc\xfb\x00\xff")
ping_case("2.4", b"\xfe" * 125)
ping_case("2.6", b"\xfe" * 125, chop=1)


@case("2.5")
async def _(c: Conn) -> None:
    await c.send(frame(PING, b"\xfe" * 126))
    await c.expect_failure({1002})


@case("2.7")
async def _(c: Conn) -> None:
    await c.send(frame(PONG))
    await c.finish_normally()


@case("2.8")
async def _(c: Conn) -> None:
    await c.send(frame(PONG, b"unsolicited pong payload"))
    await c.finish_normally()


@case("2.9")
async def _(c: Conn) -> None:
    await c.send(frame(PONG, b"unsolicited pong payload") + frame(PING, b"ping payload"))
    await c.expect_pong(b"ping payload")
    await c.finish_normally()


def failure_case(case_id: str, data: bytes, codes: set, prelude: bytes | None = None, allow_drop: bool = False,
                 chop: int | None = None):
    """Optionally a valid text message that must be echoed first, then invalid data → the client fails."""
    async def run(c: Conn) -> None:
        if prelude is not None:
            await c.send(frame(TEXT, prelude))
            await c.expect_message(TEXT, prelude)
        await c.send(data, chop=chop, delay=0.001 if chop else 0.0)
        await c.expect_failure(codes, allow_drop=allow_drop)
    CASES[case_id] = run


failure_case("3.1", frame(TEXT, b"Hello, world!", rsv=1), {1002})
failure_case("3.2", frame(TEXT, b"Hello, world!", rsv=2) + frame(PING, b"ping"), {1002}, prelude=b"small")
failure_case("3.5", frame(BINARY, b"\x00\xff" * 4, rsv=5), {1002})
failure_case("3.6", frame(PING, b"ping", rsv=6), {1002})
failure_case("3.7", frame(CLOSE, close_payload(1000), rsv=7), {1002})
failure_case("4.1.1", frame(3), {1002})
failure_case("4.1.3", frame(5, b"reserved") + frame(PING, b"ping"), {1002}, prelude=b"small")
failure_case("4.2.1", frame(11), {1002})
failure_case("4.2.3", frame(13, b"reserved") + frame(PING, b"ping"), {1002}, prelude=b"small")
failure_case("5.1", frame(PING, b"fragment1", fin=False) + frame(CONT, b"fragment2"), {1002})
failure_case("5.2", frame(PONG, b"fragment1", fin=False) + frame(CONT, b"fragment2"), {1002})
failure_case("5.9", frame(CONT, b"non-continuation payload") + frame(TEXT, b"Hello, world!"), {1002})
failure_case("5.12", frame(CONT, b"non-continuation payload", fin=False) + frame(TEXT, b"Hello, world!"), {1002})
failure_case("5.18", frame(TEXT, b"fragment1", fin=False) + frame(TEXT, b"fragment2"), {1002})


def fragmented_case(case_id: str, with_ping: bool, mode: str):
    async def run(c: Conn) -> None:
        parts = [frame(TEXT, b"fragment1", fin=False)]
        if with_ping:
            parts.append(frame(PING, b"pongme!"))
        parts.append(frame(CONT, b"fragment2"))
        if mode == "whole":
            await c.send(b"".join(parts))
        elif mode == "frames":
            for part in parts:
                await c.send(part)
                await asyncio.sleep(0.05)
        else:
            await c.send(b"".join(parts), chop=1, delay=0.001)
        if with_ping:
            await c.expect_pong(b"pongme!")
        await c.expect_message(TEXT, b"fragment1fragment2")
        await c.finish_normally()
    CASES[case_id] = run


fragmented_case("5.3", False, "whole")
fragmented_case("5.4", False, "frames")
fragmented_case("5.5", False, "bytes")
fragmented_case("5.6", True, "whole")
fragmented_case("5.7", True, "frames")
fragmented_case("5.8", True, "bytes")


@case("5.19")
async def _(c: Conn) -> None:
    await c.send(frame(TEXT, b"frag1", fin=False) + frame(CONT, b"frag2", fin=False) + frame(PING, b"pongme 1!"))
    await c.expect_pong(b"pongme 1!", timeout=0.9)  # must arrive during the pause, before the message completes
    await asyncio.sleep(1.0)
    await c.send(frame(CONT, b"frag3", fin=False) + frame(CONT, b"frag4", fin=False) + frame(PING, b"pongme 2!")
                 + frame(CONT, b"frag5"))
    await c.expect_pong(b"pongme 2!")
    await c.expect_message(TEXT, b"frag1frag2frag3frag4frag5")
    await c.finish_normally()


echo_case("6.1.1", TEXT, b"")


@case("6.1.2")
async def _(c: Conn) -> None:
    await c.send(frame(TEXT, b"", fin=False) + frame(CONT, b"", fin=False) + frame(CONT, b""))
    await c.expect_message(TEXT, b"")
    await c.finish_normally()


@case("6.1.3")
async def _(c: Conn) -> None:
    await c.send(frame(TEXT, b"", fin=False) + frame(CONT, b"middle frame payload", fin=False) + frame(CONT, b""))
    await c.expect_message(TEXT, b"middle frame payload")
    await c.finish_normally()


UTF8_TEXT = "Hello-µ@ßöäüàá-UTF-8!!".encode()


@case("6.2.2")
async def _(c: Conn) -> None:
    split = UTF8_TEXT.index("µ".encode()) + 1  # inside the two-byte µ
    await c.send(frame(TEXT, UTF8_TEXT[:split], fin=False))
    await asyncio.sleep(0.05)
    await c.send(frame(CONT, UTF8_TEXT[split:]))
    await c.expect_message(TEXT, UTF8_TEXT)
    await c.finish_normally()


def byte_fragments(opcode: int, payload: bytes) -> bytes:
    out = b""
    for i, byte in enumerate(payload):
        out += frame(opcode if i == 0 else CONT, bytes([byte]), fin=i == len(payload) - 1)
    return out


@case("6.2.3")
async def _(c: Conn) -> None:
    await c.send(byte_fragments(TEXT, UTF8_TEXT))
    await c.expect_message(TEXT, UTF8_TEXT)
    await c.finish_normally()


INVALID_UTF8 = "κόσμε".encode() + b"\xed\xa0\x80" + b"edited"
failure_case("6.3.1", frame(TEXT, INVALID_UTF8), {1007})
failure_case("6.3.2", byte_fragments(TEXT, INVALID_UTF8), {1007})


@case("6.4.1")
async def _(c: Conn) -> None:
    await c.send(frame(TEXT, "κόσμε".encode(), fin=False))
    await asyncio.sleep(0.5)
    await c.send(frame(CONT, b"\xf4\x90\x80\x80", fin=False))
    # Strict: the client fails on the middle frame, before the last fragment is sent.
    await c.expect_close({1007}, timeout=0.9)
    await c.send(frame(CONT, b"edited"))
    await c.send(frame(CLOSE, close_payload(1000)))
    await c.expect_quiet()


def utf8_vector_cases() -> None:
    """P2: Autobahn 6.5-6.23, one text message each; valid → echo, invalid → 1007."""
    from pathlib import Path
    path = Path(__file__).resolve().parents[2] / "Fixtures" / "conformance" / "websocket" / "utf8_vectors.json"
    if not path.exists():
        return
    for category in json.loads(path.read_text())["categories"]:
        for sequence in category["sequences"]:
            payload = bytes.fromhex(sequence["hex"])
            if sequence["valid"]:
                echo_case(sequence["id"], TEXT, payload)
            else:
                failure_case(sequence["id"], frame(TEXT, payload), {1007})


utf8_vector_cases()


@case("7.1.1")
async def _(c: Conn) -> None:
    await c.send(frame(TEXT, b"Hello World!"))
    await c.expect_message(TEXT, b"Hello World!")
    await c.finish_normally()


@case("7.1.2")
async def _(c: Conn) -> None:
    await c.send(frame(CLOSE, close_payload(1000)) + frame(CLOSE, close_payload(1000)))
    await c.expect_close({1000})
    await c.expect_quiet()


@case("7.1.3")
async def _(c: Conn) -> None:
    await c.send(frame(CLOSE, close_payload(1000)) + frame(PING, b"Hello World!"))
    await c.expect_close({1000})
    await c.expect_quiet()


@case("7.1.4")
async def _(c: Conn) -> None:
    await c.send(frame(CLOSE, close_payload(1000)) + frame(TEXT, b"Hello World!"))
    await c.expect_close({1000})
    await c.expect_quiet()


@case("7.1.5")
async def _(c: Conn) -> None:
    await c.send(frame(TEXT, b"fragment1", fin=False) + frame(CLOSE, close_payload(1000)) + frame(CONT, b"fragment2"))
    await c.expect_close({1000})
    await c.expect_quiet()


def close_case(case_id: str, payload: bytes, codes: set, failure: bool, allow_drop: bool = False):
    async def run(c: Conn) -> None:
        await c.send(frame(CLOSE, payload))
        await c.expect_close(codes, allow_drop=allow_drop)
        if failure:
            await c.send(frame(CLOSE, close_payload(1000)))
        await c.expect_quiet()
    CASES[case_id] = run


close_case("7.3.1", b"", {None, 1000}, False)
close_case("7.3.2", b"\x03", {1002}, True)
close_case("7.3.3", close_payload(1000), {1000}, False)
close_case("7.3.4", close_payload(1000, b"Hello World!"), {1000}, False)
close_case("7.3.5", close_payload(1000, b"*" * 123), {1000}, False)
close_case("7.3.6", close_payload(1000, b"*" * 124), {1002}, True)
close_case("7.5.1", close_payload(1000, INVALID_UTF8), {1007, 1002}, True, allow_drop=True)
for index, code in enumerate([1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999]):
    close_case(f"7.7.{index + 1}", close_payload(code), {code, 1000}, False)
for index, code in enumerate([0, 999, 1004, 1005, 1006, 1016, 1100, 2000, 2999]):
    close_case(f"7.9.{index + 1}", close_payload(code), {1002}, True, allow_drop=True)
close_case("C.4.1", close_payload(1012), {1012, 1000}, False)
close_case("C.4.2", close_payload(1013), {1013, 1000}, False)
close_case("C.4.3", close_payload(1014), {1014, 1000}, False)
close_case("C.4.4", close_payload(1015), {1002}, True, allow_drop=True)

failure_case("M.1", frame(TEXT, b"Hello, world!", mask=True), {1002})


@case("M.2")
async def _(c: Conn) -> None:
    for i in range(4):
        payload = f"message {i}".encode()
        await c.send(frame(TEXT, payload))
        await c.expect_message(TEXT, payload)
    await c.finish_normally()
    keys = [key for opcode, _, key in c.raw.frames if opcode == TEXT]
    if len(set(keys)) != len(keys):
        raise CaseFailed(f"mask keys repeat across messages: {keys}")


@case("C.1")
async def _(c: Conn) -> None:
    # The Swift side sends one text message and then closes: the client starts the close handshake.
    await c.expect_message(TEXT, b"bye soon", timeout=20)
    # Generous: on a loaded 2-core CI machine the client's close frame once took longer than the
    # default 5 s to arrive (the test normally finishes in ~2 s; this only bounds a hang).
    await c.expect_close({1000}, timeout=20)
    await c.send(frame(CLOSE, close_payload(1000)))
    # Keep TCP open for 2 s: the client waits for the server to close it and sends nothing more.
    try:
        await asyncio.wait_for(c.eof.wait(), 2.0)
        early = True
    except asyncio.TimeoutError:
        early = False
    await c.expect_quiet(0)
    if early:
        raise CaseFailed("client closed TCP before the server did (RFC 6455 §7.1.1: the server closes first)")


@case("C.2")
async def _(c: Conn) -> None:
    await c.send(frame(CLOSE, close_payload(1000)))
    await c.expect_close({1000})
    # Never close TCP: the client must close it after its close timeout.
    try:
        await asyncio.wait_for(c.eof.wait(), 8.0)
    except asyncio.TimeoutError:
        raise CaseFailed("client never closed TCP after the close handshake")
    await c.expect_quiet(0)


@case("C.3")
async def _(c: Conn) -> None:
    await c.send(frame(TEXT, b"before the drop"))
    await c.expect_message(TEXT, b"before the drop")
    c.writer.transport.abort()


failure_case("L.1", b"\x82\x7f" + (1 << 63 | 5).to_bytes(8, "big") + b"hello", {1002})
# The Swift test connects to L.2.* with maxMessageSize = 1 MiB.
failure_case("L.2.1", frame(BINARY, length=2 << 20, length_form=64) + b"only a few bytes", {1009})
failure_case("L.2.2", frame(BINARY, length=1 << 62, length_form=64) + b"only a few bytes", {1009})
failure_case("L.2.3", b"".join(frame(BINARY if i == 0 else CONT, b"\x00" * (256 << 10), fin=False) for i in range(5)), {1009})


@case("L.3")
async def _(c: Conn) -> None:
    # Non-minimal length (5 in the 16-bit form): lenient; either an echo or a 1002 is acceptable.
    await c.send(frame(TEXT, b"hello", length_form=16))
    event = await c.next(3.0)
    if event is not TIMEOUT and event is not EOF and event.opcode == Opcode.TEXT:
        if event.data != b"hello":
            raise CaseFailed("echo differs")
        await c.finish_normally()
        c.note = "accepted non-minimal length"
    elif event is not TIMEOUT and event is not EOF and event.opcode == Opcode.CLOSE and Close.parse(event.data).code == 1002:
        c.note = "rejected non-minimal length with 1002"
    else:
        raise CaseFailed(f"unexpected reaction {describe(event)}")


# -- handshake cases (the response is written by hand) --------------------------------------------

def response(status: str, headers: list[tuple[str, str]]) -> bytes:
    text = f"HTTP/1.1 {status}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers) + "\r\n"
    return text.encode()


def good_headers(key: str) -> list[tuple[str, str]]:
    return [("Upgrade", "websocket"), ("Connection", "Upgrade"), ("Sec-WebSocket-Accept", accept_key(key))]


def replace(headers, name, value):
    out = [(k, v) for k, v in headers if k.lower() != name.lower()]
    if value is not None:
        out.append((name, value))
    return out


def wrong_accept(key: str) -> str:
    import hashlib
    digest = hashlib.sha1((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B12").encode()).digest()
    return base64.b64encode(digest).decode()


# id -> (builder(key) -> response bytes, whether the client must accept it)
HANDSHAKES = {
    "H.1.1": (lambda k: response("200 OK", [("Content-Length", "0")]), False),
    "H.1.2": (lambda k: response("302 Found", [("Location", "/elsewhere"), ("Content-Length", "0")]), False),
    "H.1.3": (lambda k: response("403 Forbidden", [("Content-Length", "0")]), False),
    "H.2.1": (lambda k: response("101 Switching Protocols", replace(good_headers(k), "Sec-WebSocket-Accept", None)), False),
    "H.2.2": (lambda k: response("101 Switching Protocols", replace(good_headers(k), "Sec-WebSocket-Accept", wrong_accept(k))), False),
    "H.3.1": (lambda k: response("101 Switching Protocols", replace(good_headers(k), "Upgrade", None)), False),
    "H.3.2": (lambda k: response("101 Switching Protocols", replace(good_headers(k), "Upgrade", "h2c")), False),
    "H.3.3": (lambda k: response("101 Switching Protocols", replace(good_headers(k), "Upgrade", "WebSocket")), True),
    "H.3.4": (lambda k: response("101 Switching Protocols", replace(good_headers(k), "Upgrade", "WEBSOCKET")), True),
    "H.4.1": (lambda k: response("101 Switching Protocols", replace(good_headers(k), "Connection", None)), False),
    "H.4.2": (lambda k: response("101 Switching Protocols", replace(good_headers(k), "Connection", "keep-alive")), False),
    "H.4.3": (lambda k: response("101 Switching Protocols", replace(good_headers(k), "Connection", "keep-alive, Upgrade")), True),
    "H.4.4": (lambda k: response("101 Switching Protocols", replace(good_headers(k), "Connection", None) + [("connection", "upgrade")]), True),
    "H.5.1": (lambda k: response("101 Switching Protocols", good_headers(k) + [("Sec-WebSocket-Protocol", "chat")]), False),
    # The Swift test offers "tether.v1" for H.5.2 and H.5.3.
    "H.5.2": (lambda k: response("101 Switching Protocols", good_headers(k) + [("Sec-WebSocket-Protocol", "other.v1")]), False),
    "H.5.3": (lambda k: response("101 Switching Protocols", good_headers(k) + [("Sec-WebSocket-Protocol", "tether.v1")]), True),
    "H.6.1": (lambda k: response("101 Switching Protocols", good_headers(k) + [("Sec-WebSocket-Extensions", "permessage-deflate")]), False),
}


async def run_handshake_case(case_id: str, c: Conn, key: str) -> None:
    build, accepted = HANDSHAKES[case_id]
    await c.send(build(key))
    if accepted:
        await c.send(frame(TEXT, b"hello after upgrade"))
        await c.expect_message(TEXT, b"hello after upgrade")
        await c.finish_normally()
        return
    try:
        await asyncio.wait_for(c.eof.wait(), 3.0)
    except asyncio.TimeoutError:
        raise CaseFailed("client kept the connection open after a bad handshake response")
    if c.raw.frames:
        raise CaseFailed(f"client sent {len(c.raw.frames)} frames after a bad handshake response")


async def run_split_response(c: Conn, key: str, same_segment_frame: bool) -> None:
    data = response("101 Switching Protocols", good_headers(key))
    if same_segment_frame:
        await c.send(data + frame(TEXT, b"first frame"))  # H.7.2: frame in the same segment as the 101
    else:
        for part in (data[:10], data[10:40], data[40:]):  # H.7.1: headers split across reads
            await c.send(part)
            await asyncio.sleep(0.05)
        await c.send(frame(TEXT, b"first frame"))
    await c.expect_message(TEXT, b"first frame")
    await c.finish_normally()


def check_request(request: Request) -> None:
    """H.8: GET, HTTP/1.1 (parsed by websockets), Host, a fresh 16-byte key, version 13."""
    headers = request.headers
    if "Host" not in headers:
        raise CaseFailed("request has no Host header")
    if headers.get("Sec-WebSocket-Version") != "13":
        raise CaseFailed("Sec-WebSocket-Version is not 13")
    key = headers.get("Sec-WebSocket-Key", "")
    try:
        raw = base64.b64decode(key, validate=True)
    except ValueError:
        raise CaseFailed(f"Sec-WebSocket-Key is not base64: {key!r}")
    if len(raw) != 16:
        raise CaseFailed(f"Sec-WebSocket-Key decodes to {len(raw)} bytes, not 16")
    if key in SEEN_KEYS:
        raise CaseFailed("Sec-WebSocket-Key reused across connections")


# -- server ---------------------------------------------------------------------------------------

async def read_request(reader: asyncio.StreamReader) -> tuple[ServerProtocol, Request, bytes]:
    proto = ServerProtocol(max_size=None)
    buffered = b""
    while True:
        data = await asyncio.wait_for(reader.read(4096), 5)
        if not data:
            raise ConnectionError("closed before the request")
        buffered += data
        proto.receive_data(data)
        events = proto.events_received()
        if events:
            request = events[0]
            return proto, request, buffered
        if len(buffered) > 65536:
            raise ConnectionError("request too large")


async def send_accept(c: Conn) -> None:
    resp = c.proto.accept(c.request)
    c.proto.send_response(resp)
    for chunk in c.proto.data_to_send():
        c.writer.write(chunk)
    await c.writer.drain()
    if resp.status_code != 101:
        raise CaseFailed(f"websockets rejected the handshake request: {resp.status_code} {resp.body!r}")


async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        proto, request, _ = await read_request(reader)
    except (ConnectionError, OSError, asyncio.TimeoutError, Exception):
        writer.close()
        return
    path = request.path
    if path.startswith("/verdict/"):
        await serve_verdict(path[len("/verdict/"):], reader, writer, proto, request)
        return
    c = Conn(reader, writer, proto, request)
    if path == "/v1/ws" and request.headers.get("Authorization") == "Bearer expired":
        writer.write(response("401 Unauthorized", [("Content-Length", "0")]))
        await c.shutdown()
        return
    if path == "/silent":  # accepts TCP and the request, never answers: the client's connect timeout fires
        await asyncio.sleep(30)
        await c.shutdown()
        return
    if path == "/echo" or path == "/v1/ws":
        await serve_echo(c, announce_authorization=path == "/v1/ws")
        return
    case_id = path[len("/case/"):] if path.startswith("/case/") else None
    if case_id is None or (case_id not in CASES and case_id not in HANDSHAKES and case_id not in ("H.7.1", "H.7.2", "H.8")):
        writer.write(response("404 Not Found", [("Content-Length", "0")]))
        await c.shutdown()
        return
    passed, detail = True, "ok"
    c.note = ""
    try:
        key = request.headers.get("Sec-WebSocket-Key", "")
        if case_id == "H.8":
            check_request(request)
        SEEN_KEYS.add(key)
        if case_id in HANDSHAKES:
            await run_handshake_case(case_id, c, key)
        elif case_id in ("H.7.1", "H.7.2"):
            await run_split_response(c, key, case_id == "H.7.2")
        else:
            await send_accept(c)
            if case_id == "H.8":
                await c.send(frame(TEXT, b"request ok"))
                await c.expect_message(TEXT, b"request ok")
                await c.finish_normally()
            else:
                await CASES[case_id](c)
        c.check_masks()
        if c.note:
            detail = c.note
    except CaseFailed as failure:
        passed, detail = False, str(failure)
    except Exception as error:  # a peer bug must show up as a failing verdict, not a hang
        passed, detail = False, f"peer error: {error!r}"
    await c.shutdown()
    VERDICTS[case_id] = (passed, detail)
    VERDICT_EVENTS.setdefault(case_id, asyncio.Event()).set()


async def serve_verdict(case_id: str, reader, writer, proto: ServerProtocol, request: Request) -> None:
    c = Conn(reader, writer, proto, request)
    event = VERDICT_EVENTS.setdefault(case_id, asyncio.Event())
    try:
        await asyncio.wait_for(event.wait(), 15)
        passed, detail = VERDICTS[case_id]
    except asyncio.TimeoutError:
        passed, detail = False, "the case connection did not finish within 15 s"
    try:
        await send_accept(c)
        body = json.dumps({"case": case_id, "pass": passed, "detail": detail}).encode()
        await c.send(frame(TEXT, body) + frame(CLOSE, close_payload(1000)))
        await c.expect_close({1000}, timeout=3)  # then the server closes TCP first (RFC 6455 §7.1.1)
    except (CaseFailed, ConnectionError, OSError, asyncio.TimeoutError):
        pass
    await c.shutdown()


async def serve_echo(c: Conn, announce_authorization: bool = False) -> None:
    """A well-behaved echo server: whole messages back, close echoed, then TCP closed.

    On `/v1/ws` (the Tether transport path) it first sends `{"authorization": <header or null>}`, and a text
    message `close-with-retry` makes it close with 1013 and the reason `retryAfter=1500`."""
    try:
        await send_accept(c)
        if announce_authorization:
            await c.send(frame(TEXT, json.dumps({"authorization": c.request.headers.get("Authorization")}).encode()))
        pending: list[bytes] = []
        opcode = TEXT
        while True:
            event = await c.next(60)
            if event is TIMEOUT or event is EOF:
                break
            if event.opcode in (Opcode.TEXT, Opcode.BINARY):
                opcode, pending = (TEXT if event.opcode == Opcode.TEXT else BINARY), [event.data]
            elif event.opcode == Opcode.CONT:
                pending.append(event.data)
            elif event.opcode == Opcode.PING:
                await c.send(frame(PONG, event.data))
                continue
            elif event.opcode == Opcode.CLOSE:
                await c.send(frame(CLOSE, event.data))
                break
            else:
                continue
            if event.fin:
                message = b"".join(pending)
                if announce_authorization and message == b"close-with-retry":
                    await c.send(frame(CLOSE, close_payload(1013, b"retryAfter=1500")))
                    await c.expect_close({1013}, timeout=3)
                    break
                await c.send(frame(opcode, message))
    except (CaseFailed, ConnectionError, OSError):
        pass
    await c.shutdown()


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--cert")
    parser.add_argument("--key")
    args = parser.parse_args()
    context = None
    if args.cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.cert, args.key)
    server = await asyncio.start_server(handle, args.host, args.port, ssl=context)
    port = server.sockets[0].getsockname()[1]
    print(f"READY {port}", flush=True)
    async with server:
        # Exit when the test closes our stdin (or kills us), so no peer outlives its test.
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, sys.stdin.read)


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass
