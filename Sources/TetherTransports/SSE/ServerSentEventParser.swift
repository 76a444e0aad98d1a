/// An incremental `text/event-stream` parser working on UTF-8 bytes (WHATWG HTML 9.2.5 and 9.2.6).
///
/// Network reads split a stream anywhere: inside a line, between a CR and its LF, inside a multi-byte
/// character or the leading byte-order mark. The parser keeps only the unfinished line and the current
/// event between calls, both bounded by ``maximumEventSize``, so a hostile or broken server cannot
/// make it grow without limit.
///
/// ```swift
/// var parser = ServerSentEventParser()
/// try parser.parse(chunk) { event in print(event.type, event.dataString) }
/// ```
///
/// What persists across events (and, for a reconnect, across streams) is exposed as
/// ``lastEventID`` (send it as `Last-Event-ID`) and ``reconnectionTime`` (the last valid `retry:`).
public struct ServerSentEventParser: Sendable {
    /// The default limit for one event's pending line plus data: 1 MiB.
    public static let defaultMaximumEventSize = 1 << 20

    /// The largest event (pending line plus data buffer, in bytes) accepted before
    /// ``ServerSentEventError/eventTooLarge(limit:)``.
    public let maximumEventSize: Int

    /// The bytes of the line being read (only when a line spans reads).
    private var line: [UInt8] = []
    /// Field buffers and the values that persist across events.
    private var fields = Fields()
    /// The previous read ended with CR: a leading LF in the next read belongs to that line end.
    private var skipLineFeed = false
    /// How many bytes of a leading UTF-8 BOM (EF BB BF) were matched so far; `nil` once decided.
    private var byteOrderMarkMatched: Int? = 0

    /// Creates a parser for one event source.
    ///
    /// - Parameters:
    ///   - maximumEventSize: The limit for one event, in bytes.
    ///   - lastEventID: The last event ID to start from (kept across reconnects).
    public init(maximumEventSize: Int = ServerSentEventParser.defaultMaximumEventSize, lastEventID: String = "") {
        self.maximumEventSize = max(1, maximumEventSize)
        fields.lastEventID = lastEventID
        fields.idBuffer = lastEventID
    }

    /// The event source's last event ID string: what a reconnect sends as `Last-Event-ID` (`""`: none).
    public var lastEventID: String { fields.lastEventID }

    /// The reconnection time in milliseconds set by the last valid `retry:` field, if any.
    public var reconnectionTime: Int? { fields.reconnectionTime }

    /// Prepares for a new stream from the same event source (a reconnect): drops the unfinished line
    /// and event but keeps ``lastEventID`` and ``reconnectionTime``, as WHATWG's reconnect does.
    public mutating func startNewStream() {
        line.removeAll(keepingCapacity: true)
        fields.resetEvent()
        fields.idBuffer = fields.lastEventID
        skipLineFeed = false
        byteOrderMarkMatched = 0
    }

    /// Feeds the next bytes of the stream, calling `onEvent` for every event they complete, in order.
    ///
    /// - Throws: ``ServerSentEventError/eventTooLarge(limit:)`` when an event exceeds
    ///   ``maximumEventSize``; the partial event is discarded and events dispatched before it stand.
    public mutating func parse(
        _ bytes: UnsafeBufferPointer<UInt8>,
        onEvent: (ServerSentEvent) -> Void
    ) throws(ServerSentEventError) {
        do {
            try consume(bytes, onEvent: onEvent)
        } catch {
            line.removeAll()
            fields.resetEvent()
            fields.data = []
            throw error
        }
    }

    /// Feeds the next bytes of the stream and returns the events they complete.
    public mutating func parse(_ bytes: [UInt8]) throws(ServerSentEventError) -> [ServerSentEvent] {
        var events: [ServerSentEvent] = []
        try bytes.withUnsafeBufferPointer { buffer throws(ServerSentEventError) in
            try parse(buffer) { events.append($0) }
        }
        return events
    }

    // MARK: - Lines

    private static let lineFeed: UInt8 = 0x0A
    private static let carriageReturn: UInt8 = 0x0D
    private static let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]

    private mutating func consume(
        _ bytes: UnsafeBufferPointer<UInt8>,
        onEvent: (ServerSentEvent) -> Void
    ) throws(ServerSentEventError) {
        var index = 0
        let count = bytes.count
        // Exactly one leading BOM is stripped, even when it arrives split across reads.
        while let matched = byteOrderMarkMatched, index < count {
            if bytes[index] == Self.byteOrderMark[matched] {
                index += 1
                byteOrderMarkMatched = matched + 1 == 3 ? nil : matched + 1
            } else {
                byteOrderMarkMatched = nil
                try appendToLine(Self.byteOrderMark[0..<matched])  // not a BOM after all: it is content
            }
        }
        if skipLineFeed, index < count {
            if bytes[index] == Self.lineFeed { index += 1 }
            skipLineFeed = false
        }
        while index < count {
            var end = index
            while end < count, bytes[end] != Self.lineFeed, bytes[end] != Self.carriageReturn { end += 1 }
            if end == count {
                try appendToLine(UnsafeBufferPointer(rebasing: bytes[index..<count]))
                break
            }
            if line.isEmpty {
                try fields.process(
                    UnsafeBufferPointer(rebasing: bytes[index..<end]), limit: maximumEventSize, onEvent: onEvent)
            } else {
                try appendToLine(UnsafeBufferPointer(rebasing: bytes[index..<end]))
                try line.withUnsafeBufferPointer { buffer throws(ServerSentEventError) in
                    try fields.process(buffer, limit: maximumEventSize, onEvent: onEvent)
                }
                line.removeAll(keepingCapacity: true)
            }
            if bytes[end] == Self.carriageReturn {
                if end + 1 < count {
                    if bytes[end + 1] == Self.lineFeed { end += 1 }
                } else {
                    skipLineFeed = true
                }
            }
            index = end + 1
        }
    }

    private mutating func appendToLine(_ bytes: some Collection<UInt8>) throws(ServerSentEventError) {
        guard line.count + bytes.count + fields.data.count <= maximumEventSize else {
            throw .eventTooLarge(limit: maximumEventSize)
        }
        line.append(contentsOf: bytes)
    }
}

