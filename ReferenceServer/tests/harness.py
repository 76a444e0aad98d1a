"""Test harness: the reference server as a subprocess, and small clients for every transport.

Every wait is bounded; every server started is killed at teardown.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import aiohttp
import websockets

ROOT = Path(__file__).resolve().parents[2]
SERVER = ROOT / "ReferenceServer" / "server.py"
TIMEOUT = 5.0


class ServerProcess:
    """`python3 ReferenceServer/server.py --port 0 ...`, waiting for its `listening on` line."""

    def __init__(self, *args: str, db: str | None = None):
        self.args = list(args)
        self.db = db
        self.proc: subprocess.Popen | None = None
        self.port = 0

    def launch(self) -> "ServerProcess":
        """Starts the process without waiting (see `ready`)."""
        cmd = [sys.executable, str(SERVER), "--host", "127.0.0.1", "--port", "0"]
        if self.db:
            cmd += ["--db", self.db]
        cmd += self.args
        # stderr goes to a file: an unread pipe could fill up and block the server.
        self.stderr = tempfile.TemporaryFile(mode="w+")
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=self.stderr, text=True)
        return self

    def ready(self) -> "ServerProcess":
        """Waits (at most 15 s) for the `listening on` line."""
        deadline = time.monotonic() + 15
        line = ""
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            if line.startswith("listening on http://127.0.0.1:"):
                self.port = int(line.strip().rsplit(":", 1)[1])
                return self
            if not line and self.proc.poll() is not None:
                break
        self.kill()
        self.stderr.seek(0)
        raise RuntimeError(f"server did not start: {line!r} {self.stderr.read()[-2000:]}")

    def start(self) -> "ServerProcess":
        return self.launch().ready()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/v1/ws"

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)

    def stop(self) -> int:
        """Graceful shutdown through the admin API; returns the exit code."""
        admin(self, "POST", "/admin/shutdown")
        try:
            return self.proc.wait(5)
        finally:
            self.kill()

    # admin shortcuts
    def state(self, collection: str) -> str:
        return admin(self, "GET", f"/admin/state?collection={collection}", raw=True)

    def info(self) -> dict:
        return admin(self, "GET", "/admin/info")

    def seed(self, collection: str, state: dict) -> dict:
        return admin(self, "POST", "/admin/seed", {"collection": collection, "state": state})

    def faults(self, **values) -> dict:
        return admin(self, "POST", "/admin/faults", values)

    def restart_epoch(self, **body) -> str:
        return admin(self, "POST", "/admin/restart", body)["epoch"]


def admin(server: ServerProcess, method: str, path: str, body: dict | None = None, raw: bool = False):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(server.base + path, data=data, method=method,
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=TIMEOUT) as resp:
        text = resp.read().decode()
    return text if raw else json.loads(text)


def http(method: str, url: str, body=None, headers: dict | None = None) -> tuple[int, dict, str]:
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=TIMEOUT) as resp:
            return resp.status, dict(resp.headers), resp.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read().decode()


def stamp(ms: int, counter: int = 0, replica: str = "t") -> str:
    return f"{ms:015d}-{counter:06d}-{replica}"


_clock = itertools.count(1)


def fresh_stamp(replica: str) -> str:
    """A stamp newer than every earlier fresh_stamp (any replica), in the recent past."""
    return stamp(1_700_000_000_000 + next(_clock), 0, replica)


def mutate(client: str, mutation: int, ops: list, collection: str = "todos") -> dict:
    return {"type": "mutate", "collection": collection, "client": client, "mutation": mutation,
            "ops": ops}


def put(client: str, mutation: int, path: str, value, collection: str = "todos") -> dict:
    """A one-op mutation setting `path` (a model needs an object value) with a fresh stamp."""
    op = {"op": "add", "path": path, "value": value, "stamp": fresh_stamp(client)}
    return mutate(client, mutation, [op], collection)


def run(coro, timeout: float = 20):
    """Runs a test coroutine with an overall bound."""
    return asyncio.run(asyncio.wait_for(coro, timeout))


class FrameStream:
    """What the WebSocket and SSE clients share on top of their own `recv`."""

    #: Errors that mean the stream ended (besides a timeout).
    CLOSED: tuple = ()

    async def recv_until(self, predicate, timeout: float = TIMEOUT) -> list[dict]:
        """Frames up to and including the first one matching `predicate`."""
        frames = []
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            remaining = deadline - asyncio.get_running_loop().time()
            frame = await self.recv(max(remaining, 0.01))
            frames.append(frame)
            if predicate(frame):
                return frames

    async def quiet(self, duration: float = 0.3) -> list[dict]:
        """Frames arriving within `duration` (usually expected to be none)."""
        frames = []
        try:
            while True:
                frames.append(await self.recv(duration))
        except (asyncio.TimeoutError, *self.CLOSED):
            return frames


# -- WebSocket ---------------------------------------------------------------------------------


class WSClient(FrameStream):
    CLOSED = (websockets.ConnectionClosed,)

    def __init__(self, server: ServerProcess, client: str, headers: dict | None = None):
        self.server = server
        self.client = client
        self.headers = headers
        self.ws = None

    async def __aenter__(self) -> "WSClient":
        self.ws = await asyncio.wait_for(
            websockets.connect(self.server.ws_url, additional_headers=self.headers, open_timeout=TIMEOUT),
            TIMEOUT)
        return self

    async def __aexit__(self, *exc) -> None:
        await self.ws.close()

    async def send(self, frame: dict) -> None:
        await self.ws.send(json.dumps(frame))

    async def hello(self, subscriptions: dict, token: str | None = None) -> dict:
        frame = {"type": "hello", "protocol": 1, "client": self.client, "subscriptions": subscriptions,
                 "pending": 0}
        if token is not None:
            frame["token"] = token
        await self.send(frame)
        welcome = await self.recv()
        assert welcome["type"] == "welcome", welcome
        return welcome

    async def recv(self, timeout: float = TIMEOUT, skip_pings: bool = True) -> dict:
        while True:
            frame = json.loads(await asyncio.wait_for(self.ws.recv(), timeout))
            if skip_pings and frame["type"] == "ping":
                continue
            return frame



# -- SSE ---------------------------------------------------------------------------------------


class SSEClient(FrameStream):
    """A minimal text/event-stream reader over a raw socket (the Swift side has the conformant
    parser). Raw, because aiohttp's client discards already-received bytes when a stream is cut,
    and tests of "drop after N frames" need exactly those bytes."""

    CLOSED = (ConnectionError,)

    def __init__(self, server: ServerProcess, client: str, collections: list[str],
                 last_event_id: str | None = None, headers: dict | None = None):
        from urllib.parse import urlencode

        self.port = server.port
        self.target = "/v1/events?" + urlencode([("client", client)] + [("collection", c) for c in collections])
        self.headers = dict(headers or {})
        if last_event_id:
            self.headers["Last-Event-ID"] = last_event_id
        self.last_id: str | None = last_event_id
        self.retry: int | None = None
        self.status = 0
        self.response_headers: dict[str, str] = {}
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.buffer = b""
        self.chunk_left = 0
        self.eof = False

    async def __aenter__(self) -> "SSEClient":
        self.reader, self.writer = await asyncio.wait_for(
            asyncio.open_connection("127.0.0.1", self.port), TIMEOUT)
        lines = [f"GET {self.target} HTTP/1.1", f"Host: 127.0.0.1:{self.port}", "Accept: text/event-stream"]
        lines += [f"{k}: {v}" for k, v in self.headers.items()]
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode())
        head = await asyncio.wait_for(self.reader.readuntil(b"\r\n\r\n"), TIMEOUT)
        status_line, *header_lines = head.decode().split("\r\n")
        self.status = int(status_line.split()[1])
        for line in header_lines:
            if ":" in line:
                k, _, v = line.partition(":")
                self.response_headers[k.strip().lower()] = v.strip()
        return self

    async def __aexit__(self, *exc) -> None:
        self.writer.close()

    async def _more(self, timeout: float) -> None:
        """Appends the next piece of the chunked body to the buffer."""
        if self.eof:
            raise ConnectionError("stream ended")
        reader = self.reader
        if self.chunk_left == 0:
            size_line = await asyncio.wait_for(reader.readline(), timeout)
            if not size_line:
                self.eof = True
                raise ConnectionError("stream ended")
            if not size_line.strip():
                return  # the CRLF after a chunk
            self.chunk_left = int(size_line.strip().split(b";")[0], 16)
            if self.chunk_left == 0:
                self.eof = True
                raise ConnectionError("stream ended")
        data = await asyncio.wait_for(reader.read(self.chunk_left), timeout)
        if not data:
            self.eof = True
            raise ConnectionError("stream ended")
        self.chunk_left -= len(data)
        self.buffer += data

    async def _line(self, timeout: float) -> str:
        while b"\n" not in self.buffer:
            await self._more(timeout)
        line, _, self.buffer = self.buffer.partition(b"\n")
        return line.decode().rstrip("\r")

    async def recv(self, timeout: float = TIMEOUT, skip_pings: bool = True) -> dict:
        while True:
            data: list[str] = []
            while True:
                line = await self._line(timeout)
                if line == "":
                    if data:
                        break
                    continue
                field, _, value = line.partition(":")
                value = value[1:] if value.startswith(" ") else value
                if field == "data":
                    data.append(value)
                elif field == "id":
                    self.last_id = value
                elif field == "retry":
                    self.retry = int(value)
            frame = json.loads("\n".join(data))
            if skip_pings and frame["type"] == "ping":
                continue
            return frame



# -- long polling ------------------------------------------------------------------------------


class PollClient:
    """Keeps a cursor string and polls; sends frames with POST /v1/send."""

    def __init__(self, server: ServerProcess, client: str, collections: list[str],
                 headers: dict | None = None):
        self.server = server
        self.client = client
        self.collections = collections
        self.cursor: dict[str, tuple[str, int]] = {}
        self.headers = headers or {}
        self.first = True
        #: The trailing heartbeat of the last response (`ping` with `cursors`), if it had frames.
        self.heartbeat: dict | None = None

    def cursor_string(self) -> str:
        return ",".join(f"{c}={e}:{s}" for c, (e, s) in self.cursor.items())

    async def poll(self, wait: int = 0) -> list[dict]:
        params = [("client", self.client), ("wait", str(wait))] + [("collection", c) for c in self.collections]
        params.append(("cursor", self.cursor_string()))
        if self.first:
            params.append(("hello", "1"))
        self.first = False
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=wait + TIMEOUT)) as s:
            async with s.get(f"{self.server.base}/v1/poll", params=params, headers=self.headers) as r:
                assert r.status == 200, (r.status, await r.text())
                frames = await r.json()
        # PROTOCOL.md 4.3: every non-empty response ends with the heartbeat stating its cursors;
        # it is checked and kept apart so tests see the frames of the streams themselves.
        self.heartbeat = None
        if frames:
            self.heartbeat = frames.pop()
            assert self.heartbeat["type"] == "ping" and isinstance(self.heartbeat.get("cursors"), dict), frames
        for frame in frames:
            if frame["type"] in ("patch", "snapshot"):
                self.cursor[frame["collection"]] = (frame["epoch"], frame["seq"])
        return frames

    async def send(self, frames: list[dict]) -> int:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=TIMEOUT)) as s:
            async with s.post(f"{self.server.base}/v1/send", params={"client": self.client},
                              json=frames, headers=self.headers) as r:
                return r.status

    async def poll_until(self, predicate, timeout: float = TIMEOUT) -> list[dict]:
        frames: list[dict] = []
        deadline = asyncio.get_running_loop().time() + timeout
        while asyncio.get_running_loop().time() < deadline:
            batch = await self.poll(wait=1)
            frames += batch
            if any(predicate(f) for f in batch):
                return frames  # whole responses: frames after the match are kept too
        raise AssertionError(f"no matching frame within {timeout}s; got {frames}")


def is_type(kind: str, **members):
    return lambda f: f.get("type") == kind and all(f.get(k) == v for k, v in members.items())


def env_python() -> str:
    return os.environ.get("TETHER_PYTHON", sys.executable)
