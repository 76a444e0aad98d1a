#!/usr/bin/env python3
"""Shows that the sync tests can fail: plants one deliberate bug (a *mutant*) at a time in
Sources/TetherSync, runs `swift test --filter <suite>` and reports which tests caught it.

Every mutant breaks one promise of VERSIONING.md or PROTOCOL.md (stamps, shadowing, tombstones,
duplicate and gap handling, the outbox, rollback). A mutant that no test catches is a hole in the
tests, and the script exits 1. The source is restored after each mutant, also on Ctrl-C.

    python3 scripts/mutation-check.py              # every mutant, against TetherSyncTests
    python3 scripts/mutation-check.py --list       # what each mutant does
    python3 scripts/mutation-check.py no-rollback  # only the named ones

It rebuilds the test bundle once per mutant (about a minute each on two cores), so it is not part
of CI; docs/VERSIONING.md records its last result.
"""
import argparse
import os
import re
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SYNC = "Sources/TetherSync"

# name, file, the exact original text (must occur once), its replacement, the promise it breaks.
MUTANTS = [
    ("no-shadowing", f"{SYNC}/Versioning/VersionedNode+Merge.swift",
     "if existing.stamp >= stamp { return false }",
     "if false && existing.stamp >= stamp { return false }",
     "a write under a path that a newer write replaced or removed is not shadowed"),
    ("arrival-order-wins", f"{SYNC}/Versioning/VersionedNode+Merge.swift",
     "if let old, old.stamp >= stamp { return false }  // older or duplicate",
     "if let old, old.stamp == stamp { return false }",
     "the last write to arrive wins instead of the newest stamp (last-writer-wins broken)"),
    ("tombstone-forgets-stamp", f"{SYNC}/Versioning/VersionedNode+Merge.swift",
     "node = VersionedNode(stamp: stamp, kind: .tombstone)",
     "node = VersionedNode(stamp: .zero, kind: .tombstone)",
     "a removal leaves no effective tombstone: older writes arriving later resurrect the value"),
    ("no-floor", f"{SYNC}/Versioning/VersionedNode+Merge.swift",
     "existing.kind = .implicitObject\n",
     "existing.kind = .implicitObject\n            existing.stamp = .zero\n",
     "an atomic value or tombstone replaced by deeper writes forgets its stamp (the floor)"),
    ("stamp-ignores-replica", f"{SYNC}/Versioning/VersionStamp.swift",
     "return lhs.replica < rhs.replica",
     "return false",
     "stamps are not totally ordered: equal time and counter from two replicas tie"),
    ("no-clock-receive", f"{SYNC}/Binder/CollectionMirror.swift",
     "_ = try? clock.receive(write.stamp)",
     "_ = write.stamp",
     "the hybrid logical clock does not move past incoming stamps"),
    ("duplicate-patch-applied", f"{SYNC}/Binder/CollectionMirror.swift",
     "if patch.cursor.seq <= cursor.seq { return .duplicate }",
     "",
     "a patch whose seq was already applied is applied again (and moves the cursor back)"),
    ("gap-ignored", f"{SYNC}/Binder/CollectionMirror.swift",
     "if patch.cursor.seq > cursor.seq + 1 { return .gap }",
     "",
     "a patch after a gap is applied instead of triggering a resync"),
    ("snapshot-drops-versions", f"{SYNC}/Binder/CollectionMirror.swift",
     "VersionedDocument(snapshotState: snapshot.state, versions: snapshot.versions)",
     "VersionedDocument(snapshotState: snapshot.state, versions: nil)",
     "a snapshot's stamps and tombstones are ignored"),
    ("resync-readds", f"{SYNC}/Binder/SyncCollection+RealtimeBindable.swift",
     "        switch (upserts.isEmpty, removals.isEmpty) {",
     "        _ = remove(upserts.compactMap { $0[idKey].flatMap { get($0) } }, options: options)\n"
     "        switch (upserts.isEmpty, removals.isEmpty) {",
     "a changed model is removed and re-added instead of changed in place (blanket resync)"),
    ("no-outbox-resend", f"{SYNC}/Binder/RealtimeBinder+Run.swift",
     "sender.enqueue(outbox.map { $0.frame.encoded() })",
     "_ = outbox",
     "unacknowledged mutations are not resent after a reconnect"),
    ("no-tombstone-collection", f"{SYNC}/Binder/RealtimeBinder+Run.swift",
     "                collectTombstonesIfDue()\n",
     "",
     "the binder never forgets tombstones (metadata grows without bound)"),
    ("frames-after-destroy", f"{SYNC}/Binder/RealtimeBinder+Run.swift",
     "for text in texts where !isDestroyed { handleFrame(text) }",
     "for text in texts { handleFrame(text) }",
     "a destroyed binder keeps applying the frames it had already received"),
    ("ack-not-deduplicated", f"{SYNC}/Binder/RealtimeBinder+Frames.swift",
     "guard ack.id.client == options.clientID,\n                  let index = outbox.firstIndex(where: { $0.id == ack.id }) else { return }  // duplicate ack",
     "guard ack.id.client == options.clientID else { return }\n"
     "            guard let index = outbox.firstIndex(where: { $0.id == ack.id }) else { return emit(.acked(collection: ack.collection, mutation: ack.id)) }",
     "a repeated ack is reported again (a write acknowledged twice)"),
    ("no-rollback", f"{SYNC}/Binder/RealtimeBinder+Frames.swift",
     "rollBack(mutation.collection)",
     "_ = mutation.collection",
     "a rejected write stays visible"),
    ("outbox-not-persisted", f"{SYNC}/Binder/RealtimeBinder+LocalWrites.swift",
     "needsSave = true\n        saveIfNeeded()",
     "saveIfNeeded()",
     "a local write is not saved before it is sent (a restart can lose it)"),
]


