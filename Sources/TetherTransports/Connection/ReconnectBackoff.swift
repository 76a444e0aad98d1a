/// The reconnect state of one client: which attempt comes next, and when it may reset.
///
/// Call ``nextDelay(connectionLasted:hintMilliseconds:using:)`` each time a connection attempt fails or
/// a connection ends. The attempt counter resets only when the connection that just ended stayed up at
/// least ``ConnectionPolicy/healthyAfter``; a server hint replaces the computed delay.
public struct ReconnectBackoff: Sendable {
    /// The policy that computes delays.
    public var policy: ConnectionPolicy
    /// The attempt the next delay is computed for (0 right after a healthy connection).
    public private(set) var attempt = 0

    public init(policy: ConnectionPolicy = ConnectionPolicy()) {
        self.policy = policy
    }

    /// The delay before the next connection attempt.
    ///
    /// - Parameters:
    ///   - connectionLasted: How long the connection that just ended was up; `nil` if connecting failed.
    ///   - hintMilliseconds: The server's retry hint, if it gave one; it overrides the computed delay.
    ///   - random: The random source for the jitter; inject a seeded one in tests.
    public mutating func nextDelay(
        connectionLasted: Duration?,
        hintMilliseconds: Int? = nil,
        using random: inout some RandomNumberGenerator
    ) -> Duration {
        if let connectionLasted, connectionLasted >= policy.healthyAfter { attempt = 0 }
        let computed = policy.delay(forAttempt: attempt, using: &random)
        attempt = attempt == .max ? attempt : attempt + 1
        guard let hintMilliseconds else { return computed }
        return policy.hintDelay(milliseconds: hintMilliseconds)
    }

    /// The delay before the next attempt, with the system's random source.
    public mutating func nextDelay(connectionLasted: Duration?, hintMilliseconds: Int? = nil) -> Duration {
        var random = SystemRandomNumberGenerator()
        return nextDelay(connectionLasted: connectionLasted, hintMilliseconds: hintMilliseconds, using: &random)
    }

    /// Forgets past failures (for example after the user changed the server address).
    public mutating func reset() {
        attempt = 0
    }
}
