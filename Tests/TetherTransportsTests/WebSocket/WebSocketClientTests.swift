import Foundation
import Testing
import TetherTestSupport
import TetherTransports

/// The public client API against the peer's well-behaved echo server.
@Suite(.enabled(if: WebSocketTestPeer.isAvailable, WebSocketTestPeer.skipMessage))
struct WebSocketClientTests {
    @Test func sendReceivePingAndClose() async throws {
        let peer = try WebSocketTestPeer()
        defer { peer.stop() }
        let client = try await WebSocketClient.connect(to: URL(string: "\(peer.url)/echo")!, options: WebSocketOptions(maxMessageSize: 1000))
        #expect(client.subprotocol == nil)
        #expect(client.closeInfo == nil)
        try await client.ping(Array("are you there".utf8))
        try await client.send(text: "𝄞 κόσμε")
        try await client.send(binary: [0, 1, 2, 255])
        await #expect(throws: WebSocketError.messageTooLarge(limit: 1000)) { try await client.send(binary: [UInt8](repeating: 0, count: 1001)) }
        await #expect(throws: WebSocketError.messageTooLarge(limit: 125)) { try await client.ping([UInt8](repeating: 0, count: 126)) }
        var iterator = client.messages.makeAsyncIterator()
        #expect(await iterator.next() == .text("𝄞 κόσμε"))
        #expect(await iterator.next() == .binary([0, 1, 2, 255]))
        await client.close(code: 4001, reason: "test over")
        #expect(await iterator.next() == nil)
        #expect(client.closeInfo == WebSocketCloseInfo(code: 4001, reason: "test over", initiator: .client, wasClean: true))
        await #expect(throws: WebSocketError.closed) { try await client.send(text: "late") }
        await client.close()  // idempotent
    }

    @Test func aSlowConsumerGetsBackpressureNotLoss() async throws {
        let peer = try WebSocketTestPeer()
        defer { peer.stop() }
        let client = try await WebSocketClient.connect(
            to: "\(peer.url)/echo", options: WebSocketOptions(receiveBufferMessages: 3, closeTimeout: .seconds(2))
        )
        let count = 200
        for index in 0..<count { try await client.send(text: "message \(index) " + String(repeating: "x", count: 2000)) }
        // Nobody reads `messages` meanwhile: the client stops reading the socket after 3 buffered messages
        // (the rest waits in TCP buffers), and the connection stays open.
        try await Task.sleep(for: .milliseconds(300))
        #expect(client.closeInfo == nil)
        let received: [WebSocketMessage] = await withDeadline(30) { () async -> [WebSocketMessage] in
            var received: [WebSocketMessage] = []
            for await message in client.messages {
                received.append(message)
                if received.count == count { break }
            }
            return received
        } ?? []
        #expect(received == (0..<count).map { .text("message \($0) " + String(repeating: "x", count: 2000)) })
        await client.close()
        #expect(client.closeInfo?.wasClean == true)
    }

    @Test func connectTimeoutAndBadURLs() async throws {
        let peer = try WebSocketTestPeer()
        defer { peer.stop() }
        let start = ContinuousClock.now
        await #expect(throws: WebSocketError.timedOut) {
            _ = try await WebSocketClient.connect(to: "\(peer.url)/silent", options: WebSocketOptions(connectTimeout: .milliseconds(700)))
        }
        #expect(ContinuousClock.now - start < .seconds(20), "the peer holds /silent for 30 s; the timeout must end it first")
        await #expect(throws: WebSocketError.self) { _ = try await WebSocketClient.connect(to: "http://127.0.0.1:\(peer.port)/echo") }
        await #expect {
            _ = try await WebSocketClient.connect(to: "ws://no-such-host.invalid/", options: WebSocketOptions(connectTimeout: .seconds(5)))
        } throws: { error in
            if case .connectionFailed = error as? WebSocketError { return true }
            return false
        }
    }
}
