import TetherSync
import TetherTestSupport
import Testing

/// Server hints lengthen the backoff, within a bound.
@Suite struct ReconnectPolicyTests {
    @Test func hugeServerHintsAreCapped() {
        var rng = SplitMix64(seed: 7)
        let policy = ReconnectPolicy(initialDelayMilliseconds: 100, maximumDelayMilliseconds: 1_000, maximumHintMilliseconds: 60_000)
        #expect(policy.delay(forAttempt: 0, hint: 30_000, using: &rng) == 30_000)
        #expect(policy.delay(forAttempt: 0, hint: 86_400_000, using: &rng) == 60_000)
        #expect(policy.delay(forAttempt: 0, hint: .max, using: &rng) == 60_000)
        #expect(ReconnectPolicy().delay(forAttempt: 0, hint: .max, using: &rng) == 600_000, "ten minutes by default")
    }
}

/// The attempt counter resets only after a healthy connection: synced and up for `healthyAfter`.
@Suite @MainActor struct HealthyConnectionResetTests {
    typealias B = TranscriptBuilder

    /// The `attempt` of every `connecting` event of a session whose connections sync, last
    /// `lifetime` ms of virtual time, and drop.
    func attempts(lifetime: UInt64, healthyAfter: UInt64) async throws -> [Int] {
        var b = B()
        b.start(state: [:])
        for _ in 0..<3 {
            b.add(.delay(milliseconds: lifetime))
            b.add(.disconnect(TransportCloseReason(code: "error")))
            b.connect()
            b.hello(["todos": ["epoch": "e1", "seq": 0]])
            b.welcome()
            b.inn(B.synced(0))
        }
        let session = try ReplaySession(transcript: b.transcript) {
            $0.reconnect = ReconnectPolicy(initialDelayMilliseconds: 100, maximumDelayMilliseconds: 5_000, healthyAfterMilliseconds: healthyAfter)
        }
        let result = await session.run()
        #expect(result.mismatches.isEmpty, "\(result.mismatches)")
        return result.events.filter { $0["event"] == "connecting" }.compactMap { $0["attempt"]?.intValue }
    }

    @Test func aServerThatSyncsAndDropsAtOnceKeepsTheBackoffGrowing() async throws {
        #expect(try await attempts(lifetime: 50, healthyAfter: 10_000) == [0, 1, 2, 3])
    }

    @Test func aConnectionThatStayedUpResetsTheBackoff() async throws {
        #expect(try await attempts(lifetime: 12_000, healthyAfter: 10_000) == [0, 0, 0, 0])
    }
}
