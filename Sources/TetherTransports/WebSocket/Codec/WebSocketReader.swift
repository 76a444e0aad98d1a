/// Turns the server's byte stream into ``WebSocketInbound`` events: frame parsing, reassembly of
/// fragmented messages, incremental UTF-8 validation (each fragment is checked as it arrives, so invalid
/// text fails before the message completes), the maximum message size, and close-frame validation.
///
/// A value type with no I/O so that the whole receive path is unit-testable with arbitrary byte splits.
struct WebSocketReader: Sendable {
    /// The largest message accepted, in bytes; larger ones fail with 1009.
    let maxMessageSize: Int
    private var parser = WebSocketFrameParser()
    /// Opcode of the fragmented message in progress (text or binary), nil between messages.
    private var pendingOpcode: WebSocketOpcode?
    private var pending: [UInt8] = []
    private var validator = UTF8Validator()

    init(maxMessageSize: Int) {
        self.maxMessageSize = maxMessageSize
    }

    /// Bytes buffered for the current frame and message, for bounded-memory checks.
    var bufferedCount: Int { parser.bufferedCount + pending.count }

    mutating func append(_ bytes: some Collection<UInt8>) {
        parser.append(bytes)
    }

    /// The next event, or nil when more bytes are needed.
    mutating func next() throws(WebSocketFailure) -> WebSocketInbound? {
        while true {
            guard let frame = try parser.next(allowance: maxMessageSize - pending.count) else { return nil }
            if let event = try consume(frame) { return event }
        }
    }

    private mutating func consume(_ frame: WebSocketFrame) throws(WebSocketFailure) -> WebSocketInbound? {
        switch frame.opcode {
        case .ping: return .ping(frame.payload)
        case .pong: return .pong(frame.payload)
        case .close: return try Self.parseClose(frame.payload)
        case .text, .binary:
            if pendingOpcode != nil { throw .protocolError("new data frame inside a fragmented message") }
            if frame.opcode == .text {
                validator = UTF8Validator()
                guard validator.consume(frame.payload) else { throw .invalidData("invalid UTF-8 in a text message") }
            }
            if frame.fin {
                if frame.opcode == .text, !validator.isAtBoundary {
                    throw .invalidData("text message ends inside a UTF-8 sequence")
                }
                return .message(isText: frame.opcode == .text, bytes: frame.payload)
            }
            pendingOpcode = frame.opcode
            pending = frame.payload
            return nil
        case .continuation:
            guard let opcode = pendingOpcode else { throw .protocolError("continuation frame without a message") }
            if opcode == .text, !validator.consume(frame.payload) {
                throw .invalidData("invalid UTF-8 in a text message")
            }
            pending.append(contentsOf: frame.payload)
            guard frame.fin else { return nil }
            if opcode == .text, !validator.isAtBoundary {
                throw .invalidData("text message ends inside a UTF-8 sequence")
            }
            pendingOpcode = nil
            let bytes = pending
            pending = []
            return .message(isText: opcode == .text, bytes: bytes)
        }
    }

    /// RFC 6455 §5.5.1 and §7.4: an empty payload or a 2-byte code plus a UTF-8 reason; codes that may
    /// not appear on the wire fail with 1002.
    static func parseClose(_ payload: [UInt8]) throws(WebSocketFailure) -> WebSocketInbound {
        if payload.isEmpty { return .close(code: nil, reason: "") }
        if payload.count == 1 { throw .protocolError("close frame with a 1-byte payload") }
        let code = UInt16(payload[0]) << 8 | UInt16(payload[1])
        guard WebSocketCloseCode.isValidOnWire(code) else { throw .protocolError("invalid close code \(code)") }
        let reason = payload[2...]
        guard UTF8Validator.isValid(reason) else { throw .invalidData("close reason is not valid UTF-8") }
        return .close(code: code, reason: String(decoding: reason, as: UTF8.self))
    }
}
