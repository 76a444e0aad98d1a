/// A parsed `ws://` / `wss://` URL: what to connect to and what to put in the request line and `Host`.
struct WebSocketEndpoint: Sendable, Equatable {
    var secure: Bool
    /// The host without IPv6 brackets.
    var host: String
    var port: UInt16
    /// Path plus query, at least "/".
    var resource: String

    /// The `Host` header value: brackets for IPv6 literals, the port only when it is not the default.
    var hostHeader: String {
        let name = host.contains(":") ? "[\(host)]" : host
        let defaultPort: UInt16 = secure ? 443 : 80
        return port == defaultPort ? name : "\(name):\(port)"
    }

    /// True when `host` is an IPv4 or IPv6 literal (no SNI is sent for those, and they are verified as IPs).
    var hostIsIPLiteral: Bool { HostResolver.isIPLiteral(host) }

    init(secure: Bool, host: String, port: UInt16, resource: String) {
        self.secure = secure
        self.host = host
        self.port = port
        self.resource = resource
    }

    /// Parses `ws[s]://host[:port][/path][?query]`; fragments are not allowed (RFC 6455 §3).
    init(parsing text: String) throws(WebSocketError) {
        guard let schemeEnd = text.range(of: "://") else { throw .invalidURL("missing scheme in \(text)") }
        switch text[..<schemeEnd.lowerBound].lowercased() {
        case "ws": secure = false
        case "wss": secure = true
        default: throw .invalidURL("scheme must be ws or wss: \(text)")
        }
        let rest = text[schemeEnd.upperBound...]
        if rest.contains("#") { throw .invalidURL("fragments are not allowed: \(text)") }
        if rest.contains(where: { $0 == " " || $0 == "\r" || $0 == "\n" }) { throw .invalidURL("whitespace in \(text)") }
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? rest.endIndex
        var authority = rest[..<authorityEnd]
        let path = rest[authorityEnd...]
        if authority.contains("@") { throw .invalidURL("user info is not supported: \(text)") }
        var portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw .invalidURL("unterminated IPv6 literal: \(text)") }
            host = String(authority[authority.index(after: authority.startIndex)..<close])
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw .invalidURL("bad authority: \(text)") }
                portText = after.dropFirst()
            }
        } else {
            if let colon = authority.lastIndex(of: ":") {
                portText = authority[authority.index(after: colon)...]
                authority = authority[..<colon]
            }
            host = String(authority)
        }
        guard !host.isEmpty else { throw .invalidURL("missing host: \(text)") }
        if let portText {
            guard let value = UInt16(portText), value > 0 else { throw .invalidURL("bad port: \(text)") }
            port = value
        } else {
            port = secure ? 443 : 80
        }
        resource = path.isEmpty ? "/" : (path.hasPrefix("?") ? "/" + path : String(path))
    }
}
