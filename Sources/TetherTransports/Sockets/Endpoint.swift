/// Where a client connects (host, port, TLS) and what it puts in the request line and `Host`;
/// shared by the WebSocket and HTTP clients.
struct Endpoint: Sendable, Hashable {
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
}
