/// What the reader hands the connection: a complete data message or a control frame.
enum WebSocketInbound: Sendable, Equatable {
    /// A complete message; text messages are already validated UTF-8.
    case message(isText: Bool, bytes: [UInt8])
    case ping([UInt8])
    case pong([UInt8])
    /// The server's close frame: its code (nil when the payload was empty) and reason.
    case close(code: UInt16?, reason: String)
}
