extension Endpoint {
    /// Parses `ws[s]://host[:port][/path][?query]`; fragments are not allowed (RFC 6455 §3).
    init(parsingWebSocketURL text: String) throws(WebSocketError) {
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
