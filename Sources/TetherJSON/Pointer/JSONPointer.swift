/// An RFC 6901 JSON Pointer: a path of reference tokens selecting one value inside a document.
///
/// A pointer is parsed once into its decoded tokens (`~0`/`~1` already unescaped), so applying it
/// many times — a patch stream, a model binding — never re-parses text. Tokens compare by Unicode
/// code points as RFC 6901 requires (not by Swift's canonical equivalence): `"/\u{E9}"` and
/// `"/e\u{301}"` are different pointers.
///
/// ```swift
/// let pointer = try JSONPointer("/todos/0/title")
/// let title = try pointer.evaluate(in: document)
/// ```
public struct JSONPointer: Sendable {
    /// The decoded reference tokens; empty for the whole document.
    public let tokens: [String]

    /// The pointer to the whole document (`""`).
    public static let root = JSONPointer(tokens: [])

    /// A pointer from already-decoded tokens (no escaping needed: `"a/b"` is one token).
    @inlinable
    public init(tokens: [String]) {
        self.tokens = tokens
    }

    /// `true` for the empty pointer, which selects the whole document.
    @inlinable public var isRoot: Bool { tokens.isEmpty }

    /// The last token, or `nil` for the root.
    @inlinable public var lastToken: String? { tokens.last }

    /// The pointer to the container of the selected value, or `nil` for the root.
    public var parent: JSONPointer? {
        tokens.isEmpty ? nil : JSONPointer(tokens: Array(tokens.dropLast()))
    }

    /// This pointer extended by one (unescaped) token.
    public func appending(_ token: String) -> JSONPointer {
        var tokens = tokens
        tokens.append(token)
        return JSONPointer(tokens: tokens)
    }

    /// This pointer extended by an array index.
    public func appending(index: Int) -> JSONPointer {
        appending(String(index))
    }

    /// `true` when `other` selects a value strictly inside the value this pointer selects.
    public func isProperPrefix(of other: JSONPointer) -> Bool {
        guard tokens.count < other.tokens.count else { return false }
        for i in tokens.indices where !sameToken(tokens[i], other.tokens[i]) { return false }
        return true
    }
}

/// Code-point (byte-for-byte UTF-8) token equality, as RFC 6901 section 4 requires.
@inline(__always)
func sameToken(_ a: String, _ b: String) -> Bool {
    // Identical representations (the same small-string bytes, or the same storage) are equal.
    if JSONObject.identical(a, b) { return true }
    guard a.utf8.count == b.utf8.count else { return false }
    // Native strings (including small ones) expose contiguous UTF-8: compare buffers directly.
    let fast = a.utf8.withContiguousStorageIfAvailable { left in
        b.utf8.withContiguousStorageIfAvailable { right in left.elementsEqual(right) }
    }
    if let fast, let equal = fast { return equal }
    return a.utf8.elementsEqual(b.utf8)
}

extension JSONPointer: Hashable {
    public static func == (lhs: JSONPointer, rhs: JSONPointer) -> Bool {
        guard lhs.tokens.count == rhs.tokens.count else { return false }
        for i in lhs.tokens.indices where !sameToken(lhs.tokens[i], rhs.tokens[i]) { return false }
        return true
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(tokens.count)
        for token in tokens {
            hasher.combine(token.utf8.count)
            for byte in token.utf8 { hasher.combine(byte) }
        }
    }
}

extension JSONPointer: CustomStringConvertible {
    /// The JSON-string form, with `~` escaped as `~0` and `/` as `~1` (`""` for the root).
    public var description: String {
        var out = ""
        for token in tokens {
            out += "/"
            if token.utf8.contains(where: { $0 == UInt8(ascii: "~") || $0 == UInt8(ascii: "/") }) {
                for scalar in token.unicodeScalars {
                    switch scalar {
                    case "~": out += "~0"
                    case "/": out += "~1"
                    default: out.unicodeScalars.append(scalar)
                    }
                }
            } else {
                out += token
            }
        }
        return out
    }
}
