import Foundation
import TetherTestSupport
import TetherTransports
import Testing

/// The uplink's POSTs reuse one keep-alive connection, and survive a server that drops it.
@Suite(.enabled(if: FixturePaths.python != nil, "needs the test Python with aiohttp (set TETHER_PYTHON)"))
struct HTTPKeepAliveTests {
    /// Sends three batches one after another over an SSE connection to the peer with `options`,
    /// pausing `pause` between them, and returns the peer's POST records.
    func threePosts(_ options: String, pause: Duration = .zero) async throws -> [HTTPTestPeer.Record] {
        let peer = try #require(try HTTPTestPeer.start())
        defer { peer.stop() }
        let sse = ServerSentEventsTransport(
            configuration: HTTPTransportConfiguration(baseURL: peer.baseURL(options), backend: .sockets))
        let connection = try await sse.connect(todosHandshake())
        for batch in 0..<3 {
            if batch > 0 { try await Task.sleep(for: pause) }
            try await connection.send(mutateFrames((batch * 2 + 1)...(batch * 2 + 2)))
        }
        await connection.close()
        return try await peer.requests().filter { $0.method == "POST" }
    }

    @Test func postsShareOneConnection() async throws {
        let posts = try await threePosts("silent")
        #expect(posts.map(\.status) == [202, 202, 202])
        #expect(posts.allSatisfy { $0.peerPort != nil })
        #expect(Set(posts.compactMap(\.peerPort)).count == 1, "one TCP connection for three POSTs")
    }

    @Test func aConnectionTheServerDroppedWhileIdleIsReplacedTransparently() async throws {
        // The peer closes each connection 100 ms after answering; the client finds out on reuse and
        // sends the batch again on a fresh connection. Every batch arrives exactly once.
        let posts = try await threePosts("silent+stale", pause: .milliseconds(400))
        #expect(posts.map(\.status) == [202, 202, 202])
        #expect(posts.compactMap { $0.query("client").first }.count == 3)
        #expect(Set(posts.compactMap(\.peerPort)).count == 3)
    }

    @Test func connectionCloseIsHonoured() async throws {
        let posts = try await threePosts("silent+closing")
        #expect(posts.map(\.status) == [202, 202, 202])
        #expect(Set(posts.compactMap(\.peerPort)).count == 3, "a new connection after each Connection: close")
    }
}
