/// Why a hybrid logical clock refused a remote stamp.
public enum ClockError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The remote stamp is further ahead of the local wall clock than the configured maximum drift:
    /// accepting it would drag every later local stamp into the future.
    case driftExceeded(remote: VersionStamp, localPhysical: UInt64, maxDrift: UInt64)

    public var description: String {
        switch self {
        case let .driftExceeded(remote, local, maxDrift):
            return "stamp \(remote) is \(remote.physical - local) ms ahead of the local clock (max drift \(maxDrift) ms)"
        }
    }
}
