"""Random concurrent writers on all three transports, with invalid frames mixed in: the server's
final state is the merge of exactly the acknowledged ops, every subscriber sees a gap-free stream that
rebuilds that state, and every mutation gets exactly one outcome."""

import asyncio
import json
import random

from harness import PollClient, SSEClient, WSClient, is_type, mutate, run, stamp

from tether_ref.hub import canonical
from tether_ref.jsonpatch import parse_pointer
from tether_ref.merge import VersionedState, Write, materialize_writes


def random_op(r: random.Random, replica: str, ms: int) -> dict:
    model = r.choice("abcdefgh")
    s = stamp(ms, r.randint(0, 3), replica)
    kind = r.random()
    if kind < 0.1:
        return {"op": "remove", "path": r.choice([f"/{model}", f"/{model}/x"]), "stamp": s}
    if kind < 0.3:
        return {"op": "add", "path": f"/{model}", "value": {r.choice("xyz"): r.randint(0, 9)}, "stamp": s}
    if kind < 0.9:
        return {"op": "replace", "path": f"/{model}/{r.choice('xyz')}",
                "value": r.choice([1, "s", [1, 2], {"q": 1}, None]), "stamp": s}
    return {"op": "add", "path": f"/{model}", "value": 7, "stamp": s}  # invalid: a model must be an object


def to_write(op):
    path = tuple(parse_pointer(op["path"]))
    return Write(path, op["stamp"]) if op["op"] == "remove" else Write(path, op["stamp"], op["value"])


def test_random_concurrent_writers_on_every_transport(server):
    r = random.Random(20261126)
    per_client = 25

    async def ws_writer(name, mutations):
        outcomes = []
        async with WSClient(server, name) as c:
            await c.hello({"todos": None})
            for m in mutations:
                await c.send(m)
                if r.random() < 0.2:
                    await c.ws.send("{garbage")  # malformed: error, nothing else
            frames = []
            while sum(f["type"] in ("ack", "reject") for f in frames) < len(mutations):
                frames.append(await c.recv())
            outcomes = [f for f in frames if f["type"] in ("ack", "reject")]
        return outcomes

    async def http_writer(name, mutations):
        p = PollClient(server, name, ["todos"])
        await p.poll()
        for chunk in (mutations[:10], mutations[10:]):
            assert await p.send(chunk) == 202
        frames = []
        while sum(f["type"] in ("ack", "reject") for f in frames) < len(mutations):
            frames += await p.poll(wait=2)
        return [f for f in frames if f["type"] in ("ack", "reject")]

    async def scenario():
        ms = 1_700_000_000_000
        plans = {}
        for name in ("ws-a", "ws-b", "lp-c"):
            ops = []
            for i in range(1, per_client + 1):
                ms += r.randint(0, 2)
                ops.append(mutate(name, i, [random_op(r, name, ms)]))
            plans[name] = ops
        async with SSEClient(server, "watch", ["todos"]) as sse:
            await sse.recv_until(is_type("synced"))
            results = await asyncio.gather(ws_writer("ws-a", plans["ws-a"]), ws_writer("ws-b", plans["ws-b"]),
                                           http_writer("lp-c", plans["lp-c"]))
            total_acks = sum(f["type"] == "ack" for res in results for f in res)
            patches = []
            while len(patches) < total_acks:
                f = await sse.recv()
                if f["type"] == "patch":
                    patches.append(f)
            assert await sse.quiet(0.3) == []
        return plans, results, patches

    plans, results, patches = run(scenario(), timeout=40)
    accepted = []
    for name, outcomes in zip(("ws-a", "ws-b", "lp-c"), results):
        assert sorted(f["mutation"] for f in outcomes) == list(range(1, per_client + 1)), name
        for f in outcomes:
            op = plans[name][f["mutation"] - 1]["ops"][0]
            is_invalid = op["op"] != "remove" and op["path"].count("/") == 1 and not isinstance(op["value"], dict)
            assert (f["type"] == "reject") == is_invalid, (op, f)
            if f["type"] == "ack":
                accepted.append(op)
    # the subscriber's stream is gap-free and carries exactly the accepted ops
    assert [p["seq"] for p in patches] == list(range(1, len(accepted) + 1))
    assert sorted(json.dumps(op, sort_keys=True) for p in patches for op in p["ops"]) == \
        sorted(json.dumps(op, sort_keys=True) for op in accepted)
    rebuilt = VersionedState()
    for p in patches:
        for op in p["ops"]:
            rebuilt.apply(to_write(op))
    expected = canonical(materialize_writes([to_write(op) for op in accepted]))
    assert canonical(rebuilt.materialize()) == expected
    assert server.state("todos") == expected
    assert len(json.loads(expected)) >= 4  # a discriminating workload: many models survive
