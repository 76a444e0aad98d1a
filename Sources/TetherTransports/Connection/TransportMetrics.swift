/// Hooks for observing sync health (reconnects, gaps, resyncs, pending writes, bytes, apply latency).
///
/// Every hook is optional and called synchronously on the transport's or binder's own thread, so keep
/// them cheap (increment a counter, record into a histogram). The default value observes nothing.
public struct TransportMetrics: Sendable {
    /// A reconnect is about to happen: the transport, the attempt number (1 = first retry), the delay.
    public var reconnect: (@Sendable (_ kind: TransportKind, _ attempt: Int, _ delay: Duration) -> Void)?
    /// A sequence gap was detected on a collection (expected seq, received seq).
    public var gap: (@Sendable (_ collection: String, _ expected: UInt64, _ received: UInt64) -> Void)?
    /// A collection was resynchronised (re-subscribed, replayed or snapshotted).
    public var resync: (@Sendable (_ collection: String) -> Void)?
    /// The number of unacknowledged local writes changed.
    public var pendingWrites: (@Sendable (_ count: Int) -> Void)?
    /// Bytes received from the network by a transport (frame payloads plus framing).
    public var bytesReceived: (@Sendable (_ kind: TransportKind, _ count: Int) -> Void)?
    /// Bytes sent to the network by a transport.
    public var bytesSent: (@Sendable (_ kind: TransportKind, _ count: Int) -> Void)?
    /// Time from a frame's arrival to its application to the models.
    public var applyLatency: (@Sendable (_ latency: Duration) -> Void)?
    /// The fallback ladder switched to another transport.
    public var transportSelected: (@Sendable (_ kind: TransportKind) -> Void)?

    public init(
        reconnect: (@Sendable (_ kind: TransportKind, _ attempt: Int, _ delay: Duration) -> Void)? = nil,
        gap: (@Sendable (_ collection: String, _ expected: UInt64, _ received: UInt64) -> Void)? = nil,
        resync: (@Sendable (_ collection: String) -> Void)? = nil,
        pendingWrites: (@Sendable (_ count: Int) -> Void)? = nil,
        bytesReceived: (@Sendable (_ kind: TransportKind, _ count: Int) -> Void)? = nil,
        bytesSent: (@Sendable (_ kind: TransportKind, _ count: Int) -> Void)? = nil,
        applyLatency: (@Sendable (_ latency: Duration) -> Void)? = nil,
        transportSelected: (@Sendable (_ kind: TransportKind) -> Void)? = nil
    ) {
        self.reconnect = reconnect
        self.gap = gap
        self.resync = resync
        self.pendingWrites = pendingWrites
        self.bytesReceived = bytesReceived
        self.bytesSent = bytesSent
        self.applyLatency = applyLatency
        self.transportSelected = transportSelected
    }

    /// Observes nothing.
    public static let none = TransportMetrics()
}
