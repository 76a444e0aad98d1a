/// Why and where a JSON text was refused.
///
/// The position points at the first offending byte: ``offset`` is 0-based in bytes, ``line`` and
/// ``column`` are 1-based, lines end at `\n`, and columns count Unicode scalars so that they match
/// what an editor shows. The description reads
/// `line 3, column 14 (byte 52): expected ',' or '}' after object member, found 'x'`.
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The 0-based byte offset of the first offending byte (the input length for a premature end).
    public var offset: Int
    /// The 1-based line of ``offset``.
    public var line: Int
    /// The 1-based column of ``offset``, in Unicode scalars from the start of the line.
    public var column: Int
    /// What was wrong.
    public var reason: Reason

    public init(reason: Reason, offset: Int, line: Int, column: Int) {
        self.reason = reason
        self.offset = offset
        self.line = line
        self.column = column
    }

    public var description: String {
        "line \(line), column \(column) (byte \(offset)): \(reason)"
    }
}

extension JSONParseError {
    /// What the parser was looking for when it met something else.
    public enum Expectation: Sendable, Equatable, CustomStringConvertible {
        /// Any JSON value.
        case value
        /// A string key or `}` right after `{`.
        case keyOrEnd
        /// A string key after `,` in an object.
        case key
        /// `:` after an object key.
        case colon
        /// `,` or `]` after an array element.
        case arrayCommaOrEnd
        /// `,` or `}` after an object member.
        case objectCommaOrEnd
        /// The rest of `true`, `false` or `null`.
        case literal(String)
        /// A digit inside a number.
        case digit
        /// The closing `"` of a string.
        case closingQuote
        /// Four hexadecimal digits after `\u`.
        case hexDigits

        public var description: String {
            switch self {
            case .value: return "a value"
            case .keyOrEnd: return "a string key or '}'"
            case .key: return "a string key after ','"
            case .colon: return "':' after object key"
            case .arrayCommaOrEnd: return "',' or ']' after array element"
            case .objectCommaOrEnd: return "',' or '}' after object member"
            case .literal(let word): return "'\(word)'"
            case .digit: return "a digit"
            case .closingQuote: return "closing '\"' of string"
            case .hexDigits: return "four hex digits after '\\u'"
            }
        }
    }

    /// The kinds of malformed input, each with enough detail for a one-line message.
    public enum Reason: Sendable, Equatable, CustomStringConvertible {
        /// A byte that cannot start or continue the expected token.
        case unexpectedCharacter(UInt8, expected: Expectation)
        /// The input ended while something was still expected.
        case unexpectedEnd(expected: Expectation)
        /// A number that breaks RFC 8259 grammar (leading zero, missing digits, a lone `-`, ...).
        case invalidNumber
        /// A number whose magnitude does not fit a `Double` (such as `1e400`): JSON has no infinity,
        /// so it is refused rather than silently clamped. Underflow rounds to zero and is accepted.
        case numberOutOfRange
        /// A backslash escape other than `\" \\ \/ \b \f \n \r \t \uXXXX`.
        case invalidEscape
        /// Bytes that are not well-formed UTF-8 (with ``JSONParseOptions/InvalidUnicodePolicy/reject``).
        case invalidUTF8
        /// A `\uD800`-`\uDFFF` escape that is not part of a surrogate pair
        /// (with ``JSONParseOptions/InvalidUnicodePolicy/reject``).
        case loneSurrogate
        /// A raw byte below 0x20 inside a string; RFC 8259 requires it to be escaped.
        case controlCharacterInString(UInt8)
        /// Nesting deeper than ``JSONParseOptions/maximumDepth``.
        case tooDeep(limit: Int)
        /// Input longer than ``JSONParseOptions/maximumBytes``.
        case tooLarge(limit: Int)
        /// Something other than whitespace after the top-level value.
        case trailingGarbage

        public var description: String {
            switch self {
            case .unexpectedCharacter(let byte, let expected):
                return "expected \(expected), found \(Self.show(byte))"
            case .unexpectedEnd(let expected):
                return "unexpected end of input, expected \(expected)"
            case .invalidNumber: return "invalid number"
            case .numberOutOfRange: return "number out of range (JSON has no infinity)"
            case .invalidEscape: return "invalid escape sequence in string"
            case .invalidUTF8: return "invalid UTF-8"
            case .loneSurrogate: return "unpaired UTF-16 surrogate escape"
            case .controlCharacterInString(let byte):
                return "unescaped control character \(Self.show(byte)) in string"
            case .tooDeep(let limit): return "nesting deeper than \(limit) levels"
            case .tooLarge(let limit): return "input larger than \(limit) bytes"
            case .trailingGarbage: return "unexpected data after the JSON value"
            }
        }

        /// A byte as a reader wants to see it: `'x'` for printable ASCII, `0x0A` otherwise.
        static func show(_ byte: UInt8) -> String {
            if byte >= 0x21 && byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))'" }
            let hex = String(byte, radix: 16, uppercase: true)
            return "byte 0x" + (hex.count == 1 ? "0" + hex : hex)
        }
    }
}
