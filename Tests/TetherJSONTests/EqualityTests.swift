import Testing
@testable import TetherJSON
import TetherTestSupport

/// `==` reads members in place and short-cuts on identical bytes; these tests hold it to a
/// naive structural reference on random values, shuffled copies, rebuilt strings and large objects.
struct EqualityTests {
    /// The specification, written the slow way: copies, dictionaries, no short cuts.
    static func reference(_ a: JSON, _ b: JSON) -> Bool {
        switch a {
        case .null: if case .null = b { return true }
        case .bool(let x): if case .bool(let y) = b { return x == y }
        case .number(let x):
            if case .number(let y) = b {
                switch (x, y) {
                case let (.int(i), .int(j)): return i == j
                case let (.double(d), .double(e)): return d == e || (d.isNaN && e.isNaN)
                case let (.int(i), .double(d)), let (.double(d), .int(i)): return Int64(exactly: d) == i
                }
            }
        case .string(let x): if case .string(let y) = b { return x == y }
        case .array(let x):
            if case .array(let y) = b { return x.count == y.count && zip(x, y).allSatisfy { reference($0, $1) } }
        case .object(let x):
            if case .object(let y) = b {
                guard x.count == y.count else { return false }
                var right: [String: JSON] = [:]
                for (key, value) in y { right[key] = value }
                return x.allSatisfy { member in right[member.key].map { reference(member.value, $0) } ?? false }
            }
        }
        return false
    }

    /// A copy that shares no storage with `value`: objects rebuilt in shuffled order, strings
    /// rebuilt from their bytes (so long strings get new buffers).
    static func rebuilt(_ value: JSON, _ rng: inout SplitMix64) -> JSON {
        switch value {
        case .string(let s): return .string(String(decoding: Array(s.utf8), as: UTF8.self))
        case .array(let a): return .array(a.map { rebuilt($0, &rng) })
        case .object(let o):
            var members = Array(o)
            members.shuffle(using: &rng)
            var copy = JSONObject()
            for (key, member) in members { copy[key] = rebuilt(member, &rng) }
            return .object(copy)
        default: return value
        }
    }

    @Test func agreesWithTheReferenceOnRandomValues() {
        var random = RandomJSON(rng: SplitMix64(seed: 1126))
        var rng = SplitMix64(seed: 77)
        var equalPairs = 0
        for _ in 0..<3_000 {
            let a = random.value(depth: 4)
            // Half the pairs are structurally equal (rebuilt copies), half are independent.
            let b = Bool.random(using: &rng) ? Self.rebuilt(a, &rng) : random.value(depth: 4)
            let expected = Self.reference(a, b)
            #expect((a == b) == expected, "\(a.serialized()) vs \(b.serialized())")
            #expect((b == a) == expected)
            #expect(a == a)
            if expected { equalPairs += 1 }
        }
        #expect(equalPairs > 1_000)
    }

    /// The in-place object reads a collection merge uses (`equal`, `contains(key:in:)`,
    /// `withValue(forKey:in:)`) answer as `==`, `contains` and the subscript do, on small objects
    /// and on large ones with an index and holes.
    @Test func inPlaceObjectReadsAgreeWithTheirCopyingForms() {
        var random = RandomJSON(rng: SplitMix64(seed: 2711))
        var rng = SplitMix64(seed: 5)
        var objects: [JSONObject] = []
        for _ in 0..<600 {
            if case .object(let object) = random.value(depth: 3) { objects.append(object) }
        }
        var large = JSONObject()
        for i in 0..<40 { large["k\(i)"] = .int(Int64(i)) }
        for i in stride(from: 0, to: 40, by: 7) { large["k\(i)"] = nil }
        objects.append(large)
        #expect(objects.count > 100)
        var probes = ["k0", "k1", "k7", "k39", "absent", ""]
        for object in objects.prefix(50) { probes.append(contentsOf: object.keys) }
        for (n, a) in objects.enumerated() {
            let b: JSONObject
            switch rng.next() % 3 {
            case 0: if case .object(let o) = Self.rebuilt(.object(a), &rng) { b = o } else { b = a }
            case 1: b = objects[Int(rng.next() % UInt64(objects.count))]
            default: b = objects[(n + 1) % objects.count]
            }
            var left = a, right = b
            let inPlace = withUnsafePointer(to: &left) { l in withUnsafePointer(to: &right) { r in JSONObject.equal(l, r) } }
            #expect(inPlace == (a == b))
            for key in probes.prefix(12) + a.keys.prefix(3) {
                withUnsafePointer(to: &left) { object in
                    #expect(JSONObject.contains(key: key, in: object) == a.contains(key: key))
                    let found = JSONObject.withValue(forKey: key, in: object) { $0?.pointee }
                    #expect(found == a[key], "\(key)")
                }
            }
        }
    }

