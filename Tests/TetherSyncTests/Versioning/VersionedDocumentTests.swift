import Testing
import TetherSync

extension VersioningTests {
    @Suite struct Document {
        static func stamp(_ ms: UInt64, _ replica: String = "a") -> VersionStamp {
            try! VersionStamp(physical: ms, counter: 0, replica: ReplicaID(replica))
        }

        @Test func duplicatesAndOlderWritesReportNoChange() throws {
            var document = VersionedDocument()
            #expect(document.canonicalBytes == Array("{}".utf8))
            let write = try VersionedWrite.set(["m1", "title"], "a", stamp: Self.stamp(5))
            let result1 = document.apply(write)
            #expect(result1)
            let result2 = document.apply(write)
            #expect(!result2)
            let result3 = document.apply(try .set(["m1", "title"], "older", stamp: Self.stamp(4)))
            #expect(!result3)
            // A newer write of the same value changes no visible state.
            let result4 = document.apply(try .set(["m1", "title"], "a", stamp: Self.stamp(6)))
            #expect(!result4)
            #expect(document.state == ["m1": ["title": "a"]])
        }

        @Test func batchReportsModelAndAttributeScopes() throws {
            var document = VersionedDocument()
            document.apply(try .set(["m1"], ["a": 1, "b": 2], stamp: Self.stamp(1)))
            document.apply(try .set(["m2"], ["a": 1], stamp: Self.stamp(1, "b")))
            let changes = document.apply([
                try .set(["m1", "a"], 10, stamp: Self.stamp(2)),
                try .set(["m1", "b", "deep"], true, stamp: Self.stamp(3)),
                try .remove(["m2"], stamp: Self.stamp(2)),
                try .set(["m3", "x"], "new", stamp: Self.stamp(2)),
                try .set(["m1", "a"], 0, stamp: Self.stamp(1, "z")),  // older: no change
            ])
            #expect(changes.modelIDs == ["m1", "m2", "m3"])
            #expect(changes.scope(of: "m1") == .attributes(["a", "b"]))
            #expect(changes.scope(of: "m2") == .model)
            #expect(changes.scope(of: "m3") == .model)
            #expect(document.state == ["m1": ["a": 10, "b": ["deep": true]], "m3": ["x": "new"]])
        }

        @Test func copiesAreIndependent() throws {
            var original = VersionedDocument()
            original.apply(try .set(["m1"], ["a": 1], stamp: Self.stamp(1)))
            var copy = original
            copy.apply(try .set(["m1", "a"], 2, stamp: Self.stamp(2)))
            copy.apply(try .remove(["m1"], stamp: Self.stamp(3)))
            #expect(original.state == ["m1": ["a": 1]])
            #expect(copy.state == [:])
            // The original's tree was not touched either: it still merges as before.
            original.apply(try .set(["m1", "b"], 3, stamp: Self.stamp(2)))
            #expect(original.state == ["m1": ["a": 1, "b": 3]])
        }

        @Test func collectionRespectsTheHorizon() throws {
            var document = VersionedDocument()
            document.apply(try .set(["m1"], ["a": 1, "b": 2], stamp: Self.stamp(1_000)))
            document.apply(try .remove(["m1", "a"], stamp: Self.stamp(2_000)))
            document.apply(try .remove(["m1", "b"], stamp: Self.stamp(9_000)))
            document.apply(try .remove(["gone"], stamp: Self.stamp(3_000)))
            #expect(document.metadataCensus.tombstones == 3)
            let now = Self.stamp(10_000)
            let result5 = document.collectGarbage(now: now, horizon: 5_000)  // before 5,000 ms
            #expect(result5 == 2)
            #expect(document.metadataCensus.tombstones == 1)
            #expect(document.state == ["m1": [:]])
            // The young tombstone still shadows an older write.
            let result6 = document.apply(try .set(["m1", "b"], "late", stamp: Self.stamp(8_000)))
            #expect(!result6)
            let result7 = document.collectGarbage(now: Self.stamp(100_000), horizon: VersionedDocument.defaultTombstoneHorizon)
            #expect(result7 == 0)
            let result8 = document.collectGarbage(now: Self.stamp(VersionedDocument.defaultTombstoneHorizon + 9_001))
            #expect(result8 == 1)
        }

        @Test("documented limit: a write older than a collected tombstone resurrects")
        func lateWriteAfterCollectionResurrects() throws {
            var collected = VersionedDocument()
            var kept = VersionedDocument()
            for document in [0, 1] {
                let writes = [
                    try VersionedWrite.set(["m1"], ["a": 1], stamp: Self.stamp(1_000)),
                    try VersionedWrite.remove(["m1"], stamp: Self.stamp(2_000)),
                ]
                if document == 0 { collected.apply(writes) } else { kept.apply(writes) }
            }
            let result9 = collected.collectGarbage(olderThan: 3_000)
            #expect(result9 == 1)
            let late = try VersionedWrite.set(["m1", "a"], 2, stamp: Self.stamp(1_500, "b"))
            let result10 = kept.apply(late)
            #expect(!result10)
            let result11 = collected.apply(late)
            #expect(result11)
            #expect(collected.state == ["m1": ["a": 2]])
            #expect(kept.state == [:])
        }

        @Test func visibleStateFollowsEveryKindOfReplacement() throws {
            var document = VersionedDocument()
            document.apply(try .set(["m"], ["n": ["x": 1]], stamp: Self.stamp(1)))
            document.apply(try .set(["m", "n", "y", "z"], 2, stamp: Self.stamp(5)))
            #expect(document.state == ["m": ["n": ["x": 1, "y": ["z": 2]]]])
            document.apply(try .set(["m", "n"], "scalar", stamp: Self.stamp(3)))  // older than y/z
            #expect(document.state == ["m": ["n": ["y": ["z": 2]]]])
            document.apply(try .set(["m", "n"], [1, 2], stamp: Self.stamp(6)))
            #expect(document.state == ["m": ["n": [1, 2]]])
            document.apply(try .remove(["m", "n"], stamp: Self.stamp(7)))
            #expect(document.state == ["m": [:]])
            document.apply(try .set(["m", "n", "k"], true, stamp: Self.stamp(8)))
            #expect(document.state == ["m": ["n": ["k": true]]])
        }
    }
}
