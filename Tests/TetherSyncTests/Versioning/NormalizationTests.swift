import Testing
import TetherTestSupport
import TetherSync

extension VersioningTests {
    @Suite struct Normalization {
        /// A document, a clock that has seen its stamps, and a helper to normalize patch text.
        struct Fixture {
            var document = VersionedDocument()
            var clock: HybridLogicalClock
            let wall = ManualClock(5_000)

            init(_ state: JSON) throws {
                clock = HybridLogicalClock(replica: try ReplicaID("local"), physicalClock: wall.read)
                for (id, model) in state.objectValue ?? [:] {
                    let write = try VersionedWrite.set([id], model, stamp: VersionStamp(physical: 1_000, counter: 0, replica: ReplicaID("server")))
                    try clock.receive(write.stamp)
                    document.apply(write)
                }
            }

            mutating func normalize(_ patchText: String) throws -> [VersionedWrite] {
                let patch = try JSONPatch(JSON(parsing: patchText))
                var clock = self.clock
                defer { self.clock = clock }
                return try document.normalize(patch) { clock.now() }
            }

            /// The normalized writes as (op, pointer, value) triples for readable expectations.
            mutating func shape(_ patchText: String) throws -> [String] {
                try normalize(patchText).map { write in
                    switch write.operation {
                    case .set(let value): return "set \(write.pointer) \(value.serialized(options: [.sortedKeys]))"
                    case .remove: return "remove \(write.pointer)"
                    }
                }
            }
        }

        static let base: JSON = [
            "m1": ["id": "m1", "title": "a", "tags": ["x", "y"], "meta": ["rev": 1], "list": [["n": 1], ["n": 2]]],
            "m2": ["id": "m2", "title": "b"],
        ]

        @Test func objectMemberOpsBecomeSetsAndRemoves() throws {
            var f = try Fixture(Self.base)
            #expect(try f.shape(#"[{"op":"replace","path":"/m1/title","value":"z"}]"#) == [#"set /m1/title "z""#])
            #expect(try f.shape(#"[{"op":"add","path":"/m1/done","value":true}]"#) == ["set /m1/done true"])
            #expect(try f.shape(#"[{"op":"remove","path":"/m1/meta/rev"}]"#) == ["remove /m1/meta/rev"])
            #expect(try f.shape(#"[{"op":"remove","path":"/m2"}]"#) == ["remove /m2"])
            #expect(try f.shape(#"[{"op":"add","path":"/m3","value":{"id":"m3"}}]"#) == [#"set /m3 {"id":"m3"}"#])
            // Nothing is applied by normalizing.
            #expect(f.document.state == Self.base)
        }

        @Test func opsInsideArraysBecomeWholeArraySets() throws {
            var f = try Fixture(Self.base)
            #expect(try f.shape(#"[{"op":"add","path":"/m1/tags/-","value":"z"}]"#) == [#"set /m1/tags ["x","y","z"]"#])
            #expect(try f.shape(#"[{"op":"remove","path":"/m1/tags/0"}]"#) == [#"set /m1/tags ["y"]"#])
            #expect(try f.shape(#"[{"op":"replace","path":"/m1/list/1/n","value":9}]"#) == [#"set /m1/list [{"n":1},{"n":9}]"#])
            #expect(try f.shape(#"[{"op":"add","path":"/m1/list/0/k","value":true}]"#) == [#"set /m1/list [{"k":true,"n":1},{"n":2}]"#])
            // Replacing an array as a whole is an ordinary member set.
            #expect(try f.shape(#"[{"op":"replace","path":"/m1/tags","value":[]}]"#) == ["set /m1/tags []"])
        }

