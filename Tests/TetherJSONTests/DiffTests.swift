import Testing
import TetherTestSupport
import TetherJSON

struct DiffTests {
    @Test func smallEditsGiveSmallPatches() throws {
        let a: JSON = ["title": "x", "tags": ["a", "b", "c", "d"], "meta": ["rev": 1, "by": "ana"], "gone": true]
        let b: JSON = ["title": "x", "tags": ["a", "b", "z", "c", "d"], "meta": ["rev": 2, "by": "ana"], "new": nil]
        let patch = JSONPatch.diff(from: a, to: b)
        #expect(try patch.applied(to: a) == b)
        #expect(patch.toJSON() == (try JSON(parsing: #"""
            [{"op":"remove","path":"/gone"},{"op":"add","path":"/tags/2","value":"z"},
             {"op":"replace","path":"/meta/rev","value":2},{"op":"add","path":"/new","value":null}]
            """#)))
        #expect(JSONPatch.diff(from: a, to: a).operations.isEmpty)
        #expect(JSONPatch.diff(from: 1, to: 1.0).operations.isEmpty)
        #expect(JSONPatch.diff(from: [1, 2, 3], to: [3]).operations.count == 2)
        #expect(JSONPatch.diff(from: ["a": 1], to: [1]).operations == [.replace(path: .root, value: [1])])
    }

    /// Property: applying diff(a, b) to a gives b, for unrelated random documents and for documents
    /// that differ by a few random operations.
    @Test func applyingTheDiffGivesTheTarget() throws {
        var random = RandomJSON(rng: SplitMix64(seed: 2026))
        for _ in 0..<500 {
            let a = random.value(depth: 4), b = random.value(depth: 4)
            #expect(try JSONPatch.diff(from: a, to: b).applied(to: a) == b, "\(a) -> \(b)")
        }
        for _ in 0..<500 {
            let a = random.value(depth: 4)
            var b = a
            var applied = 0
            while applied < 3 {
                let operation = random.operation(on: b)
                if (try? JSONPatch(operations: [operation]).apply(to: &b)) != nil { applied += 1 }
            }
            let patch = JSONPatch.diff(from: a, to: b)
            #expect(try patch.applied(to: a) == b, "\(a) -> \(b)")
            #expect(try JSONPatch(patch.toJSON()).applied(to: a) == b)
        }
    }
}