    /// `scalarEquality` (the inlined first check of a model `set`) decides only from bits; whenever
    /// it answers, the answer must be the reference's, and it must answer for integer pairs.
    @Test func scalarEqualityAgreesWithTheReferenceWhenItAnswers() {
        var rng = SplitMix64(seed: 2611)
        let pool: [JSON] = [
            .null, .bool(true), .bool(false), .int(0), .int(1), .int(-1), .int(Int64.max), .int(Int64.min),
            .double(0), .double(-0.0), .double(1), .double(1.5), .double(.nan), .double(0x1p63),
            .string(""), .string("1"), .array([]), .array([.int(1)]), .object([:]), .object(["a": .int(1)]),
        ]
        var answered = 0
        for _ in 0..<5_000 {
            var stored = pool[Int(rng.next() % UInt64(pool.count))]
            let value = Bool.random(using: &rng) ? stored : pool[Int(rng.next() % UInt64(pool.count))]
            let expected = Self.reference(stored, value)
            let answer = withUnsafeMutablePointer(to: &stored) { JSON.scalarEquality($0, value) }
            if let answer {
                answered += 1
                #expect(answer == expected, "\(stored.serialized()) vs \(value.serialized())")
            }
            if case .number(.int) = stored, case .number(.int) = value { #expect(answer != nil) }
            if case .bool = value { #expect(answer != nil) }
        }
        #expect(answered > 1_000)
    }

    /// The layout `scalarEquality` reads: payload bytes first, then one case byte.
    @Test func aNumberIsItsPayloadThenItsCaseByte() {
        #expect(MemoryLayout<JSONNumber>.size == 9)
        let seven = withUnsafeBytes(of: JSONNumber.int(7)) { Array($0) }
        let half = withUnsafeBytes(of: JSONNumber.double(0.5)) { Array($0) }
        #expect(Array(seven[0..<8]) == withUnsafeBytes(of: Int64(7)) { Array($0) })
        #expect(Array(half[0..<8]) == withUnsafeBytes(of: 0.5) { Array($0) })
        #expect(seven[8] != half[8])
        #expect(seven[8] == withUnsafeBytes(of: JSONNumber.int(-1)) { $0[8] })
    }

    @Test func oneDifferentMemberAnywhereMakesObjectsUnequal() {
        let long = String(repeating: "long string ", count: 4)
        let base: JSONObject = [
            "id": "m1", "title": .string(long), "n": 1, "x": 2.5, "ok": true, "nil": nil,
            "tags": ["a", .string(long)], "meta": ["rev": 0, "deep": [1, 2, 3]],
        ]
        var rng = SplitMix64(seed: 5)
        #expect(JSON.object(base) == Self.rebuilt(.object(base), &rng))
        // Same-length strings that differ only at the end (short ones live inline, long ones in a
        // buffer), and numbers that differ only in their case.
        let sameLength = String(long.dropLast()) + "?"
        let replacements: [JSON] = [
            "other", "m2", .string(sameLength), .string(long + "!"), 2, 2.75, 1.0, false, ["a"], ["b", .string(long)],
            ["rev": 1], ["rev": 0, "deep": [1, 2, 4]], 0, nil,
        ]
        for key in base.keys {
            for replacement in replacements where !Self.reference(replacement, base[key]!) {
                var changed = base
                changed[key] = replacement
                #expect(base != changed, "\(key) → \(replacement.serialized())")
                #expect(changed != base)
            }
            var missing = base
            missing[key] = nil
            missing["other"] = base[key]
            #expect(base != missing)
        }
    }

    @Test func stringsDifferingOnlyInTheirLastByte() {
        for length in [1, 7, 8, 9, 15, 16, 17, 40] {
            let a = String(repeating: "a", count: length - 1) + "x"
            let b = String(repeating: "a", count: length - 1) + "y"
            #expect(JSON.string(a) != JSON.string(b))
            #expect(JSON.array([.string(a)]) != JSON.array([.string(b)]))
            #expect(JSON.object(["k": .string(a)]) != JSON.object(["k": .string(b)]))
            #expect(JSON.object([a: 1]) != JSON.object([b: 1]))
            let copy = String(decoding: Array(a.utf8), as: UTF8.self)
            #expect(JSON.object([a: .string(a)]) == JSON.object([copy: .string(copy)]))
        }
    }

    @Test func largeObjectsWithHolesCompareByMembers() {
        var a = JSONObject(), b = JSONObject()
        for i in 0..<40 { a["k\(i)"] = .int(Int64(i)) }
        for i in (0..<40).reversed() { b["k\(i)"] = .double(Double(i)) }
        #expect(a == b)
        for i in stride(from: 0, to: 40, by: 3) {
            a["k\(i)"] = nil
            #expect(a != b)
            b["k\(i)"] = nil
            #expect(a == b)
        }
        b["k1"] = "changed"
        #expect(a != b)
    }

    @Test func canonicallyEquivalentStringsAndNaN() {
        // "é" precomposed and decomposed differ in bytes but are equal Swift strings.
        let composed: JSON = ["k": "caf\u{E9}"], decomposed: JSON = ["k": "cafe\u{301}"]
        #expect(composed == decomposed)
        #expect(JSON.double(.nan) == JSON.double(.nan))
        #expect(JSON.array([.double(.nan)]) == JSON.array([.double(-.nan)]))
        #expect(JSON.int(0) == JSON.double(-0.0))
    }

    /// The property tests above exercise the in-place path only if the layout probe accepted this
    /// platform; on this toolchain it must.
    @Test func theStorageLayoutProbeHoldsHere() {
        #expect(StorageLayout.isVerified)
    }

    @Test func nestedContainersSharingOrNotSharingStorage() {
        let inner: JSON = ["deep": [1, 2, ["x": "y"]], "n": 1]
        let shared: JSON = ["a": inner, "b": [inner, inner]]
        var rng = SplitMix64(seed: 3)
        #expect(shared == shared)
        #expect(shared == Self.rebuilt(shared, &rng))
        var changed = Self.rebuilt(shared, &rng)
        if case .object(var o) = changed {
            o["b"] = [inner, ["deep": [1, 2, ["x": "z"]], "n": 1]]
            changed = .object(o)
        }
        #expect(shared != changed)
        #expect(JSON.array([]) == JSON.array([]))
        #expect(JSON.object([:]) == JSON.object([:]))
        #expect(JSON.array([[]]) != JSON.array([[1]]))
    }
}
