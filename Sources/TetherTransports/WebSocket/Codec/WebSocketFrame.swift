/// One decoded frame: the unit the parser produces and the encoder writes.
struct WebSocketFrame: Sendable, Equatable {
    var fin: Bool
    var opcode: WebSocketOpcode
    /// The unmasked payload.
    var payload: [UInt8]
}

/// Why this end fails the connection: the close code it sends (RFC 6455 §7.4.1) and a short reason.
struct WebSocketFailure: Error, Sendable, Equatable {
    var code: UInt16
    var reason: String

    static func protocolError(_ reason: String) -> WebSocketFailure { .init(code: 1002, reason: reason) }
    static func invalidData(_ reason: String) -> WebSocketFailure { .init(code: 1007, reason: reason) }
    static func tooBig(_ reason: String) -> WebSocketFailure { .init(code: 1009, reason: reason) }
}
