/// Incremental frame parser for server-to-client frames.
///
/// Bytes arrive in arbitrary splits; the parser buffers at most one frame and checks the header before
/// the payload arrives, so a lying length (2^62 bytes) fails at once with 1009 instead of being awaited
/// or allocated. Every RFC 6455 §5.2 rule a client must enforce fails with 1002.
struct WebSocketFrameParser: Sendable {
    private var storage: [UInt8] = []
    private var start = 0

    init() {}

    /// Bytes buffered but not yet parsed into frames.
    var bufferedCount: Int { storage.count - start }

    mutating func append(_ bytes: some Collection<UInt8>) {
        if start > 0, start >= storage.count / 2 {
            storage.removeSubrange(0..<start)
            start = 0
        }
        storage.append(contentsOf: bytes)
    }

    /// The next complete frame, or nil when more bytes are needed.
    ///
    /// - Parameter allowance: the largest data-frame payload accepted now (the message limit minus the bytes
    ///   of the message so far); larger frames fail with 1009.
    mutating func next(allowance: Int) throws(WebSocketFailure) -> WebSocketFrame? {
        let available = storage.count - start
        guard available >= 2 else { return nil }
        let b0 = storage[start], b1 = storage[start + 1]
        if b0 & 0x70 != 0 { throw .protocolError("reserved bits set without a negotiated extension") }
        guard let opcode = WebSocketOpcode(rawValue: b0 & 0x0F) else {
            throw .protocolError("reserved opcode \(b0 & 0x0F)")
        }
        let fin = b0 & 0x80 != 0
        if b1 & 0x80 != 0 { throw .protocolError("masked frame from the server") }
        if opcode.isControl, !fin { throw .protocolError("fragmented control frame") }
        var headerLength = 2
        var length = UInt64(b1 & 0x7F)
        if length == 126 {
            guard available >= 4 else { return nil }
            length = UInt64(storage[start + 2]) << 8 | UInt64(storage[start + 3])
            headerLength = 4
        } else if length == 127 {
            guard available >= 10 else { return nil }
            length = 0
            for i in 0..<8 { length = length << 8 | UInt64(storage[start + 2 + i]) }
            if length & (1 << 63) != 0 { throw .protocolError("64-bit payload length with the top bit set") }
            headerLength = 10
        }
        if opcode.isControl {
            if length > 125 { throw .protocolError("control frame payload over 125 bytes") }
        } else if length > UInt64(max(allowance, 0)) {
            throw .tooBig("message exceeds the maximum size")
        }
        let payloadLength = Int(length)
        guard available >= headerLength + payloadLength else { return nil }
        let payloadStart = start + headerLength
        let payload = Array(storage[payloadStart..<(payloadStart + payloadLength)])
        start = payloadStart + payloadLength
        if start == storage.count {
            storage.removeAll(keepingCapacity: storage.capacity <= 1 << 16)
            start = 0
        }
        return WebSocketFrame(fin: fin, opcode: opcode, payload: payload)
    }
}
