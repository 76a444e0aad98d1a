public import Foundation

/// The WebSocket ``Transport``: one `GET /v1/ws` connection per ``connect(_:)``, text messages both ways,
/// one wire frame per message.
///
/// The first message sent is the handshake's `hello`. Inbound text messages become
/// ``TransportInbound/frames(_:)`` batches, one batch per socket read, so the binder applies a burst at
/// once. Binary messages are not part of protocol v1 and are ignored.
public struct WebSocketTransport: Transport {
    public var kind: TransportKind { .webSocket }
    /// The server's base URL (`http://host:port`, optionally with a path prefix); `http` maps to `ws`,
    /// `https` to `wss`, and `/v1/ws` is appended.
    public var baseURL: URL
    /// Limits, timeouts and TLS settings of each connection.
    public var options: WebSocketOptions
    /// Asked for a bearer token before each connect (and once more after a 401); `nil` uses the
    /// handshake's token.
    public var tokenProvider: AuthTokenProvider?
    /// Byte counters (frame payloads).
    public var metrics: TransportMetrics

    public init(
        baseURL: URL,
        options: WebSocketOptions = WebSocketOptions(),
        tokenProvider: AuthTokenProvider? = nil,
        metrics: TransportMetrics = .none
    ) {
        self.baseURL = baseURL
        self.options = options
        self.tokenProvider = tokenProvider
        self.metrics = metrics
    }

    /// The WebSocket URL for a base URL: scheme mapped, `/v1/ws` appended to any path prefix.
    public static func webSocketURL(for baseURL: URL) throws(TransportError) -> String {
        guard var components = URLComponents(url: baseURL, resolvingAgainstBaseURL: false),
              let scheme = components.scheme?.lowercased()
        else { throw .connectionFailed("invalid server URL \(baseURL)") }
        switch scheme {
        case "http", "ws": components.scheme = "ws"
        case "https", "wss": components.scheme = "wss"
        default: throw .connectionFailed("unsupported scheme \(scheme) in \(baseURL)")
        }
        var path = components.path
        while path.hasSuffix("/") { path.removeLast() }
        components.path = path + "/v1/ws"
        components.query = nil
        components.fragment = nil
        guard let text = components.string else { throw .connectionFailed("invalid server URL \(baseURL)") }
        return text
    }

    public func connect(_ handshake: TransportHandshake) async throws(TransportError) -> any TransportConnection {
        let url = try Self.webSocketURL(for: baseURL)
        var token = handshake.token
        if let tokenProvider { token = try await tokenProvider.token(for: .connect) }
        do {
            return try await open(url, token: token, handshake: handshake)
        } catch .unauthorized {
            guard let tokenProvider else { throw .unauthorized }
            let fresh = try await tokenProvider.token(for: .refresh)
            return try await open(url, token: fresh, handshake: handshake)
        }
    }

    private func open(_ url: String, token: String?, handshake: TransportHandshake) async throws(TransportError) -> any TransportConnection {
        var options = options
        if let token { options.headers.append((name: "Authorization", value: "Bearer \(token)")) }
        let connection = WebSocketTransportConnection(bufferLimit: options.receiveBufferMessages, metrics: metrics)
        do {
            let channel = try await WebSocketClient.open(url, options: options, sink: connection.sink)
            connection.attach(channel)
        } catch {
            throw Self.transportError(error)
        }
        do {
            try await connection.send([handshake.hello])
        } catch {
            await connection.close()
            throw error
        }
        return connection
    }

    /// Maps a connect failure; HTTP 401/403 on the upgrade mean the credentials were refused.
    static func transportError(_ error: WebSocketError) -> TransportError {
        switch error {
        case .handshakeFailed(let status, let reason):
            if status == 401 || status == 403 { return .unauthorized }
            return .handshakeFailed(status: status, reason)
        case .tlsUnavailable(let detail): return .unavailable(detail)
        case .closed: return .closed
        case .messageTooLarge(let limit): return .messageTooLarge(limit: limit)
        default: return .connectionFailed(error.description)
        }
    }
}
