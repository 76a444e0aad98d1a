import Testing
import TetherSync

extension VersioningTests {
    @Suite struct Wire {
        let stamp = try! VersionStamp(parsing: "001732645000000-000003-alice")

        @Test func decodesAddReplaceAndRemove() throws {
            let replace = try VersionedWrite(wireOperation: ["op": "replace", "path": "/m1/title", "value": "x", "stamp": "001732645000000-000003-alice"])
            #expect(replace == (try .set(["m1", "title"], "x", stamp: stamp)))
            let add = try VersionedWrite(wireOperation: ["op": "add", "path": "/m~1x/a~0b", "value": ["n": 1], "stamp": "001732645000000-000003-alice", "extra": true])
            #expect(add.path == ["m/x", "a~b"])
            #expect(add.operation == .set(["n": 1]))
            let remove = try VersionedWrite(wireOperation: ["op": "remove", "path": "/m1", "stamp": "001732645000000-000003-alice"])
            #expect(remove == (try .remove(["m1"], stamp: stamp)))
        }

        @Test func encodesAndRoundTrips() throws {
            let write = try VersionedWrite.set(["m/1", "~t"], [1, "two"], stamp: stamp)
            #expect(write.wireOperation == ["op": "add", "path": "/m~11/~0t", "value": [1, "two"], "stamp": "001732645000000-000003-alice"])
            #expect(try VersionedWrite(wireOperation: write.wireOperation) == write)
            let remove = try VersionedWrite.remove(["m1", ""], stamp: stamp)
            #expect(remove.wireOperation == ["op": "remove", "path": "/m1/", "stamp": "001732645000000-000003-alice"])
            #expect(try VersionedWrite(wireOperation: remove.wireOperation) == remove)
        }

        @Test func malformedOpsGiveTypedErrors() {
            let s: JSON = "001732645000000-000003-alice"
            let cases: [(JSON, VersionedWriteError)] = [
                ([1, 2], .notAnObject),
                (["path": "/m1", "stamp": s], .missingMember("op")),
                (["op": "add", "value": 1, "stamp": s], .missingMember("path")),
                (["op": "add", "path": 5, "value": 1, "stamp": s], .missingMember("path")),
                (["op": "add", "path": "/m1", "value": 1], .missingMember("stamp")),
                (["op": "add", "path": "/m1", "stamp": s], .missingMember("value")),
                (["op": "move", "from": "/a", "path": "/m1", "stamp": s], .unsupportedOperation("move")),
                (["op": "test", "path": "/m1", "value": 1, "stamp": s], .unsupportedOperation("test")),
                (["op": "add", "path": "m1", "value": 1, "stamp": s], .invalidPointer("m1")),
                (["op": "add", "path": "/m~2", "value": 1, "stamp": s], .invalidPointer("/m~2")),
                (["op": "add", "path": "/m~", "value": 1, "stamp": s], .invalidPointer("/m~")),
                (["op": "add", "path": "", "value": 1, "stamp": s], .emptyPath),
                (["op": "add", "path": "/m1", "value": 1, "stamp": "yesterday"], .invalidStamp(.invalidFormat("yesterday"))),
                (["op": "add", "path": "/m1", "value": 1, "stamp": "000000000000000-000000-"], .invalidStamp(.invalidReplica(""))),
            ]
            for (op, error) in cases {
                #expect(throws: error) { try VersionedWrite(wireOperation: op) }
            }
            #expect(throws: VersionedWriteError.zeroStamp) { try VersionedWrite.set(["m1"], 1, stamp: .zero) }
        }

        @Test func decodeAllIsAllOrNothingAndNamesTheOp() throws {
            let good: JSON = ["op": "add", "path": "/m1", "value": 1, "stamp": "001732645000000-000003-alice"]
            let bad: JSON = ["op": "copy", "from": "/m1", "path": "/m2", "stamp": "001732645000000-000004-alice"]
            #expect(throws: VersionedOpsError(index: 1, error: .unsupportedOperation("copy"))) {
                try VersionedWrite.decodeAll([good, bad])
            }
            #expect(try VersionedWrite.decodeAll([good, good]).count == 2)
        }
    }

    @Suite struct Canonical {
        @Test func sortsKeysByBytesAndIsCompact() {
            let value: JSON = ["b": [1, 2.5, "x"], "a": ["z": nil, "é": true, "Z": false], "": -7]
            #expect(String(decoding: value.serializedBytes(options: [.sortedKeys]), as: UTF8.self) == #"{"":-7,"a":{"Z":false,"z":null,"é":true},"b":[1,2.5,"x"]}"#)
        }

        @Test func escapesOnlyWhatJSONRequires() {
            let value: JSON = .string("\"\\/\u{08}\u{0C}\n\r\t\u{01}\u{1F}\u{7F}é😀")
            #expect(String(decoding: value.serializedBytes(options: [.sortedKeys]), as: UTF8.self) == "\"\\\"\\\\/\\b\\f\\n\\r\\t\\u0001\\u001f\u{7F}é😀\"")
        }

        @Test func equalStatesBuiltInDifferentOrdersSerializeIdentically() {
            let one: JSON = ["x": 1, "y": ["p": 1, "q": 2]]
            let two: JSON = ["y": ["q": 2, "p": 1], "x": 1]
            #expect(one.serializedBytes(options: [.sortedKeys]) == two.serializedBytes(options: [.sortedKeys]))
        }
    }
}
