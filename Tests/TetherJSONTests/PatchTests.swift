import Testing
@testable import TetherJSON

struct PatchTests {
    @Test func decodingErrorsAreClear() throws {
        func reason(_ text: String) -> JSONPatchError? {
            do { _ = try JSONPatch(JSON(parsing: text)); return nil } catch let error as JSONPatchError { return error } catch {
                return nil
            }
        }
        #expect(reason(#"{"op":"add"}"#)?.reason == .notAnArray(type: "object"))
        #expect(reason(#"[{"op":"add","path":"/a","value":1},{"path":"/a"}]"#)?.reason == .missingMember("op"))
        #expect(reason(#"[{"op":"add","path":"/a","value":1},{"path":"/a"}]"#)?.index == 1)
        #expect(reason(#"[{"op":"add","path":null,"value":1}]"#)?.reason == .wrongType(member: "path", expected: "string", actual: "null"))
        #expect(reason(#"[{"op":"spam","path":"/a"}]"#)?.reason == .unknownOperation("spam"))
        #expect(reason(#"[{"op":"move","path":"/a"}]"#)?.reason == .missingMember("from"))
        #expect(reason(#"[{"op":"remove","path":"a"}]"#)?.reason == .invalidPointer(member: "path", .missingLeadingSlash(pointer: "a")))
        #expect(reason(#"[{"op":"add","path":"/a","value":null}]"#) == nil)
    }

