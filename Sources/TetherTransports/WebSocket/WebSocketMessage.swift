/// One complete message from the server (fragments already reassembled).
public enum WebSocketMessage: Sendable, Equatable {
    /// A text message; its UTF-8 was validated before delivery.
    case text(String)
    case binary([UInt8])
}

/// How and why a connection ended.
public struct WebSocketCloseInfo: Sendable, Equatable {
    /// Who ended the connection.
    public enum Initiator: Sendable, Equatable {
        /// This client called ``WebSocketClient/close(code:reason:)``.
        case client
        /// The server sent a close frame first.
        case server
        /// This client failed the connection because the server broke the protocol (code 1002, 1007 or 1009).
        case protocolFailure
        /// The TCP connection dropped, or a close timeout expired, without a complete close handshake.
        case transport
    }

    /// The close code: the server's (or ours, for ``Initiator-swift.enum/protocolFailure``); 1005 when the
    /// close frame had no code, 1006 when the connection dropped without one.
    public var code: UInt16
    /// The close reason that went with ``code``.
    public var reason: String
    public var initiator: Initiator
    /// True when close frames were exchanged in both directions.
    public var wasClean: Bool

    public init(code: UInt16, reason: String, initiator: Initiator, wasClean: Bool) {
        self.code = code
        self.reason = reason
        self.initiator = initiator
        self.wasClean = wasClean
    }
}
