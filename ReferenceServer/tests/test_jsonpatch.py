"""The server's RFC 6902 engine against the public JSON Patch conformance suite."""

import copy
import json

import pytest
from harness import ROOT

from tether_ref.jsonpatch import PatchError, apply_patch, json_equal, parse_pointer

SUITE = ROOT / "Fixtures" / "conformance" / "json-patch"
CASES = [
    pytest.param(case, id=f"{name}:{i}:{case.get('comment', '')[:40]}")
    for name in ("tests.json", "spec_tests.json")
    for i, case in enumerate(json.loads((SUITE / name).read_text()))
    if not case.get("disabled") and ("expected" in case or "error" in case)
]


@pytest.mark.parametrize("case", CASES)
def test_conformance(case):
    doc = copy.deepcopy(case["doc"])
    if "error" in case:
        with pytest.raises(PatchError):
            apply_patch(doc, case["patch"])
    else:
        assert json_equal(apply_patch(doc, case["patch"]), case["expected"])
    assert doc == case["doc"], "apply_patch must leave its input untouched (atomic)"


def test_failed_patch_is_atomic():
    doc = {"a": {"b": 1}}
    with pytest.raises(PatchError) as e:
        apply_patch(doc, [{"op": "add", "path": "/a/c", "value": 2},
                          {"op": "test", "path": "/a/b", "value": 9}])
    assert e.value.code == "test-failed"
    assert doc == {"a": {"b": 1}}


def test_pointer_escapes():
    assert parse_pointer("/a~1b/c~0d") == ["a/b", "c~d"]
    with pytest.raises(PatchError):
        parse_pointer("/a~2")
    with pytest.raises(PatchError):
        parse_pointer("a")
    assert not json_equal(True, 1) and json_equal(1, 1.0)
