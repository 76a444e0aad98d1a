public import Foundation

/// What the HTTP transports (Server-Sent Events and long polling) share: the server, the policy, auth,
/// metrics and the limits that keep memory bounded.
public struct HTTPTransportConfiguration: Sendable {
    /// The server's base URL, for example `http://127.0.0.1:8080` (a path prefix is kept:
    /// `https://host/sync` → `https://host/sync/v1/events`).
    public var baseURL: URL
    /// Backoff and heartbeat settings; the idle timeout bounds silence on a stream.
    public var policy: ConnectionPolicy
    /// Asked for a token on every connect and request; `nil` uses ``TransportHandshake/token``.
    public var tokenProvider: AuthTokenProvider?
    /// Hooks for bytes sent and received.
    public var metrics: TransportMetrics
    /// The largest frame (SSE event) accepted, in bytes.
    public var maximumFrameSize: Int
    /// The largest response body accepted (a long-poll batch), in bytes.
    public var maximumResponseSize: Int
    /// The largest POST body (one ``TransportConnection/send(_:)`` call), in bytes.
    public var maximumSendSize: Int
    /// How many received batches may wait for the consumer before the connection is dropped
    /// (`"receive-overflow"`); the binder then resumes from its cursor, so nothing is lost.
    public var receiveBufferBatches: Int
    /// The HTTP client: Tether's own on sockets (the default on Linux) or `URLSession` (Apple platforms).
    public var backend: HTTPClientBackend
    /// How long DNS, TCP and TLS may take for one request (socket client only; URLSession uses the
    /// request timeout).
    public var connectTimeout: Duration
    /// Extra trust (a CA file) or a different server name for `https://` (socket client only).
    public var tls: TLSOptions

    public init(
        baseURL: URL,
        policy: ConnectionPolicy = ConnectionPolicy(),
        tokenProvider: AuthTokenProvider? = nil,
        metrics: TransportMetrics = .none,
        maximumFrameSize: Int = 1 << 20,
        maximumResponseSize: Int = 16 << 20,
        maximumSendSize: Int = 4 << 20,
        receiveBufferBatches: Int = 1024,
        backend: HTTPClientBackend = .automatic,
        connectTimeout: Duration = .seconds(10),
        tls: TLSOptions = TLSOptions()
    ) {
        self.baseURL = baseURL
        self.policy = policy
        self.tokenProvider = tokenProvider
        self.metrics = metrics
        self.maximumFrameSize = max(1, maximumFrameSize)
        self.maximumResponseSize = max(1, maximumResponseSize)
        self.maximumSendSize = max(1, maximumSendSize)
        self.receiveBufferBatches = max(1, receiveBufferBatches)
        self.backend = backend
        self.connectTimeout = connectTimeout
        self.tls = tls
    }
}
