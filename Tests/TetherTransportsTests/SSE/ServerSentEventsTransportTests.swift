import Foundation
import TetherTestSupport
import TetherTransports
import Testing

/// The SSE transport against `Tests/peers/http_peer.py` on 127.0.0.1.
@Suite(.enabled(if: FixturePaths.python != nil, "needs the test Python with aiohttp (set TETHER_PYTHON)"))
struct ServerSentEventsTransportTests {
    func transport(
        _ peer: HTTPTestPeer, _ options: String, tokenProvider: AuthTokenProvider? = nil,
        policy: ConnectionPolicy = ConnectionPolicy(), maximumFrameSize: Int = 1 << 20,
        backend: HTTPClientBackend = .automatic
    ) -> ServerSentEventsTransport {
        ServerSentEventsTransport(
            configuration: HTTPTransportConfiguration(
                baseURL: peer.baseURL(options), policy: policy, tokenProvider: tokenProvider,
                maximumFrameSize: maximumFrameSize, backend: backend))
    }

    /// Both HTTP clients stream: Tether's socket client (Linux default) and URLSession (Apple default).
    @Test(arguments: [HTTPClientBackend.sockets, .urlSession])
    func eventsInOddChunkSplitsArriveAsFramesInOrder(backend: HTTPClientBackend) async throws {
        let peer = try #require(try HTTPTestPeer.start())
        defer { peer.stop() }
        let connection = try await transport(peer, "chunked", backend: backend).connect(todosHandshake())
        let recorder = InboundRecorder(connection)
        #expect(await recorder.waitForFinish(timeout: .seconds(10)))

        let sent = try await peer.sentFrames()
        #expect(sent.count == 60)
        let received = recorder.frameStrings
        #expect(received.count == 61, "welcome + 60 frames; comments and other events are not frames")
        #expect((recorder.objects.first?["type"] as? String) == "welcome")
        #expect(Array(received.dropFirst()) == sent)
        #expect(recorder.batchCount > 1)
        #expect(recorder.closeReason?.code == "server-closed")

        let request = try #require(try await peer.requests().first { $0.method == "GET" })
        #expect(request.accept == "text/event-stream")
        #expect(request.query("client") == ["c1"])
        #expect(request.query("collection") == ["todos"])
        #expect(request.lastEventId == nil, "no cursor: no Last-Event-ID")
    }

    @Test func aConsumerThatFallsBehindIsDisconnectedNotBufferedWithoutBound() async throws {
        let peer = try #require(try HTTPTestPeer.start())
        defer { peer.stop() }
        let sse = ServerSentEventsTransport(
            configuration: HTTPTransportConfiguration(baseURL: peer.baseURL("chunked"), receiveBufferBatches: 3))
        let connection = try await sse.connect(todosHandshake())
        // Nobody reads until the peer has sent everything.
        _ = try await peer.waitForRequests(timeout: .seconds(10)) { $0.contains { $0.method == "DISCONNECT" } }
        let recorder = InboundRecorder(connection)
        #expect(await recorder.waitForFinish())
        #expect(recorder.batchCount == 3)
        #expect(recorder.frames.count < 61)
        #expect(recorder.closeReason?.code == "receive-overflow")
    }

    @Test func bytesAreReportedToTheMetricsHooks() async throws {
        let peer = try #require(try HTTPTestPeer.start())
        defer { peer.stop() }
        let received = ConnectionBox(0), sent = ConnectionBox(0)
        let metrics = TransportMetrics(
            bytesReceived: { kind, count in if kind == .serverSentEvents { received.value += count } },
            bytesSent: { kind, count in if kind == .serverSentEvents { sent.value += count } })
        let sse = ServerSentEventsTransport(
            configuration: HTTPTransportConfiguration(baseURL: peer.baseURL("live"), metrics: metrics))
        let connection = try await sse.connect(todosHandshake())
        let recorder = InboundRecorder(connection)
        #expect(await recorder.wait { $0.frames.count == 1 })
        let frames = mutateFrames(1...2)
        try await connection.send(frames)
        #expect(await recorder.wait { $0.frames.count == 3 })
        #expect(sent.value == frames.reduce(3) { $0 + $1.count }, "[a,b]: the frames plus brackets and comma")
        #expect(received.value >= recorder.frames.reduce(0) { $0 + $1.count })
        await connection.close()
    }

