/// A JSON number that remembers whether it was written as an integer.
///
/// Integers that fit `Int64` stay exact (ids and counters must not drift through `Double`), all other
/// numbers are `Double`. Equality and hashing are by mathematical value: `.int(1) == .double(1.0)`,
/// and an `Int64` beyond 2^53 equals only the `Double` that represents it exactly.
@frozen
public enum JSONNumber: Sendable {
    case int(Int64)
    case double(Double)

    /// The exact integer value, if the number is integral and within `Int64`.
    @inlinable
    public var int64Value: Int64? {
        switch self {
        case .int(let i): return i
        case .double(let d): return Int64(exactly: d)
        }
    }

    /// The value as a `Double` (an `Int64` beyond 2^53 rounds to the nearest representable value).
    @inlinable
    public var doubleValue: Double {
        switch self {
        case .int(let i): return Double(i)
        case .double(let d): return d
        }
    }
}

extension JSONNumber: Hashable {
    @inlinable
    public static func == (lhs: JSONNumber, rhs: JSONNumber) -> Bool {
        switch (lhs, rhs) {
        case let (.int(a), .int(b)): return a == b
        // NaN equals NaN, so equality stays reflexive (as `Hashable` requires; a NaN cannot come
        // from JSON text, only from code).
        case let (.double(a), .double(b)): return a == b || (a.isNaN && b.isNaN)
        case let (.int(a), .double(b)), let (.double(b), .int(a)):
            // Exact comparison: no rounding of large integers through Double.
            guard let exact = Int64(exactly: b) else { return false }
            return exact == a
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .int(let i):
            hasher.combine(i)
        case .double(let d):
            if let exact = Int64(exactly: d) { hasher.combine(exact) } else { hasher.combine(d) }
        }
    }
}

extension JSONNumber: Comparable {
    /// Numeric order; exact for integers, IEEE order for doubles (NaN never occurs in parsed JSON).
    @inlinable
    public static func < (lhs: JSONNumber, rhs: JSONNumber) -> Bool {
        switch (lhs, rhs) {
        case let (.int(a), .int(b)): return a < b
        default: return lhs.doubleValue < rhs.doubleValue
        }
    }
}