extension ServerSentEventParser {
    /// The WHATWG field buffers plus the state that outlives one event.
    fileprivate struct Fields: Sendable {
        var data: [UInt8] = []
        var eventType = ""
        var idBuffer = ""
        var lastEventID = ""
        var reconnectionTime: Int?

        mutating func resetEvent() {
            data.removeAll(keepingCapacity: true)
            eventType = ""
        }

        /// Processes one complete line (without its terminator).
        mutating func process(
            _ line: UnsafeBufferPointer<UInt8>,
            limit: Int,
            onEvent: (ServerSentEvent) -> Void
        ) throws(ServerSentEventError) {
            guard let first = line.first else {
                dispatch(onEvent)
                return
            }
            if first == UInt8(ascii: ":") { return }  // comment
            let colon = line.firstIndex(of: UInt8(ascii: ":"))
            let name = UnsafeBufferPointer(rebasing: line[..<(colon ?? line.count)])
            var valueStart = colon.map { $0 + 1 } ?? line.count
            if valueStart < line.count, line[valueStart] == UInt8(ascii: " ") { valueStart += 1 }
            let value = UnsafeBufferPointer(rebasing: line[valueStart...])

            if name.elementsEqual("data".utf8) {
                guard data.count + value.count + 1 <= limit else { throw .eventTooLarge(limit: limit) }
                data.append(contentsOf: value)
                data.append(0x0A)
            } else if name.elementsEqual("event".utf8) {
                eventType = String(decoding: value, as: UTF8.self)
            } else if name.elementsEqual("id".utf8) {
                if !value.contains(0) { idBuffer = String(decoding: value, as: UTF8.self) }
            } else if name.elementsEqual("retry".utf8) {
                if let milliseconds = Self.decimal(value) { reconnectionTime = milliseconds }
            }
        }

        /// WHATWG "dispatch the event": commit the ID, then dispatch only if there is data.
        private mutating func dispatch(_ onEvent: (ServerSentEvent) -> Void) {
            lastEventID = idBuffer
            guard !data.isEmpty else {
                eventType = ""
                return
            }
            data.removeLast()  // the LF after the last data line
            if !Self.isValidUTF8(data) {
                data = Array(String(decoding: data, as: UTF8.self).utf8)  // U+FFFD, maximal subparts
            }
            let event = ServerSentEvent(
                type: eventType.isEmpty ? "message" : eventType, data: data, lastEventID: lastEventID)
            data = []
            eventType = ""
            onEvent(event)
        }

        /// ASCII digits only (no sign, space or other numerals); `nil` if empty, invalid or too large.
        private static func decimal(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
            guard !bytes.isEmpty else { return nil }
            var result = 0
            for byte in bytes {
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                let (times, o1) = result.multipliedReportingOverflow(by: 10)
                let (sum, o2) = times.addingReportingOverflow(Int(byte - UInt8(ascii: "0")))
                if o1 || o2 { return nil }
                result = sum
            }
            return result
        }

        /// Whether `bytes` is well-formed UTF-8 (RFC 3629: no overlongs, surrogates or values past U+10FFFF).
        private static func isValidUTF8(_ bytes: [UInt8]) -> Bool {
            var index = 0
            let count = bytes.count
            while index < count {
                let lead = bytes[index]
                if lead < 0x80 {
                    index += 1
                    continue
                }
                let length: Int
                var low: UInt8 = 0x80, high: UInt8 = 0xBF  // allowed range of the second byte
                switch lead {
                case 0xC2...0xDF: length = 2
                case 0xE0: length = 3; low = 0xA0
                case 0xE1...0xEC, 0xEE...0xEF: length = 3
                case 0xED: length = 3; high = 0x9F
                case 0xF0: length = 4; low = 0x90
                case 0xF1...0xF3: length = 4
                case 0xF4: length = 4; high = 0x8F
                default: return false
                }
                guard index + length <= count, bytes[index + 1] >= low, bytes[index + 1] <= high else { return false }
                for offset in 2..<length where bytes[index + offset] & 0xC0 != 0x80 { return false }
                index += length
            }
            return true
        }
    }
}
