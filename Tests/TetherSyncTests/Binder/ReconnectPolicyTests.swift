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
