/// When to try again after a connection ends: exponential backoff with full jitter
/// (a uniformly random delay between 0 and the exponential bound), never sooner than the server's
/// retry hint (up to a cap). The attempt counter resets only after a healthy connection (synced and
/// up for ``healthyAfterMilliseconds``). This is the one reconnect policy: transports never reconnect
/// on their own.
public struct ReconnectPolicy: Sendable, Equatable {
    /// The bound for the first retry, in milliseconds.
    public var initialDelayMilliseconds: UInt64
    /// The largest bound, in milliseconds.
    public var maximumDelayMilliseconds: UInt64
    /// Growth of the bound per failed attempt.
    public var multiplier: UInt64
    /// Give up after this many consecutive failed attempts (`nil`: never).
    public var maximumAttempts: Int?
    /// The longest server retry hint honoured: a buggy or hostile server must not park the client
    /// for days with one `retryAfter`.
    public var maximumHintMilliseconds: UInt64
    /// A connection must reach `synced` and stay up this long before the attempt counter resets: a
    /// server that syncs and drops us at once must not turn backoff into a tight loop.
    public var healthyAfterMilliseconds: UInt64

    public init(
        initialDelayMilliseconds: UInt64 = 250,
        maximumDelayMilliseconds: UInt64 = 30_000,
        multiplier: UInt64 = 2,
        maximumAttempts: Int? = nil,
        maximumHintMilliseconds: UInt64 = 600_000,
        healthyAfterMilliseconds: UInt64 = 10_000
    ) {
        self.initialDelayMilliseconds = initialDelayMilliseconds
        self.maximumDelayMilliseconds = maximumDelayMilliseconds
        self.multiplier = max(1, multiplier)
        self.maximumAttempts = maximumAttempts
        self.maximumHintMilliseconds = maximumHintMilliseconds
        self.healthyAfterMilliseconds = healthyAfterMilliseconds
    }

    /// The upper bound of the delay before attempt number `attempt` (0-based).
    public func bound(forAttempt attempt: Int) -> UInt64 {
        var bound = initialDelayMilliseconds
        for _ in 0..<max(0, attempt) {
            let (next, overflow) = bound.multipliedReportingOverflow(by: multiplier)
            if overflow || next >= maximumDelayMilliseconds { return maximumDelayMilliseconds }
            bound = next
        }
        return min(bound, maximumDelayMilliseconds)
    }

    /// A full-jitter delay for `attempt`, at least `hint` milliseconds (capped by
    /// ``maximumHintMilliseconds``) when the server gave one.
    public func delay(forAttempt attempt: Int, hint: UInt64? = nil, using random: inout some RandomNumberGenerator) -> UInt64 {
        let jittered = UInt64.random(in: 0...bound(forAttempt: attempt), using: &random)
        return max(jittered, min(hint ?? 0, maximumHintMilliseconds))
    }
}

/// A small seedable generator (SplitMix64) so that replays pick the same jitter every time.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
