// Parsing and printing the two textual forms of RFC 6901: the JSON-string form ("/a~1b") and the
// URI-fragment form ("#/a~1b", percent-encoded UTF-8).

extension JSONPointer {
    /// Parses the JSON-string form (`""`, `"/foo/0"`, `"/a~1b"`).
    ///
    /// - Throws: ``JSONPointerError/missingLeadingSlash(pointer:)`` or
    ///   ``JSONPointerError/invalidEscape(pointer:offset:)`` — only syntax errors.
    public init(_ string: String) throws(JSONPointerError) {
        var copy = string
        let parsed = copy.withUTF8 { Self.parseTokens($0) }
        switch parsed {
        case .success(let tokens): self.init(tokens: tokens)
        case .failure(.leadingSlash): throw .missingLeadingSlash(pointer: string)
        case .failure(.escape(let offset)): throw .invalidEscape(pointer: string, offset: offset)
        }
    }

    /// Parses the URI-fragment form (`"#"`, `"#/foo/0"`, `"#/c%25d"`): the `#`, then percent-encoded
    /// UTF-8 that decodes to the JSON-string form.
    ///
    /// Strict RFC 3986: characters outside the fragment rule (space, `^`, `"`, non-ASCII, ...) must be
    /// percent-encoded.
    public init(uriFragment: String) throws(JSONPointerError) {
        let bytes = Array(uriFragment.utf8)
        guard bytes.first == UInt8(ascii: "#") else { throw .missingFragmentHash(fragment: uriFragment) }
        var decoded: [UInt8] = []
        decoded.reserveCapacity(bytes.count)
        var i = 1
        while i < bytes.count {
            let byte = bytes[i]
            if byte == UInt8(ascii: "%") {
                guard i + 2 < bytes.count, let high = hexValue(bytes[i + 1]), let low = hexValue(bytes[i + 2]) else {
                    throw .invalidPercentEncoding(fragment: uriFragment, offset: i)
                }
                decoded.append(high << 4 | low)
                i += 3
            } else {
                guard isFragmentByte(byte) else { throw .unencodedCharacter(fragment: uriFragment, offset: i) }
                decoded.append(byte)
                i += 1
            }
        }
        // Decoding replaces ill-formed sequences (overlong forms, lone bytes) with U+FFFD, so a
        // round trip that changes the bytes means the octets were not UTF-8.
        let pointer = String(decoding: decoded, as: UTF8.self)
        guard pointer.utf8.elementsEqual(decoded) else { throw .invalidUTF8(fragment: uriFragment) }
        try self.init(pointer)
    }

    /// The URI-fragment form: `#` followed by the JSON-string form, percent-encoding every byte the
    /// RFC 3986 fragment rule does not allow raw (and `%` itself).
    public var uriFragment: String {
        var out: [UInt8] = [UInt8(ascii: "#")]
        let hex = Array("0123456789ABCDEF".utf8)
        for byte in description.utf8 {
            if isFragmentByte(byte) {
                out.append(byte)
            } else {
                out.append(UInt8(ascii: "%"))
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0xF)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    enum SyntaxFailure: Error {
        case leadingSlash
        case escape(offset: Int)
    }

    /// Splits UTF-8 bytes of the JSON-string form into decoded tokens. Tokens without `~` are
    /// sliced straight from the input (short ones stay inline in `String`, no allocation).
    static func parseTokens(_ bytes: UnsafeBufferPointer<UInt8>) -> Result<[String], SyntaxFailure> {
        if bytes.isEmpty { return .success([]) }
        guard bytes[0] == UInt8(ascii: "/") else { return .failure(.leadingSlash) }
        var tokens: [String] = []
        var start = 1
        var escaped = false
        var i = 1
        while true {
            if i == bytes.count || bytes[i] == UInt8(ascii: "/") {
                let slice = UnsafeBufferPointer(rebasing: bytes[start..<i])
                tokens.append(escaped ? unescape(slice) : String(decoding: slice, as: UTF8.self))
                if i == bytes.count { break }
                start = i + 1
                escaped = false
            } else if bytes[i] == UInt8(ascii: "~") {
                guard i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "0") || bytes[i + 1] == UInt8(ascii: "1") else {
                    return .failure(.escape(offset: i))
                }
                escaped = true
                i += 1
            }
            i += 1
        }
        return .success(tokens)
    }

    /// Decodes `~1` to `/` and `~0` to `~` in one left-to-right pass (so `~01` is `~1`, not `/`).
    private static func unescape(_ slice: UnsafeBufferPointer<UInt8>) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(slice.count)
        var i = 0
        while i < slice.count {
            if slice[i] == UInt8(ascii: "~") {
                out.append(slice[i + 1] == UInt8(ascii: "0") ? UInt8(ascii: "~") : UInt8(ascii: "/"))
                i += 2
            } else {
                out.append(slice[i])
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}

private func hexValue(_ byte: UInt8) -> UInt8? {
    switch byte {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
    default: return nil
    }
}

/// RFC 3986 `fragment = *( pchar / "/" / "?" )` without `pct-encoded` (handled by the caller).
private func isFragmentByte(_ byte: UInt8) -> Bool {
    switch byte {
    case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
        return true
    default:
        // unreserved "-._~", sub-delims "!$&'()*+,;=", and ":@/?".
        return "-._~!$&'()*+,;=:@/?".utf8.contains(byte)
    }
}