    @Test func reconnectSendsLastEventIDAndResumes() async throws {
        let peer = try #require(try HTTPTestPeer.start())
        defer { peer.stop() }
        let sse = transport(peer, "seed5+drop2")
        let first = InboundRecorder(try await sse.connect(todosHandshake()))
        #expect(await first.waitForFinish())
        #expect(first.objects.compactMap { $0["seq"] as? Int } == [1, 2])

        // The binder resumes from the cursor it applied; the peer replays what follows.
        let second = InboundRecorder(try await sse.connect(todosHandshake(cursor: StreamCursor(epoch: "e1", seq: 2))))
        #expect(await second.waitForFinish())
        let echo = second.objects.first?["echo"] as? [String: Any]
        #expect(echo?["lastEventId"] as? String == "todos=e1:2")
        #expect(second.objects.compactMap { $0["seq"] as? Int } == [3, 4])
        let requests = try await peer.requests().filter { $0.method == "GET" }
        #expect(requests.map(\.lastEventId) == [nil, "todos=e1:2"])
    }

    @Test func retryFieldIsReportedAsTheCloseHint() async throws {
        let peer = try #require(try HTTPTestPeer.start())
        defer { peer.stop() }
        let sse = transport(peer, "retry+seed3+drop1")
        let recorder = InboundRecorder(try await sse.connect(todosHandshake()))
        #expect(await recorder.waitForFinish())
        #expect(recorder.closeReason?.retryAfterMilliseconds == 1234)
        #expect(sse.serverRetryMilliseconds == 1234)
        // Remembered across connections, as an EventSource's reconnection time is.
        let other = InboundRecorder(try await transport(peer, "seed3+drop1").connect(todosHandshake()))
        #expect(await other.waitForFinish())
        #expect(other.closeReason?.retryAfterMilliseconds == nil, "another transport instance has its own memory")
    }

    @Test func sendPostsFramesAndTheRepliesArriveOnTheStream() async throws {
        let peer = try #require(try HTTPTestPeer.start())
        defer { peer.stop() }
        let connection = try await transport(peer, "live").connect(todosHandshake(token: "t0"))
        let recorder = InboundRecorder(connection)
        #expect(await recorder.wait { $0.frames.count == 1 })
        let frames = mutateFrames(1...3)
        try await connection.send(Array(frames[0...1]))
        try await connection.send([frames[2]])
        #expect(await recorder.wait { $0.frames.count == 4 })
        let echoed = recorder.objects.dropFirst().compactMap { frame -> Int? in
            let ops = frame["ops"] as? [[String: Any]]
            return (ops?.first?["value"] as? [String: Any])?["mutation"] as? Int
        }
        #expect(echoed == [1, 2, 3])
        let posts = try await peer.requests().filter { $0.method == "POST" }
        #expect(posts.count == 2)
        #expect(posts.allSatisfy { $0.contentType == "application/json" && $0.status == 202 })
        #expect(posts.allSatisfy { $0.authorization == "Bearer t0" && $0.query("client") == ["c1"] })
        await connection.close()
        await #expect(throws: TransportError.closed) { try await connection.send([frames[0]]) }
    }

    @Test func unauthorizedRefreshesTheTokenOnce() async throws {
        let peer = try #require(try HTTPTestPeer.start())
        defer { peer.stop() }
        let reasons = ConnectionBox<[AuthTokenProvider.Reason]>([])
        let provider = AuthTokenProvider { reason in
            reasons.value.append(reason)
            return reasons.value.contains(.refresh) ? "good" : "stale"
        }
        let connection = try await transport(peer, "auth+live", tokenProvider: provider).connect(todosHandshake())
        let recorder = InboundRecorder(connection)
        #expect(await recorder.wait { $0.frames.count == 1 })
        #expect(reasons.value == [.connect, .refresh])
        try await connection.send(mutateFrames(1...1))
        #expect(reasons.value == [.connect, .refresh, .request])
        let requests = try await peer.requests()
        #expect(requests.map(\.authorization) == ["Bearer stale", "Bearer good", "Bearer good"])
        #expect(requests.map(\.status) == [401, 200, 202])
        await connection.close()
    }

