import Foundation
import TetherTestSupport
@testable import TetherTransports
import Testing

/// The HTTP/1.1 response parser behind the socket client: framing, every split of the input, limits.
@Suite struct HTTPResponseParserTests {
    /// What a whole run produced.
    struct Outcome: Equatable {
        var status: Int?
        var headers: [HTTPResponseHead.Field] = []
        var body: [UInt8] = []
        var ended = false
    }

    /// Feeds `chunks` in order, then (if `close`) the end of the connection.
    static func run(_ chunks: [[UInt8]], close: Bool = false, headRequest: Bool = false) throws(HTTPResponseError) -> Outcome {
        var parser = HTTPResponseParser(maximumHeadSize: 1024, isHeadRequest: headRequest)
        var outcome = Outcome()
        let emit: (HTTPResponseParser.Event) throws(HTTPResponseError) -> Void = { event in
            switch event {
            case .head(let head):
                #expect(outcome.status == nil, "one head per response")
                outcome.status = head.status
                outcome.headers = head.headers
            case .body(let bytes):
                #expect(!outcome.ended)
                outcome.body.append(contentsOf: bytes)
            case .end:
                #expect(!outcome.ended, "one end per response")
                outcome.ended = true
            }
        }
        for chunk in chunks {
            try chunk.withUnsafeBufferPointer { buffer throws(HTTPResponseError) in try parser.parse(buffer, emit) }
        }
        if close { try parser.parseEndOfStream(emit) }
        #expect(parser.isComplete == outcome.ended)
        return outcome
    }

    /// The same response split into two chunks at every position, and byte by byte.
    static func everySplit(_ text: String, close: Bool = false) throws(HTTPResponseError) -> [Outcome] {
        let bytes = Array(text.utf8)
        var outcomes = [try run([bytes], close: close), try run(bytes.map { [$0] }, close: close)]
        for split in 1..<bytes.count {
            outcomes.append(try run([Array(bytes[..<split]), Array(bytes[split...])], close: close))
        }
        return outcomes
    }

    @Test func contentLengthBodyInEverySplit() throws {
        let response = "HTTP/1.1 202 Accepted\r\nContent-Type: application/json\r\ncontent-length: 7\r\n\r\n[1,2,3]trailing garbage"
        for outcome in try Self.everySplit(response) {
            #expect(outcome.status == 202)
            #expect(outcome.body == Array("[1,2,3]".utf8), "bytes after the body are not part of it")
            #expect(outcome.ended)
            #expect(outcome.headers.first == .init(name: "Content-Type", value: "application/json"))
        }
    }

    @Test func chunkedBodyWithExtensionsAndTrailersInEverySplit() throws {
        let response = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "5;name=value\r\nhello\r\n1A\r\n abcdefghijklmnopqrstuvwxy\r\n0\r\nX-Trailer: 1\r\n\r\n"
        for outcome in try Self.everySplit(response) {
            #expect(outcome.status == 200)
            #expect(String(decoding: outcome.body, as: UTF8.self) == "hello abcdefghijklmnopqrstuvwxy")
            #expect(outcome.ended)
        }
    }

    @Test func aStreamWithoutLengthEndsWithTheConnection() throws {
        let response = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\ndata: 1\n\ndata: 2\n\n"
        for outcome in try Self.everySplit(response, close: true) {
            #expect(outcome.body == Array("data: 1\n\ndata: 2\n\n".utf8))
            #expect(outcome.ended)
        }
        let open = try Self.run([Array(response.utf8)])
        #expect(!open.ended, "still streaming while the connection is open")
    }

    @Test func bareLineFeedsAreTolerated() throws {
        let outcome = try Self.run([Array("HTTP/1.1 200 OK\nContent-Length: 2\n\nok".utf8)])
        #expect(outcome.status == 200)
        #expect(outcome.body == Array("ok".utf8))
    }

    @Test func interimResponsesAreSkipped() throws {
        let response = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n"
        for outcome in try Self.everySplit(response) {
            #expect(outcome.status == 201)
            #expect(outcome.ended)
            #expect(outcome.body.isEmpty)
        }
    }

    @Test func noBodyFor204And304AndHEAD() throws {
        #expect(try Self.run([Array("HTTP/1.1 204 No Content\r\n\r\n".utf8)]).ended)
        #expect(try Self.run([Array("HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n".utf8)]).ended)
        let head = try Self.run([Array("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n".utf8)], headRequest: true)
        #expect(head.ended)
        #expect(head.body.isEmpty)
    }

