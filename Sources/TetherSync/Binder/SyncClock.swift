import Foundation

/// Where a ``RealtimeBinder`` reads time and waits: the wall clock in production, a
/// ``VirtualClock`` in replay so that backoff delays and stamps are deterministic and instant.
public protocol SyncClock: Sendable {
    /// Milliseconds since the Unix epoch (the physical part of version stamps).
    func now() -> UInt64
    /// Waits `milliseconds`; throws `CancellationError` when the task is cancelled.
    func sleep(milliseconds: UInt64) async throws
}

/// The system wall clock and `Task.sleep`.
public struct SystemSyncClock: SyncClock {
    public init() {}

    public func now() -> UInt64 { UInt64(max(0, Date().timeIntervalSince1970 * 1000)) }

    public func sleep(milliseconds: UInt64) async throws {
        try await Task.sleep(nanoseconds: milliseconds.multipliedReportingOverflow(by: 1_000_000).partialValue)
    }
}