    @Test func applyErrorsNameIndexOperationPointerAndReason() throws {
        var document: JSON = ["a": ["b": 1], "list": [1, 2, 3]]
        let before = document.serialized()
        let cases: [(JSONPatchOperation, JSONPointer, JSONPatchError.Reason)] = [
            (.remove(path: try JSONPointer("/x/y")), try JSONPointer("/x"), .pathNotFound),
            (.add(path: try JSONPointer("/list/4"), value: 0), try JSONPointer("/list/4"), .indexOutOfBounds(count: 3)),
            (.add(path: try JSONPointer("/list/01"), value: 0), try JSONPointer("/list/01"), .invalidIndex),
            (.remove(path: try JSONPointer("/list/-")), try JSONPointer("/list/-"), .invalidIndex),
            (.add(path: try JSONPointer("/a/b/c"), value: 0), try JSONPointer("/a/b/c"), .parentNotContainer(type: "number")),
            (.move(from: try JSONPointer("/a"), path: try JSONPointer("/a/b/c")), try JSONPointer("/a/b/c"), .moveIntoOwnChild),
            (.test(path: try JSONPointer("/a/b"), value: 2), try JSONPointer("/a/b"), .testFailed(expected: 2, actual: 9)),
            (.remove(path: .root), .root, .rootNotRemovable),
        ]
        for (operation, pointer, reason) in cases {
            let patch = JSONPatch(operations: [.replace(path: try JSONPointer("/a/b"), value: 9), .add(path: try JSONPointer("/n"), value: 1), operation])
            #expect(throws: JSONPatchError(index: 2, operation: operation, pointer: pointer, reason: reason)) {
                try patch.apply(to: &document)
            }
            #expect(document.serialized() == before)
        }
        let error = JSONPatchError(index: 2, operation: cases[0].0, pointer: cases[0].1, reason: .pathNotFound)
        #expect(error.description == #"operation 2 (remove "/x/y"): path not found at "/x""#)
    }

    @Test func moveFailureInASingleOperationPatchRestoresOrder() throws {
        // The add half fails after the remove half: the member must come back in its slot.
        var small: JSON = ["a": 1, "b": [1, 2], "c": 3]
        let patch = try JSONPatch(JSON(parsing: #"[{"op":"move","from":"/a","path":"/b/5"}]"#))
        #expect(throws: JSONPatchError.self) { try patch.apply(to: &small) }
        #expect(small.serialized() == #"{"a":1,"b":[1,2],"c":3}"#)

        var large = JSON.object(JSONObject((0..<50).map { ("k\($0)", JSON.int(Int64($0))) }))
        let before = large.serialized()
        let move = try JSONPatch(JSON(parsing: #"[{"op":"move","from":"/k3","path":"/k7/x"}]"#))
        #expect(throws: JSONPatchError.self) { try move.apply(to: &large) }
        #expect(large.serialized() == before)
    }

    @Test func repeatedMovesDoNotAccumulateHoles() throws {
        var document = JSON.object(JSONObject((0..<100).map { ("k\($0)", JSON.int(Int64($0))) }))
        for i in 0..<10_000 {
            let op = JSONPatchOperation.move(from: JSONPointer(tokens: ["k\(i)"]), path: JSONPointer(tokens: ["k\(i + 100)"]))
            try JSONPatch(operations: [op]).apply(to: &document)
            if i % 50 == 0 {
                let moved = JSONPointer(tokens: ["k\(i + 100)"]), temporary = JSONPointer(tokens: ["t"])
                try JSONPatch(operations: [
                    .test(path: moved, value: .int(Int64(i % 100))), .move(from: moved, path: temporary),
                    .move(from: temporary, path: moved),
                ]).apply(to: &document)
            }
        }
        let object = try #require(document.objectValue)
        #expect(object.count == 100)
        #expect(object.slots.count <= 2 * 100 + 8)
        #expect(object.keys == (10_000..<10_100).map { "k\($0)" })
    }

    /// The engine never copies a uniquely referenced container: after patching, every container
    /// on the patched path still has the same storage (checked through the array buffer address).
    @Test func mutatesInPlace() throws {
        var document: JSON = ["list": .array((0..<1000).map { JSON.int(Int64($0)) }), "other": 1]
        func address(_ json: JSON) -> UnsafeRawPointer? {
            guard case .array(let array) = json["list"] else { return nil }
            return array.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) }
        }
        let before = address(document)
        let patch = try JSONPatch(JSON(parsing: #"""
            [{"op":"replace","path":"/list/3","value":"x"},{"op":"remove","path":"/list/0"},
             {"op":"add","path":"/list/0","value":0},{"op":"test","path":"/other","value":1}]
            """#))
        for _ in 0..<100 { try patch.apply(to: &document) }
        #expect(address(document) == before)
        #expect(document["list"]?[3] == "x")
    }

    /// Same for a large indexed object at the root, through single-operation patches (the w3 shape):
    /// the root's slot buffer and a member's buffer keep their addresses across every kind of edit.
    @Test func largeRootIsNeverCopied() throws {
        var document = JSON.object(JSONObject((0..<1000).map { ("m\($0)", ["n": 0, "tags": []] as JSON) }))
        func rootAddress() -> UnsafeRawPointer? {
            document.objectValue?.slots.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) }
        }
        func memberAddress() -> UnsafeRawPointer? {
            document["m7"]?.objectValue?.slots.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) }
        }
        let root = rootAddress()
        var member: UnsafeRawPointer?
        for i in 0..<200 {
            // After the first round the member has grown to its working capacity; from then on any
            // change of address would be a copy.
            if i == 1 { member = memberAddress() }
            for text in [
                #"[{"op":"replace","path":"/m7/n","value":\#(i)}]"#, #"[{"op":"add","path":"/m7/tags/-","value":1}]"#,
                #"[{"op":"remove","path":"/m7/tags/0"}]"#, #"[{"op":"test","path":"/m7/n","value":\#(i)}]"#,
                #"[{"op":"copy","from":"/m7/n","path":"/m7/c"}]"#, #"[{"op":"move","from":"/m7/c","path":"/m7/d"}]"#,
                #"[{"op":"remove","path":"/m7/d"}]"#,
            ] {
                try JSONPatch(JSON(parsing: text)).apply(to: &document)
            }
        }
        #expect(rootAddress() == root)
        #expect(member != nil && memberAddress() == member)
        #expect(document["m7"] == ["n": 199, "tags": []])
    }
}
