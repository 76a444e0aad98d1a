/// One dispatched Server-Sent Event (WHATWG HTML 9.2.6 "dispatch the event").
///
/// `data` stays UTF-8 bytes so a `frame` event's payload can go to the JSON parser without a
/// `String` round trip; invalid UTF-8 on the wire has already been replaced by U+FFFD.
public struct ServerSentEvent: Sendable, Equatable {
    /// The event type: the last `event:` value, or `"message"` when none (or an empty one) was given.
    public var type: String
    /// The `data:` lines joined with LF, as valid UTF-8 bytes.
    public var data: [UInt8]
    /// The event source's last event ID when this event was dispatched.
    public var lastEventID: String

    public init(type: String, data: [UInt8], lastEventID: String) {
        self.type = type
        self.data = data
        self.lastEventID = lastEventID
    }

    /// `data` decoded as a string.
    public var dataString: String { String(decoding: data, as: UTF8.self) }
}

/// Why a `text/event-stream` could not be parsed.
public enum ServerSentEventError: Error, Sendable, Equatable {
    /// One event (its pending line plus its data buffer) grew beyond the parser's limit, in bytes.
    /// The partial event is discarded; the stream should be dropped and resumed with `Last-Event-ID`.
    case eventTooLarge(limit: Int)
}
