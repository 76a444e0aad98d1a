public import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Server-Sent Events: frames stream down `GET {base}/v1/events`, client frames go up by
/// `POST {base}/v1/send`.
///
/// SSE passes proxies that strip WebSocket upgrades, and it works on Linux where Foundation has no
/// WebSocket client. Bytes come from the configuration's ``HTTPClientBackend`` (Tether's own HTTP/1.1
/// client on Linux, URLSession data-task delegates on Apple platforms), one client per transport, and
/// Tether's own ``ServerSentEventParser`` turns them into events.
///
/// - Each `event: frame` is one frame; the frames completed by one network read form one batch.
/// - The resume cursor goes out as `Last-Event-ID` (the `hello` is implied by the query).
/// - A `retry:` value is remembered and reported as the close reason's `retryAfterMilliseconds`.
/// - Silence longer than the policy's idle timeout (whole seconds) closes with `"idle-timeout"`.
/// - 401 asks the token provider for a fresh token once; a second 401 throws ``TransportError/unauthorized``.
/// - 429 or 503 yields a connection that closes at once with `"server-busy"` and the `Retry-After` hint,
///   because ``TransportError`` cannot carry a hint.
public final class ServerSentEventsTransport: Transport {
    public var kind: TransportKind { .serverSentEvents }

    /// The server, policy, auth and limits.
    public let configuration: HTTPTransportConfiguration
    private let http: HTTPSession
    /// The last `retry:` the server sent, kept across connections as WHATWG's reconnection time is.
    private let reconnectionTime = ConnectionLock<Int?>(nil)

    public init(configuration: HTTPTransportConfiguration) {
        self.configuration = configuration
        http = HTTPSession(configuration: configuration)
    }

    /// A transport for the server at `baseURL` with default settings.
    public convenience init(baseURL: URL, tokenProvider: AuthTokenProvider? = nil) {
        self.init(configuration: HTTPTransportConfiguration(baseURL: baseURL, tokenProvider: tokenProvider))
    }

    /// The reconnection time the server last asked for with `retry:`, in milliseconds.
    public var serverRetryMilliseconds: Int? { reconnectionTime.withLock { $0 } }

    public func connect(_ handshake: TransportHandshake) async throws(TransportError) -> any TransportConnection {
        let url = configuration.url("v1/events", query: HTTPTransportConfiguration.sessionQuery(handshake))
        let lastEventID = handshake.cursorString
        let sender = FrameSender(configuration: configuration, http: http, handshake: handshake, kind: kind)
        var token = try await configuration.token(.connect, handshake: handshake)
        for attempt in 0..<2 {
            var request = configuration.request(url, token: token, timeoutSeconds: configuration.policy.idleTimeoutSeconds)
            request.setValue("text/event-stream", forHTTPHeaderField: "Accept")
            request.setValue("no-cache", forHTTPHeaderField: "Cache-Control")
            if !lastEventID.isEmpty { request.setValue(lastEventID, forHTTPHeaderField: "Last-Event-ID") }

            let connection = ServerSentEventsConnection(
                configuration: configuration, sender: sender, reconnectionTime: reconnectionTime, lastEventID: lastEventID)
            let response = try await connection.open(request, on: http).get()
            let status = response.statusCode
            switch status {
            case 200:
                guard response.header("Content-Type")?.lowercased().hasPrefix("text/event-stream") == true else {
                    connection.abandon()
                    throw .handshakeFailed(status: status, "GET /v1/events did not answer text/event-stream")
                }
                return connection
            case 401, 403:
                connection.abandon()
                guard attempt == 0 else { throw .unauthorized }
                token = try await configuration.refreshedToken()
            case 429, 503:
                let hint = response.retryAfterMilliseconds() ?? reconnectionTime.withLock { $0 }
                connection.finish(
                    with: TransportCloseReason(
                        code: "server-busy", message: "GET /v1/events answered \(status)", retryAfterMilliseconds: hint))
                return connection
            default:
                connection.abandon()
                throw .handshakeFailed(status: status, "GET /v1/events answered \(status)")
            }
        }
        throw .unauthorized
    }
}
