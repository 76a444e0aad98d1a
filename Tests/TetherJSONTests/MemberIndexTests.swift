import Testing
import TetherTestSupport
@testable import TetherJSON

/// The hash index behind large JSONObjects, checked against the standard library's Dictionary.
struct MemberIndexTests {
    /// Keys of every shape the hash treats differently: short and long ASCII (word loop and tail),
    /// empty, non-ASCII, and canonically equivalent spellings (precomposed vs decomposed, and the
    /// non-ASCII scalars that equal ASCII ones).
    static let awkwardKeys = [
        "", "a", "id", "m12345", "exactly8", "exactly-16-bytes", "a-much-longer-key-than-sixteen-bytes",
        "caf\u{E9}", "cafe\u{301}", "K", "\u{212A}", "a;b", "a\u{37E}b", "`x", "\u{1FEF}x", "\u{1F600}",
        "\u{E9}\u{212A}", "e\u{301}K", "~0/1", "\u{0}",
    ]

    static func randomKey(_ rng: inout SplitMix64, pool: Int) -> String {
        if Int.random(in: 0..<8, using: &rng) == 0 { return awkwardKeys.randomElement(using: &rng)! }
        let n = Int.random(in: 0..<pool, using: &rng)
        return Bool.random(using: &rng) ? "m\(n)" : "model-with-a-long-identifier-\(n)"
    }

