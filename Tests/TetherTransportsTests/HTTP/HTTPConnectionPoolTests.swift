import Foundation
@testable import TetherTransports
import Testing
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The keep-alive pool's bookkeeping: one idle connection per endpoint, none past its idle limit.
@Suite struct HTTPConnectionPoolTests {
    /// One end of a fresh socket pair (the other end is closed at once).
    func stream() throws -> PlainStream {
        var fds: [Int32] = [0, 0]
        #if canImport(Darwin)
        let type = SOCK_STREAM
        #else
        let type = Int32(SOCK_STREAM.rawValue)
        #endif
        try #require(socketpair(AF_UNIX, type, 0, &fds) == 0)
        _ = close(fds[1])
        return PlainStream(fileDescriptor: fds[0])
    }

    let endpoint = Endpoint(secure: false, host: "127.0.0.1", port: 8080, resource: "/v1/send")

    @Test func oneIdleConnectionPerEndpoint() throws {
        let pool = HTTPConnectionPool()
        let first = try stream(), second = try stream()
        pool.put(first, for: endpoint)
        pool.put(second, for: endpoint)  // replaces (and closes) the first
        #expect(pool.idleCount == 1)
        #expect(pool.take(endpoint) === second)
        #expect(pool.take(endpoint) == nil, "taken connections belong to the caller")
        let other = Endpoint(secure: true, host: "127.0.0.1", port: 8080, resource: "/")
        pool.put(try stream(), for: endpoint)
        #expect(pool.take(other) == nil, "TLS and plain connections are different endpoints")
    }

    @Test func staleConnectionsAreNotReused() throws {
        let pool = HTTPConnectionPool(maximumIdle: .milliseconds(20))
        pool.put(try stream(), for: endpoint)
        Thread.sleep(forTimeInterval: 0.05)
        #expect(pool.take(endpoint) == nil)
        #expect(pool.idleCount == 0)
    }
}