    @Test func unauthorizedAfterRefreshThrows() async throws {
        let peer = try #require(try HTTPTestPeer.start())
        defer { peer.stop() }
        let calls = ConnectionBox(0)
        let provider = AuthTokenProvider { _ in
            calls.value += 1
            return "stale"
        }
        await #expect(throws: TransportError.unauthorized) {
            _ = try await transport(peer, "auth+live", tokenProvider: provider).connect(todosHandshake())
        }
        #expect(calls.value == 2)
        #expect(try await peer.requests().map(\.status) == [401, 401])
        // Without a provider there is nobody to ask: the first 401 is final.
        await #expect(throws: TransportError.unauthorized) {
            _ = try await transport(peer, "auth+live").connect(todosHandshake(token: "stale"))
        }
        #expect(try await peer.requests().count == 3)
    }

    @Test func busyServerClosesAtOnceWithRetryAfterHint() async throws {
        let peer = try #require(try HTTPTestPeer.start())
        defer { peer.stop() }
        let recorder = InboundRecorder(try await transport(peer, "busy").connect(todosHandshake()))
        #expect(await recorder.waitForFinish())
        #expect(recorder.frames.isEmpty)
        #expect(recorder.closeReason == TransportCloseReason(
            code: "server-busy", message: "GET /v1/events answered 503", retryAfterMilliseconds: 2000))
    }

    @Test(arguments: [HTTPClientBackend.sockets, .urlSession])
    func closeEndsTheStreamPromptly(backend: HTTPClientBackend) async throws {
        let peer = try #require(try HTTPTestPeer.start())
        defer { peer.stop() }
        let connection = try await transport(peer, "silent", backend: backend).connect(todosHandshake())
        let recorder = InboundRecorder(connection)
        #expect(await recorder.wait { $0.frames.count == 1 })
        let closing = ContinuousClock.now
        await connection.close()
        #expect(await recorder.waitForFinish(timeout: .seconds(5)))
        let finished = try #require(recorder.finishedAt)
        // Far below the 35 s idle timeout: the close itself ended the stream (2 s leaves room for a
        // loaded CI machine; unloaded it takes a few milliseconds).
        #expect(finished - closing < .seconds(2))
        #expect(recorder.closeReason?.code == "normal")
        // The peer sees the TCP connection go away.
        let records = try await peer.waitForRequests { $0.contains { $0.method == "DISCONNECT" } }
        #expect(records.contains { $0.method == "DISCONNECT" })
        await connection.close()  // idempotent
    }

    @Test(arguments: [HTTPClientBackend.sockets, .urlSession])
    func silenceBeyondTheIdleTimeoutCloses(backend: HTTPClientBackend) async throws {
        let peer = try #require(try HTTPTestPeer.start())
        defer { peer.stop() }
        let policy = ConnectionPolicy(heartbeatInterval: .zero, idleTimeout: .seconds(1))
        let sse = transport(peer, "silent", policy: policy, backend: backend)
        let recorder = InboundRecorder(try await sse.connect(todosHandshake()))
        #expect(await recorder.waitForFinish(timeout: .seconds(6)))
        #expect(recorder.closeReason?.code == "idle-timeout")
        #expect(recorder.frames.count == 1)
    }

    @Test func oversizedEventClosesTheConnection() async throws {
        let peer = try #require(try HTTPTestPeer.start())
        defer { peer.stop() }
        let sse = transport(peer, "big", maximumFrameSize: 1024)
        let recorder = InboundRecorder(try await sse.connect(todosHandshake()))
        #expect(await recorder.waitForFinish())
        #expect(recorder.closeReason?.code == "message-too-large")
        #expect(recorder.frames.count == 1, "the welcome arrived; the oversized frame did not")
    }

    @Test func wrongContentTypeOrStatusFailsTheHandshake() async throws {
        let peer = try #require(try HTTPTestPeer.start())
        defer { peer.stop() }
        await #expect(throws: TransportError.handshakeFailed(status: 200, "GET /v1/events did not answer text/event-stream")) {
            _ = try await transport(peer, "plain").connect(todosHandshake())
        }
        await #expect(throws: TransportError.handshakeFailed(status: 404, "GET /v1/events answered 404")) {
            _ = try await transport(peer, "fail").connect(todosHandshake())
        }
    }

    @Test func unreachableServerFailsToConnect() async throws {
        let sse = ServerSentEventsTransport(baseURL: URL(string: "http://127.0.0.1:9/")!)
        do {
            _ = try await sse.connect(todosHandshake())
            Issue.record("connected to a closed port")
        } catch {
            guard case .connectionFailed = error else {
                Issue.record("expected connectionFailed, got \(error)")
                return
            }
        }
    }
}
