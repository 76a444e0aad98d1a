/// Why a JSON Pointer could not be parsed (syntax) or could not select a value (evaluation).
///
/// The two families are kept apart because callers react differently: a syntax error is a bug in
/// whoever wrote the pointer, an evaluation error only says the document does not have that shape.
public enum JSONPointerError: Error, Sendable, Hashable, CustomStringConvertible {
    // MARK: Syntax

    /// A non-empty pointer must start with `/` (no whitespace trimming, no `#` in the string form).
    case missingLeadingSlash(pointer: String)
    /// `~` must be followed by `0` or `1`; `offset` is the byte offset of the `~`.
    case invalidEscape(pointer: String, offset: Int)
    /// A URI-fragment pointer must start with `#`.
    case missingFragmentHash(fragment: String)
    /// `%` not followed by two hex digits; `offset` is the byte offset of the `%`.
    case invalidPercentEncoding(fragment: String, offset: Int)
    /// The percent-decoded fragment is not valid UTF-8.
    case invalidUTF8(fragment: String)
    /// A character outside the RFC 3986 fragment rule appears unencoded.
    case unencodedCharacter(fragment: String, offset: Int)

    // MARK: Evaluation

    /// An object has no member named by the last token of `pointer`.
    case memberNotFound(pointer: JSONPointer)
    /// The last token of `pointer` is not an RFC 6901 array index (digits, no leading zeros).
    case invalidArrayIndex(pointer: JSONPointer)
    /// The last token of `pointer` is an index at or past the end of an array of `count` elements.
    case indexOutOfBounds(pointer: JSONPointer, count: Int)
    /// The last token of `pointer` is `-`, which names the (nonexistent) element after the last one.
    case pastTheEnd(pointer: JSONPointer)
    /// `pointer` descends into a scalar (`type` is its JSON type name).
    case notAContainer(pointer: JSONPointer, type: String)

    /// `true` for malformed pointers, `false` for well-formed pointers the document does not satisfy.
    public var isSyntaxError: Bool {
        switch self {
        case .missingLeadingSlash, .invalidEscape, .missingFragmentHash, .invalidPercentEncoding, .invalidUTF8,
            .unencodedCharacter:
            return true
        case .memberNotFound, .invalidArrayIndex, .indexOutOfBounds, .pastTheEnd, .notAContainer:
            return false
        }
    }

    public var description: String {
        switch self {
        case .missingLeadingSlash(let p):
            return "invalid JSON pointer \(quoted(p)): must be empty or start with '/'"
        case .invalidEscape(let p, let offset):
            return "invalid JSON pointer \(quoted(p)): '~' at byte \(offset) must be followed by '0' or '1'"
        case .missingFragmentHash(let f):
            return "invalid JSON pointer fragment \(quoted(f)): must start with '#'"
        case .invalidPercentEncoding(let f, let offset):
            return "invalid JSON pointer fragment \(quoted(f)): bad percent-encoding at byte \(offset)"
        case .invalidUTF8(let f):
            return "invalid JSON pointer fragment \(quoted(f)): percent-decoded bytes are not UTF-8"
        case .unencodedCharacter(let f, let offset):
            return "invalid JSON pointer fragment \(quoted(f)): character at byte \(offset) must be percent-encoded"
        case .memberNotFound(let p):
            return "no member at \(quoted(p.description))"
        case .invalidArrayIndex(let p):
            return "\(quoted(p.lastToken ?? "")) is not an array index in \(quoted(p.description))"
        case .indexOutOfBounds(let p, let count):
            return "array index out of bounds at \(quoted(p.description)) (array has \(count) elements)"
        case .pastTheEnd(let p):
            return "'-' names no existing element at \(quoted(p.description))"
        case .notAContainer(let p, let type):
            return "cannot descend into a \(type) at \(quoted(p.parent?.description ?? ""))"
        }
    }
}

/// A string in double quotes with control characters and quotes escaped, for one-line messages.
func quoted(_ s: String) -> String {
    var out = "\""
    for scalar in s.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        default:
            if scalar.value < 0x20 || scalar.value == 0x7F {
                out += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count)
                    + String(scalar.value, radix: 16)
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
    }
    return out + "\""
}
