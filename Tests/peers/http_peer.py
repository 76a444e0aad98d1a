#!/usr/bin/env python3
"""Test peer for Tether's HTTP transports (Server-Sent Events and long polling).

Started by the Swift tests: `python3 http_peer.py --port 0` binds 127.0.0.1 on a free port, prints
`PORT <n>` and serves until stdin closes (so it never outlives the test process). With `--cert` and
`--key` it serves HTTPS instead.

Behaviour is chosen per request by the first path segment, a '+'-separated list of options:
`/<options>/v1/events`, `/<options>/v1/poll`, `/<options>/v1/send`. Options:
  auth      every endpoint requires `Authorization: Bearer good` (else 401)
  busy      /v1/events answers 503 with `Retry-After: 2`; the 2nd /v1/poll answers 503 `Retry-After: 1`
  fail      /v1/poll and /v1/events answer 404
  plain     /v1/events answers 200 text/plain
  seedN     the log starts with N patches of collection "todos", epoch "e1", seq 1..N
  batchN    a poll returns at most N log frames
  dropN     an SSE stream closes after sending N log frames
  retry     an SSE stream starts with `retry: 1234`
  chunked   an SSE stream sends 60 frames in odd chunk splits, mixed line endings, comments,
            multi-line data and non-frame events, then ends; the frame data sent is kept for /control/sent
  big       an SSE stream sends one 4096-byte frame
  silent    an SSE stream sends the welcome, then nothing
  closing   POST /v1/send answers with `Connection: close`
  stale     POST /v1/send keeps the connection alive, then closes it 100 ms later without notice
Every stream and a client's first poll start with a welcome frame echoing what the client sent (`echo`);
a poll without a cursor also gets a snapshot of "todos" at seq 0 (the empty state) before the log.
POST /v1/send appends one patch per posted frame: {"op":"add","path":"/<seq>","value":<frame>}.

Control: GET /control/requests (every request, with timing and the peer-side disconnects),
GET /control/sent (frame data strings of `chunked` streams).
"""
import argparse
import asyncio
import json
import os
import socket
import ssl
import sys
import threading
import time

from aiohttp import web

STATE = {
    "log": [],  # patch frames (dicts), seq = index + 1
    "seeded": False,
    "requests": [],
    "sent": [],
    "polls": 0,
    "welcomed": set(),
}
CHANGED = asyncio.Event()


def options_of(request):
    opts = {}
    for item in request.match_info["opts"].split("+"):
        name = item.rstrip("0123456789")
        number = item[len(name):]
        opts[name] = int(number) if number else True
    return opts


def patch(seq, value):
    return {"type": "patch", "collection": "todos", "epoch": "e1", "seq": seq,
            "ops": [{"op": "add", "path": f"/{seq}", "value": value}]}


def seed(opts):
    if not STATE["seeded"]:
        STATE["seeded"] = True
        for n in range(1, int(opts.get("seed", 0)) + 1):
            STATE["log"].append(patch(n, {"title": f"seeded {n}"}))


def notify():
    global CHANGED
    CHANGED.set()
    CHANGED = asyncio.Event()


def record(request, **extra):
    entry = {
        "method": request.method,
        "path": request.path,
        "query": [[k, v] for k, v in request.query.items()],
        "authorization": request.headers.get("Authorization"),
        "lastEventId": request.headers.get("Last-Event-ID"),
        "accept": request.headers.get("Accept"),
        "contentType": request.headers.get("Content-Type"),
        "t": time.monotonic(),
    }
    peer = request.transport.get_extra_info("peername") if request.transport else None
    if peer:
        entry["peerPort"] = peer[1]
    entry.update(extra)
    STATE["requests"].append(entry)
    return entry


def welcome(request):
    return {"type": "welcome", "protocol": 1, "server": "http-peer", "heartbeat": 1000,
            "echo": {"lastEventId": request.headers.get("Last-Event-ID"),
                     "authorization": request.headers.get("Authorization"),
                     "query": [[k, v] for k, v in request.query.items()]}}