    @Test func repeatedHeadersJoinAndLookupIgnoresCase() throws {
        let head = try HTTPResponseHead(parsing: Array("HTTP/1.1 200 OK\r\nVary: a\r\nvary:  b \r\n\r\n".utf8))
        #expect(head.header("VARY") == "a, b")
        #expect(head.header("Missing") == nil)
        #expect(head.reason == "OK")
    }

    @Test(arguments: [
        ("HTTP/2 200 OK\r\n\r\n", "status line"),
        ("HTTP/1.1 2000 OK\r\n\r\n", "status line"),
        ("ICY 200 OK\r\n\r\n", "status line"),
        ("HTTP/1.1 200 OK\r\nno colon here\r\n\r\n", "header line"),
        ("HTTP/1.1 200 OK\r\nbad name: x\r\n\r\n", "header name"),
        ("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", "conflicting"),
        ("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", "Content-Length"),
        ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "chunk size"),
        ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\r\n", "missing chunk size"),
        ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n", "longer than its size"),
        ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1000000000000000\r\n", "too large"),
    ])
    func malformedResponsesAreTypedErrors(response: String, expected: String) {
        do {
            _ = try Self.run([Array(response.utf8)])
            Issue.record("accepted \(response.debugDescription)")
        } catch {
            #expect(error.description.contains(expected), "\(error)")
        }
    }

    @Test func theHeadIsBounded() {
        let huge = "HTTP/1.1 200 OK\r\nX-Big: " + String(repeating: "a", count: 2000) + "\r\n\r\n"
        #expect(throws: HTTPResponseError.headTooLarge(limit: 1024)) { try Self.run([Array(huge.utf8)]) }
        // Byte by byte too: the limit holds however the bytes arrive.
        #expect(throws: HTTPResponseError.headTooLarge(limit: 1024)) { try Self.run(Array(huge.utf8).map { [$0] }) }
    }

    @Test func aTruncatedResponseIsAnErrorNotAnEnd() {
        #expect(throws: HTTPResponseError.self) { try Self.run([Array("HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nabc".utf8)], close: true) }
        #expect(throws: HTTPResponseError.self) { try Self.run([Array("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab".utf8)], close: true) }
        #expect(throws: HTTPResponseError.self) { try Self.run([Array("HTTP/1.1 200".utf8)], close: true) }
        #expect(throws: HTTPResponseError.self) { try Self.run([], close: true) }
    }

    /// Random bodies, framed by length, by random chunk sizes or by the connection's end, fed in random
    /// splits: the body always comes out intact and the response ends exactly once.
    @Test func randomFramingsAndSplitsRoundTrip() throws {
        var random = SplitMix64(seed: 0x7e7e_4e7)
        for round in 0..<300 {
            let body = (0..<Int.random(in: 0...3_000, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
            var wire = Array("HTTP/1.1 200 OK\r\nX-Round: \(round)\r\n".utf8)
            let framing = Int.random(in: 0...2, using: &random)
            switch framing {
            case 0:
                wire += Array("Content-Length: \(body.count)\r\n\r\n".utf8) + body
            case 1:
                wire += Array("Transfer-Encoding: chunked\r\n\r\n".utf8)
                var offset = 0
                while offset < body.count {
                    let size = min(body.count - offset, Int.random(in: 1...700, using: &random))
                    let hex = String(size, radix: 16, uppercase: Bool.random(using: &random))
                    wire += Array("\(hex)\r\n".utf8) + body[offset..<offset + size] + Array("\r\n".utf8)
                    offset += size
                }
                wire += Array("0\r\n\r\n".utf8)
            default:
                wire += Array("\r\n".utf8) + body
            }
            var chunks: [[UInt8]] = []
            var offset = 0
            while offset < wire.count {
                let size = min(wire.count - offset, Int.random(in: 1...500, using: &random))
                chunks.append(Array(wire[offset..<offset + size]))
                offset += size
            }
            let outcome = try Self.run(chunks, close: framing == 2)
            #expect(outcome.status == 200)
            #expect(outcome.ended)
            #expect(outcome.body == body, "round \(round), framing \(framing)")
        }
    }
}
