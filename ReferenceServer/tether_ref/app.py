"""aiohttp routes: the three transports of docs/PROTOCOL.md section 4 and the admin API."""

from __future__ import annotations

import asyncio
import hmac
import ipaddress
import json
import math
import re
from typing import Any

from aiohttp import WSMsgType, web

from .connection import Connection
from .hub import (CLIENT_RE, COLLECTION_RE, EPOCH_RE, PROTOCOL_VERSION, BadFrame, Hub, canonical,
                  depth_ok, error_frame, format_cursor_string, heartbeat_frame, is_int,
                  parse_cursor_object, track_emitted)
from .jsonpatch import PatchError

MAX_FRAME_BYTES = 1 << 20
MAX_BODY_BYTES = 4 << 20
MAX_SEND_FRAMES = 1000
MAX_COLLECTIONS = 64
MAX_POLL_WAIT = 60
DEFAULT_POLL_WAIT = 25
POLL_BATCH = 1000
_CURSOR_PART = re.compile(r"^([A-Za-z0-9_.-]{1,64})=([A-Za-z0-9_.-]{1,64}):(0|[1-9][0-9]{0,15})$")

#: PROTOCOL.md 4.1: close code → WebSocket close status.
WS_STATUS = {"normal": 1000, "going-away": 1001, "server-restart": 1001, "bad-frame": 1002,
             "unsupported-protocol": 1002, "unauthorized": 1008, "forbidden": 1008, "too-large": 1009,
             "internal": 1011, "rate-limited": 1013, "overloaded": 1013}

_HTTP_CODES = {400: "bad-request", 401: "unauthorized", 403: "forbidden", 404: "not-found",
               405: "method-not-allowed", 413: "too-large", 429: "rate-limited", 503: "overloaded"}


class QueryError(Exception):
    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def parse_cursor_string(text: str) -> dict[str, tuple[str, int]]:
    """PROTOCOL.md 4.2: `todos=e1:42,users=e7:0` (empty: no cursors); raises QueryError."""
    out: dict[str, tuple[str, int]] = {}
    if text == "":
        return out
    for part in text.split(","):
        m = _CURSOR_PART.match(part.strip())
        if not m or int(m.group(3)) > 2**53 - 1:
            raise QueryError(400, "bad-request", f"malformed cursor entry {part!r}")
        out[m.group(1)] = (m.group(2), int(m.group(3)))
    return out