def after_seq(cursor_string):
    for part in (cursor_string or "").split(","):
        name, _, position = part.partition("=")
        epoch, _, seq = position.rpartition(":")
        if name == "todos" and epoch == "e1" and seq.isdigit():
            return int(seq)
    return 0


def unauthorized(request, opts, entry):
    if opts.get("auth") and request.headers.get("Authorization") != "Bearer good":
        entry["status"] = 401
        return web.Response(status=401, text="bad token")
    return None


def gone(request):
    transport = request.transport
    return transport is None or transport.is_closing()


def sse_event(frame, event_id=None):
    text = "event: frame\n"
    if event_id is not None:
        text += f"id: {event_id}\n"
    return (text + "data: " + json.dumps(frame, separators=(",", ":")) + "\n\n").encode()


async def events(request):
    opts = options_of(request)
    seed(opts)
    entry = record(request)
    denied = unauthorized(request, opts, entry)
    if denied:
        return denied
    if opts.get("busy"):
        entry["status"] = 503
        return web.Response(status=503, headers={"Retry-After": "2"}, text="busy")
    if opts.get("fail"):
        entry["status"] = 404
        return web.Response(status=404, text="no such endpoint")
    if opts.get("plain"):
        entry["status"] = 200
        return web.Response(status=200, text="not a stream")
    entry["status"] = 200
    response = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"})
    await response.prepare(request)
    try:
        if opts.get("retry"):
            await response.write(b"retry: 1234\n\n")
        await response.write(sse_event(welcome(request)))
        if opts.get("chunked"):
            await stream_chunked(response)
        elif opts.get("big"):
            await response.write(sse_event({"type": "patch", "pad": "x" * 4096}))
            await asyncio.sleep(5)
        elif opts.get("silent"):
            for _ in range(600):
                if gone(request):
                    break
                await asyncio.sleep(0.05)
        else:
            await stream_log(request, response, opts)
    except (ConnectionResetError, asyncio.CancelledError):
        pass
    finally:
        STATE["requests"].append({"method": "DISCONNECT", "path": request.path, "t": time.monotonic()})
    return response


async def stream_log(request, response, opts):
    sent = 0
    position = after_seq(request.headers.get("Last-Event-ID"))
    drop = opts.get("drop")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not gone(request):
        log = STATE["log"]
        while position < len(log):
            frame = log[position]
            position += 1
            await response.write(sse_event(frame, f"todos=e1:{frame['seq']}"))
            sent += 1
            if drop is not None and sent >= drop:
                return
        changed = CHANGED
        try:
            await asyncio.wait_for(changed.wait(), 0.2)
        except asyncio.TimeoutError:
            await response.write(b": heartbeat\n\n")