    @Test(arguments: [1 as UInt64, 2, 3, 4])
    func randomEditsMatchDictionary(seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        var object = JSONObject()
        var reference: [String: JSON] = [:]
        var order: [String] = []  // reference insertion order (first-added position kept)
        let pool = [20, 200, 2000][Int(seed % 3)]
        for step in 0..<6000 {
            let key = Self.randomKey(&rng, pool: pool)
            switch Int.random(in: 0..<10, using: &rng) {
            case 0..<4:
                let value = JSON.int(Int64(step))
                #expect(object.updateValue(value, forKey: key) == reference.updateValue(value, forKey: key), "seed \(seed) step \(step)")
                if !order.contains(where: { $0 == key }) { order.append(key) }
            case 4..<7:
                #expect(object.removeValue(forKey: key) == reference.removeValue(forKey: key), "seed \(seed) step \(step)")
                order.removeAll { $0 == key }
            default:
                #expect(object[key] == reference[key], "seed \(seed) step \(step)")
                #expect(object.contains(key: key) == (reference[key] != nil))
            }
            #expect(object.count == reference.count)
            if step % 500 == 0 || object.count < 20 {
                #expect(object.keys == order, "seed \(seed) step \(step)")
            }
        }
        #expect(object.keys == order)
        for (key, value) in reference { #expect(object[key] == value) }
    }

    /// Removal holes and compaction: remove most members of a large object, then look everything up.
    @Test func holesAndCompaction() {
        var object = JSONObject()
        for i in 0..<1000 { object["k\(i)"] = .int(Int64(i)) }
        for i in 0..<1000 where i % 7 != 0 { object["k\(i)"] = nil }
        let survivors = stride(from: 0, to: 1000, by: 7).map { "k\($0)" }
        #expect(object.keys == survivors)
        for i in 0..<1000 { #expect(object["k\(i)"] == (i % 7 == 0 ? .int(Int64(i)) : nil)) }
        for i in 0..<1000 where i % 7 == 0 && i > 100 { object["k\(i)"] = nil }
        #expect(object.keys == survivors.filter { Int($0.dropFirst())! <= 100 })
        object["new"] = true
        #expect(object.keys.last == "new")
    }

    /// The table itself, with forced collisions and wrap-around, so backward-shift deletion is exercised.
    @Test(arguments: [5 as UInt64, 6, 7])
    func tableMatchesDictionaryUnderCollisions(seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        var index = MemberIndex(capacity: 0)
        var reference: [Int: UInt32] = [:]  // slot → hash
        var nextSlot = 0
        for step in 0..<1500 {
            if reference.isEmpty || Int.random(in: 0..<3, using: &rng) != 0 {
                // Few distinct hashes, clustered at the table's end so probe runs wrap.
                let hash = UInt32.max &- UInt32.random(in: 0..<6, using: &rng) &- (Bool.random(using: &rng) ? 0 : 1 << 20)
                index.insert(slot: nextSlot, hash: hash)
                reference[nextSlot] = hash
                nextSlot += 1
            } else {
                let slot = reference.keys.randomElement(using: &rng)!
                index.remove(slot: slot, hash: reference.removeValue(forKey: slot)!)
            }
            #expect(index.count == reference.count)
            if step % 150 == 0 || step < 40 {
                for (slot, hash) in reference {
                    #expect(index.find(hash: hash) { $0 == slot } == slot, "seed \(seed) step \(step)")
                }
                #expect(index.find(hash: UInt32.max) { $0 == nextSlot } == nil)
            }
        }
    }

    /// The hash agrees with String equality: equal keys hash alike, and the ASCII fast path sees
    /// exactly the scalars that are canonically equal to an ASCII character.
    @Test func hashFollowsCanonicalEquivalence() {
        for a in Self.awkwardKeys {
            for b in Self.awkwardKeys where a == b {
                #expect(MemberIndex.hash(a) == MemberIndex.hash(b), "\(a.unicodeScalars.map(\.value)) vs \(b.unicodeScalars.map(\.value))")
            }
        }
        let asciiHashes = Dictionary(uniqueKeysWithValues: (0..<128).map { (String(UnicodeScalar(UInt8($0))).hashValue, $0) })
        var equalToASCII: [UInt32] = []
        for value in UInt32(0x80)...0x10FFFF {
            guard let scalar = UnicodeScalar(value) else { continue }
            let text = String(scalar)
            if let ascii = asciiHashes[text.hashValue], text == String(UnicodeScalar(UInt8(ascii))) {
                equalToASCII.append(value)
            }
        }
        #expect(equalToASCII == [0x37E, 0x1FEF, 0x212A])
        #expect(MemberIndex.hash("\u{212A}elvin") == MemberIndex.hash("Kelvin"))
        var object: JSONObject = [:]
        for i in 0..<20 { object["k\(i)"] = .int(Int64(i)) }
        object["Kelvin"] = 1
        object["\u{212A}elvin"] = 2
        #expect(object.count == 21)
        #expect(object["Kelvin"] == 2)
    }

    /// Atomic patches on an indexed object: removals leave holes that rollback refills, appends are
    /// undone, and afterwards every key is still found through the index, in the original order.
    @Test(arguments: [11 as UInt64, 12, 13])
    func failedPatchesOnIndexedObjectsRollBackExactly(seed: UInt64) throws {
        var rng = SplitMix64(seed: seed)
        var members = JSONObject()
        for i in 0..<40 { members["k\(i)"] = .int(Int64(i)) }
        for key in Self.awkwardKeys where members[key] == nil { members[key] = .string(key) }
        let original = JSON.object(members)
        for round in 0..<60 {
            var shadow = original
            var operations: [JSONPatchOperation] = []
            for _ in 0..<Int.random(in: 1...20, using: &rng) {
                guard case .object(let current) = shadow, let key = current.keys.randomElement(using: &rng) else { break }
                let target = Self.randomKey(&rng, pool: 60)
                let operation: JSONPatchOperation
                switch Int.random(in: 0..<4, using: &rng) {
                case 0: operation = .remove(path: JSONPointer(tokens: [key]))
                case 1: operation = .add(path: JSONPointer(tokens: [target]), value: .int(Int64(round)))
                case 2: operation = .replace(path: JSONPointer(tokens: [key]), value: .bool(true))
                default: operation = .move(from: JSONPointer(tokens: [key]), path: JSONPointer(tokens: [target]))
                }
                try JSONPatch(operations: [operation]).apply(to: &shadow)
                operations.append(operation)
            }
            // A failing last operation must undo everything before it.
            var document = original
            let failing = operations + [.test(path: JSONPointer(tokens: ["k0"]), value: "never")]
            #expect(throws: JSONPatchError.self) { try JSONPatch(operations: failing).apply(to: &document) }
            #expect(document.serialized() == original.serialized(), "seed \(seed) round \(round)")
            guard case .object(let restored) = document else { Issue.record("not an object"); return }
            for (key, value) in members { #expect(restored[key] == value, "seed \(seed) round \(round) key \(key)") }
            // The same operations as one patch equal applying them one by one.
            var together = original
            try JSONPatch(operations: operations).apply(to: &together)
            #expect(together.serialized() == shadow.serialized(), "seed \(seed) round \(round)")
        }
    }
}
