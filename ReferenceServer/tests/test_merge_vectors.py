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
HISTORIES = json.loads((ROOT / "Fixtures" / "versioning" / "random-histories.json").read_text())
ALL = VECTORS["cases"] + HISTORIES["cases"]
CASES = [pytest.param(case, id=case["name"]) for case in VECTORS["cases"] + HISTORIES["cases"]]


def to_write(op):
    path = tuple(parse_pointer(op["path"]))
    return Write(path, op["stamp"]) if op["op"] == "remove" else Write(path, op["stamp"], op["value"])


def test_vector_file_shape():
    assert VECTORS["format"] == "tether-merge-vectors" and VECTORS["version"] == 1
    assert len(VECTORS["cases"]) >= 20
    assert HISTORIES["format"] == "tether-merge-vectors" and len(HISTORIES["cases"]) >= 10


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


def test_every_vector_through_a_live_server(start_server):
    """Each case's ops as separate mutations from their stamps' replicas, newest first, into its
    own collection. Ops PROTOCOL.md forbids in mutations (a model set to a non-object) must be
    rejected instead, and such cases are checked in-process only."""
    server = start_server("--max-skew-ms", "0")

    async def scenario():
        mutation = 0
        checked = []
        for i, case in enumerate(ALL):
            forbidden = any(op["op"] != "remove" and op["path"].count("/") == 1
                            and not isinstance(op["value"], dict) for op in case["ops"])
            for op in reversed(case["ops"]):
                mutation += 1
                replica = op["stamp"][23:]
                async with WSClient(server, replica) as c:
                    await c.hello({})
                    await c.send(mutate(replica, mutation, [op], collection=f"v{i}"))
                    reply = await c.recv()
                model_scalar = op["op"] != "remove" and op["path"].count("/") == 1 and not isinstance(op["value"], dict)
                assert reply["type"] == ("reject" if model_scalar else "ack"), (case["name"], reply)
            if not forbidden:
                checked.append(i)
        return checked

    checked = run(scenario(), timeout=40)
    assert len(checked) >= 30  # most cases hold only ops a client may send
    for i in checked:
        case = ALL[i]
        assert server.state(f"v{i}") == case["canonical"], case["name"]
