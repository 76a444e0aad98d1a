import Foundation
import Testing
import TetherTestSupport
@testable import TetherTransports

@Suite struct WebSocketTransportTests {
    @Test func baseURLMapsToTheEndpoint() throws {
        #expect(try WebSocketTransport.webSocketURL(for: URL(string: "http://127.0.0.1:8080")!) == "ws://127.0.0.1:8080/v1/ws")
        #expect(try WebSocketTransport.webSocketURL(for: URL(string: "https://example.com/sync/")!) == "wss://example.com/sync/v1/ws")
        #expect(try WebSocketTransport.webSocketURL(for: URL(string: "ws://h:1/")!) == "ws://h:1/v1/ws")
        #expect(throws: TransportError.self) { try WebSocketTransport.webSocketURL(for: URL(string: "ftp://h/")!) }
    }

    @Test func errorsAndCloseReasonsMap() {
        #expect(WebSocketTransport.transportError(.handshakeFailed(status: 401, reason: "x")) == .unauthorized)
        #expect(WebSocketTransport.transportError(.handshakeFailed(status: 500, reason: "x")) == .handshakeFailed(status: 500, "x"))
        #expect(WebSocketTransport.transportError(.tlsUnavailable("no libssl")) == .unavailable("no libssl"))
        let restart = WebSocketTransportConnection.closeReason(
            WebSocketCloseInfo(code: 1013, reason: "retryAfter=250", initiator: .server, wasClean: true), retryHint: nil
        )
        #expect(restart.code == "server-closed" && restart.retryAfterMilliseconds == 250)
        let fromFrame = RetryHint.fromCloseFrame(Array(#"{"type": "close", "code": "shutdown", "retryAfter": 1000}"#.utf8))
        #expect(fromFrame == 1000)
        #expect(RetryHint.fromCloseFrame(Array(#"{"type":"patch","seq":1}"#.utf8)) == nil)
        let tooBig = WebSocketTransportConnection.closeReason(
            WebSocketCloseInfo(code: 1009, reason: "", initiator: .protocolFailure, wasClean: false), retryHint: nil
        )
        #expect(tooBig.code == "message-too-large")
        let dropped = WebSocketTransportConnection.closeReason(
            WebSocketCloseInfo(code: 1006, reason: "", initiator: .transport, wasClean: false), retryHint: 40
        )
        #expect(dropped.code == "error" && dropped.retryAfterMilliseconds == 40)
    }

    static func handshake(token: String?) -> TransportHandshake {
        TransportHandshake(clientID: "c1", subscriptions: [("todos", nil)], token: token,
                           hello: Array(#"{"type":"hello","protocol":1,"client":"c1"}"#.utf8))
    }

    /// Reads inbound elements until `count` frames arrived (or the connection closed).
    static func frames(_ iterator: inout AsyncStream<TransportInbound>.Iterator, count: Int) async -> [String] {
        var frames: [String] = []
        while frames.count < count, let element = await iterator.next() {
            guard case .frames(let batch) = element else { break }
            frames += batch.map { String(decoding: $0, as: UTF8.self) }
        }
        return frames
    }

    @Test(.enabled(if: WebSocketTestPeer.isAvailable, WebSocketTestPeer.skipMessage))
    func helloFirstFramesBackAndServerCloseWithRetryHint() async throws {
        let peer = try WebSocketTestPeer()
        defer { peer.stop() }
        let transport = WebSocketTransport(baseURL: URL(string: "http://127.0.0.1:\(peer.port)")!)
        #expect(transport.kind == .webSocket)
        let connection = try await transport.connect(Self.handshake(token: "t1"))
        var iterator = connection.inbound.makeAsyncIterator()
        // The peer announces the Authorization header it saw, then echoes our hello.
        let first = await Self.frames(&iterator, count: 2)
        #expect(first == [#"{"authorization": "Bearer t1"}"#, #"{"type":"hello","protocol":1,"client":"c1"}"#])
        let sent = [#"{"type":"ping","id":1}"#, #"{"type":"subscribe","collection":"é"}"#]
        try await connection.send(sent.map { Array($0.utf8) })
        #expect(await Self.frames(&iterator, count: 2) == sent)
        // The peer closes with 1013 and "retryAfter=1500" when asked.
        try await connection.send([Array("close-with-retry".utf8)])
        var closed: TransportCloseReason?
        while let element = await iterator.next() {
            if case .closed(let reason) = element { closed = reason }
        }
        #expect(closed?.code == "server-closed")
        #expect(closed?.retryAfterMilliseconds == 1500)
        await #expect(throws: TransportError.closed) { try await connection.send([Array("{}".utf8)]) }
    }

    @Test(.enabled(if: WebSocketTestPeer.isAvailable, WebSocketTestPeer.skipMessage))
    func clientCloseAndTokenRefreshAfter401() async throws {
        let peer = try WebSocketTestPeer()
        defer { peer.stop() }
        let asked = LockedValue<[AuthTokenProvider.Reason]>([])
        let provider = AuthTokenProvider { reason in
            asked.set(asked.get() + [reason])
            return reason == .refresh ? "fresh" : "expired"
        }
        let transport = WebSocketTransport(baseURL: URL(string: "http://127.0.0.1:\(peer.port)")!, tokenProvider: provider)
        let connection = try await transport.connect(Self.handshake(token: nil))
        var iterator = connection.inbound.makeAsyncIterator()
        #expect(await Self.frames(&iterator, count: 1).first == #"{"authorization": "Bearer fresh"}"#)
        #expect(asked.get() == [.connect, .refresh])
        await connection.close()
        var closed: TransportCloseReason?
        while let element = await iterator.next() {
            if case .closed(let reason) = element { closed = reason }
        }
        #expect(closed?.code == "normal")

        // Always expired: the second 401 is final.
        let stubborn = WebSocketTransport(baseURL: URL(string: "http://127.0.0.1:\(peer.port)")!, tokenProvider: .constant("expired"))
        await #expect(throws: TransportError.unauthorized) { _ = try await stubborn.connect(Self.handshake(token: nil)) }
    }

    @Test func refusedConnectionIsAConnectionFailure() async throws {
        // Port 9 on loopback (discard) is closed on test machines; the error must be typed, not a crash.
        let transport = WebSocketTransport(baseURL: URL(string: "http://127.0.0.1:9")!, options: WebSocketOptions(connectTimeout: .seconds(3)))
        await #expect {
            _ = try await transport.connect(Self.handshake(token: nil))
        } throws: { error in
            if case .connectionFailed = error as? TransportError { return true }
            return false
        }
    }
}