async def stream_chunked(response):
    endings = ["\n", "\r\n", "\r"]
    text = ": chunked stream\n\n"
    for n in range(1, 61):
        frame = {"type": "patch", "collection": "todos", "epoch": "e1", "seq": n,
                 "ops": [{"op": "add", "path": f"/{n}", "value": {"title": f"caf\u00e9 \u65e5\u672c {n}", "done": n % 2 == 0}}]}
        data = json.dumps(frame, separators=(",", ":"), ensure_ascii=False)
        eol = endings[n % 3]
        if n % 7 == 0:  # the same frame as two data lines: the parser joins them with LF
            head, tail = data[: len(data) // 2], data[len(data) // 2:]
            STATE["sent"].append(head + "\n" + tail)
            text += f"event: frame{eol}id: todos=e1:{n}{eol}data: {head}{eol}data:{tail}{eol}{eol}"
        else:
            STATE["sent"].append(data)
            text += f"id: todos=e1:{n}{eol}event: frame{eol}data:{data}{eol}{eol}"
        if n % 5 == 0:
            text += f": comment {n}{eol}event: other{eol}data: not a frame{eol}{eol}"
    payload = text.encode()
    sizes = [1, 2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 64, 97]
    offset, i = 0, 0
    while offset < len(payload):
        size = sizes[i % len(sizes)]
        await response.write(payload[offset:offset + size])
        offset += size
        i += 1
        if i % 4 == 0:
            await asyncio.sleep(0.002)


async def poll(request):
    opts = options_of(request)
    seed(opts)
    entry = record(request)
    denied = unauthorized(request, opts, entry)
    if denied:
        return denied
    if opts.get("fail"):
        entry["status"] = 404
        return web.Response(status=404, text="no such endpoint")
    STATE["polls"] += 1
    if opts.get("busy") and STATE["polls"] == 2:
        entry["status"] = 503
        return web.Response(status=503, headers={"Retry-After": "1"}, text="busy")
    wait = float(request.query.get("wait", "0"))
    position = after_seq(request.query.get("cursor"))
    deadline = time.monotonic() + wait
    while len(STATE["log"]) <= position and request.query.get("cursor") and time.monotonic() < deadline:
        if gone(request):
            STATE["requests"].append({"method": "DISCONNECT", "path": request.path, "t": time.monotonic()})
            return web.Response(status=499)
        changed = CHANGED
        try:
            await asyncio.wait_for(changed.wait(), min(0.1, max(0.0, deadline - time.monotonic())))
        except asyncio.TimeoutError:
            pass
    frames = []
    client = request.query.get("client")
    if client not in STATE["welcomed"]:
        STATE["welcomed"].add(client)
        frames.append(welcome(request))
    if not request.query.get("cursor"):  # no cursor: the state first, as a snapshot at seq 0 (empty)
        frames.append({"type": "snapshot", "collection": "todos", "epoch": "e1", "seq": 0, "state": {}})
    batch = opts.get("batch")
    frames += STATE["log"][position: position + batch if batch else None]
    entry["status"] = 200
    entry["returned"] = len(frames)
    entry["done"] = time.monotonic()
    body = "[\n  " + ",\n  ".join(json.dumps(f) for f in frames) + "\n]" if frames else "[]"
    return web.Response(status=200, text=body, content_type="application/json")


async def send(request):
    opts = options_of(request)
    seed(opts)
    entry = record(request)
    denied = unauthorized(request, opts, entry)
    if denied:
        return denied
    try:
        frames = await request.json()
    except ValueError:
        entry["status"] = 400
        return web.Response(status=400, text="not JSON")
    if not isinstance(frames, list) or not all(isinstance(f, dict) for f in frames):
        entry["status"] = 400
        return web.Response(status=400, text="expected an array of frames")
    entry["frames"] = frames
    for frame in frames:
        STATE["log"].append(patch(len(STATE["log"]) + 1, frame))
    notify()
    entry["status"] = 202
    response = web.Response(status=202)
    if "closing" in opts:
        response.force_close()  # answers with Connection: close
    if "stale" in opts and request.transport is not None:
        # Keep-alive as usual, then drop the idle connection without telling the client.
        asyncio.get_running_loop().call_later(0.1, request.transport.close)
    return response


async def control_requests(request):
    return web.json_response(STATE["requests"])


async def control_sent(request):
    return web.json_response(STATE["sent"])


def watch_stdin():
    try:
        sys.stdin.read()
    finally:
        os._exit(0)


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--cert", help="serve HTTPS with this certificate chain (PEM)")
    parser.add_argument("--key", help="the certificate's private key (PEM)")
    args = parser.parse_args()
    context = None
    if args.cert:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(args.cert, args.key)

    app = web.Application()
    app.router.add_get("/control/requests", control_requests)
    app.router.add_get("/control/sent", control_sent)
    app.router.add_get("/{opts}/v1/events", events)
    app.router.add_get("/{opts}/v1/poll", poll)
    app.router.add_post("/{opts}/v1/send", send)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((args.host, args.port))
    site = web.SockSite(runner, sock, ssl_context=context)
    await site.start()
    print(f"PORT {sock.getsockname()[1]}", flush=True)
    threading.Thread(target=watch_stdin, daemon=True).start()
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main())
