import Foundation
import Testing
import TetherSync
import TetherTestSupport

@Suite struct WireFrameTests {
    /// Every ```json example in docs/PROTOCOL.md, as frames.
    static func documentedFrames() throws -> [JSON] {
        let url = FixturePaths.packageRoot.appendingPathComponent("docs/PROTOCOL.md")
        let text = String(decoding: try FixturePaths.data(url), as: UTF8.self)
        var frames: [JSON] = []
        for block in text.components(separatedBy: "```json\n").dropFirst() {
            guard let body = block.components(separatedBy: "```").first else { continue }
            if let whole = try? JSON(parsing: body) {
                frames.append(whole)
            } else {
                for line in body.split(separator: "\n") { frames.append(try JSON(parsing: String(line))) }
            }
        }
        return frames
    }

    @Test func everyDocumentedExampleDecodesAndRoundTrips() throws {
        let frames = try Self.documentedFrames()
        var types = Set<String>()
        for json in frames {
            let frame = try WireFrame(json: json)
            types.insert(frame.type)
            // Encoding then decoding gives the same frame, and the encoding equals the example
            // (documented `null` optionals are dropped by the encoder).
            let again = try WireFrame(bytes: frame.encoded())
            #expect(again == frame)
            var expected = json.objectValue!
            for (key, value) in expected where value.isNull && key != "cursor" { expected[key] = nil }
            #expect(frame.json == .object(expected), "\(json)")
        }
        #expect(types == ["hello", "welcome", "subscribe", "snapshot", "patch", "synced", "mutate", "ack",
                          "reject", "ping", "pong", "error", "close"])
    }

    @Test func heartbeatCursorsDecodeAndEncodeSorted() throws {
        let text = #"{"type":"ping","id":6,"cursors":{"users":{"epoch":"e2","seq":0},"todos":{"epoch":"e1","seq":43}}}"#
        let frame = try WireFrame(bytes: Array(text.utf8))
        #expect(frame == .ping(id: 6, cursors: ["todos": StreamCursor(epoch: "e1", seq: 43),
                                                "users": StreamCursor(epoch: "e2", seq: 0)]))
        #expect(String(decoding: frame.encoded(), as: UTF8.self)
                == #"{"type":"ping","id":6,"cursors":{"todos":{"epoch":"e1","seq":43},"users":{"epoch":"e2","seq":0}}}"#)
        // A ping without the member (a client's, or an older server's) stays what it was.
        #expect(try WireFrame(bytes: Array(#"{"type":"ping","id":5}"#.utf8)) == .ping(id: 5))
        #expect(try WireFrame(bytes: Array(#"{"type":"ping","id":5,"cursors":null}"#.utf8)) == .ping(id: 5))
        #expect(String(decoding: WireFrame.ping(id: 5).encoded(), as: UTF8.self) == #"{"type":"ping","id":5}"#)
    }

    @Test func decodesTypedMembers() throws {
        let frame = try WireFrame(bytes: Array(#"{"type":"patch","collection":"todos","epoch":"e1","seq":43,"ops":[{"op":"remove","path":"/t1"}],"origin":{"client":"c1","mutation":7},"future":true}"#.utf8))
        guard case .patch(let patch) = frame else { Issue.record("not a patch: \(frame)"); return }
        #expect(patch.collection == "todos")
        #expect(patch.cursor == StreamCursor(epoch: "e1", seq: 43))
        #expect(patch.origin == MutationID(client: "c1", mutation: 7))
        #expect(!patch.isVersioned)
        let hello = try WireFrame(json: ["type": "hello", "protocol": 1, "client": "c1",
                                         "subscriptions": ["a": ["epoch": "e", "seq": 3], "b": nil]])
        guard case .hello(let h) = hello else { Issue.record("not a hello"); return }
        #expect(h.subscriptions.map(\.collection) == ["a", "b"])
        #expect(h.subscriptions.map(\.cursor) == [StreamCursor(epoch: "e", seq: 3), nil])
        #expect(h.token == nil && h.pending == nil)
    }

    @Test(arguments: [
        (#"[1]"#, WireFrameError.notAnObject(found: "array")),
        (#"{"seq":1}"#, .missingType),
        (#"{"type":7}"#, .missingType),
        (#"{"type":"shout"}"#, .unknownType("shout")),
        (#"{"type":"ping"}"#, .missingMember(frame: "ping", member: "id")),
        (#"{"type":"ping","id":null}"#, .missingMember(frame: "ping", member: "id")),
        (#"{"type":"ping","id":"5"}"#, .wrongType(frame: "ping", member: "id", expected: "integer", found: "string")),
        (#"{"type":"ping","id":-1}"#, .invalidValue(frame: "ping", member: "id", reason: "-1 is outside 0...2^53-1")),
        (#"{"type":"ping","id":1.5}"#, .invalidValue(frame: "ping", member: "id", reason: "not an integer")),
        (#"{"type":"synced","collection":"a b","epoch":"e","seq":1}"#,
         .invalidValue(frame: "synced", member: "collection", reason: "\"a b\" is not 1-64 of [A-Za-z0-9_.-]")),
        (#"{"type":"snapshot","collection":"c","epoch":"e","seq":1,"state":{"t1":5}}"#,
         .wrongType(frame: "snapshot", member: "state.t1", expected: "object", found: "number")),
        (#"{"type":"subscribe","collection":"c","cursor":{"epoch":"e"}}"#,
         .missingMember(frame: "subscribe", member: "cursor.seq")),
        (#"{"type":"patch","collection":"c","epoch":"e","seq":1,"ops":[{"op":"add","path":"/a","value":{}},{"op":"remove","path":"/b","stamp":"001732645000000-000003-alice"}]}"#,
         .invalidValue(frame: "patch", member: "ops", reason: "stamped and unstamped ops are mixed")),
        (#"{"type":"patch","collection":"c","epoch":"e","seq":1,"ops":[{"op":"jump","path":"/a"}]}"#,
         .invalidValue(frame: "patch", member: "ops[0].op", reason: "unknown op \"jump\"")),
        (#"{"type":"patch","collection":"c","epoch":"e","seq":1,"ops":[{"op":"add","path":"/a"}]}"#,
         .missingMember(frame: "patch", member: "ops[0].value")),
        (#"{"type":"patch","collection":"c","epoch":"e","seq":1,"ops":[{"op":"add","path":"","value":{}}]}"#,
         .invalidValue(frame: "patch", member: "ops[0].path", reason: "\"\" does not address a model")),
        (#"{"type":"patch","collection":"c","epoch":"e","seq":1,"ops":[{"op":"add","path":"/a","value":3,"stamp":"001732645000000-000003-alice"}]}"#,
         .invalidValue(frame: "patch", member: "ops[0].value", reason: "a model must be an object")),
        (#"{"type":"patch","collection":"c","epoch":"e","seq":1,"ops":[{"op":"add","path":"/a/b","value":3,"stamp":"17-3-alice"}]}"#,
         .invalidValue(frame: "patch", member: "ops[0].stamp", reason: "\"17-3-alice\" is not a stamp")),
        (#"{"type":"mutate","collection":"c","client":"c1","mutation":1,"ops":[{"op":"add","path":"/a/b","value":3}]}"#,
         .missingMember(frame: "mutate", member: "ops[0].stamp")),
        (#"{"type":"ping","id":1,"cursors":[]}"#,
         .wrongType(frame: "ping", member: "cursors", expected: "object", found: "array")),
        (#"{"type":"ping","id":1,"cursors":{"todos":null}}"#,
         .wrongType(frame: "ping", member: "cursors.todos", expected: "object", found: "null")),
        (#"{"type":"ping","id":1,"cursors":{"a b":{"epoch":"e","seq":1}}}"#,
         .invalidValue(frame: "ping", member: "cursors", reason: "\"a b\" is not 1-64 of [A-Za-z0-9_.-]")),
        (#"{"type":"ping","id":1,"cursors":{"todos":{"epoch":"e","seq":"1"}}}"#,
         .wrongType(frame: "ping", member: "cursors.todos.seq", expected: "integer", found: "string")),
        (#"{"type":"mutate","collection":"c","client":"c1","mutation":0,"ops":[{"op":"remove","path":"/a","stamp":"001732645000000-000003-c1"}]}"#,
         .invalidValue(frame: "mutate", member: "mutation", reason: "mutation ids start at 1")),
    ])
    func rejectsMalformedFrames(text: String, expected: WireFrameError) {
        #expect(throws: expected) { try WireFrame(bytes: Array(text.utf8)) }
    }

    @Test func rejectsInvalidJSONAndOversizedFrames() {
        #expect {
            try WireFrame(bytes: Array("{\"type\":".utf8))
        } throws: { error in
            if case .invalidJSON = error as? WireFrameError { return true } else { return false }
        }
        let big = Array(#"{"type":"ping","id":1,"pad":""#.utf8) + Array(repeating: UInt8(ascii: "x"), count: 100) + Array(#""}"#.utf8)
        #expect(throws: WireFrameError.tooLarge(size: big.count, limit: 64)) {
            try WireFrame(bytes: big, limits: .init(maximumFrameBytes: 64))
        }
        let tooMany = JSON.object(["type": "patch", "collection": "c", "epoch": "e", "seq": 1,
                                   "ops": .array(Array(repeating: ["op": "remove", "path": "/a"], count: 3))])
        #expect(throws: WireFrameError.invalidValue(frame: "patch", member: "ops", reason: "3 ops exceed the limit of 2")) {
            try WireFrame(json: tooMany, limits: .init(maximumOps: 2))
        }
    }

    @Test func encodesMembersInDocumentedOrder() {
        let frame = WireFrame.ack(.init(id: MutationID(client: "c1", mutation: 7), collection: "todos", seq: 44))
        #expect(String(decoding: frame.encoded(), as: UTF8.self)
            == #"{"type":"ack","client":"c1","mutation":7,"collection":"todos","seq":44}"#)
        let snapshot = WireFrame.snapshot(.init(collection: "c", cursor: .init(epoch: "e", seq: 0), state: [:],
                                                versions: ["/b": "001732645000000-000000-x", "/a": "001732645000000-000001-x"]))
        #expect(String(decoding: snapshot.encoded(), as: UTF8.self)
            == #"{"type":"snapshot","collection":"c","epoch":"e","seq":0,"state":{},"versions":{"/a":"001732645000000-000001-x","/b":"001732645000000-000000-x"}}"#)
    }
}
