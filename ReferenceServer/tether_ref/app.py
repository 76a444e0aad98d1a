"""aiohttp routes: the three transports (WebSocket, SSE, long polling + POST) and the admin API."""

from __future__ import annotations

import asyncio
import hmac
import ipaddress
import json
import math
from typing import Any

from aiohttp import WSMsgType, web

from .connection import Connection
from .hub import (COLLECTION_RE, CLIENT_RE, PROTOCOL_VERSION, Hub, Reject, canonical, error_frame,
                  format_cursor_string, parse_cursor_object, parse_cursor_string)

MAX_FRAME_BYTES = 1 << 20
MAX_POLL_WAIT = 60.0
POLL_BATCH = 1000


class Server:
    def __init__(self, hub: Hub, *, token: str | None = None, retry_ms: int = 1000):
        self.hub = hub
        self.token = token
        self.retry_ms = retry_ms
        self.stopping = asyncio.Event()
        self.shutting_down = False
        self.app = web.Application(client_max_size=MAX_FRAME_BYTES)
        self.app.add_routes([
            web.get("/v1/ws", self.websocket),
            web.get("/v1/events", self.events),
            web.get("/v1/poll", self.poll),
            web.post("/v1/send", self.send),
            web.get("/admin/state", self.admin_state),
            web.get("/admin/info", self.admin_info),
            web.post("/admin/seed", self.admin_seed),
            web.get("/admin/faults", self.admin_faults),
            web.post("/admin/faults", self.admin_faults),
            web.post("/admin/restart", self.admin_restart),
            web.post("/admin/disconnect", self.admin_disconnect),
            web.post("/admin/shutdown", self.admin_shutdown),
        ])

    # -- shared checks -----------------------------------------------------------------------

    def _json_error(self, status: int, code: str, message: str, retry_ms: int | None = None,
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
            return self._json_error(503, "shutting-down", "the server is shutting down", retry)
        if self.hub.faults.claim_unavailable():
            return self._json_error(503, "unavailable", "injected fault: unavailable", retry)
        presented = self._presented_token(request)
        if presented is None and allow_missing_token:
            return None
        if not self._token_ok(presented):
            return self._json_error(401, "unauthorized", "a valid bearer token is required",
                                    headers={"WWW-Authenticate": "Bearer"})
        return None

    def _collections(self, request: web.Request) -> list[str] | web.Response:
        names = request.query.getall("collection", [])
        if not names or not all(COLLECTION_RE.match(n) for n in names):
            return self._json_error(400, "invalid-request", "one or more valid collection= parameters")
        return list(dict.fromkeys(names))

    # -- WebSocket ---------------------------------------------------------------------------

    async def websocket(self, request: web.Request) -> web.StreamResponse:
        gate = self._gate(request, allow_missing_token=True)
        if gate is not None:
            return gate
        authorized = self.token is None or self._presented_token(request) is not None
        ws = web.WebSocketResponse(max_msg_size=MAX_FRAME_BYTES, autoping=True, heartbeat=None)
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
            await ws.send_str(json.dumps(frame))
            await ws.close(code=1001 if frame["code"] in ("shutdown", "restart") else 1000,
                           message=frame["code"].encode()[:100])

        hub.attach(conn)
        writer = asyncio.create_task(conn.run(send, abort, close))
        idle = max(3 * hub.heartbeat_ms / 1000, 1.0) if hub.heartbeat_ms > 0 else None
        greeted = False
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
                    conn.shutdown("idle-timeout", "no frames from the client", None, False)
                    break
                if msg.type == WSMsgType.TEXT:
                    greeted, authorized = self._ws_frame(conn, msg.data, greeted, authorized)
                elif msg.type == WSMsgType.BINARY:
                    conn.deliver(error_frame("invalid-frame", "frames are text messages"))
                else:
                    break  # close, closing, closed, error
        finally:
            if conn.ending is None:
                conn.shutdown("closed", "", None, True)
            hub.detach(conn)
            try:
                await asyncio.wait_for(asyncio.shield(writer), 2)
            except (asyncio.TimeoutError, Exception):
                writer.cancel()
            if not ws.closed:
                await ws.close()
        return ws

    def _ws_frame(self, conn: Connection, text: str, greeted: bool, authorized: bool) -> tuple[bool, bool]:
        hub = self.hub
        frame = _parse_frame(text)
        if isinstance(frame, str):
            conn.deliver(error_frame("invalid-frame", frame))
            return greeted, authorized
        kind = frame["type"]
        if kind == "ping":
            conn.deliver({"type": "pong", "id": frame.get("id")})
            return greeted, authorized
        if kind == "pong":
            return greeted, authorized
        if kind == "hello":
            if greeted:
                conn.deliver(error_frame("invalid-frame", "hello was already received"))
                return greeted, authorized
            if frame.get("protocol") != PROTOCOL_VERSION:
                conn.deliver(error_frame("unsupported-protocol",
                                         f"this server speaks protocol {PROTOCOL_VERSION}"))
                conn.shutdown("unsupported-protocol", "protocol version mismatch", None, False)
                return greeted, authorized
            if not authorized:
                if not self._token_ok(frame.get("token")):
                    conn.deliver(error_frame("unauthorized", "a valid token is required"))
                    conn.shutdown("unauthorized", "a valid token is required", None, False)
                    return greeted, authorized
                authorized = True
            client = frame.get("client")
            if not isinstance(client, str) or not CLIENT_RE.match(client):
                conn.deliver(error_frame("invalid-frame", "hello needs a valid \"client\" id"))
                conn.shutdown("invalid-frame", "hello needs a valid client id", None, False)
                return greeted, authorized
            subs = frame.get("subscriptions") or {}
            if not isinstance(subs, dict):
                conn.deliver(error_frame("invalid-frame", "\"subscriptions\" must be an object"))
                return greeted, authorized
            conn.client = client
            conn.deliver(hub.welcome())
            for name, cursor in subs.items():
                self._subscribe(conn, {"collection": name, "cursor": cursor})
            return True, authorized
        if not greeted:
            conn.deliver(error_frame("hello-required", "send hello first"))
            return greeted, authorized
        if kind == "subscribe":
            self._subscribe(conn, frame)
        elif kind == "unsubscribe":
            name = frame.get("collection")
            hub.unsubscribe(conn, name if isinstance(name, str) else None)
        elif kind == "mutate":
            for reply in hub.mutate(frame, default_client=conn.client):
                conn.deliver(reply)
        else:
            conn.deliver(error_frame("unknown-frame", f"unknown frame type {kind!r}"))
        return greeted, authorized

    def _subscribe(self, conn: Connection, frame: dict) -> None:
        name = frame.get("collection")
        if not isinstance(name, str) or not COLLECTION_RE.match(name):
            conn.deliver(error_frame("invalid-frame", "subscribe needs a valid \"collection\""))
            return
        try:
            cursor = parse_cursor_object(frame.get("cursor"))
        except Reject as r:
            conn.deliver(error_frame(r.code, r.reason))
            return
        self.hub.subscribe(conn, name, cursor)

    # -- Server-Sent Events ------------------------------------------------------------------

    async def events(self, request: web.Request) -> web.StreamResponse:
        gate = self._gate(request)
        if gate is not None:
            return gate
        client = request.query.get("client", "")
        if not CLIENT_RE.match(client):
            return self._json_error(400, "invalid-request", "a valid client= parameter is required")
        names = self._collections(request)
        if isinstance(names, web.Response):
            return names
        cursor_text = request.headers.get("Last-Event-ID") or request.query.get("cursor")
        cursors = parse_cursor_string(cursor_text)
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
            await send(frame, json.dumps(frame))

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

    # -- long polling ------------------------------------------------------------------------

    async def poll(self, request: web.Request) -> web.StreamResponse:
        gate = self._gate(request)
        if gate is not None:
            return gate
        client = request.query.get("client", "")
        if not CLIENT_RE.match(client):
            return self._json_error(400, "invalid-request", "a valid client= parameter is required")
        names = self._collections(request)
        if isinstance(names, web.Response):
            return names
        try:
            wait = min(max(float(request.query.get("wait", "20")), 0.0), MAX_POLL_WAIT)
        except ValueError:
            return self._json_error(400, "invalid-request", "wait= must be a number of seconds")
        if not math.isfinite(wait):
            wait = 0.0
        hub = self.hub
        faults = hub.faults
        first = "cursor" not in request.query
        cursors = parse_cursor_string(request.query.get("cursor"))
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait
        box = hub.mailbox(client)
        while True:
            changed = hub.change_event()
            frames = [hub.welcome()] if first else []
            frames += box.drain()
            for name in names:
                frames += hub.catch_up(name, cursors.get(name), POLL_BATCH)
            remaining = deadline - loop.time()
            if frames or remaining <= 0 or self.shutting_down:
                break
            try:
                await asyncio.wait_for(changed.wait(), remaining)
            except asyncio.TimeoutError:
                pass
        # Faults, on the way out.
        position = dict(cursors)
        out: list[dict] = []
        patches = 0
        for i, frame in enumerate(frames):
            if frame.get("type") in ("patch", "snapshot"):
                position[frame["collection"]] = (frame["epoch"], frame["seq"])
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
        if faults.delay_ms and out:
            await asyncio.sleep(faults.delay_ms / 1000)
        headers = {"Cache-Control": "no-cache"}
        known = {n: position[n] for n in names if n in position}
        if known:
            headers["X-Tether-Cursor"] = format_cursor_string(known)
        return web.Response(text=json.dumps(out, separators=(",", ":"), ensure_ascii=False),
                            content_type="application/json", headers=headers)

    # -- POST /v1/send -----------------------------------------------------------------------

    async def send(self, request: web.Request) -> web.Response:
        gate = self._gate(request)
        if gate is not None:
            return gate
        try:
            body = json.loads(await request.text())
        except (ValueError, UnicodeDecodeError):
            return self._json_error(400, "invalid-frame", "the body must be a JSON array of frames")
        except web.HTTPRequestEntityTooLarge:
            return self._json_error(413, "too-large", f"at most {MAX_FRAME_BYTES} bytes per request")
        frames = body if isinstance(body, list) else [body]
        query_client = request.query.get("client")
        if query_client is not None and not CLIENT_RE.match(query_client):
            return self._json_error(400, "invalid-request", "client= is not a valid client id")
        hub = self.hub
        immediate: list[dict] = []
        for raw in frames:
            frame = _parse_frame(raw)
            client = query_client
            if isinstance(frame, dict) and isinstance(frame.get("client"), str) and CLIENT_RE.match(frame["client"]):
                client = frame["client"]
            replies = self._http_frame(frame, client)
            for reply in replies:
                if client is not None:
                    hub.post(client, reply)
                else:
                    immediate.append(reply)
        if immediate:
            return web.Response(status=400, text=json.dumps(immediate), content_type="application/json")
        return web.Response(status=202, text=json.dumps({"accepted": len(frames)}),
                            content_type="application/json")

    def _http_frame(self, frame: dict | str, client: str | None) -> list[dict]:
        hub = self.hub
        if isinstance(frame, str):
            return [error_frame("invalid-frame", frame)]
        kind = frame["type"]
        if client is None:
            return [error_frame("invalid-frame", "no client id (client= or the frame's \"client\")")]
        if kind == "mutate":
            return hub.mutate(frame, default_client=client)
        if kind == "ping":
            return [{"type": "pong", "id": frame.get("id")}]
        if kind in ("pong", "hello"):
            return []
        if kind == "subscribe":
            box = hub.mailbox(client)
            if not box.live:
                return [error_frame("invalid-frame", "subscribe over HTTP needs an open SSE stream; "
                                                     "long polling lists collections in the query")]
            name = frame.get("collection")
            for sink in list(box.live):
                self._subscribe(sink, frame)  # type: ignore[arg-type]
                if isinstance(sink, Connection) and isinstance(name, str):
                    pass
            return []
        return [error_frame("unknown-frame", f"unknown frame type {kind!r}")]

    # -- admin (loopback only) ---------------------------------------------------------------

    def _admin_gate(self, request: web.Request) -> web.Response | None:
        try:
            if ipaddress.ip_address(request.remote or "").is_loopback:
                return None
        except ValueError:
            pass
        return self._json_error(403, "forbidden", "admin endpoints are loopback-only")

    async def _admin_body(self, request: web.Request) -> dict:
        text = await request.text()
        if not text.strip():
            return {}
        body = json.loads(text)
        if not isinstance(body, dict):
            raise ValueError("the body must be a JSON object")
        return body

    async def admin_state(self, request: web.Request) -> web.Response:
        if (gate := self._admin_gate(request)) is not None:
            return gate
        name = request.query.get("collection", "")
        c = self.hub.collection(name, create=False) if COLLECTION_RE.match(name) else None
        state = c.state if c is not None else {}
        seq = c.seq if c is not None else 0
        return web.Response(text=canonical(state), content_type="application/json",
                            headers={"X-Tether-Epoch": self.hub.epoch, "X-Tether-Seq": str(seq)})

    async def admin_info(self, request: web.Request) -> web.Response:
        if (gate := self._admin_gate(request)) is not None:
            return gate
        hub = self.hub
        info = {"server": hub.server_id, "epoch": hub.epoch, "connections": len(hub.sinks),
                "collections": {n: {"seq": c.seq, "floor": c.floor}
                                for n, c in sorted(hub.collections.items())},
                "faults": hub.faults.as_dict()}
        return web.json_response(info)

    async def admin_seed(self, request: web.Request) -> web.Response:
        if (gate := self._admin_gate(request)) is not None:
            return gate
        try:
            body = await self._admin_body(request)
            result = self.hub.seed(body.get("collection", ""), body.get("state"))
        except ValueError as e:
            return self._json_error(400, "invalid-request", str(e))
        return web.json_response(result)

    async def admin_faults(self, request: web.Request) -> web.Response:
        if (gate := self._admin_gate(request)) is not None:
            return gate
        if request.method == "POST":
            try:
                body = await self._admin_body(request)
                if not body:
                    self.hub.faults.__init__()
                else:
                    self.hub.faults.update(body)
            except (ValueError, TypeError) as e:
                return self._json_error(400, "invalid-request", str(e))
        return web.json_response(self.hub.faults.as_dict())

    async def admin_restart(self, request: web.Request) -> web.Response:
        """Simulates a server that lost its history: new epoch, every connection closed."""
        if (gate := self._admin_gate(request)) is not None:
            return gate
        try:
            body = await self._admin_body(request)
            retry = int(body.get("retryAfter", self.hub.faults.retry_after_ms))
            self.hub.close_all("restart", "the server restarted with a new epoch", retry)
            epoch = self.hub.new_epoch(body.get("epoch"), keep_state=bool(body.get("keepState", True)))
        except (ValueError, TypeError) as e:
            return self._json_error(400, "invalid-request", str(e))
        return web.json_response({"epoch": epoch})

    async def admin_disconnect(self, request: web.Request) -> web.Response:
        if (gate := self._admin_gate(request)) is not None:
            return gate
        try:
            body = await self._admin_body(request)
            retry = body.get("retryAfter")
            count = len(self.hub.sinks)
            self.hub.close_all(str(body.get("code", "disconnect")), "disconnected by the admin API",
                               None if retry is None else int(retry), bool(body.get("abrupt", False)))
        except (ValueError, TypeError) as e:
            return self._json_error(400, "invalid-request", str(e))
        return web.json_response({"closed": count})

    async def admin_shutdown(self, request: web.Request) -> web.Response:
        if (gate := self._admin_gate(request)) is not None:
            return gate
        self.stopping.set()
        return web.json_response({"ok": True})


def _parse_frame(raw: Any) -> dict | str:
    """A frame object with a string "type", or an error message."""
    if isinstance(raw, (str, bytes)):
        if len(raw) > MAX_FRAME_BYTES:
            return "frame too large"
        try:
            raw = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            return "a frame must be one JSON object"
    if not isinstance(raw, dict):
        return "a frame must be a JSON object"
    if not isinstance(raw.get("type"), str):
        return "a frame needs a string \"type\""
    return raw
