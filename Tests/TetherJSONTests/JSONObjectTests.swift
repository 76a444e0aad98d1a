import Testing
import TetherJSON
import TetherTestSupport

struct JSONObjectTests {
    @Test func keepsInsertionOrderAndComparesUnordered() {
        var a: JSONObject = ["b": 1, "a": 2]
        a["c"] = 3
        #expect(a.keys == ["b", "a", "c"])
        let b: JSONObject = ["c": 3, "a": 2.0, "b": 1]
        #expect(a == b)
        #expect(a.hashValue == b.hashValue)
    }

    @Test func removalKeepsOrderWithAndWithoutIndex() {
        for size in [5, 100] {
            var o = JSONObject()
            for i in 0..<size { o["k\(i)"] = .int(Int64(i)) }
            for i in stride(from: 0, to: size, by: 2) { #expect(o.removeValue(forKey: "k\(i)") == .int(Int64(i))) }
            #expect(o.count == size / 2)
            #expect(o.keys == stride(from: 1, to: size, by: 2).map { "k\($0)" })
            #expect(o["k0"] == nil)
            #expect(o["k1"] == 1)
            o["k0"] = true
            #expect(o.keys.last == "k0")
        }
    }

    @Test func numbersCompareByValue() {
        #expect(JSON.int(1) == JSON.double(1.0))
        #expect(JSON.int(Int64.max) != JSON.double(Double(Int64.max)))
        #expect(JSON.int(1).hashValue == JSON.double(1.0).hashValue)
    }

    @Test func withValueHintFindsTheKeyWhereverItIs() {
        for size in [4, 30] {
            var o = JSONObject()
            for i in 0..<size { o["k\(i)"] = .int(Int64(i)) }
            o["caf\u{E9}"] = "accent"
            for hint in [-1, 0, 2, 3, size, 1_000] {
                #expect(o.withValue(forKey: "k2", hint: hint) { $0 } == 2, "hint \(hint)")
                #expect(o.withValue(forKey: "missing", hint: hint) { $0 } == nil)
            }
            // A canonically equal key with other bytes is found through the search.
            #expect(o.withValue(forKey: "cafe\u{301}", hint: size) { value -> JSON in
                value = "written"
                return value
            } == "written")
            #expect(o["caf\u{E9}"] == "written")
            o.withValue(forKey: "k3", hint: 3) { $0 = "three" }
            #expect(o["k3"] == "three")
            #expect(o.count == size + 1)
        }
    }

    /// `count` is derived (slots without an index, indexed keys with one); random inserts, updates
    /// and removals across the index threshold and compactions keep it equal to a reference list's.
    @Test func countFollowsEveryInsertUpdateAndRemoval() {
        var rng = SplitMix64(seed: 4242)
        var object = JSONObject()
        var reference: [(String, JSON)] = []
        for step in 0..<6_000 {
            let key = "k\(rng.next() % 60)"
            // Phases that grow past the index threshold and shrink back below it.
            let removing = (step / 500) % 2 == 1 ? rng.next() % 4 != 0 : rng.next() % 4 == 0
            if removing {
                let removed = object.removeValue(forKey: key)
                let position = reference.firstIndex { $0.0 == key }
                #expect((removed == nil) == (position == nil))
                if let position { reference.remove(at: position) }
            } else {
                let value = JSON.int(Int64(step))
                object[key] = value
                if let position = reference.firstIndex(where: { $0.0 == key }) { reference[position].1 = value } else { reference.append((key, value)) }
            }
            #expect(object.count == reference.count)
            #expect(object.isEmpty == reference.isEmpty)
        }
        #expect(object.keys == reference.map(\.0))
    }
}
