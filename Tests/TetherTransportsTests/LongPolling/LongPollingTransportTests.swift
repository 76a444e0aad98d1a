import Foundation
import TetherTestSupport
import TetherTransports
import Testing

/// The long-polling transport against `Tests/peers/http_peer.py` on 127.0.0.1.
@Suite(.enabled(if: FixturePaths.python != nil, "needs the test Python with aiohttp (set TETHER_PYTHON)"))
struct LongPollingTransportTests {
    func transport(
        _ peer: HTTPTestPeer, _ options: String, waitSeconds: Int = 2, tokenProvider: AuthTokenProvider? = nil,
        backend: HTTPClientBackend = .automatic
    ) -> LongPollingTransport {
        LongPollingTransport(
            configuration: HTTPTransportConfiguration(
                baseURL: peer.baseURL(options), tokenProvider: tokenProvider, backend: backend),
            waitSeconds: waitSeconds)
    }

    /// Both HTTP clients: Tether's socket client (Linux default) and URLSession (Apple default).
    @Test(arguments: [HTTPClientBackend.sockets, .urlSession])
    func pollsReturnBatchesAndTheCursorAdvances(backend: HTTPClientBackend) async throws {
        let peer = try #require(try HTTPTestPeer.start())
        defer { peer.stop() }
        let connection = try await transport(peer, "seed5+batch3", backend: backend).connect(todosHandshake())
        let recorder = InboundRecorder(connection)
        #expect(await recorder.wait { $0.patchSeqs == [1, 2, 3, 4, 5] })
        #expect((recorder.objects.first?["type"] as? String) == "welcome")
        let polls = try await peer.waitForRequests { $0.filter { $0.method == "GET" }.count >= 3 }
            .filter { $0.method == "GET" }
        // connect poll (wait=0, no cursor) → welcome, snapshot@0, 1,2,3 → cursor e1:3 → 4,5 → cursor e1:5 (held)
        #expect(polls.prefix(3).map { $0.query("cursor") } == [[], ["todos=e1:3"], ["todos=e1:5"]])
        #expect(polls.prefix(3).map { $0.query("wait") } == [["0"], ["2"], ["2"]])
        #expect(polls.prefix(2).map(\.returned) == [5, 2])
        await connection.close()
    }

    @Test func heldPollReturnsAsSoonAsASendArrives() async throws {
        let peer = try #require(try HTTPTestPeer.start())
        defer { peer.stop() }
        let connection = try await transport(peer, "seed1", waitSeconds: 10).connect(todosHandshake(token: "t"))
        let recorder = InboundRecorder(connection)
        #expect(await recorder.wait { $0.patchSeqs == [1] })
        // Wait until the next poll is being held by the peer, then send.
        _ = try await peer.waitForRequests { $0.filter { $0.query("cursor") == ["todos=e1:1"] }.count == 1 }
        let sent = ContinuousClock.now
        try await connection.send(mutateFrames(7...8))
        #expect(await recorder.wait { $0.patchSeqs == [1, 2, 3] })
        #expect(ContinuousClock.now - sent < .seconds(3), "the 10 s hold ended when data arrived")
        let posts = try await peer.requests().filter { $0.method == "POST" }
        #expect(posts.map(\.status) == [202])
        #expect(posts.first?.authorization == "Bearer t")
        await connection.close()
    }

    @Test func retryAfterIsHonoured() async throws {
        let peer = try #require(try HTTPTestPeer.start())
        defer { peer.stop() }
        let connection = try await transport(peer, "busy+seed1").connect(todosHandshake())
        let recorder = InboundRecorder(connection)
        // Three polls take a little over 1 s; the bound is generous for a loaded CI machine.
        let polls = try await peer.waitForRequests(timeout: .seconds(20)) { $0.filter { $0.method == "GET" }.count >= 3 }
            .filter { $0.method == "GET" }
        #expect(polls.count >= 3)
        if polls.count >= 3 {
            #expect(polls[1].status == 503)
            #expect(polls[2].t - polls[1].t >= 0.95, "Retry-After: 1 waited for")
            #expect(polls[2].query("cursor") == ["todos=e1:1"])
        }
        #expect(recorder.closeReason == nil, "a hinted 503 pauses the loop without closing")
        await connection.close()
    }

    @Test func unauthorizedRefreshesTheTokenOnce() async throws {
        let peer = try #require(try HTTPTestPeer.start())
        defer { peer.stop() }
        let reasons = ConnectionBox<[AuthTokenProvider.Reason]>([])
        let provider = AuthTokenProvider { reason in
            reasons.value.append(reason)
            return reasons.value.contains(.refresh) ? "good" : "stale"
        }
        let connection = try await transport(peer, "auth+seed2", tokenProvider: provider).connect(todosHandshake())
        let recorder = InboundRecorder(connection)
        #expect(await recorder.wait { $0.patchSeqs == [1, 2] })
        #expect(Array(reasons.value.prefix(2)) == [.connect, .refresh])
        #expect(reasons.value.dropFirst(2).allSatisfy { $0 == .request }, "later polls ask again, without refresh")
        await connection.close()

        await #expect(throws: TransportError.unauthorized) {
            _ = try await transport(peer, "auth").connect(todosHandshake(token: "stale"))
        }
    }

    @Test func closeCancelsTheHeldPollPromptly() async throws {
        let peer = try #require(try HTTPTestPeer.start())
        defer { peer.stop() }
        let connection = try await transport(peer, "seed1", waitSeconds: 20).connect(todosHandshake())
        let recorder = InboundRecorder(connection)
        _ = try await peer.waitForRequests { $0.filter { $0.query("wait") == ["20"] }.count == 1 }
        let closing = ContinuousClock.now
        await connection.close()
        #expect(await recorder.waitForFinish(timeout: .seconds(8)))
        let finished = try #require(recorder.finishedAt)
        // The poll is held for 20 s: finishing within a few seconds proves the request was cancelled
        // (the bound is loose so a loaded CI machine does not flake it).
        #expect(finished - closing < .seconds(5))
        #expect(recorder.closeReason?.code == "normal")
        let records = try await peer.waitForRequests { $0.contains { $0.method == "DISCONNECT" } }
        #expect(records.contains { $0.method == "DISCONNECT" }, "the held request's TCP connection was closed")
        await #expect(throws: TransportError.closed) { try await connection.send(mutateFrames(1...1)) }
    }

    @Test func serverErrorEndsTheConnection() async throws {
        let peer = try #require(try HTTPTestPeer.start())
        defer { peer.stop() }
        await #expect(throws: TransportError.handshakeFailed(status: 404, "GET /v1/poll answered 404")) {
            _ = try await transport(peer, "fail").connect(todosHandshake())
        }
    }
}
