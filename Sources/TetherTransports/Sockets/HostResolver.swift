import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// `getaddrinfo` under a deadline.
///
/// `getaddrinfo` blocks and has no timeout of its own (a dead DNS server costs the resolver's full
/// retry schedule, often 10–30 s), so a name is resolved on a helper thread while the caller waits
/// only until its connect deadline. An abandoned lookup frees its own result when it finally returns.
/// IP literals resolve inline, without a thread.
struct HostResolver: Sendable {
    /// Resolves `host`/`port` to a `getaddrinfo` list (freed by the caller with `freeaddrinfo`),
    /// or throws ``WebSocketError/connectionFailed(_:)`` with the resolver's message.
    var lookup: @Sendable (_ host: String, _ port: UInt16, _ numericOnly: Bool) throws(WebSocketError) -> UnsafeMutablePointer<addrinfo>

    /// The system resolver.
    static let system = HostResolver { host, port, numericOnly throws(WebSocketError) in
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Darwin) || canImport(Musl)
        hints.ai_socktype = Int32(SOCK_STREAM)
        #else
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #endif
        if numericOnly { hints.ai_flags = AI_NUMERICHOST }
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let first = list else {
            let detail = gai_strerror(status).map { String(cString: $0) } ?? "error \(status)"
            throw .connectionFailed("cannot resolve \(host): \(detail)")
        }
        return first
    }

    /// Resolves before `deadline`, or throws ``WebSocketError/timedOut``.
    func resolve(host: String, port: UInt16, deadline: ContinuousClock.Instant) throws(WebSocketError) -> UnsafeMutablePointer<addrinfo> {
        if Self.isIPLiteral(host) { return try lookup(host, port, true) }
        let pending = PendingLookup()
        let lookup = self.lookup
        Thread.detachNewThread {
            let result = Result { () throws(WebSocketError) in try lookup(host, port, false) }
            pending.complete(result)
        }
        let remaining = ContinuousClock.now.duration(to: deadline)
        let components = remaining.components
        let nanoseconds = max(0, Int(clamping: components.seconds) &* 1_000_000_000 &+ Int(components.attoseconds / 1_000_000_000))
        _ = pending.done.wait(timeout: .now() + .nanoseconds(nanoseconds))
        guard let result = pending.take() else { throw .timedOut }
        return try result.get()
    }

    /// True for IPv4 dotted quads and IPv6 literals (no brackets).
    static func isIPLiteral(_ host: String) -> Bool {
        if host.contains(":") { return true }
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { part in !part.isEmpty && part.allSatisfy(\.isASCII) && UInt8(part) != nil }
    }

    /// The hand-over between the lookup thread and the waiter; whoever comes second owns the result.
    private final class PendingLookup: @unchecked Sendable {
        let done = DispatchSemaphore(value: 0)
        private let lock = NSLock()
        private var result: Result<UnsafeMutablePointer<addrinfo>, WebSocketError>?
        private var abandoned = false

        func complete(_ result: Result<UnsafeMutablePointer<addrinfo>, WebSocketError>) {
            lock.lock()
            if abandoned {
                lock.unlock()
                if case .success(let list) = result { freeaddrinfo(list) }
                return
            }
            self.result = result
            lock.unlock()
            done.signal()
        }

        /// The result if it arrived; otherwise marks the lookup abandoned and returns nil.
        func take() -> Result<UnsafeMutablePointer<addrinfo>, WebSocketError>? {
            lock.lock()
            defer { lock.unlock() }
            if result == nil { abandoned = true }
            return result
        }
    }
}
