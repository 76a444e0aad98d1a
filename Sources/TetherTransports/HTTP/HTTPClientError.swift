/// Why a request on Tether's own HTTP/1.1 client failed (mapped to ``TransportError`` by the transports).
enum HTTPClientError: Error, Sendable, Equatable, CustomStringConvertible {
    /// ``HTTPExchange/cancel()`` was called.
    case cancelled
    /// Connecting took longer than the connect timeout, or the connection stayed silent longer than the
    /// request's idle timeout.
    case timedOut
    /// The URL cannot be requested (scheme, host, header syntax).
    case invalidRequest(String)
    /// DNS, TCP or TLS failed, or the socket failed while in use.
    case connectionFailed(String)
    /// The server's bytes are not a valid HTTP/1.1 response.
    case badResponse(HTTPResponseError)

    var description: String {
        switch self {
        case .cancelled: return "cancelled"
        case .timedOut: return "timed out"
        case .invalidRequest(let detail): return "invalid request: \(detail)"
        case .connectionFailed(let detail): return detail
        case .badResponse(let error): return error.description
        }
    }
}
