import Testing
import TetherTestSupport
import TetherSync

/// Several replicas receive the same stamped writes sequenced in different orders, with duplicated
/// ops, duplicated frames and dropped frames (gap → subscribe → replay). They must all end with the
/// byte-identical state that merging the set of writes gives, in their models and in their binder.
@Suite @MainActor struct ConvergencePropertyTests {
    typealias B = TranscriptBuilder

    /// Random writes by three writers over a small universe of paths, so they collide often.
    static func randomWrites(_ rng: inout SplitMix64, count: Int) -> [JSON] {
        let replicas = ["bob", "carol", "dave"]
        let paths = ["/m0", "/m1", "/m2", "/m0/a", "/m0/b", "/m1/a", "/m2/o", "/m2/o/p", "/m2/o/q", "/m1/o/p"]
        var used = Set<String>()
        var writes: [JSON] = []
        while writes.count < count {
            let stamp = B.stamp(B.t0 + UInt64.random(in: 0..<50, using: &rng), Int.random(in: 0..<3, using: &rng),
                                replicas.randomElement(using: &rng)!)
            guard used.insert(stamp).inserted else { continue }
            let path = paths.randomElement(using: &rng)!
            let isModel = !path.dropFirst().contains("/")
            if Int.random(in: 0..<4, using: &rng) == 0 {
                writes.append(B.remove(path, stamp))
            } else {
                let value: JSON
                switch (isModel, Int.random(in: 0..<3, using: &rng)) {
                case (true, _): value = ["a": .int(Int64.random(in: 0..<5, using: &rng)), "o": ["p": "x"]]
                case (false, 0): value = .int(Int64.random(in: 0..<5, using: &rng))
                case (false, 1): value = ["p": .int(Int64.random(in: 0..<5, using: &rng))]
                default: value = [.string(stamp.suffix(4).description), 1]
                }
                writes.append(B.set(path, value, stamp))
            }
        }
        return writes
    }

    /// One replica's session: the writes in a random order, grouped into patches, some ops repeated,
    /// some frames delivered twice, some dropped (then resynced from the cursor).
    static func transcript(for writes: [JSON], client: String, rng: inout SplitMix64) -> Transcript {
        var b = B(client: client)
        b.start(state: [:])
        var ops = writes.shuffled(using: &rng)
        for _ in 0..<(writes.count / 4) { ops.append(writes.randomElement(using: &rng)!) }  // duplicated ops
        var patches: [JSON] = []
        var index = 0
        while index < ops.count {
            let size = Int.random(in: 1...3, using: &rng)
            patches.append(B.patch(UInt64(patches.count + 1), Array(ops[index..<min(ops.count, index + size)])))
            index += size
        }
        var seq = 1
        while seq <= patches.count {
            let roll = Int.random(in: 0..<10, using: &rng)
            if roll == 0, seq < patches.count {
                // Frame `seq` is lost: the next one reveals the gap; the server replays from the cursor.
                b.inn(patches[seq])
                b.out(["type": "subscribe", "collection": "todos", "cursor": ["epoch": "e1", "seq": .int(Int64(seq - 1))]])
                b.inn(patches[seq - 1])
                b.inn(patches[seq], B.synced(UInt64(seq + 1)))
                seq += 2
            } else if roll == 1 {
                b.inn(patches[seq - 1], patches[seq - 1])  // delivered twice
                seq += 1
            } else {
                b.inn(patches[seq - 1])
                seq += 1
            }
        }
        return b.transcript
    }

    @Test(arguments: 0..<12)
    func replicasConvergeToTheMergeOfTheWrites(seed: Int) async throws {
        var rng = SplitMix64(seed: UInt64(seed) &* 7919 &+ 17)
        let writes = Self.randomWrites(&rng, count: 40)
        var reference = VersionedDocument()
        for op in writes { reference.apply(try VersionedWrite(wireOperation: op)) }
        let expected = reference.canonicalBytes

        for replica in 0..<3 {
            let transcript = Self.transcript(for: writes, client: "r\(replica)", rng: &rng)
            let session = try ReplaySession(transcript: transcript)
            let result = await session.run()
            #expect(result.mismatches.isEmpty, "seed \(seed) replica \(replica): \(result.mismatches)")
            let visible = session.binder.state(of: "todos") ?? [:]
            #expect(visible.serializedBytes(options: [.sortedKeys]) == expected,
                    "seed \(seed) replica \(replica): \(visible.serialized(options: [.sortedKeys])) != \(String(decoding: expected, as: UTF8.self))")
            #expect(session.binder.confirmedCanonicalBytes(of: "todos") == expected)
            // The models show the same (ReplaySession also checks each one against the visible state).
            #expect(result.state["todos"]?.objectValue?.count == visible.objectValue?.count)
        }
    }
}
