import Foundation
import TetherTestSupport
import TetherTransports
import Testing

/// SSE and long polling against one peer: what one client sends reaches the other.
@Suite(.enabled(if: FixturePaths.python != nil, "needs the test Python with aiohttp (set TETHER_PYTHON)"))
struct CrossTransportTests {
    @Test func framesSentOnOneTransportReachTheOther() async throws {
        let peer = try #require(try HTTPTestPeer.start())
        defer { peer.stop() }
        let stream = try await ServerSentEventsTransport(baseURL: peer.baseURL("live")).connect(todosHandshake(client: "s"))
        let poller = try await LongPollingTransport(
            configuration: HTTPTransportConfiguration(baseURL: peer.baseURL("live")), waitSeconds: 5
        ).connect(todosHandshake(client: "p"))
        let streamed = InboundRecorder(stream), polled = InboundRecorder(poller)
        #expect(await streamed.wait { $0.frames.count == 1 })
        #expect(await polled.wait { $0.frames.count == 2 }, "welcome and the snapshot")

        try await poller.send(mutateFrames(1...2, client: "p"))
        try await stream.send(mutateFrames(1...1, client: "s"))
        func origins(_ recorder: InboundRecorder) -> [String] {
            recorder.objects.compactMap { frame in
                let ops = frame["ops"] as? [[String: Any]]
                let value = ops?.first?["value"] as? [String: Any]
                return (value?["client"] as? String).map { "\($0)\(value?["mutation"] as? Int ?? -1)" }
            }
        }
        #expect(await streamed.wait { origins($0).count == 3 })
        #expect(await polled.wait { origins($0).count == 3 })
        #expect(origins(streamed) == ["p1", "p2", "s1"])
        #expect(origins(polled) == origins(streamed), "both transports deliver the same log in the same order")
        await stream.close()
        await poller.close()
    }
}