def run(cmd, **kw):
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, **kw)


def failing_tests(output):
    names = []
    for line in output.splitlines():
        # `✘ Test name(arguments) failed ...` or, for a test with a display name, `✘ Test "text" failed ...`
        m = re.search(r'✘ Test (?:"([^"]+)"|(\w+)(?:\(.*?\))?) (?:with \d+ test cases? )?(?:failed|recorded)', line)
        name = m and (m.group(1) or m.group(2))
        if name and name not in names:
            names.append(name)
    return names


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("names", nargs="*", help="mutants to run (default: all)")
    parser.add_argument("--filter", default="TetherSyncTests", help="swift test --filter (default: TetherSyncTests)")
    parser.add_argument("--list", action="store_true", help="list the mutants and exit")
    args = parser.parse_args()

    chosen = [m for m in MUTANTS if not args.names or m[0] in args.names]
    if args.list:
        for name, path, _, _, why in MUTANTS:
            print(f"{name:26} {path}\n{'':26} {why}")
        return 0
    unknown = set(args.names) - {m[0] for m in MUTANTS}
    if unknown:
        print(f"unknown mutants: {', '.join(sorted(unknown))} (see --list)", file=sys.stderr)
        return 2

    print("== baseline: the unmutated tests must pass")
    build = run(["swift", "build", "--build-tests"])
    if build.returncode != 0:
        print(build.stdout[-3000:], build.stderr[-3000:])
        return 2
    baseline = run(["swift", "test", "--skip-build", "--filter", args.filter])
    if baseline.returncode != 0:
        print("baseline fails:", failing_tests(baseline.stdout + baseline.stderr))
        return 2

    survivors = []
    results = []
    for name, path, original, replacement, why in chosen:
        full = os.path.join(ROOT, path)
        source = open(full, encoding="utf-8").read()
        if source.count(original) != 1:
            print(f"{name}: the original text occurs {source.count(original)} times in {path}; update the mutant")
            return 2
        started = time.time()
        try:
            with open(full, "w", encoding="utf-8") as f:
                f.write(source.replace(original, replacement))
            build = run(["swift", "build", "--build-tests"])
            if build.returncode != 0:
                print(f"{name}: the mutant does not compile:\n{build.stdout[-2000:]}{build.stderr[-2000:]}")
                return 2
            test = run(["swift", "test", "--skip-build", "--filter", args.filter], timeout=900)
        finally:
            with open(full, "w", encoding="utf-8") as f:
                f.write(source)
        caught = failing_tests(test.stdout + test.stderr)
        killed = test.returncode != 0
        if not killed:
            survivors.append(name)
        results.append((name, killed, caught))
        shown = " | ".join(caught[:5]) + (f" (+{len(caught) - 5} more)" if len(caught) > 5 else "")
        print(f"{'KILLED ' if killed else 'SURVIVED'} {name:26} {time.time() - started:5.0f} s  {shown}", flush=True)

    # The sources are restored; rebuild so that the next `swift test --skip-build` tests them, not the last mutant.
    run(["swift", "build", "--build-tests"])
    print(f"\n{len(results) - len(survivors)} of {len(results)} mutants killed by `swift test --filter {args.filter}`")
    if survivors:
        print("survived:", ", ".join(survivors))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
