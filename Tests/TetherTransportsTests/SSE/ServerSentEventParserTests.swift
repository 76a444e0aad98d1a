import Foundation
import TetherTestSupport
import TetherTransports
import Testing

/// One case of `Fixtures/conformance/sse/sse_spec_cases.json` (format in its README.md).
struct SSESpecCase: Decodable, Sendable, CustomTestStringConvertible {
    struct Expected: Decodable, Sendable {
        var type: String
        var data: String
        var lastEventId: String
    }

    var name: String
    var stream: String?
    var streamBase64: String?
    var chunksBase64: [String]?
    var expected: [Expected]
    var retry: Int?
    var finalLastEventId: String

    var testDescription: String { name }

    var bytes: [UInt8] {
        if let stream { return Array(stream.utf8) }
        return Array(Data(base64Encoded: streamBase64 ?? "") ?? Data())
    }

    var givenChunks: [[UInt8]]? {
        chunksBase64.map { $0.map { Array(Data(base64Encoded: $0) ?? Data()) } }
    }

    static let fixture = FixturePaths.conformance("sse/sse_spec_cases.json")

    static func load() throws -> [SSESpecCase] {
        try JSONDecoder().decode([SSESpecCase].self, from: FixturePaths.data(fixture))
    }

    /// Loaded once for the parameterized tests; an unreadable fixture yields no cases, which
    /// `fixtureHasEveryCase` reports as a failure.
    static let all: [SSESpecCase] = (try? load()) ?? []
}

/// What feeding one chunking of a stream produced.
private struct ParseOutcome: Equatable {
    var events: [ServerSentEvent]
    var retry: Int?
    var finalLastEventID: String
}

private func parse(_ chunks: [[UInt8]]) throws -> ParseOutcome {
    var parser = ServerSentEventParser()
    var events: [ServerSentEvent] = []
    for chunk in chunks { events += try parser.parse(chunk) }
    return ParseOutcome(events: events, retry: parser.reconnectionTime, finalLastEventID: parser.lastEventID)
}

private func check(_ outcome: ParseOutcome, against spec: SSESpecCase, chunking: String) {
    let got = outcome.events.map { "\($0.type)|\($0.dataString)|\($0.lastEventID)" }
    let want = spec.expected.map { "\($0.type)|\($0.data)|\($0.lastEventId)" }
    #expect(got == want, "\(spec.name) [\(chunking)]: events")
    #expect(outcome.retry == spec.retry, "\(spec.name) [\(chunking)]: retry")
    #expect(outcome.finalLastEventID == spec.finalLastEventId, "\(spec.name) [\(chunking)]: final last event ID")
    for event in outcome.events {
        #expect(Array(String(decoding: event.data, as: UTF8.self).utf8) == event.data, "\(spec.name): data is valid UTF-8")
    }
}

@Suite struct ServerSentEventParserTests {
    @Test func fixtureHasEveryCase() throws {
        let cases = try SSESpecCase.load()
        #expect(cases.count == 75)
        #expect(SSESpecCase.all.count == cases.count)
    }

    @Test(arguments: SSESpecCase.all)
    func wholeStream(_ spec: SSESpecCase) throws {
        check(try parse([spec.bytes]), against: spec, chunking: "whole")
    }

    @Test(arguments: SSESpecCase.all.filter { $0.chunksBase64 != nil })
    func givenChunking(_ spec: SSESpecCase) throws {
        let chunks = try #require(spec.givenChunks)
        #expect(chunks.flatMap { $0 } == spec.bytes, "\(spec.name): chunks reassemble the stream")
        check(try parse(chunks), against: spec, chunking: "given chunks")
    }

    @Test(arguments: SSESpecCase.all)
    func oneByteAtATime(_ spec: SSESpecCase) throws {
        check(try parse(spec.bytes.map { [$0] }), against: spec, chunking: "one byte at a time")
    }

    /// Every split point: catches state lost between reads (CR then LF, BOM, multi-byte characters).
    @Test(arguments: SSESpecCase.all)
    func everyTwoWaySplit(_ spec: SSESpecCase) throws {
        let bytes = spec.bytes
        for cut in 0...bytes.count {
            check(try parse([Array(bytes[..<cut]), Array(bytes[cut...])]), against: spec, chunking: "split at \(cut)")
        }
    }

    @Test func oversizedEventThrowsAndParserRecovers() throws {
        var parser = ServerSentEventParser(maximumEventSize: 16)
        #expect(try parser.parse(Array("data: ok\n\n".utf8)).map(\.dataString) == ["ok"])
        #expect(throws: ServerSentEventError.eventTooLarge(limit: 16)) {
            _ = try parser.parse(Array("data: 0123456789\ndata: 0123456789\n\n".utf8))
        }
        // A single line that never ends is bounded too, across reads.
        parser.startNewStream()
        #expect(throws: ServerSentEventError.eventTooLarge(limit: 16)) {
            for _ in 0..<100 { _ = try parser.parse(Array(": comment".utf8)) }
        }
        parser.startNewStream()
        #expect(try parser.parse(Array("id: 7\ndata: next\n\n".utf8)).map(\.dataString) == ["next"])
        #expect(parser.lastEventID == "7")
    }

    @Test func newStreamKeepsLastEventIDAndRetryButDropsPartialEvent() throws {
        var parser = ServerSentEventParser()
        _ = try parser.parse(Array("retry: 1500\nid: a\ndata: one\n\nid: b\ndata: half".utf8))
        parser.startNewStream()
        let events = try parser.parse(Array("data: two\n\n".utf8))
        #expect(events == [ServerSentEvent(type: "message", data: Array("two".utf8), lastEventID: "a")])
        #expect(parser.reconnectionTime == 1500)
    }
}
