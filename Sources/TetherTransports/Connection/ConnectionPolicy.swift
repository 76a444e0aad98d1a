/// How one transport connection paces its own retries and watches its health; the same policy for
/// every transport.
///
/// Reconnecting after a connection ended is the binder's job (`RealtimeBinder.Options.reconnect`, a
/// `ReconnectPolicy`): transports never reconnect on their own. This policy covers what happens
/// inside one connection: the idle timeout, the pacing of a long-polling loop whose server answers
/// empty polls at once (full-jitter exponential backoff: attempt `n` waits a uniformly random time in
/// `0 ... min(maximumDelay, initialDelay × multiplierⁿ)`), and the cap on `Retry-After` hints.
public struct ConnectionPolicy: Sendable, Equatable {
    /// The upper bound of the first retry's random delay.
    public var initialDelay: Duration
    /// The cap on any computed delay (server hints are capped separately by ``maximumHintDelay``).
    public var maximumDelay: Duration
    /// Growth of the delay bound per failed attempt (at least 1).
    public var multiplier: Double
    /// The longest server hint honoured; larger hints are clamped to it.
    public var maximumHintDelay: Duration
    /// How often the client expects traffic (server pings, SSE comments) on an idle connection.
    public var heartbeatInterval: Duration
    /// Silence longer than this ends the connection (`"idle-timeout"`). Whole seconds, because Linux
    /// URLSession truncates timeouts to whole seconds; see ``idleTimeoutSeconds``.
    public var idleTimeout: Duration

    public init(
        initialDelay: Duration = .milliseconds(500),
        maximumDelay: Duration = .seconds(30),
        multiplier: Double = 2,
        maximumHintDelay: Duration = .seconds(600),
        heartbeatInterval: Duration = .seconds(15),
        idleTimeout: Duration = .seconds(35)
    ) {
        self.initialDelay = max(initialDelay, .zero)
        self.maximumDelay = max(maximumDelay, .zero)
        self.multiplier = multiplier.isFinite ? max(multiplier, 1) : 2
        self.maximumHintDelay = max(maximumHintDelay, .zero)
        self.heartbeatInterval = heartbeatInterval
        self.idleTimeout = idleTimeout
    }

    /// The idle timeout in whole seconds (rounded up, at least 1, and at least twice the heartbeat so one
    /// late heartbeat is not fatal): what URLSession's `timeoutInterval` and socket timers should use.
    public var idleTimeoutSeconds: Int {
        let requested = Self.wholeSecondsRoundedUp(idleTimeout)
        let twoHeartbeats = 2 * Self.wholeSecondsRoundedUp(heartbeatInterval)
        return max(1, requested, twoHeartbeats)
    }

    /// The upper bound of the random delay for `attempt` (0 = the first retry): the capped exponential.
    public func delayBound(forAttempt attempt: Int) -> Duration {
        let initial = Self.seconds(initialDelay)
        let cap = Self.seconds(maximumDelay)
        let exponent = max(0, min(attempt, 1_000))
        let bound = min(cap, initial * integerPower(multiplier, exponent))
        return Self.duration(bound.isFinite ? bound : cap)
    }

    /// A full-jitter delay for `attempt`: uniform in `0 ... delayBound(forAttempt: attempt)`.
    ///
    /// - Parameter random: The random source; inject a seeded one in tests.
    public func delay(forAttempt attempt: Int, using random: inout some RandomNumberGenerator) -> Duration {
        let bound = delayBound(forAttempt: attempt)
        let nanoseconds = Self.nanoseconds(bound)
        guard nanoseconds > 0 else { return .zero }
        return .nanoseconds(Int64.random(in: 0...nanoseconds, using: &random))
    }

    /// A full-jitter delay for `attempt` using the system's random source.
    public func delay(forAttempt attempt: Int) -> Duration {
        var random = SystemRandomNumberGenerator()
        return delay(forAttempt: attempt, using: &random)
    }

    /// The delay to honour for a server hint in milliseconds, clamped to `0 ... maximumHintDelay`.
    public func hintDelay(milliseconds: Int) -> Duration {
        min(max(.milliseconds(milliseconds), .zero), maximumHintDelay)
    }

    // MARK: - Duration arithmetic

    static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    static func duration(_ seconds: Double) -> Duration {
        .nanoseconds(Int64((seconds * 1e9).rounded(.down)))
    }

    static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        let (whole, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? .max : whole &+ attoseconds / 1_000_000_000
    }

    static func wholeSecondsRoundedUp(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        return Int(clamping: seconds) + (attoseconds > 0 ? 1 : 0)
    }
}

/// `base` raised to a whole `exponent` by repeated squaring (no Foundation needed for backoff).
private func integerPower(_ base: Double, _ exponent: Int) -> Double {
    var result = 1.0, factor = base, power = exponent
    while power > 0 {
        if power & 1 == 1 { result *= factor }
        if result.isInfinite { return .infinity }
        factor *= factor
        power >>= 1
    }
    return result
}
