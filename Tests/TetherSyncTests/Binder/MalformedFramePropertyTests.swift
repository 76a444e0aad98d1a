import Testing
import TetherSync

/// A malformed frame never changes state: every strict prefix of valid frames, and every valid frame
/// with one required member removed or replaced by a value of the wrong type, yields exactly one
/// `error` event and no collection event; the valid frames afterwards apply normally.
@Suite @MainActor struct MalformedFramePropertyTests {
    typealias B = TranscriptBuilder

    static let validFrames: [JSON] = [
        B.patch(1, [B.set("/t1/title", "new", B.stamp(B.t0 + 10, 0, "bob")), B.remove("/t2", B.stamp(B.t0 + 11, 0, "bob"))]),
        B.patch(2, [["op": "add", "path": "/t3", "value": ["id": "t3", "n": 1]]]),
        ["type": "snapshot", "collection": "todos", "epoch": "e1", "seq": 5,
         "state": ["t1": ["id": "t1", "title": "snap"]], "versions": ["/t1": .string(B.stamp(B.t0 + 20))]],
    ]

    static let required: [String: [String]] = [
        "patch": ["type", "collection", "epoch", "seq", "ops"],
        "snapshot": ["type", "collection", "epoch", "seq", "state"],
    ]

    static func variants(of frame: JSON) -> [String] {
        var out: [String] = []
        let text = frame.serialized()
        let bytes = Array(text.utf8)
        for length in 0..<bytes.count { out.append(String(decoding: bytes[..<length], as: UTF8.self)) }
        let object = frame.objectValue!
        for member in required[frame["type"]!.stringValue!]! {
            var removed = object
            removed[member] = nil
            out.append(JSON.object(removed).serialized())
            for wrong: JSON in [true, "x", 1.5, -1, [:], []] where wrong.typeName != object[member]!.typeName {
                var changed = object
                changed[member] = wrong
                out.append(JSON.object(changed).serialized())
            }
        }
        return out
    }

    @Test func malformedVariantsChangeNothing() async throws {
        var b = B()
        b.start(state: ["t1": ["id": "t1", "title": "old"], "t2": ["id": "t2"]],
                versions: ["/t1": .string(B.stamp(B.t0 - 10)), "/t2": .string(B.stamp(B.t0 - 10))])
        var malformed = 0
        for frame in Self.validFrames {
            for variant in Self.variants(of: frame) {
                b.text(variant)
                malformed += 1
            }
            b.inn(frame)
        }
        let session = try ReplaySession(transcript: b.transcript)
        let result = await session.run()
        #expect(result.mismatches.isEmpty, "\(result.mismatches)")
        let errors = result.events.filter { $0["event"] == "error" }
        #expect(errors.count == malformed)
        #expect(errors.allSatisfy { $0["error"] == "malformed-frame" })
        // Collection events come only from the three valid frames.
        let collectionEvents = result.events.filter { $0["source"] == "todos" }.map { "\($0["event"]!.stringValue!) \($0["id"]?.stringValue ?? "")" }
        #expect(collectionEvents == [
            "add t1", "add t2", "update ",                                   // initial snapshot
            "change:title t1", "change t1", "remove t2", "update ",          // patch 1: a merge and a removal, one update
            "add t3", "update ",                                             // patch 2
            "change:title t1", "change t1", "remove t3", "update ",          // snapshot 5 (resync as minimal events)
        ])
        #expect(result.state == ["todos": ["t1": ["id": "t1", "title": "snap"]]])
    }
}