        @Test func moveCopyAndTest() throws {
            var f = try Fixture(Self.base)
            #expect(try f.shape(#"[{"op":"move","from":"/m1/title","path":"/m2/old"}]"#) == ["remove /m1/title", #"set /m2/old "a""#])
            #expect(try f.shape(#"[{"op":"copy","from":"/m1/meta","path":"/m2/meta"}]"#) == [#"set /m2/meta {"rev":1}"#])
            #expect(try f.shape(#"[{"op":"move","from":"/m1/tags/0","path":"/m1/tags/-"}]"#) == [#"set /m1/tags ["y","x"]"#])
            #expect(try f.shape(#"[{"op":"test","path":"/m1/meta/rev","value":1.0}]"#) == [])
            #expect(try f.shape(#"[{"op":"move","from":"/m1","path":"/m9"}]"#) == ["remove /m1", #"set /m9 {"id":"m1","list":[{"n":1},{"n":2}],"meta":{"rev":1},"tags":["x","y"],"title":"a"}"#])
        }

        @Test func laterOpsSeeEarlierOnesAndOverwrittenWritesAreDropped() throws {
            var f = try Fixture(Self.base)
            let writes = try f.normalize("""
                [{"op":"add","path":"/m3","value":{"a":1}},
                 {"op":"add","path":"/m3/b","value":2},
                 {"op":"replace","path":"/m1/title","value":"first"},
                 {"op":"replace","path":"/m1/title","value":"second"},
                 {"op":"add","path":"/m1/tags/0","value":"w"},
                 {"op":"remove","path":"/m1/tags/1"},
                 {"op":"add","path":"/m2/x","value":1},
                 {"op":"remove","path":"/m2"}]
                """)
            #expect(writes.map { "\($0.pointer)" } == ["/m3", "/m3/b", "/m1/title", "/m1/tags", "/m2"])
            #expect(writes.map(\.stamp) == writes.map(\.stamp).sorted())
            #expect(Set(writes.map(\.stamp)).count == writes.count)
            var document = f.document
            document.apply(writes)
            #expect(document.state["m1"]?["tags"] == ["w", "y"])
            #expect(document.state["m1"]?["title"] == "second")
            #expect(document.state["m3"] == ["a": 1, "b": 2])
            #expect(document.state["m2"] == nil)
        }

