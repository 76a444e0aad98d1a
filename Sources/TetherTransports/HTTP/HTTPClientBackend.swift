/// Which HTTP client the Server-Sent Events and long-polling transports use.
public enum HTTPClientBackend: Sendable, Equatable {
    /// ``sockets`` on Linux and other platforms with FoundationNetworking, ``urlSession`` on Apple platforms.
    case automatic
    /// Tether's own HTTP/1.1 client on POSIX sockets (TLS through the system OpenSSL on Linux).
    /// Idle streams cost nothing: the thread sleeps in the kernel until bytes arrive.
    case sockets
    /// `URLSession` data tasks. On Apple platforms this is the system stack (proxies, ATS, TLS via
    /// Security.framework). On Linux, FoundationNetworking keeps a CPU core busy while a request is open,
    /// so it is not the default there.
    case urlSession

    /// What ``automatic`` means on this platform.
    var resolved: HTTPClientBackend {
        guard self == .automatic else { return self }
        #if canImport(FoundationNetworking)
        return .sockets
        #else
        return .urlSession
        #endif
    }
}
