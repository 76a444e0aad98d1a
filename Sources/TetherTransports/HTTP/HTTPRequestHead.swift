import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A `URLRequest` as HTTP/1.1 bytes, plus where to send them.
///
/// Streams and polls ask for `Connection: close`: each owns its connection, so a held long poll, an SSE
/// stream and a POST never queue behind each other. Uplink POSTs may keep theirs alive for the next
/// POST (``HTTPConnectionPool``).
struct HTTPRequestHead: Sendable {
    /// Host, port and TLS of the URL (`resource` is the request target).
    var endpoint: Endpoint
    /// Request line, fields, blank line and body.
    var bytes: [UInt8]
    var isHead: Bool

    init(_ request: URLRequest, keepAlive: Bool = false) throws(HTTPClientError) {
        guard let url = request.url, let components = URLComponents(url: url, resolvingAgainstBaseURL: false) else {
            throw .invalidRequest("missing URL")
        }
        let secure: Bool
        switch components.scheme?.lowercased() {
        case "http": secure = false
        case "https": secure = true
        default: throw .invalidRequest("scheme must be http or https: \(url.absoluteString)")
        }
        guard var host = components.host, !host.isEmpty else { throw .invalidRequest("missing host: \(url.absoluteString)") }
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        let port = components.port ?? (secure ? 443 : 80)
        guard (1...65535).contains(port) else { throw .invalidRequest("bad port: \(url.absoluteString)") }
        var resource = components.percentEncodedPath.isEmpty ? "/" : components.percentEncodedPath
        if let query = components.percentEncodedQuery { resource += "?" + query }
        endpoint = Endpoint(secure: secure, host: host, port: UInt16(port), resource: resource)

        let method = request.httpMethod ?? "GET"
        isHead = method == "HEAD"
        let body = request.httpBody.map { [UInt8]($0) } ?? []
        var text = "\(method) \(resource) HTTP/1.1\r\nHost: \(endpoint.hostHeader)\r\n"
        var hasUserAgent = false
        for (name, value) in (request.allHTTPHeaderFields ?? [:]).sorted(by: { $0.key < $1.key }) {
            let lowered = name.lowercased()
            if lowered == "host" || lowered == "content-length" || lowered == "connection" { continue }
            if lowered == "user-agent" { hasUserAgent = true }
            guard Self.isValidField(name, value) else { throw .invalidRequest("bad header field \(name)") }
            text += "\(name): \(value)\r\n"
        }
        if !hasUserAgent { text += "User-Agent: Tether\r\n" }
        if !body.isEmpty || method == "POST" || method == "PUT" { text += "Content-Length: \(body.count)\r\n" }
        text += keepAlive ? "\r\n" : "Connection: close\r\n\r\n"
        bytes = Array(text.utf8) + body
    }

    /// No CR, LF or NUL anywhere (header injection), and a non-empty name.
    private static func isValidField(_ name: String, _ value: String) -> Bool {
        let isControl: (UInt8) -> Bool = { $0 == 13 || $0 == 10 || $0 == 0 }
        let isSeparator: (UInt8) -> Bool = { $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: " ") }
        if name.isEmpty || name.utf8.contains(where: isControl) || name.utf8.contains(where: isSeparator) { return false }
        return !value.utf8.contains(where: isControl)
    }
}
