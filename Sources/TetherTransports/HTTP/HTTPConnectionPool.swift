import Foundation

/// At most one idle keep-alive connection per endpoint, for the uplink's POSTs.
///
/// A client that sends many small batches would otherwise pay a TCP (and, for `https`, a TLS) handshake
/// per batch and leave a `TIME_WAIT` socket behind each. Streams and held polls never use the pool:
/// they own their connection until it ends. A pooled connection the server closed while it sat idle is
/// detected on reuse, and the request is retried once on a fresh connection (see ``HTTPExchange``).
final class HTTPConnectionPool: @unchecked Sendable {
    /// Idle connections older than this are closed instead of reused (servers drop idle keep-alive
    /// connections after 5–75 s; reusing a dead one costs a retry).
    let maximumIdle: Duration
    private let lock = NSLock()
    private var idle: [Endpoint: (stream: any ByteStream, since: ContinuousClock.Instant)] = [:]

    init(maximumIdle: Duration = .seconds(20)) {
        self.maximumIdle = maximumIdle
    }

    deinit {
        for entry in idle.values { entry.stream.close() }
    }

    /// An idle connection to `endpoint`, if one is fresh enough; it now belongs to the caller.
    func take(_ endpoint: Endpoint) -> (any ByteStream)? {
        lock.lock()
        let entry = idle.removeValue(forKey: endpoint)
        lock.unlock()
        guard let entry else { return nil }
        guard ContinuousClock.now - entry.since < maximumIdle else {
            entry.stream.close()
            return nil
        }
        return entry.stream
    }

    /// Keeps `stream` for the next request to `endpoint` (closing any connection it replaces).
    func put(_ stream: any ByteStream, for endpoint: Endpoint) {
        lock.lock()
        let replaced = idle.updateValue((stream, .now), forKey: endpoint)
        lock.unlock()
        replaced?.stream.close()
    }

    /// How many idle connections are kept (for tests).
    var idleCount: Int {
        lock.lock()
        defer { lock.unlock() }
        return idle.count
    }
}
