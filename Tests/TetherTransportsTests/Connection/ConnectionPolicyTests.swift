import TetherTransports
import Testing
import TetherTestSupport


@Suite struct ConnectionPolicyTests {
    let policy = ConnectionPolicy(
        initialDelay: .milliseconds(100), maximumDelay: .seconds(5), multiplier: 2)

    @Test func boundGrowsExponentiallyUpToTheCap() {
        #expect(policy.delayBound(forAttempt: 0) == .milliseconds(100))
        #expect(policy.delayBound(forAttempt: 1) == .milliseconds(200))
        #expect(policy.delayBound(forAttempt: 4) == .milliseconds(1600))
        #expect(policy.delayBound(forAttempt: 6) == .seconds(5))  // 6.4 s capped
        #expect(policy.delayBound(forAttempt: 10_000) == .seconds(5))
        #expect(policy.delayBound(forAttempt: .max) == .seconds(5))
        #expect(policy.delayBound(forAttempt: -3) == .milliseconds(100))
        for attempt in 0..<64 {
            #expect(policy.delayBound(forAttempt: attempt) <= policy.delayBound(forAttempt: attempt + 1))
        }
    }

    @Test(arguments: [1, 42, 0xDEAD_BEEF] as [UInt64])
    func fullJitterStaysWithinBoundsAndSpreadsOverTheRange(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        for attempt in 0..<12 {
            let bound = policy.delayBound(forAttempt: attempt)
            var samples: [Duration] = []
            for _ in 0..<400 {
                let delay = policy.delay(forAttempt: attempt, using: &random)
                #expect(delay >= .zero && delay <= bound, "attempt \(attempt): \(delay) outside 0...\(bound)")
                samples.append(delay)
            }
            // Full jitter: uniform over [0, bound], so both the low and the high quarter are hit and the
            // mean is near bound / 2 (400 samples: standard error ≈ 1.4 % of the bound).
            let low = samples.filter { $0 < bound / 4 }.count
            let high = samples.filter { $0 > bound * 3 / 4 }.count
            #expect(low > 50 && high > 50, "attempt \(attempt): low \(low), high \(high)")
            let mean = samples.reduce(Duration.zero, +) / samples.count
            #expect(mean > bound * 0.42 && mean < bound * 0.58, "attempt \(attempt): mean \(mean) of \(bound)")
        }
    }

    @Test func sameSeedSameDelays() {
        var first = SplitMix64(seed: 7), second = SplitMix64(seed: 7)
        let a = (0..<20).map { policy.delay(forAttempt: $0, using: &first) }
        let b = (0..<20).map { policy.delay(forAttempt: $0, using: &second) }
        #expect(a == b)
        #expect(Set(a).count > 15)
    }

    @Test func zeroInitialDelayGivesZero() {
        var random = SplitMix64(seed: 3)
        let immediate = ConnectionPolicy(initialDelay: .zero)
        #expect(immediate.delay(forAttempt: 5, using: &random) == .zero)
    }

    @Test func serverHintsAreClamped() {
        let policy = ConnectionPolicy(initialDelay: .milliseconds(100), maximumHintDelay: .seconds(60))
        #expect(policy.hintDelay(milliseconds: 2_500) == .milliseconds(2_500))
        #expect(policy.hintDelay(milliseconds: 0) == .zero)
        #expect(policy.hintDelay(milliseconds: -5) == .zero)
        #expect(policy.hintDelay(milliseconds: 3_600_000) == .seconds(60))
    }

    @Test func idleTimeoutIsWholeSecondsAndCoversTwoHeartbeats() {
        #expect(ConnectionPolicy(heartbeatInterval: .seconds(15), idleTimeout: .seconds(35)).idleTimeoutSeconds == 35)
        #expect(ConnectionPolicy(heartbeatInterval: .seconds(1), idleTimeout: .milliseconds(1_500)).idleTimeoutSeconds == 2)
        #expect(ConnectionPolicy(heartbeatInterval: .seconds(20), idleTimeout: .seconds(10)).idleTimeoutSeconds == 40)
        #expect(ConnectionPolicy(heartbeatInterval: .zero, idleTimeout: .zero).idleTimeoutSeconds == 1)
    }
}
