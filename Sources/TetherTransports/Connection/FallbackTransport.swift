/// Tries transports in order (auto: WebSocket → SSE → long polling) and remembers the one that worked.
///
/// Proxies and networks break realtime transports in different ways: some strip the WebSocket upgrade,
/// some buffer streamed responses. The ladder starts at the rung that last connected, so a client that
/// had to fall back does not pay for the failing attempts on every reconnect. When the remembered rung
/// fails it walks the rest of the ladder (wrapping to the top), so a recovered network climbs back up.
///
/// Errors that another transport cannot fix end the walk at once: ``TransportError/unauthorized``.
public final class FallbackTransport: Transport {
    /// The rungs, best first.
    public let transports: [any Transport]
    private let metrics: TransportMetrics
    private let preferred = ConnectionLock(0)

    /// - Parameters:
    ///   - transports: The transports to try, best first (for example WebSocket, SSE, long polling).
    ///   - metrics: ``TransportMetrics/transportSelected`` is called when the working rung changes.
    public init(_ transports: [any Transport], metrics: TransportMetrics = .none) {
        self.transports = transports
        self.metrics = metrics
    }

    /// The kind of the rung tried first on the next connect (the one that last worked).
    public var kind: TransportKind {
        transports.isEmpty ? .webSocket : transports[preferredIndex].kind
    }

    /// As the rung in use (the one that connected last).
    public var answersPings: Bool {
        transports.isEmpty ? true : transports[preferredIndex].answersPings
    }

    /// The index in ``transports`` of the rung tried first on the next connect.
    public var preferredIndex: Int { preferred.withLock { $0 } }

    public func connect(_ handshake: TransportHandshake) async throws(TransportError) -> any TransportConnection {
        guard !transports.isEmpty else { throw .unavailable("no transports configured") }
        let start = preferredIndex
        var lastError = TransportError.unavailable("no transports configured")
        for step in 0..<transports.count {
            let index = (start + step) % transports.count
            do {
                let connection = try await transports[index].connect(handshake)
                let changed = preferred.withLock { current in
                    defer { current = index }
                    return current != index
                }
                if changed { metrics.transportSelected?(transports[index].kind) }
                return connection
            } catch .unauthorized {
                throw .unauthorized
            } catch {
                lastError = error
            }
            if Task.isCancelled { break }
        }
        throw lastError
    }
}
