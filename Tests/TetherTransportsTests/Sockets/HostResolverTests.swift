import Foundation
@testable import TetherTransports
import Testing
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// DNS stays inside the connect deadline.
@Suite struct HostResolverTests {
    /// A resolver that takes `delay` and then resolves the name as 127.0.0.1.
    static func slow(_ delay: Duration) -> HostResolver {
        HostResolver { _, port, _ throws(WebSocketError) in
            Thread.sleep(forTimeInterval: Double(delay.components.seconds) + Double(delay.components.attoseconds) / 1e18)
            return try HostResolver.system.lookup("127.0.0.1", port, true)
        }
    }

    @Test func aHangingLookupTimesOutAtTheDeadline() {
        let started = ContinuousClock.now
        #expect(throws: WebSocketError.timedOut) {
            _ = try TCPSocket.connect(
                host: "slow.example", port: 9, deadline: .now + .milliseconds(200), resolver: Self.slow(.seconds(2)))
        }
        #expect(ContinuousClock.now - started < .milliseconds(1500), "the caller did not wait for the lookup")
    }

    @Test func aLookupWithinTheDeadlineIsUsed() throws {
        let list = try Self.slow(.milliseconds(50)).resolve(host: "fast.example", port: 80, deadline: .now + .seconds(5))
        defer { freeaddrinfo(list) }
        #expect(list.pointee.ai_family == AF_INET)
    }

    @Test func ipLiteralsResolveWithoutALookupThread() throws {
        // The numeric path is synchronous: a lookup that would take 2 s is not even started for a name.
        let literalOnly = HostResolver { host, port, numericOnly throws(WebSocketError) in
            guard numericOnly else { throw .connectionFailed("a name lookup was started for \(host)") }
            return try HostResolver.system.lookup(host, port, true)
        }
        for host in ["127.0.0.1", "::1"] {
            let list = try literalOnly.resolve(host: host, port: 80, deadline: .now + .seconds(5))
            freeaddrinfo(list)
        }
        #expect(throws: WebSocketError.self) { _ = try literalOnly.resolve(host: "localhost", port: 80, deadline: .now + .seconds(5)) }
    }
}
