/// Limits and policies for ``JSON/init(parsing:options:)-([UInt8],_)``.
///
/// The defaults are strict RFC 8259 with limits that keep hostile input from exhausting the stack
/// or memory. Duplicate object keys are not an error (RFC 8259 leaves them undefined): the **last**
/// value wins and the member keeps the position of its **first** occurrence, the same rule as
/// ``JSONObject`` subscripts and JavaScript's `JSON.parse`.
/// Keys are Swift `String`s, so two spellings of the same text that are canonically equivalent
/// (NFC `"\u00E9"` and NFD `"e\u0301"`) name the same member and count as duplicates.
public struct JSONParseOptions: Sendable, Equatable {
    /// What to do with text that is not well-formed Unicode.
    public enum InvalidUnicodePolicy: Sendable, Equatable {
        /// Fail with ``JSONParseError/Reason/invalidUTF8`` or ``JSONParseError/Reason/loneSurrogate``
        /// (the default: a string that cannot round-trip is data loss, so it is refused).
        case reject
        /// Replace each ill-formed UTF-8 sequence and each unpaired `\uD800`-`\uDFFF` escape with
        /// U+FFFD, as browsers do. Use for logs and other lossy tooling only.
        case replace
    }

    /// The deepest nesting of arrays and objects accepted; deeper input fails with
    /// ``JSONParseError/Reason/tooDeep(limit:)``. The parser is iterative, so large limits cost
    /// heap, never stack.
    public var maximumDepth: Int

    /// The largest input accepted, in bytes; `nil` means no limit. Larger input fails with
    /// ``JSONParseError/Reason/tooLarge(limit:)`` before any parsing work is done.
    public var maximumBytes: Int?

    /// Policy for invalid UTF-8 and lone surrogate escapes. Default ``InvalidUnicodePolicy/reject``.
    public var invalidUnicode: InvalidUnicodePolicy

    public init(maximumDepth: Int = 512, maximumBytes: Int? = nil, invalidUnicode: InvalidUnicodePolicy = .reject) {
        self.maximumDepth = maximumDepth
        self.maximumBytes = maximumBytes
        self.invalidUnicode = invalidUnicode
    }
}
