import Foundation

/// A hybrid logical clock (Kulkarni et al., 2014): stamps that follow wall-clock time when it moves
/// forward, yet never go backwards and always exceed every stamp this replica has seen.
///
/// That gives causality ("a write made after seeing another one wins over it") without
/// synchronized clocks, and stays close to real time so that the tombstone horizon can be measured
/// in milliseconds. The clock is a value: keep it in the same isolation as the document it stamps.
public struct HybridLogicalClock: Sendable {
    /// The replica whose writes this clock stamps.
    public let replica: ReplicaID
    /// The largest stamp issued or received so far (``VersionStamp/zero`` initially).
    public private(set) var latest: VersionStamp
    /// When set, ``receive(_:)`` refuses remote stamps more than this many milliseconds ahead of
    /// the local physical clock.
    public var maxDrift: UInt64?
    private let physicalClock: @Sendable () -> UInt64

    /// - Parameters:
    ///   - physicalClock: milliseconds since the epoch; inject a fake one in tests.
    public init(
        replica: ReplicaID,
        maxDrift: UInt64? = nil,
        physicalClock: @escaping @Sendable () -> UInt64 = HybridLogicalClock.systemMilliseconds
    ) {
        self.replica = replica
        self.latest = .zero
        self.maxDrift = maxDrift
        self.physicalClock = physicalClock
    }

    /// The system wall clock in milliseconds since the Unix epoch.
    @Sendable
    public static func systemMilliseconds() -> UInt64 {
        UInt64(max(0, Date().timeIntervalSince1970 * 1000))
    }

    /// A fresh stamp for a local write, greater than every stamp issued or received before.
    public mutating func now() -> VersionStamp {
        let wall = min(physicalClock(), VersionStamp.maxPhysical)
        if wall > latest.physical {
            latest = VersionStamp(unchecked: wall, counter: 0, replica: replica)
        } else {
            latest = Self.successor(physical: latest.physical, counter: latest.counter, replica: replica)
        }
        return latest
    }

    /// Merges a stamp seen on an incoming write, so later local stamps exceed it.
    ///
    /// - Returns: the stamp of the receive event (greater than both `remote` and the previous state).
    /// - Throws: ``ClockError/driftExceeded(remote:localPhysical:maxDrift:)`` when ``maxDrift`` is
    ///   set and `remote` is too far in the future; the clock is then unchanged.
    @discardableResult
    public mutating func receive(_ remote: VersionStamp) throws(ClockError) -> VersionStamp {
        let wall = min(physicalClock(), VersionStamp.maxPhysical)
        if let maxDrift, remote.physical > wall, remote.physical - wall > maxDrift {
            throw .driftExceeded(remote: remote, localPhysical: wall, maxDrift: maxDrift)
        }
        let physical = max(latest.physical, remote.physical, wall)
        if physical == wall && physical > latest.physical && physical > remote.physical {
            latest = VersionStamp(unchecked: physical, counter: 0, replica: replica)
        } else {
            var counter: UInt32 = 0
            if physical == latest.physical { counter = max(counter, latest.counter) }
            if physical == remote.physical { counter = max(counter, remote.counter) }
            latest = Self.successor(physical: physical, counter: counter, replica: replica)
        }
        return latest
    }

    /// The next stamp after (physical, counter); when the 6-digit counter is exhausted the clock
    /// borrows the next millisecond instead of overflowing.
    private static func successor(physical: UInt64, counter: UInt32, replica: ReplicaID) -> VersionStamp {
        if counter < VersionStamp.maxCounter {
            return VersionStamp(unchecked: physical, counter: counter + 1, replica: replica)
        }
        precondition(physical < VersionStamp.maxPhysical, "hybrid logical clock exhausted")
        return VersionStamp(unchecked: physical + 1, counter: 0, replica: replica)
    }
}
