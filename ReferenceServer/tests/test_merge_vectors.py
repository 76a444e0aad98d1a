"""The server's merge agrees with the Swift implementation on every shared vector
(Fixtures/versioning/merge-vectors.json): in-process in any order, and through a live server."""

import json
import random

import pytest
from harness import ROOT, WSClient, mutate, run

from tether_ref.hub import canonical
from tether_ref.jsonpatch import parse_pointer
from tether_ref.merge import VersionedState, Write, materialize_writes

VECTORS = json.loads((ROOT / "Fixtures" / "versioning" / "merge-vectors.json").read_text())
CASES = [pytest.param(case, id=case["name"]) for case in VECTORS["cases"]]


def to_write(op):
    path = tuple(parse_pointer(op["path"]))
    return Write(path, op["stamp"]) if op["op"] == "remove" else Write(path, op["stamp"], op["value"])


def test_vector_file_shape():
    assert VECTORS["format"] == "tether-merge-vectors" and VECTORS["version"] == 1
    assert len(VECTORS["cases"]) >= 20


@pytest.mark.parametrize("case", CASES)
def test_vector_in_any_order_with_duplicates(case):
    writes = [to_write(op) for op in case["ops"]]
    assert canonical(case["expected"]) == case["canonical"]
    assert canonical(materialize_writes(writes)) == case["canonical"]
    r = random.Random(case["name"])
    orders = [writes, writes[::-1]] + [r.sample(writes, len(writes)) + r.choices(writes, k=2) for _ in range(8)]
    for order in orders:
        state = VersionedState()
        for w in order:
            state.apply(w)
        assert canonical(state.materialize()) == case["canonical"]


def test_every_vector_through_a_live_server(server):
    """Each case's ops as separate mutations, newest first, into its own collection."""
    async def scenario():
        async with WSClient(server, "vectors") as c:
            await c.hello({})
            mutation = 0
            for i, case in enumerate(VECTORS["cases"]):
                for op in reversed(case["ops"]):
                    mutation += 1
                    await c.send(mutate("vectors", mutation, [op], collection=f"v{i}"))
                    reply = await c.recv()
                    assert reply["type"] == "ack", (case["name"], reply)

    run(scenario(), timeout=30)
    for i, case in enumerate(VECTORS["cases"]):
        assert server.state(f"v{i}") == case["canonical"], case["name"]
