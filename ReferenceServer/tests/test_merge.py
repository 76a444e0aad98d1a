"""The incremental merge tree against a direct evaluation of the rule, over random histories."""

import json
import random

import pytest

from tether_ref.hub import canonical
from tether_ref.merge import VersionedState, Write, materialize_writes


def stamp(ms, counter=0, replica="p"):
    return f"{ms:015d}-{counter:06d}-{replica}"


def apply_all(writes):
    state = VersionedState()
    for w in writes:
        state.apply(w)
    return state


def random_value(r, depth=0):
    c = r.random()
    if c < 0.3 and depth < 2:
        return {r.choice("xyz"): random_value(r, depth + 1) for _ in range(r.randint(0, 2))}
    if c < 0.4:
        return [r.randint(0, 3)]
    if c < 0.45:
        return None
    return r.randint(0, 9)


def random_history(r, n):
    writes = {}
    for _ in range(n):
        path = tuple(r.choice("abc" if d == 0 else "xyz") for d in range(r.randint(1, 3)))
        s = stamp(r.randint(0, 20), r.randint(0, 2), r.choice("pq"))
        writes.setdefault(s, Write(path, s) if r.random() < 0.3 else Write(path, s, random_value(r)))
    return list(writes.values())


@pytest.mark.parametrize("seed", range(0, 1500, 1))
def test_any_order_with_duplicates_matches_the_definition(seed):
    r = random.Random(seed)
    writes = random_history(r, r.randint(1, 12))
    expected = canonical(materialize_writes(writes))
    for _ in range(3):
        delivery = writes + [r.choice(writes) for _ in range(3)]
        r.shuffle(delivery)
        state = apply_all(delivery)
        assert canonical(state.materialize()) == expected
        # the surviving writes rebuild the same tree (persistence / snapshots)
        rebuilt = VersionedState.from_json(json.loads(json.dumps(state.to_json())))
        assert canonical(rebuilt.materialize()) == expected


def test_last_writer_wins_per_key():
    a = Write(("m", "title"), stamp(1, replica="alice"), "A")
    b = Write(("m", "title"), stamp(1, replica="bob"), "B")
    c = Write(("m", "done"), stamp(0), True)
    for order in ([a, b, c], [c, b, a]):
        assert apply_all(order).materialize() == {"m": {"title": "B", "done": True}}


def test_remove_shadows_older_writes_below_and_newer_ones_resurrect():
    put = Write(("m",), stamp(1), {"title": "x", "tags": [1]})
    old_edit = Write(("m", "title"), stamp(2), "old")
    remove = Write(("m",), stamp(3))
    new_edit = Write(("m", "done"), stamp(4), True)
    assert apply_all([new_edit, remove, old_edit, put]).materialize() == {"m": {"done": True}}
    assert apply_all([put, old_edit, remove]).materialize() == {}
    assert apply_all([put, remove]).versions() == {"/m": stamp(3)}


def test_atomic_value_is_replaced_by_newer_deeper_write():
    scalar = Write(("m", "v"), stamp(1), 5)
    deeper = Write(("m", "v", "x"), stamp(2), 1)
    older_deeper = Write(("m", "v", "y"), stamp(0), 1)
    assert apply_all([deeper, scalar, older_deeper]).materialize() == {"m": {"v": {"x": 1}}}


def test_tombstones_are_collected_after_the_horizon():
    state = apply_all([Write(("m",), stamp(1000), {"a": 1}), Write(("m",), stamp(2000))])
    assert state.collect_tombstones(before_ms=1500) == 0
    assert state.collect_tombstones(before_ms=2500) == 1
    assert state.versions() == {}
