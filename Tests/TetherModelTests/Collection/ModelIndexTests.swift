import Testing
@testable import TetherModel
import TetherTestSupport

/// ``ModelIndex`` and ``IdentitySet`` against the standard library's `Dictionary` and `Set` under
/// random operations (seeded, so a failure names a reproducible case).
@Suite struct ModelIndexTests {
    /// Keys of every shape the hash treats differently: empty, 1-3, 4-7, 8-15 and longer ASCII,
    /// heap-allocated strings equal to inline ones, and canonically equal non-ASCII spellings.
    static func key(_ n: Int, using rng: inout SplitMix64) -> String {
        switch Int.random(in: 0..<8, using: &rng) {
        case 0: return n % 50 == 0 ? "" : "m\(n % 97)"
        case 1: return "model-\(n)"
        case 2: return "a-rather-long-model-identifier-\(n)"
        case 3:
            // The same text as case 0 but forced into a heap buffer.
            var heap = String()
            heap.reserveCapacity(64)
            heap += "m\(n % 97)"
            return heap
        case 4: return n % 2 == 0 ? "K\(n % 13)" : "\u{212A}\(n % 13)"  // KELVIN SIGN == K
        case 5: return n % 2 == 0 ? "caf\u{E9}\(n % 11)" : "cafe\u{301}\(n % 11)"  // é, composed or not
        case 6: return n % 2 == 0 ? "q;\(n % 7)" : "q\u{37E}\(n % 7)"  // GREEK QUESTION MARK == ;
        default: return String(n % 300)
        }
    }

    @Test("ModelIndex: random insert/replace/remove/lookup agree with a Dictionary", arguments: [1, 2, 3, 4] as [UInt64])
    func indexMatchesDictionary(seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        let index = ModelIndex()
        var reference: [String: SyncModel] = [:]
        let pool = (0..<40).map { SyncModel(["n": .number(.int(Int64($0)))]) }
        for step in 0..<6_000 {
            let key = Self.key(Int.random(in: 0..<600, using: &rng), using: &rng)
            switch Int.random(in: 0..<10, using: &rng) {
            case 0..<5:
                let model = pool.randomElement(using: &rng)!
                index[key] = model
                reference[key] = model
            case 5..<8:
                index[key] = nil
                reference[key] = nil
            default:
                if step % 1_500 == 0 {
                    index.removeAll()
                    reference.removeAll()
                }
            }
            #expect(index[key] === reference[key], "seed \(seed) step \(step) key \(key)")
            #expect(index.count == reference.count, "seed \(seed) step \(step)")
        }
        for n in 0..<600 {
            let key = Self.key(n, using: &rng)
            #expect(index[key] === reference[key], "seed \(seed) final key \(key)")
        }
    }

    @Test("ModelIndex: canonically equal keys are one key, as in a Dictionary")
    func canonicalEquivalence() {
        let index = ModelIndex()
        let model = SyncModel()
        index["\u{212A}elvin"] = model
        #expect(index["Kelvin"] === model)
        index["cafe\u{301}"] = model
        #expect(index["caf\u{E9}"] === model)
        #expect(index.count == 2)
        index["Kelvin"] = nil
        #expect(index["\u{212A}elvin"] == nil)
        #expect(index.count == 1)
    }

    @Test("ModelIndex: grows past many keys and removes them all again")
    func growAndDrain() {
        let index = ModelIndex()
        let models = (0..<5_000).map { _ in SyncModel() }
        for (i, model) in models.enumerated() { index["id\(i)"] = model }
        #expect(index.count == 5_000)
        for (i, model) in models.enumerated() { #expect(index["id\(i)"] === model) }
        for i in stride(from: 0, to: 5_000, by: 2) { index["id\(i)"] = nil }
        for (i, model) in models.enumerated() { #expect(index["id\(i)"] === (i % 2 == 0 ? nil : model)) }
        #expect(index.count == 2_500)
    }

    @Test("IdentitySet: random inserts and lookups agree with a Set of ObjectIdentifier", arguments: [1, 2, 3] as [UInt64])
    func identitySetMatchesSet(seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        let pool = (0..<500).map { _ in SyncModel() }
        var set = IdentitySet(capacity: Int.random(in: 0..<20, using: &rng))
        var reference = Set<ObjectIdentifier>()
        for step in 0..<4_000 {
            let model = pool.randomElement(using: &rng)!
            if Bool.random(using: &rng) {
                #expect(set.insert(model) == reference.insert(ObjectIdentifier(model)).inserted, "seed \(seed) step \(step)")
            } else {
                #expect(set.contains(model) == reference.contains(ObjectIdentifier(model)), "seed \(seed) step \(step)")
            }
            #expect(set.count == reference.count)
        }
        for model in pool { #expect(set.contains(model) == reference.contains(ObjectIdentifier(model))) }
    }

    @Test("IdentitySet.markVisited: true once per member, false for repeats and non-members", arguments: [1, 2] as [UInt64])
    func markVisited(seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        let pool = (0..<300).map { _ in SyncModel() }
        var set = IdentitySet(capacity: 50)
        var members = Set<ObjectIdentifier>()
        for model in pool where Int.random(in: 0..<3, using: &rng) == 0 {
            set.insert(model)
            members.insert(ObjectIdentifier(model))
        }
        var visited = Set<ObjectIdentifier>()
        for _ in 0..<1_000 {
            let model = pool.randomElement(using: &rng)!
            let id = ObjectIdentifier(model)
            let expected = members.contains(id) && visited.insert(id).inserted
            #expect(set.markVisited(model) == expected, "seed \(seed)")
            #expect(set.contains(model) == members.contains(id), "marks do not hide members")
        }
        #expect(set.count == members.count)
    }
}
