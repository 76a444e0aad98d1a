@testable import TetherTransports
import Testing

@Suite struct FrameArrayScannerTests {
    func split(_ text: String, limit: Int = 1 << 20) throws(TransportError) -> [String] {
        try FrameArrayScanner.frames(in: Array(text.utf8), maximumFrameSize: limit).map { String(decoding: $0, as: UTF8.self) }
    }

    @Test func splitsAnArrayIntoObjectSlices() throws {
        #expect(try split("[]") == [])
        #expect(try split(" \n[ \t]\r\n") == [])
        #expect(try split(#"[{"a":1}]"#) == [#"{"a":1}"#])
        let tricky = #"{"s":"a \"}] ,[{ b","n":[1,{"x":[]}],"e":"\\","u":"\u005d"}"#
        #expect(try split("[\n  \(tricky) ,\n  {\"t\":true}\n]") == [tricky, #"{"t":true}"#])
    }

    @Test(arguments: [
        "", "{}", "[", "[{}", "[{},]", "[1]", #"["a"]"#, "[{}{}]", "[{}] x", #"[{"a":"]"#, "[{]}", "[{}}]", "[[]]",
    ])
    func rejectsMalformedBodies(_ body: String) {
        #expect(throws: TransportError.self) { try split(body) }
    }

    @Test func rejectsAnOversizedFrame() {
        #expect(throws: TransportError.messageTooLarge(limit: 8)) { try split(#"[{"a":"0123456789"}]"#, limit: 8) }
    }

    @Test func readsStreamPositions() {
        func position(_ text: String) -> FrameArrayScanner.StreamPosition? {
            FrameArrayScanner.streamPosition(of: Array(text.utf8))
        }
        #expect(position(#"{"type":"patch","collection":"todos","epoch":"e1","seq":43,"ops":[{"op":"add","path":"/a","value":{"seq":1}}]}"#)
            == .init(type: "patch", collection: "todos", epoch: "e1", seq: 43))
        #expect(position(#" { "seq" : 7 , "state":{"x":{"type":"ack"}}, "epoch":"e\u00e9\"2", "collection":"a\/b", "type":"snapshot" } "#)
            == .init(type: "snapshot", collection: "a/b", epoch: "eé\"2", seq: 7))
        #expect(position(#"{"type":"ack","client":"c1","mutation":7,"seq":44}"#) == nil)
        #expect(position(#"{"type":"patch","collection":"todos","epoch":"e1","seq":-1}"#) == nil)
        #expect(position(#"{"type":"patch","collection":"todos","epoch":"e1","seq":1.5}"#) == nil)
        #expect(position(#"{"type":"patch","collection":"todos","seq":3}"#) == nil)
        #expect(position(#"{"type":"patch","collection":"todos","epoch":"e1","seq":99999999999999999999}"#) == nil)
    }
}

@Suite struct LongPollCursorTests {
    func frame(_ type: String, _ collection: String = "todos", _ epoch: String = "e1", seq: Int) -> [UInt8] {
        Array(#"{"type":"\#(type)","collection":"\#(collection)","epoch":"\#(epoch)","seq":\#(seq)}"#.utf8)
    }

    @Test func startsFromTheHandshakeAndFollowsContiguousPatches() {
        let handshake = TransportHandshake(
            clientID: "c1", subscriptions: [("todos", StreamCursor(epoch: "e1", seq: 4)), ("users", nil)], hello: [])
        var cursor = LongPollCursor(handshake)
        #expect(cursor.string == handshake.cursorString)
        cursor.advance(past: frame("patch", seq: 5))
        cursor.advance(past: frame("patch", seq: 5))  // duplicate
        cursor.advance(past: frame("patch", seq: 7))  // gap: stay, so the next poll asks for 6 again
        cursor.advance(past: frame("patch", "e2", seq: 6))  // another epoch without a snapshot
        cursor.advance(past: frame("patch", "users", seq: 1))  // no cursor yet: needs a snapshot
        cursor.advance(past: frame("patch", "other", seq: 1))  // not subscribed
        cursor.advance(past: Array(#"{"type":"ack","client":"c1","mutation":1,"seq":6}"#.utf8))
        #expect(cursor.string == "todos=e1:5")
        cursor.advance(past: frame("snapshot", "users", "u9", seq: 12))
        cursor.advance(past: frame("snapshot", "todos", "e2", seq: 2))
        cursor.advance(past: frame("patch", "todos", "e2", seq: 3))
        #expect(cursor.string == "todos=e2:3,users=u9:12")
    }
}
