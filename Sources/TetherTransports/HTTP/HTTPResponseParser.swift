/// An incremental HTTP/1.1 response parser (RFC 9112): the head, then the body framed by
/// `Transfer-Encoding: chunked`, `Content-Length`, or the end of the connection.
///
/// Bytes may arrive in any split; each call reports what the bytes completed. Every buffer is bounded:
/// the head by ``maximumHeadSize``, a chunk-size line by 1 KiB; body bytes are handed out as they
/// arrive and never accumulated here. Interim `1xx` responses are skipped.
struct HTTPResponseParser {
    /// What a run of input completed.
    enum Event {
        case head(HTTPResponseHead)
        /// Body bytes (chunk framing removed), valid only during the callback.
        case body(UnsafeBufferPointer<UInt8>)
        /// The response is complete.
        case end
    }

    private enum BodyFraming {
        case none
        case length(Int)
        case chunked
        case untilClose
    }

    private enum State {
        case head
        case fixedBody(remaining: Int)
        case untilClose
        case chunkSize
        case chunkData(remaining: Int)
        /// The CRLF after a chunk's data.
        case chunkDataEnd
        /// Trailer fields after the last chunk, up to the empty line.
        case trailers
        case done
    }

    let maximumHeadSize: Int
    /// True for a response to `HEAD`, which never has a body.
    let isHeadRequest: Bool
    private var state = State.head
    /// Head, chunk-size or trailer line bytes collected so far.
    private var line: [UInt8] = []
    private var trailerBytes = 0
    private static let maximumChunkLine = 1024

    init(maximumHeadSize: Int = 64 << 10, isHeadRequest: Bool = false) {
        self.maximumHeadSize = maximumHeadSize
        self.isHeadRequest = isHeadRequest
    }

    /// Bytes arrived after the end of the response (a keep-alive connection would be out of step).
    private(set) var hasTrailingBytes = false
    /// The body is delimited by the end of the connection (no length, not chunked).
    private(set) var endsWithConnection = false
    /// At least one byte of a response arrived.
    private(set) var hasStarted = false

    /// True once the whole response was parsed.
    var isComplete: Bool {
        if case .done = state { return true }
        return false
    }

    /// Parses `bytes`; bytes after the end of the response are ignored (one response per connection).
    mutating func parse(
        _ bytes: UnsafeBufferPointer<UInt8>,
        _ emit: (Event) throws(HTTPResponseError) -> Void
    ) throws(HTTPResponseError) {
        var index = 0
        let count = bytes.count
        if count > 0 { hasStarted = true }
        while index < count {
            switch state {
            case .head:
                guard Self.headEnd(appending: bytes, from: &index, to: &line, limit: maximumHeadSize) != nil else {
                    if line.count > maximumHeadSize { throw .headTooLarge(limit: maximumHeadSize) }
                    continue
                }
                let head = try HTTPResponseHead(parsing: line)
                line.removeAll(keepingCapacity: true)
                if (100..<200).contains(head.status) { continue }  // interim response: the real one follows
                try emit(.head(head))
                switch try framing(for: head) {
                case .none: try finish(emit)
                case .length(let length): if length == 0 { try finish(emit) } else { state = .fixedBody(remaining: length) }
                case .chunked: state = .chunkSize
                case .untilClose:
                    endsWithConnection = true
                    state = .untilClose
                }
            case .fixedBody(let remaining):
                let take = min(remaining, count - index)
                try emit(.body(UnsafeBufferPointer(rebasing: bytes[index..<index + take])))
                index += take
                if take == remaining { try finish(emit) } else { state = .fixedBody(remaining: remaining - take) }
            case .untilClose:
                try emit(.body(UnsafeBufferPointer(rebasing: bytes[index...])))
                index = count
            case .chunkSize:
                guard try Self.line(appending: bytes, from: &index, to: &line, limit: Self.maximumChunkLine) else {
                    continue
                }
                let size = try Self.chunkSize(line)
                line.removeAll(keepingCapacity: true)
                state = size == 0 ? .trailers : .chunkData(remaining: size)
            case .chunkData(let remaining):
                let take = min(remaining, count - index)
                try emit(.body(UnsafeBufferPointer(rebasing: bytes[index..<index + take])))
                index += take
                state = take == remaining ? .chunkDataEnd : .chunkData(remaining: remaining - take)
            case .chunkDataEnd:
                guard try Self.line(appending: bytes, from: &index, to: &line, limit: 2) else { continue }
                guard line.isEmpty else { throw .malformedChunk("chunk data longer than its size") }
                state = .chunkSize
            case .trailers:
                guard try Self.line(appending: bytes, from: &index, to: &line, limit: Self.maximumChunkLine) else {
                    continue
                }
                trailerBytes += line.count + 2
                if trailerBytes > maximumHeadSize { throw .headTooLarge(limit: maximumHeadSize) }
                let empty = line.isEmpty
                line.removeAll(keepingCapacity: true)
                if empty { try finish(emit) }
            case .done:
                hasTrailingBytes = true
                return
            }
        }
    }

