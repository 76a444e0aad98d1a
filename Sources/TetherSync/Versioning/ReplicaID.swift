/// The name of one writer (a client or a server process) inside version stamps.
///
/// Replica ids break ties between writes made in the same millisecond with the same counter, so
/// they must be unique per writer. They are restricted to 1–64 characters of `[A-Za-z0-9_.:-]` so
/// that the wire form of a stamp needs no escaping and byte order equals tuple order.
public struct ReplicaID: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The validated text of the id.
    public let rawValue: String

    /// The longest accepted replica id, in bytes.
    public static let maxLength = 64

    /// Validates `rawValue`.
    ///
    /// - Throws: ``VersionStampError/invalidReplica(_:)`` when it is empty, too long or uses other
    ///   characters than `[A-Za-z0-9_.:-]`.
    public init(_ rawValue: String) throws(VersionStampError) {
        guard Self.isValid(rawValue.utf8) else { throw .invalidReplica(rawValue) }
        self.rawValue = rawValue
    }

    /// An id that skips validation: only for the zero stamp and for already-validated bytes.
    init(unchecked rawValue: String) {
        self.rawValue = rawValue
    }

    /// Whether `bytes` form a valid replica id.
    static func isValid<C: Collection<UInt8>>(_ bytes: C) -> Bool {
        guard !bytes.isEmpty, bytes.count <= maxLength else { return false }
        return bytes.allSatisfy(isAllowed)
    }

    @inline(__always)
    static func isAllowed(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "."),
            UInt8(ascii: ":"), UInt8(ascii: "-"):
            return true
        default:
            return false
        }
    }

    public var description: String { rawValue }

    /// Byte order, which is what the fixed-width wire form of a stamp sorts by.
    public static func < (lhs: ReplicaID, rhs: ReplicaID) -> Bool {
        lhs.rawValue.utf8.lexicographicallyPrecedes(rhs.rawValue.utf8)
    }
}
