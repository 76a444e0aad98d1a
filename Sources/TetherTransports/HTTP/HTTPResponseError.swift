/// Why an HTTP/1.1 response could not be read.
enum HTTPResponseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The status line or a header field is not HTTP/1.1 syntax.
    case malformedHead(String)
    /// The head (or the trailers) exceeded the limit.
    case headTooLarge(limit: Int)
    /// A framing header (`Content-Length`) is invalid or contradicts another.
    case invalidHeader(String)
    /// Chunked framing is broken.
    case malformedChunk(String)
    /// The connection ended before the response did.
    case truncated(String)

    var description: String {
        switch self {
        case .malformedHead(let detail): return "malformed HTTP response: \(detail)"
        case .headTooLarge(let limit): return "HTTP response head larger than \(limit) bytes"
        case .invalidHeader(let detail): return "invalid HTTP header: \(detail)"
        case .malformedChunk(let detail): return "malformed chunked body: \(detail)"
        case .truncated(let detail): return "truncated HTTP response: \(detail)"
        }
    }
}
