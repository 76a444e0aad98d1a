#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Opens non-blocking TCP connections (every resolved address in turn, within one deadline).
enum TCPSocket {
    /// A connected, non-blocking socket with `TCP_NODELAY` set.
    static func connect(host: String, port: UInt16, deadline: ContinuousClock.Instant) throws(WebSocketError) -> Int32 {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Darwin) || canImport(Musl)
        hints.ai_socktype = Int32(SOCK_STREAM)
        #else
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let first = list else {
            let detail = gai_strerror(status).map { String(cString: $0) } ?? "error \(status)"
            throw .connectionFailed("cannot resolve \(host): \(detail)")
        }
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