        @Test func wholeCollectionReplaceBecomesPerModelWrites() throws {
            var f = try Fixture(Self.base)
            let shape = try f.shape(#"[{"op":"replace","path":"","value":{"m2":{"id":"m2"},"m4":{"id":"m4"}}}]"#)
            #expect(Set(shape) == ["remove /m1", #"set /m2 {"id":"m2"}"#, #"set /m4 {"id":"m4"}"#])
            #expect(throws: VersionedPatchError.rootNotObject(index: 0, type: "array")) {
                try f.normalize(#"[{"op":"replace","path":"","value":[]}]"#)
            }
        }

        @Test func failuresAreTypedAndAllOrNothing() throws {
            var f = try Fixture(Self.base)
            let stampsBefore = f.clock.latest
            func reason(_ text: String) throws -> (Int, JSONPatchError.Reason)? {
                do { _ = try f.normalize(text) } catch let error as VersionedPatchError {
                    if case .patch(let patchError) = error { return (patchError.index, patchError.reason) }
                }
                return nil
            }
            #expect(try reason(#"[{"op":"add","path":"/m1/a","value":1},{"op":"replace","path":"/m1/missing","value":1}]"#)! == (1, .pathNotFound))
            #expect(try reason(#"[{"op":"test","path":"/m1/title","value":"nope"}]"#)! == (0, .testFailed(expected: "nope", actual: "a")))
            #expect(try reason(#"[{"op":"remove","path":"/m5"}]"#)! == (0, .pathNotFound))
            #expect(try reason(#"[{"op":"add","path":"/m5/a","value":1}]"#)! == (0, .pathNotFound))
            #expect(try reason(#"[{"op":"add","path":"/m1/tags/7","value":1}]"#)!.0 == 0)
            #expect(try reason(#"[{"op":"move","from":"/m1","path":"/m1/child"}]"#)! == (0, .moveIntoOwnChild))
            #expect(try reason(#"[{"op":"remove","path":""}]"#)! == (0, .rootNotRemovable))
            #expect(f.document.state == Self.base)
            _ = stampsBefore
        }

        @Test func zeroStampsAreRefused() throws {
            let f = try Fixture(Self.base)
            let patch = try JSONPatch(JSON(parsing: #"[{"op":"add","path":"/m1/a","value":1}]"#))
            #expect(throws: VersionedPatchError.invalidStamp(.zeroStamp)) { try f.document.normalize(patch) { .zero } }
        }

        @Test("normalized writes applied to the document give what plain RFC 6902 gives", arguments: Array(UInt64(1)...150))
        func normalizedWritesMatchPlainPatch(seed: UInt64) throws {
            var rng = SplitMix64(seed: seed)
            let history = RandomHistory.generate(seed: seed, replicaCount: 2, steps: 20)
            var f = try Fixture([:])
            for write in history.writes {
                try f.clock.receive(write.stamp)
                f.document.apply(write)
            }
            for _ in 0..<6 {
                let patch = RandomPatch.make(for: f.document.state, rng: &rng)
                let expected = try patch.applied(to: f.document.state)
                var clock = f.clock
                let writes = try f.document.normalize(patch) { clock.now() }
                f.clock = clock
                f.document.apply(writes)
                #expect(f.document.state == expected, "seed \(seed): \(patch)")
                // And a replica that receives only the writes reaches the same state.
            }
        }
    }
}

/// Random RFC 6902 patches that apply to a given document (ops that would fail are skipped).
enum RandomPatch {
    static func make(for document: JSON, rng: inout SplitMix64) -> JSONPatch {
        var scratch = document
        var operations: [JSONPatchOperation] = []
        for _ in 0..<Int.random(in: 1...4, using: &rng) {
            for _ in 0..<8 {
                let op = operation(in: scratch, rng: &rng)
                // A collection stays an object: only whole-collection replacements by an object.
                if op.path.isRoot || op.from?.isRoot == true, op.value?.objectValue == nil || op.from != nil { continue }
                if (try? JSONPatch(operations: [op]).apply(to: &scratch)) != nil {
                    operations.append(op)
                    break
                }
            }
        }
        return JSONPatch(operations: operations)
    }

    /// A random existing location (or the member/element just past one).
    static func path(in document: JSON, rng: inout SplitMix64, fresh: Bool) -> [String] {
        var tokens: [String] = []
        var current = document
        while true {
            let stop = Int.random(in: 0..<3, using: &rng) == 0 && !tokens.isEmpty
            switch current {
            case .object(let object) where !object.isEmpty && !stop:
                let key = object.keys.randomElement(using: &rng)!
                tokens.append(key)
                current = object[key]!
            case .array(let array) where !array.isEmpty && !stop:
                let i = Int.random(in: 0..<array.count, using: &rng)
                tokens.append(String(i))
                current = array[i]
            default:
                if fresh {
                    if case .array(let array) = current {
                        tokens.append(Bool.random(using: &rng) ? "-" : String(Int.random(in: 0...array.count, using: &rng)))
                    } else {
                        tokens.append(["new", "m7", "a", "n"].randomElement(using: &rng)!)
                    }
                }
                return tokens
            }
        }
    }

    static func operation(in document: JSON, rng: inout SplitMix64) -> JSONPatchOperation {
        let existing = JSONPointer(tokens: path(in: document, rng: &rng, fresh: false))
        let target = JSONPointer(tokens: path(in: document, rng: &rng, fresh: Bool.random(using: &rng)))
        let value: JSON = Bool.random(using: &rng) ? RandomHistory.randomScalar(&rng) : RandomHistory.randomModel(&rng)
        switch Int.random(in: 0..<9, using: &rng) {
        case 0, 1: return .add(path: target, value: value)
        case 2, 3: return .replace(path: existing, value: value)
        case 4, 5: return .remove(path: existing)
        case 6: return .move(from: existing, path: target)
        case 7: return .copy(from: existing, path: target)
        default: return .test(path: existing, value: (try? existing.evaluate(in: document)) ?? .null)
        }
    }
}
