/// A clock that only moves when told to: replayed delays and the binder's backoff sleeps advance it
/// instantly, so a replay of an hour-long session with reconnects takes milliseconds and yields the
/// same stamps every time.
public final class VirtualClock: SyncClock {
    private let milliseconds: Locked<UInt64>

    /// - Parameter start: milliseconds since the Unix epoch.
    public init(start: UInt64) { milliseconds = Locked(start) }

    public func now() -> UInt64 { milliseconds.withLock { $0 } }

    /// Moves time forward.
    public func advance(by delta: UInt64) { milliseconds.withLock { $0 += delta } }

    /// Advances time by `milliseconds` at once (after yielding, so other tasks make progress).
    public func sleep(milliseconds delta: UInt64) async throws {
        try Task.checkCancellation()
        advance(by: delta)
        await Task.yield()
    }
}
