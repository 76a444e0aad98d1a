/// How ``JSON/serialized(options:)`` lays out its output.
///
/// The default is compact (no whitespace) in each object's insertion order.
public struct JSONWriteOptions: OptionSet, Sendable, Hashable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }

    /// Two-space indentation, one member or element per line, `": "` after keys. Empty containers
    /// stay on one line (`[]`, `{}`).
    public static let prettyPrinted = JSONWriteOptions(rawValue: 1 << 0)

    /// Object members ordered by the UTF-8 bytes of their keys (the same as Unicode code point
    /// order, and as Python's `sort_keys`), not by `String`'s locale-free `<`, which normalizes.
    /// Compact + sorted is the canonical form replicas compare byte for byte.
    public static let sortedKeys = JSONWriteOptions(rawValue: 1 << 1)
}
