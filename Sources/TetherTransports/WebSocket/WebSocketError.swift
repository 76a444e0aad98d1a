/// Why connecting to, or sending on, a WebSocket failed.
public enum WebSocketError: Error, Sendable, Equatable {
    /// The URL is not a usable `ws://` or `wss://` URL, or a request header is malformed.
    case invalidURL(String)
    /// DNS resolution or the TCP connection failed.
    case connectionFailed(String)
    /// The connect deadline (``WebSocketOptions/connectTimeout``) passed.
    case timedOut
    /// `wss://` was requested but no usable TLS library could be loaded (Linux needs libssl.so.3).
    case tlsUnavailable(String)
    /// The TLS handshake failed. `verifyResult` is OpenSSL's X509 verification result (0 when the failure
    /// was not a certificate problem; 20 is "unable to get local issuer", 62 a host name mismatch).
    case tlsHandshakeFailed(verifyResult: Int, detail: String)
    /// The server's HTTP response was not a valid RFC 6455 upgrade. `status` is its HTTP status, if any.
    case handshakeFailed(status: Int?, reason: String)
    /// The connection is closing or closed.
    case closed
    /// An outgoing message is larger than ``WebSocketOptions/maxMessageSize``.
    case messageTooLarge(limit: Int)
    /// More than ``WebSocketOptions/sendBufferLimit`` bytes are waiting to be written.
    case sendBufferFull(limit: Int)
    /// The socket failed while sending.
    case ioFailed(String)
}

extension WebSocketError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .invalidURL(let detail): return "invalid WebSocket URL: \(detail)"
        case .connectionFailed(let detail): return "connection failed: \(detail)"
        case .timedOut: return "connect timed out"
        case .tlsUnavailable(let detail): return "TLS unavailable: \(detail)"
        case .tlsHandshakeFailed(let verify, let detail): return "TLS handshake failed (verify result \(verify)): \(detail)"
        case .handshakeFailed(let status, let reason):
            return "WebSocket handshake failed" + (status.map { " (HTTP \($0))" } ?? "") + ": \(reason)"
        case .closed: return "the connection is closed"
        case .messageTooLarge(let limit): return "message larger than \(limit) bytes"
        case .sendBufferFull(let limit): return "send buffer full (\(limit) bytes)"
        case .ioFailed(let detail): return "I/O failed: \(detail)"
        }
    }
}
