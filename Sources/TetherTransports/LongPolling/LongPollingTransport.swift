public import Foundation

/// HTTP long polling: `GET {base}/v1/poll` held by the server until frames arrive or the hold ends;
/// client frames go up by `POST {base}/v1/send`.
///
/// The last resort when neither WebSocket nor streamed responses get through (buffering proxies,
/// strict corporate networks): every exchange is an ordinary, short-lived HTTP request.
///
/// - Connecting performs one immediate poll (`wait=0`), so an unreachable server or bad credentials
///   fail ``connect(_:)`` and the frames the server already has (welcome, snapshot) arrive at once.
/// - Then it polls with `wait=N`, with a request timeout of N plus a margin (whole seconds: Linux
///   truncates fractions), and advances its own cursor past the frames it delivered (see
///   ``TransportHandshake/cursorString`` for the format; the handshake gives the starting point).
/// - `Retry-After` on 429/503 pauses the loop for that long; 429/503 without it closes with
///   `"server-busy"`. On connect, 429/503 yields a connection that closes at once with the hint.
/// - 401 asks the token provider for a fresh token once; a second 401 ends with `"unauthorized"`
///   (``TransportError/unauthorized`` during connect).
public final class LongPollingTransport: Transport {
    public var kind: TransportKind { .longPolling }

    /// The server, policy, auth and limits.
    public let configuration: HTTPTransportConfiguration
    /// How long the server may hold each poll, in seconds (`wait=`).
    public let waitSeconds: Int
    private let http: HTTPSession

    /// - Parameters:
    ///   - configuration: The server, policy, auth and limits.
    ///   - waitSeconds: The server's hold per poll, in whole seconds.
    public init(configuration: HTTPTransportConfiguration, waitSeconds: Int = 25) {
        self.configuration = configuration
        self.waitSeconds = max(0, waitSeconds)
        http = HTTPSession(configuration: configuration)
    }

    /// A transport for the server at `baseURL` with default settings.
    public convenience init(baseURL: URL, tokenProvider: AuthTokenProvider? = nil) {
        self.init(configuration: HTTPTransportConfiguration(baseURL: baseURL, tokenProvider: tokenProvider))
    }

    public func connect(_ handshake: TransportHandshake) async throws(TransportError) -> any TransportConnection {
        let sender = FrameSender(configuration: configuration, http: http, handshake: handshake, kind: kind)
        let connection = LongPollingConnection(
            configuration: configuration, http: http, handshake: handshake, sender: sender, waitSeconds: waitSeconds)
        do {
            switch try await connection.poll(wait: 0, reason: .connect) {
            case .frames(let frames):
                _ = connection.deliver(frames)
                connection.startLoop()
            case .busy(let hint):
                connection.finish(code: "server-busy", message: "GET /v1/poll answered 429/503", retryAfterMilliseconds: hint)
            }
            return connection
        } catch {
            connection.stop()
            throw error
        }
    }
}
