/// A hybrid logical clock value naming one write: physical milliseconds, a logical counter and the
/// writer's replica id.
///
/// Stamps are totally ordered by that tuple, which is what makes last-writer-wins deterministic on
/// every replica. The wire form `"<ms as 15 digits>-<counter as 6 digits>-<replica>"` has fixed
/// widths so that comparing the strings byte by byte gives the same order.
public struct VersionStamp: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Milliseconds since the Unix epoch (or the clock's own epoch in tests).
    public let physical: UInt64
    /// Orders writes within one millisecond.
    public let counter: UInt32
    /// The writer.
    public let replica: ReplicaID

    /// The largest physical value the 15-digit wire form can carry.
    public static let maxPhysical: UInt64 = 999_999_999_999_999
    /// The largest counter the 6-digit wire form can carry.
    public static let maxCounter: UInt32 = 999_999

    /// Builds a stamp, checking that it fits the wire form.
    public init(physical: UInt64, counter: UInt32, replica: ReplicaID) throws(VersionStampError) {
        guard physical <= Self.maxPhysical else { throw .physicalOutOfRange(physical) }
        guard counter <= Self.maxCounter else { throw .counterOutOfRange(counter) }
        self.init(unchecked: physical, counter: counter, replica: replica)
    }

    init(unchecked physical: UInt64, counter: UInt32, replica: ReplicaID) {
        self.physical = physical
        self.counter = counter
        self.replica = replica
    }

    /// Below every real stamp (its replica id is empty): the stamp of nodes no write created.
    public static let zero = VersionStamp(unchecked: 0, counter: 0, replica: ReplicaID(unchecked: ""))

    /// Whether this is ``zero``.
    public var isZero: Bool { self == .zero }

    public static func < (lhs: VersionStamp, rhs: VersionStamp) -> Bool {
        if lhs.physical != rhs.physical { return lhs.physical < rhs.physical }
        if lhs.counter != rhs.counter { return lhs.counter < rhs.counter }
        return lhs.replica < rhs.replica
    }

    /// The wire form, e.g. `001732645000000-000003-alice`.
    public var description: String {
        var bytes = [UInt8]()
        bytes.reserveCapacity(23 + replica.rawValue.utf8.count)
        Self.appendDigits(physical, width: 15, to: &bytes)
        bytes.append(UInt8(ascii: "-"))
        Self.appendDigits(UInt64(counter), width: 6, to: &bytes)
        bytes.append(UInt8(ascii: "-"))
        bytes.append(contentsOf: replica.rawValue.utf8)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Same as ``description``: the string carried in a versioned op's `"stamp"` member.
    public var wireString: String { description }

    private static func appendDigits(_ value: UInt64, width: Int, to bytes: inout [UInt8]) {
        let start = bytes.count
        var rest = value
        for _ in 0..<width {
            bytes.append(UInt8(ascii: "0") + UInt8(rest % 10))
            rest /= 10
        }
        bytes[start...].reverse()
    }

    /// Parses the wire form.
    ///
    /// - Throws: ``VersionStampError/invalidFormat(_:)`` unless the text is exactly 15 digits, `-`,
    ///   6 digits, `-` and a valid replica id; ``VersionStampError/invalidReplica(_:)`` for a bad id.
    public init(parsing text: String) throws(VersionStampError) {
        var utf8 = Array(text.utf8)
        guard utf8.count >= 23, utf8[15] == UInt8(ascii: "-"), utf8[22] == UInt8(ascii: "-") else {
            throw .invalidFormat(text)
        }
        guard let physical = Self.digits(utf8[0..<15]), let counter = Self.digits(utf8[16..<22]) else {
            throw .invalidFormat(text)
        }
        utf8.removeFirst(23)
        guard ReplicaID.isValid(utf8) else { throw .invalidReplica(String(decoding: utf8, as: UTF8.self)) }
        self.init(
            unchecked: physical, counter: UInt32(counter),
            replica: ReplicaID(unchecked: String(decoding: utf8, as: UTF8.self)))
    }

    private static func digits(_ bytes: ArraySlice<UInt8>) -> UInt64? {
        var value: UInt64 = 0
        for byte in bytes {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + UInt64(byte - UInt8(ascii: "0"))
        }
        return value
    }
}
