import Foundation
import TetherTestSupport
import TetherTransports
import Testing

/// The fallback ladder over real transports against `Tests/peers/http_peer.py`.
@Suite(.enabled(if: FixturePaths.python != nil, "needs the test Python with aiohttp (set TETHER_PYTHON)"))
struct FallbackTransportTests {
    @Test func fallsBackAndRemembersWhatWorked() async throws {
        let peer = try #require(try HTTPTestPeer.start())
        defer { peer.stop() }
        let selected = ConnectionBox<[TransportKind]>([])
        let ladder = FallbackTransport(
            [
                LongPollingTransport(baseURL: peer.baseURL("fail")),
                ServerSentEventsTransport(baseURL: peer.baseURL("live")),
            ],
            metrics: TransportMetrics(transportSelected: { selected.value.append($0) }))
        #expect(ladder.kind == .longPolling)

        let first = try await ladder.connect(todosHandshake())
        #expect(ladder.kind == .serverSentEvents)
        #expect(selected.value == [.serverSentEvents])
        await first.close()
        let second = try await ladder.connect(todosHandshake())
        await second.close()

        let paths = try await peer.requests().filter { $0.method == "GET" }.map(\.path)
        #expect(paths == ["/fail/v1/poll", "/live/v1/events", "/live/v1/events"], "the failing rung is skipped once one worked")
    }

    @Test func throwsTheLastErrorWhenEveryRungFails() async throws {
        let peer = try #require(try HTTPTestPeer.start())
        defer { peer.stop() }
        let ladder = FallbackTransport([
            ServerSentEventsTransport(baseURL: peer.baseURL("fail")),
            LongPollingTransport(baseURL: URL(string: "http://127.0.0.1:9/")!),
        ])
        do {
            _ = try await ladder.connect(todosHandshake())
            Issue.record("no rung can connect")
        } catch {
            guard case .connectionFailed = error else {
                Issue.record("expected the last rung's error, got \(error)")
                return
            }
        }
        #expect(ladder.preferredIndex == 0)
        #expect(try await peer.requests().filter { $0.method == "GET" }.count == 1)
    }

    @Test func unauthorizedStopsTheLadder() async throws {
        let peer = try #require(try HTTPTestPeer.start())
        defer { peer.stop() }
        let ladder = FallbackTransport([
            ServerSentEventsTransport(baseURL: peer.baseURL("auth+live")),
            LongPollingTransport(baseURL: peer.baseURL("live")),
        ])
        await #expect(throws: TransportError.unauthorized) { _ = try await ladder.connect(todosHandshake(token: "bad")) }
        #expect(try await peer.requests().map(\.path) == ["/auth+live/v1/events"])
    }

    @Test func anEmptyLadderIsUnavailable() async {
        await #expect(throws: TransportError.unavailable("no transports configured")) {
            _ = try await FallbackTransport([]).connect(todosHandshake())
        }
    }
}
