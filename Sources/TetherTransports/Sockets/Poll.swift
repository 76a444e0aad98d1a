#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Blocking readiness waits with a deadline, for the connect phase only (afterwards Dispatch sources
/// drive the socket).
enum Poll {
    static func wait(_ fd: Int32, forWriting: Bool, deadline: ContinuousClock.Instant) throws(WebSocketError) {
        while true {
            let remaining = ContinuousClock.now.duration(to: deadline)
            if remaining <= .zero { throw .timedOut }
            let components = remaining.components
            let milliseconds = Int32(clamping: components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000 + 1)
            var descriptor = pollfd(fd: fd, events: Int16(forWriting ? POLLOUT : POLLIN), revents: 0)
            let result = poll(&descriptor, 1, milliseconds)
            if result > 0 { return }
            if result < 0, errno != EINTR { throw .connectionFailed("poll: \(SystemError.message(errno))") }
        }
    }
}

/// `strerror` wrapper.
enum SystemError {
    static func message(_ code: Int32) -> String {
        guard let text = strerror(code) else { return "errno \(code)" }
        return String(cString: text)
    }
}
