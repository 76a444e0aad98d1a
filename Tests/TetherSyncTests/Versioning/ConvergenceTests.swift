import Testing
import TetherTestSupport
@testable import TetherSync

extension VersioningTests {
    /// The heart of the versioning contract: the state is a function of the *set* of writes.
    @Suite struct Convergence {
        static let seeds: [UInt64] = Array(1...250)

        /// Delivers `writes` to `document` in a random order with random duplicates; with
        /// `dropping`, first a lossy delivery, then a full redelivery (what a resync amounts to).
        static func deliver(_ writes: [VersionedWrite], to document: inout VersionedDocument, dropping: Bool, rng: inout SplitMix64) {
            if dropping {
                var lossy = writes.filter { _ in Int.random(in: 0..<10, using: &rng) >= 3 }
                lossy += lossy.filter { _ in Int.random(in: 0..<4, using: &rng) == 0 }
                lossy.shuffle(using: &rng)
                document.apply(lossy)
            }
            var full = writes + writes.filter { _ in Int.random(in: 0..<5, using: &rng) == 0 }
            full.shuffle(using: &rng)
            document.apply(full)
        }

        @Test("replicas with their own clocks converge byte-identically, and equal the reference set function", arguments: seeds)
        func replicasConverge(seed: UInt64) {
            var rng = SplitMix64(seed: seed &* 7919)
            let history = RandomHistory.generate(seed: seed, replicaCount: 2 + Int(seed % 3), steps: 30 + Int(seed % 25))
            let expected = ReferenceMaterializer.canonicalBytes(of: history.writes)
            var finals: [[UInt8]] = []
            // The replicas that made the writes, each finishing with a lossy delivery then a resync.
            for var replica in history.replicas {
                Self.deliver(history.writes, to: &replica, dropping: true, rng: &rng)
                finals.append(replica.canonicalBytes)
                #expect(replica.root.visibleValue == replica.state, "incremental state drifted from the tree (seed \(seed))")
            }
            // Fresh replicas that only ever see shuffled, duplicated deliveries.
            for _ in 0..<2 {
                var fresh = VersionedDocument()
                Self.deliver(history.writes, to: &fresh, dropping: Bool.random(using: &rng), rng: &rng)
                finals.append(fresh.canonicalBytes)
            }
            for bytes in finals {
                #expect(bytes == expected, "seed \(seed): \(String(decoding: bytes, as: UTF8.self)) != reference \(String(decoding: expected, as: UTF8.self))")
            }
        }

        /// Stamps from a tiny range of times and counters tie often across replicas; only the replica
        /// id orders them, and any delivery order must still give the same bytes.
        @Test("stamps that tie on time and counter are ordered by replica id", arguments: seeds.prefix(60))
        func tiesAreOrderedByReplica(seed: UInt64) throws {
            var rng = SplitMix64(seed: seed &+ 9_000)
            let replicas = try ["a", "b", "c"].map { try ReplicaID($0) }
            let paths: [[String]] = [["m"], ["m", "x"], ["m", "y"], ["m", "x", "z"], ["n"], ["n", "x"]]
            var writes: [VersionedWrite] = []
            var used = Set<VersionStamp>()
            while writes.count < 16 {
                let stamp = try VersionStamp(physical: UInt64.random(in: 1...4, using: &rng), counter: UInt32.random(in: 0...1, using: &rng),
                                             replica: replicas.randomElement(using: &rng)!)
                guard used.insert(stamp).inserted else { continue }
                let path = paths.randomElement(using: &rng)!
                let value: JSON = path.count == 1 ? ["v": .int(Int64(writes.count))] : .int(Int64(writes.count))
                writes.append(try Int.random(in: 0..<4, using: &rng) == 0 ? .remove(path, stamp: stamp) : .set(path, value, stamp: stamp))
            }
            let expected = ReferenceMaterializer.canonicalBytes(of: writes)
            for _ in 0..<6 {
                var document = VersionedDocument()
                for write in writes.shuffled(using: &rng) { document.apply(write) }
                #expect(document.canonicalBytes == expected, "seed \(seed): \(writes)")
            }
        }

        @Test("apply reports exactly whether the visible state changed, and which model", arguments: seeds.prefix(60))
        func applyReportsChanges(seed: UInt64) {
            var rng = SplitMix64(seed: seed &+ 1_000)
            let history = RandomHistory.generate(seed: seed, replicaCount: 3, steps: 40)
            var delivery = history.writes + history.writes.filter { _ in Bool.random(using: &rng) }
            delivery.shuffle(using: &rng)
            var document = VersionedDocument()
            for write in delivery {
                let before = document.state
                var changes = VersionedChanges()
                let changed = document.apply(write, recordingInto: &changes)
                let after = document.state
                #expect(changed == (before != after), "seed \(seed): \(write)")
                let beforeModels = before.objectValue!, afterModels = after.objectValue!
                let changedIDs = Set(beforeModels.keys + afterModels.keys).filter { beforeModels[$0] != afterModels[$0] }
                #expect(Set(changes.modelIDs) == changedIDs, "seed \(seed): \(write)")
                if case .attributes(let attributes)? = changes.scope(of: write.modelID) {
                    // An attribute-scoped change leaves the model present and touches only those attributes.
                    let old = beforeModels[write.modelID]?.objectValue, new = afterModels[write.modelID]?.objectValue
                    #expect(old != nil && new != nil, "seed \(seed): \(write)")
                    if let old, let new {
                        let touched = Set(old.keys + new.keys).filter { old[$0] != new[$0] }
                        #expect(touched.isSubset(of: attributes), "seed \(seed): \(write)")
                    }
                }
            }
        }

        @Test("garbage collection behind the horizon changes nothing visible, and later writes still converge", arguments: seeds.prefix(40))
        func collectionBehindHorizon(seed: UInt64) {
            var rng = SplitMix64(seed: seed &+ 5_000)
            let replicaCount = 3
            var history = RandomHistory.generate(seed: seed, replicaCount: replicaCount, steps: 40, startMilliseconds: 1_000)
            // Phase 1 reaches everyone before anyone collects.
            for i in history.replicas.indices { Self.deliver(history.writes, to: &history.replicas[i], dropping: false, rng: &rng) }
            let phase1 = history.writes.count
            for i in history.replicas.indices where Bool.random(using: &rng) {
                let before = history.replicas[i].canonicalBytes
                let tombstones = history.replicas[i].metadataCensus.tombstones
                let collected = history.replicas[i].collectGarbage(olderThan: 10_000)
                #expect(collected == tombstones)
                #expect(history.replicas[i].metadataCensus.tombstones == 0)
                #expect(history.replicas[i].canonicalBytes == before, "seed \(seed): collection changed the state")
            }
            // Phase 2: writes far newer than the horizon, delivered in any order.
            history = RandomHistory.generate(seed: seed &+ 99, replicaCount: replicaCount, steps: 40, startMilliseconds: 1_000_000, into: history)
            let phase2 = Array(history.writes[phase1...])
            let expected = ReferenceMaterializer.canonicalBytes(of: history.writes)
            for var replica in history.replicas {
                Self.deliver(phase2, to: &replica, dropping: true, rng: &rng)
                #expect(replica.canonicalBytes == expected, "seed \(seed)")
            }
        }
    }
}