    /// The connection ended: completes an until-close body, or reports a truncated response.
    mutating func parseEndOfStream(_ emit: (Event) throws(HTTPResponseError) -> Void) throws(HTTPResponseError) {
        switch state {
        case .done: return
        case .untilClose: try finish(emit)
        case .head: throw .truncated(line.isEmpty ? "the connection closed before a response" : "the connection closed inside the response head")
        default: throw .truncated("the connection closed inside the response body")
        }
    }

    private mutating func finish(_ emit: (Event) throws(HTTPResponseError) -> Void) throws(HTTPResponseError) {
        state = .done
        line = []
        try emit(.end)
    }

    private func framing(for head: HTTPResponseHead) throws(HTTPResponseError) -> BodyFraming {
        if isHeadRequest || head.status == 204 || head.status == 304 { return .none }
        if let encoding = head.header("Transfer-Encoding") {
            let codings = encoding.split(separator: ",").map { $0.trimmingWhitespace().lowercased() }
            guard codings.last == "chunked" else { return .untilClose }  // RFC 9112 6.3 rule 4
            return .chunked
        }
        let lengths = head.headers.filter { $0.name.lowercased() == "content-length" }
        guard let first = lengths.first else { return .untilClose }
        var parsed: Int?
        for field in lengths {
            for part in field.value.split(separator: ",") {
                let text = part.trimmingWhitespace()
                guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
                      let value = Int(text)
                else { throw .invalidHeader("Content-Length: \(first.value)") }
                if let parsed, parsed != value { throw .invalidHeader("conflicting Content-Length values") }
                parsed = value
            }
        }
        guard let parsed else { throw .invalidHeader("Content-Length: \(first.value)") }
        return .length(parsed)
    }

    /// Appends bytes up to and including the blank line ending a head; returns its end, or nil if more is needed.
    private static func headEnd(
        appending bytes: UnsafeBufferPointer<UInt8>, from index: inout Int, to line: inout [UInt8], limit: Int
    ) -> Int? {
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            line.append(byte)
            if byte == 10, line.count >= 2 {
                // "\n\n" or "\r\n\r\n" ends the head (bare LF is tolerated, RFC 9112 2.2).
                let n = line.count
                if line[n - 2] == 10 || (n >= 3 && line[n - 2] == 13 && line[n - 3] == 10) { return n }
            }
            if line.count > limit { return nil }
        }
        return nil
    }

    /// Collects one line (without its CRLF or LF); returns true when it is complete.
    private static func line(
        appending bytes: UnsafeBufferPointer<UInt8>, from index: inout Int, to line: inout [UInt8], limit: Int
    ) throws(HTTPResponseError) -> Bool {
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            if byte == 10 {
                if line.last == 13 { line.removeLast() }
                return true
            }
            line.append(byte)
            if line.count > limit + 1 { throw .malformedChunk("line longer than \(limit) bytes") }
        }
        return false
    }

    /// The hexadecimal size at the start of a chunk-size line (extensions after `;` are ignored).
    private static func chunkSize(_ line: [UInt8]) throws(HTTPResponseError) -> Int {
        var size = 0
        var digits = 0
        for byte in line {
            let value: Int
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = Int(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): value = Int(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): value = Int(byte - UInt8(ascii: "A") + 10)
            case UInt8(ascii: ";"), UInt8(ascii: " "), UInt8(ascii: "\t"):
                guard digits > 0 else { throw .malformedChunk("missing chunk size") }
                return size
            default: throw .malformedChunk("bad chunk size byte \(byte)")
            }
            digits += 1
            guard digits <= 15 else { throw .malformedChunk("chunk size too large") }
            size = size << 4 | value
        }
        guard digits > 0 else { throw .malformedChunk("missing chunk size") }
        return size
    }
}
