/// Limits, timeouts and handshake extras for one ``WebSocketClient`` connection.
///
/// Every buffer is bounded so that a misbehaving server cannot exhaust memory: a message over
/// ``maxMessageSize`` closes the connection with 1009, a consumer that falls ``receiveBufferMessages``
/// messages behind pauses reading from the socket (backpressure) until it catches up, and sends beyond
/// ``sendBufferLimit`` unflushed bytes are refused.
public struct WebSocketOptions: Sendable {
    /// Largest inbound (and outbound) message in bytes.
    public var maxMessageSize: Int
    /// Messages delivered but not yet consumed from ``WebSocketClient/messages`` before reading pauses.
    public var receiveBufferMessages: Int
    /// Bytes queued for the socket but not yet written before `send` fails with ``WebSocketError/sendBufferFull(limit:)``.
    public var sendBufferLimit: Int
    /// Deadline for TCP connect, TLS handshake and the HTTP upgrade together.
    public var connectTimeout: Duration
    /// How long to wait for the server's close frame and TCP close after a close frame was sent.
    public var closeTimeout: Duration
    /// Subprotocols to offer in `Sec-WebSocket-Protocol`, most preferred first.
    public var subprotocols: [String]
    /// Extra request headers (for example `Authorization`). Names and values must not contain CR or LF.
    public var headers: [(name: String, value: String)]
    /// Certificate verification settings for `wss://`.
    public var tls: TLSOptions

    public init(
        maxMessageSize: Int = 16 << 20,
        receiveBufferMessages: Int = 4096,
        sendBufferLimit: Int = 32 << 20,
        connectTimeout: Duration = .seconds(10),
        closeTimeout: Duration = .seconds(5),
        subprotocols: [String] = [],
        headers: [(name: String, value: String)] = [],
        tls: TLSOptions = TLSOptions()
    ) {
        self.maxMessageSize = maxMessageSize
        self.receiveBufferMessages = receiveBufferMessages
        self.sendBufferLimit = sendBufferLimit
        self.connectTimeout = connectTimeout
        self.closeTimeout = closeTimeout
        self.subprotocols = subprotocols
        self.headers = headers
        self.tls = tls
    }
}