class Server:
    def __init__(self, hub: Hub, *, token: str | None = None, retry_ms: int = 1000):
        self.hub = hub
        self.token = token
        self.retry_ms = retry_ms
        self.stopping = asyncio.Event()
        self.shutting_down = False
        self.poll_pings = 0
        self.app = web.Application(client_max_size=MAX_BODY_BYTES, middlewares=[self._errors_as_frames])
        self.app.add_routes([
            web.get("/v1/ws", self.websocket),
            web.get("/v1/events", self.events),
            web.get("/v1/poll", self.poll),
            web.post("/v1/send", self.send),
            web.get("/admin/state", self.admin_state),
            web.get("/admin/info", self.admin_info),
            web.post("/admin/seed", self.admin_seed),
            web.post("/admin/patch", self.admin_patch),
            web.get("/admin/faults", self.admin_faults),
            web.post("/admin/faults", self.admin_faults),
            web.post("/admin/restart", self.admin_restart),
            web.post("/admin/disconnect", self.admin_disconnect),
            web.post("/admin/shutdown", self.admin_shutdown),
        ])

    # -- shared checks -----------------------------------------------------------------------

    @web.middleware
    async def _errors_as_frames(self, request: web.Request, handler):
        """Every non-2xx body is one `error` frame (PROTOCOL.md 4.5)."""
        try:
            return await handler(request)
        except QueryError as e:
            return self._error(e.status, e.code, e.message)
        except web.HTTPException as e:
            if e.status < 400:
                raise
            return self._error(e.status, _HTTP_CODES.get(e.status, "bad-request"), e.reason,
                               headers={k: v for k, v in e.headers.items() if k == "Allow"})

    def _error(self, status: int, code: str, message: str, retry_ms: int | None = None,
               headers: dict | None = None) -> web.Response:
        headers = dict(headers or {})
        if retry_ms is not None:
            headers["Retry-After"] = str(max(1, math.ceil(retry_ms / 1000)))
        return web.Response(status=status, text=json.dumps(error_frame(code, message, retry_ms)),
                            content_type="application/json", headers=headers)

    def _presented_token(self, request: web.Request) -> str | None:
        header = request.headers.get("Authorization", "")
        if header.lower().startswith("bearer "):
            return header[7:].strip()
        return request.query.get("token")

    def _token_ok(self, token: Any) -> bool:
        return self.token is None or (isinstance(token, str) and hmac.compare_digest(token, self.token))

    def _gate(self, request: web.Request, *, allow_missing_token: bool = False) -> web.Response | None:
        """503 while shutting down or when the `unavailable` fault fires; 401 without the token."""
        retry = self.hub.faults.retry_after_ms
        if self.shutting_down:
            return self._error(503, "overloaded", "the server is shutting down", retry)
        if self.hub.faults.claim_unavailable():
            return self._error(503, "overloaded", "injected fault: unavailable", retry)
        presented = self._presented_token(request)
        if presented is None and allow_missing_token:
            return None
        if not self._token_ok(presented):
            return self._error(401, "unauthorized", "a valid bearer token is required",
                               headers={"WWW-Authenticate": "Bearer"})
        return None

    def _client(self, request: web.Request) -> str:
        client = request.query.get("client", "")
        if not CLIENT_RE.match(client):
            raise QueryError(400, "bad-request", "client= must be 1-64 characters of [A-Za-z0-9_.:-]")
        return client

    def _collections(self, request: web.Request) -> list[str]:
        names = list(dict.fromkeys(request.query.getall("collection", [])))
        if not names:
            raise QueryError(400, "bad-request", "at least one collection= parameter")
        if len(names) > MAX_COLLECTIONS:
            raise QueryError(400, "too-large", f"at most {MAX_COLLECTIONS} collections per session")
        for name in names:
            if not COLLECTION_RE.match(name):
                raise QueryError(400, "bad-request", f"invalid collection name {name!r}")
            if not self.hub.exists(name):
                raise QueryError(404, "unknown-collection", f"no collection {name!r}")
        return names

    # -- WebSocket (4.1) ---------------------------------------------------------------------

    async def websocket(self, request: web.Request) -> web.StreamResponse:
        gate = self._gate(request, allow_missing_token=True)
        if gate is not None:
            return gate
        authorized = self.token is None or self._presented_token(request) is not None
        ws = web.WebSocketResponse(max_msg_size=MAX_FRAME_BYTES, autoping=True, heartbeat=None)
        if not ws.can_prepare(request).ok:
            raise QueryError(400, "bad-request", "a WebSocket upgrade request is required")
        await ws.prepare(request)
        hub = self.hub
        conn = Connection("websocket", hub.faults, hub.heartbeat_ms)
        transport = conn.transport = request.transport

        async def send(frame: dict, text: str) -> None:
            await ws.send_str(text)

        def abort() -> None:
            if transport is not None:
                transport.abort()

        async def close(frame: dict) -> None:
            await ws.send_str(json.dumps(frame, separators=(",", ":")))
            status = conn.ws_status or WS_STATUS.get(frame["code"], 1000)
            await ws.close(code=status, message=frame["code"].encode()[:100])

        hub.attach(conn)
        writer = asyncio.create_task(conn.run(send, abort, close))
        idle = max(3 * hub.heartbeat_ms / 1000, 1.0) if hub.heartbeat_ms > 0 else None
        session = {"greeted": False, "authorized": authorized}
        try:
            while conn.ending is None:
                receive = asyncio.ensure_future(ws.receive(timeout=idle))
                done, _ = await asyncio.wait({receive, writer}, return_when=asyncio.FIRST_COMPLETED)
                if receive not in done:
                    receive.cancel()
                    break
                try:
                    msg = receive.result()
                except asyncio.TimeoutError:
                    conn.shutdown("idle-timeout", "nothing received from the client", None, False)
                    break
                if msg.type == WSMsgType.TEXT:
                    self._ws_frame(conn, msg.data, session)
                elif msg.type == WSMsgType.BINARY:
                    conn.ws_status = 1003
                    conn.shutdown("bad-frame", "frames are text messages", None, False)
                else:
                    break  # close, closing, closed, error (e.g. a message over the size limit)
        finally:
            if conn.ending is None:
                conn.shutdown("normal", "", None, True)
            hub.detach(conn)
            try:
                await asyncio.wait_for(asyncio.shield(writer), 2)
            except (asyncio.TimeoutError, Exception):
                writer.cancel()
            if not ws.closed:
                await ws.close()
        return ws

    def _ws_frame(self, conn: Connection, text: str, session: dict) -> None:
        hub = self.hub
        try:
            frame = _parse_frame(text)
        except BadFrame as e:
            if not session["greeted"]:
                conn.shutdown("bad-frame", f"the first frame must be hello: {e.message}", None, False)
            else:
                conn.deliver(error_frame("bad-frame", e.message))
            return
        kind = frame["type"]
        if not session["greeted"]:
            if kind != "hello":
                conn.shutdown("bad-frame", "the first frame must be hello", None, False)
                return
            self._ws_hello(conn, frame, session)
            return
        try:
            if kind == "ping":
                if not is_int(frame.get("id")):
                    raise BadFrame("ping needs an integer \"id\"")
                conn.deliver({"type": "pong", "id": frame["id"]})
            elif kind == "subscribe":
                self._subscribe(conn, frame, live=True)
            elif kind == "unsubscribe":  # an extension: stop receiving a collection's patches
                name = frame.get("collection")
                if not isinstance(name, str):
                    raise BadFrame("unsubscribe needs a string \"collection\"")
                hub.unsubscribe(conn, name)
                conn.cursors.pop(name, None)
                conn.emitted.pop(name, None)
            elif kind == "mutate":
                for reply in hub.mutate(frame, sender=conn.client):
                    conn.deliver(reply)
            elif kind == "hello":
                raise BadFrame("hello was already received")
            # pong and unknown types are ignored (section 2)
        except BadFrame as e:
            conn.deliver(error_frame(e.code, e.message))

    def _ws_hello(self, conn: Connection, frame: dict, session: dict) -> None:
        protocol = frame.get("protocol")
        if not is_int(protocol):
            conn.shutdown("bad-frame", "hello needs an integer \"protocol\"", None, False)
            return
        if protocol != PROTOCOL_VERSION:
            conn.shutdown("unsupported-protocol", f"this server speaks protocol {PROTOCOL_VERSION}",
                          None, False)
            return
        client, subs, token = frame.get("client"), frame.get("subscriptions"), frame.get("token")
        if not isinstance(client, str) or not CLIENT_RE.match(client):
            conn.shutdown("bad-frame", "hello needs a valid \"client\" id", None, False)
            return
        if not isinstance(subs, dict):
            conn.shutdown("bad-frame", "hello needs a \"subscriptions\" object", None, False)
            return
        if token is not None and not isinstance(token, str):
            conn.shutdown("bad-frame", "\"token\" must be a string", None, False)
            return
        if not session["authorized"]:
            if not self._token_ok(token):
                conn.shutdown("unauthorized", "a valid token is required", None, False)
                return
            session["authorized"] = True
        if len(subs) > MAX_COLLECTIONS:
            conn.shutdown("too-large", f"at most {MAX_COLLECTIONS} collections per session", None, False)
            return
        conn.client = client
        session["greeted"] = True
        conn.deliver(self.hub.welcome())
        for name, cursor in subs.items():
            try:
                self._subscribe(conn, {"collection": name, "cursor": cursor}, live=True)
            except BadFrame as e:
                conn.deliver(error_frame(e.code, e.message))

    def _subscribe(self, sink: Connection | None, frame: dict, live: bool, client: str | None = None) -> None:
        """Validates a subscribe and sends the catch-up: to a live stream, or (long polling) into
        the client's mailbox for its next poll."""
        hub = self.hub
        name = frame.get("collection")
        if not isinstance(name, str) or "cursor" not in frame:
            raise BadFrame("subscribe needs \"collection\" and \"cursor\"")
        if not COLLECTION_RE.match(name):
            raise BadFrame(f"invalid collection name {name!r}")
        cursor = parse_cursor_object(frame.get("cursor"))
        if not hub.exists(name):
            err = error_frame("unknown-collection", f"no collection {name!r}")
            err["collection"] = name
            if sink is not None:
                sink.deliver(err)
            elif client is not None:
                hub.post(client, err)
            return
        if sink is not None:
            if name not in hub.subscribers or sink not in hub.subscribers[name]:
                if sum(sink in subs for subs in hub.subscribers.values()) >= MAX_COLLECTIONS:
                    raise BadFrame(f"at most {MAX_COLLECTIONS} collections per session", "too-large")
            hub.subscribe(sink, name, cursor)
        elif client is not None:
            for f in hub.catch_up(name, cursor):
                hub.post(client, f)

    # -- Server-Sent Events (4.2) ------------------------------------------------------------

    async def events(self, request: web.Request) -> web.StreamResponse:
        gate = self._gate(request)
        if gate is not None:
            return gate
        client = self._client(request)
        names = self._collections(request)
        header = request.headers.get("Last-Event-ID")
        cursors = parse_cursor_string(header if header is not None else request.query.get("cursor", ""))
        resp = web.StreamResponse(headers={"Content-Type": "text/event-stream",
                                           "Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
        await resp.prepare(request)
        await resp.write(f"retry: {self.retry_ms}\n\n".encode())
        hub = self.hub
        conn = Connection("sse", hub.faults, hub.heartbeat_ms, client)
        conn.cursors = {n: cursors[n] for n in names if n in cursors}
        transport = conn.transport = request.transport

        async def send(frame: dict, text: str) -> None:
            event = "event: frame\n"
            if conn.cursors:
                event += f"id: {format_cursor_string(conn.cursors)}\n"
            await resp.write((event + f"data: {text}\n\n").encode())

        def abort() -> None:
            if transport is not None:
                transport.abort()

        async def close(frame: dict) -> None:
            if frame.get("retryAfter") is not None:
                await resp.write(f"retry: {frame['retryAfter']}\n\n".encode())
            await send(frame, json.dumps(frame, separators=(",", ":")))

        conn.deliver(hub.welcome())
        for name in names:
            hub.subscribe(conn, name, cursors.get(name))
        box = hub.mailbox(client)
        for frame in box.drain():
            conn.deliver(frame)
        box.live.add(conn)
        hub.attach(conn)
        try:
            await conn.run(send, abort, close)
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            hub.detach(conn)
        return resp

    # -- long polling (4.3) ------------------------------------------------------------------

    async def poll(self, request: web.Request) -> web.StreamResponse:
        gate = self._gate(request)
        if gate is not None:
            return gate
        client = self._client(request)
        names = self._collections(request)
        wait_text = request.query.get("wait", str(DEFAULT_POLL_WAIT))
        if not wait_text.isdigit() or int(wait_text) > MAX_POLL_WAIT:
            raise QueryError(400, "bad-request", f"wait= is an integer 0-{MAX_POLL_WAIT}")
        wait = int(wait_text)
        cursors = parse_cursor_string(request.query.get("cursor", ""))
        hello = request.query.get("hello") == "1"
        hub = self.hub
        box = hub.mailbox(client)
        box.polls += 1
        generation = box.polls
        hub.notify_mailbox()  # answers an older outstanding poll of this client with []
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait
        while True:
            changed = hub.change_event()
            if generation != box.polls:
                frames = []  # superseded by a newer poll
                break
            frames = [hub.welcome()] if hello else []
            for name in names:
                cursor = cursors.get(name)
                if hello or not hub.is_current(name, cursor):
                    frames += hub.catch_up(name, cursor, POLL_BATCH)
            frames += box.drain()
            if frames or loop.time() >= deadline or self.shutting_down:
                break
            try:
                await asyncio.wait_for(changed.wait(), deadline - loop.time())
            except asyncio.TimeoutError:
                pass
        return await self._poll_response(request, names, cursors, frames)

    async def _poll_response(self, request: web.Request, names: list[str],
                             cursors: dict[str, tuple[str, int]], frames: list[dict]) -> web.Response:
        faults = self.hub.faults
        position = dict(cursors)
        out: list[dict] = []
        patches = 0
        for i, frame in enumerate(frames):
            track_emitted(position, frame)
            if frame.get("type") == "patch":
                patches += 1
                if faults.lose_every and patches % faults.lose_every == 0:
                    continue
            out.append(frame)
            if faults.duplicate_every and (i + 1) % faults.duplicate_every == 0:
                out.append(frame)
        drop = faults.claim_drop() if out else 0
        if drop and len(out) >= drop:
            if request.transport is not None:
                request.transport.abort()
            raise asyncio.CancelledError()
        known = {n: position[n] for n in names if n in position}
        if out:
            # PROTOCOL.md 4.3: a batch ends with the heartbeat that states where it leaves each
            # stream, so a client missing the batch's last frame sees it at once.
            self.poll_pings += 1
            out.append(heartbeat_frame(self.poll_pings, known))
        if faults.delay_ms and out:
            await asyncio.sleep(faults.delay_ms / 1000)
        headers = {"Cache-Control": "no-cache"}
        if known:
            headers["X-Tether-Cursor"] = format_cursor_string(known)
        return web.Response(text=json.dumps(out, separators=(",", ":"), ensure_ascii=False),
                            content_type="application/json", headers=headers)

    # -- POST /v1/send (4.4) -----------------------------------------------------------------

    async def send(self, request: web.Request) -> web.Response:
        gate = self._gate(request)
        if gate is not None:
            return gate
        client = self._client(request)
        try:
            body = json.loads(await request.read())
        except (ValueError, UnicodeDecodeError, RecursionError):
            raise QueryError(400, "bad-request", "the body must be a JSON array of frames")
        if not isinstance(body, list) or not body or not all(isinstance(f, dict) for f in body):
            raise QueryError(400, "bad-request", "the body must be a non-empty JSON array of objects")
        if len(body) > MAX_SEND_FRAMES:
            raise QueryError(413, "too-large", f"at most {MAX_SEND_FRAMES} frames per request")
        hub = self.hub
        for raw in body:
            for reply in self._http_frame(raw, client):
                hub.post(client, reply)
        return web.Response(status=202, text="{}", content_type="application/json")

    def _http_frame(self, raw: dict, client: str) -> list[dict]:
        hub = self.hub
        try:
            frame = _parse_frame(raw)
            kind = frame["type"]
            if kind == "mutate":
                return hub.mutate(frame, sender=client)
            if kind == "ping":
                if not is_int(frame.get("id")):
                    raise BadFrame("ping needs an integer \"id\"")
                return [{"type": "pong", "id": frame["id"]}]
            if kind == "subscribe":
                box = hub.mailbox(client)
                if box.live:
                    for sink in list(box.live):
                        self._subscribe(sink, frame, live=True)  # type: ignore[arg-type]
                else:
                    self._subscribe(None, frame, live=False, client=client)
            return []  # hello, pong and unknown types are ignored
        except BadFrame as e:
            return [error_frame(e.code, e.message)]

    # -- admin (loopback only) ---------------------------------------------------------------

    def _admin_gate(self, request: web.Request) -> None:
        try:
            if ipaddress.ip_address(request.remote or "").is_loopback:
                return
        except ValueError:
            pass
        raise QueryError(403, "forbidden", "admin endpoints are loopback-only")

    async def _admin_body(self, request: web.Request) -> dict:
        text = await request.text()
        try:
            body = json.loads(text) if text.strip() else {}
        except ValueError:
            raise QueryError(400, "bad-request", "the body must be a JSON object")
        if not isinstance(body, dict):
            raise QueryError(400, "bad-request", "the body must be a JSON object")
        return body

    async def admin_state(self, request: web.Request) -> web.Response:
        """The canonical state (sorted keys, compact); epoch and seq in headers."""
        self._admin_gate(request)
        name = request.query.get("collection", "")
        c = self.hub.collection(name, create=False) if COLLECTION_RE.match(name) else None
        state = c.state if c is not None else {}
        seq = c.seq if c is not None else 0
        return web.Response(text=canonical(state), content_type="application/json",
                            headers={"X-Tether-Epoch": self.hub.epoch, "X-Tether-Seq": str(seq)})

    async def admin_info(self, request: web.Request) -> web.Response:
        self._admin_gate(request)
        hub = self.hub
        info = {"server": hub.server_id, "epoch": hub.epoch, "connections": len(hub.sinks),
                "collections": {n: {"seq": c.seq, "floor": c.floor}
                                for n, c in sorted(hub.collections.items())},
                "faults": hub.faults.as_dict()}
        return web.json_response(info)

    async def admin_seed(self, request: web.Request) -> web.Response:
        self._admin_gate(request)
        body = await self._admin_body(request)
        try:
            result = self.hub.seed(body.get("collection", ""), body.get("state"))
        except ValueError as e:
            raise QueryError(400, "bad-request", str(e))
        return web.json_response(result)

    async def admin_patch(self, request: web.Request) -> web.Response:
        """A plain RFC 6902 patch from "the server side", applied atomically: 200 with the new
        cursor, or 409 with the failure and the state untouched."""
        self._admin_gate(request)
        body = await self._admin_body(request)
        try:
            result = self.hub.apply_plain(body.get("collection", ""), body.get("ops"),
                                          broadcast_plain=bool(body.get("plain", True)))
        except ValueError as e:
            raise QueryError(400, "bad-request", str(e))
        except PatchError as e:
            raise QueryError(409, e.code, e.message)
        return web.json_response(result)

    async def admin_faults(self, request: web.Request) -> web.Response:
        self._admin_gate(request)
        if request.method == "POST":
            body = await self._admin_body(request)
            try:
                if not body:
                    self.hub.faults.__init__()
                else:
                    self.hub.faults.update(body)
            except (ValueError, TypeError) as e:
                raise QueryError(400, "bad-request", str(e))
        return web.json_response(self.hub.faults.as_dict())

    async def admin_restart(self, request: web.Request) -> web.Response:
        """Simulates a server that lost its history: new epoch, every connection closed with
        `server-restart`."""
        self._admin_gate(request)
        body = await self._admin_body(request)
        epoch = body.get("epoch")
        if epoch is not None and (not isinstance(epoch, str) or not EPOCH_RE.match(epoch)):
            raise QueryError(400, "bad-request", "epoch: 1-64 characters of [A-Za-z0-9_.-]")
        retry = body.get("retryAfter", self.hub.faults.retry_after_ms)
        if not is_int(retry):
            raise QueryError(400, "bad-request", "retryAfter: integer milliseconds")
        self.hub.close_all("server-restart", "the server restarted with a new epoch", retry)
        new = self.hub.new_epoch(epoch, keep_state=bool(body.get("keepState", True)))
        return web.json_response({"epoch": new})

    async def admin_disconnect(self, request: web.Request) -> web.Response:
        """Ends every live connection: with a `close` frame (code, retryAfter), or abruptly."""
        self._admin_gate(request)
        body = await self._admin_body(request)
        retry = body.get("retryAfter")
        if retry is not None and not is_int(retry):
            raise QueryError(400, "bad-request", "retryAfter: integer milliseconds")
        count = len(self.hub.sinks)
        self.hub.close_all(str(body.get("code", "going-away")), "disconnected by the admin API",
                           retry, bool(body.get("abrupt", False)))
        return web.json_response({"closed": count})

    async def admin_shutdown(self, request: web.Request) -> web.Response:
        self._admin_gate(request)
        self.stopping.set()
        return web.json_response({"ok": True})


def _parse_frame(raw: Any) -> dict:
    """A frame object with a string "type" (PROTOCOL.md section 2), or BadFrame."""
    if isinstance(raw, (str, bytes)):
        if len(raw) > MAX_FRAME_BYTES:
            raise BadFrame(f"a frame is at most {MAX_FRAME_BYTES} bytes", "too-large")
        try:
            raw = json.loads(raw)
        except (ValueError, UnicodeDecodeError, RecursionError):
            raise BadFrame("a frame must be one JSON object")
    if not isinstance(raw, dict):
        raise BadFrame("a frame must be a JSON object")
    if not isinstance(raw.get("type"), str):
        raise BadFrame("a frame needs a string \"type\"")
    if not depth_ok(raw):
        raise BadFrame("a frame nests at most 512 levels deep")
    return raw
