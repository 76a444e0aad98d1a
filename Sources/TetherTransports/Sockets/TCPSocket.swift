#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Opens non-blocking TCP connections: DNS, then every resolved address in turn, all within one deadline.
enum TCPSocket {
    /// A connected, non-blocking socket with `TCP_NODELAY` set.
    static func connect(
        host: String, port: UInt16, deadline: ContinuousClock.Instant, resolver: HostResolver = .system
    ) throws(WebSocketError) -> Int32 {
        let first = try resolver.resolve(host: host, port: port, deadline: deadline)
        defer { freeaddrinfo(first) }
        var lastError = "no addresses for \(host)"
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let info = entry {
            entry = info.pointee.ai_next
            do {
                return try connect(info.pointee, deadline: deadline)
            } catch .timedOut {
                throw .timedOut
            } catch {
                if case .connectionFailed(let detail) = error { lastError = detail }
            }
        }
        throw .connectionFailed(lastError)
    }

    private static func connect(_ info: addrinfo, deadline: ContinuousClock.Instant) throws(WebSocketError) -> Int32 {
        let fd = socket(info.ai_family, info.ai_socktype, info.ai_protocol)
        guard fd >= 0 else { throw .connectionFailed("socket: \(SystemError.message(errno))") }
        var keep = false
        defer { if !keep { _ = close(fd) } }
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        var one: Int32 = 1
        _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        #if canImport(Darwin)
        _ = setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, socklen_t(MemoryLayout<Int32>.size))
        #endif
        if systemConnect(fd, info.ai_addr, info.ai_addrlen) != 0 {
            guard errno == EINPROGRESS || errno == EINTR else {
                throw .connectionFailed("connect: \(SystemError.message(errno))")
            }
            try Poll.wait(fd, forWriting: true, deadline: deadline)
            var socketError: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            _ = getsockopt(fd, SOL_SOCKET, SO_ERROR, &socketError, &length)
            guard socketError == 0 else { throw .connectionFailed("connect: \(SystemError.message(socketError))") }
        }
        keep = true
        return fd
    }
}

#if canImport(Darwin)
private let systemConnect = Darwin.connect
#elseif canImport(Musl)
private let systemConnect = Musl.connect
#else
private let systemConnect = Glibc.connect
#endif
