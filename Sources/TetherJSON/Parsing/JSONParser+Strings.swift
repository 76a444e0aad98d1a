// Strings: a word-at-a-time scan for the common case (ASCII without escapes), then a byte-wise
// path that validates UTF-8 and decodes escapes into a reused scratch buffer.

extension JSONParser {
    private static let ones: UInt64 = 0x0101_0101_0101_0101
    private static let highs: UInt64 = 0x8080_8080_8080_8080

    /// A mask with the high bit set in each byte of `word` that is `"`, `\`, a control character
    /// or non-ASCII. Bytes above the first flagged one may be flagged spuriously (borrows), but the
    /// lowest flagged byte is always exact, which is all the scan needs.
    @inline(__always)
    static func attentionMask(_ word: UInt64) -> UInt64 {
        let quote = word ^ (ones &* 0x22)
        let backslash = word ^ (ones &* 0x5C)
        let zeroQuote = (quote &- ones) & ~quote
        let zeroBackslash = (backslash &- ones) & ~backslash
        let control = (word &- ones &* 0x20) & ~word
        return (zeroQuote | zeroBackslash | control | word) & highs
    }

    /// Parses a string; `pos` is at the opening quote and ends after the closing quote.
    @inline(__always)
    mutating func parseString() throws(JSONParseError) -> String {
        pos += 1
        let start = pos
        if let base = bytes.baseAddress {
            let raw = UnsafeRawPointer(base)
            // Eight bytes at a time up to the first byte that needs a closer look.
            while pos + 8 <= count {
                let mask = Self.attentionMask(UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: pos, as: UInt64.self)))
                if mask == 0 {
                    pos += 8
                    continue
                }
                pos += mask.trailingZeroBitCount >> 3
                if bytes[pos] == UInt8(ascii: "\"") {
                    return finishASCIIString(from: start)
                }
                return try parseStringSlowly(from: start)
            }
        }
        while pos < count {
            let byte = bytes[pos]
            if byte == UInt8(ascii: "\"") {
                return finishASCIIString(from: start)
            }
            if byte == UInt8(ascii: "\\") || byte < 0x20 || byte >= 0x80 {
                return try parseStringSlowly(from: start)
            }
            pos += 1
        }
        throw makeError(.unexpectedEnd(expected: .closingQuote), at: count)
    }

    /// Makes the string `bytes[start..<pos]` (plain ASCII, `pos` at the closing quote) and moves
    /// past the quote. Short strings come from the document's cache of repeated strings.
    @inline(__always)
    mutating func finishASCIIString(from start: Int) -> String {
        let end = pos
        pos += 1
        lastStringStart = start
        lastStringWasASCII = true
        let length = end - start
        if length > 0 && length <= ShortStringCache.maximumLength {
            return shortStrings.string(for: Self.fingerprint(bytes, from: start, to: end)) {
                String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
            }
        }
        return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
    }

    /// The byte-wise path: `pos` is at the first byte that is not plain ASCII in the string that
    /// began at `start`.
    mutating func parseStringSlowly(from start: Int) throws(JSONParseError) -> String {
        var decoded = false
        lastStringWasASCII = false
        var segment = start
        let validate = options.invalidUnicode == .reject
        while pos < count {
            let byte = bytes[pos]
            if byte == UInt8(ascii: "\"") {
                let string: String
                if decoded {
                    scratch.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[segment..<pos]))
                    string = String(decoding: scratch, as: UTF8.self)
                } else {
                    string = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<pos]), as: UTF8.self)
                }
                pos += 1
                return string
            } else if byte == UInt8(ascii: "\\") {
                if !decoded {
                    decoded = true
                    scratch.removeAll(keepingCapacity: true)
                }
                scratch.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[segment..<pos]))
                try decodeEscape()
                segment = pos
            } else if byte < 0x20 {
                throw makeError(.controlCharacterInString(byte), at: pos)
            } else if byte < 0x80 || !validate {
                pos += 1
            } else {
                try skipUTF8Sequence()
            }
        }
        throw makeError(.unexpectedEnd(expected: .closingQuote), at: count)
    }

    /// Checks one multi-byte UTF-8 sequence at `pos` (Unicode Table 3-7: no overlongs, no
    /// surrogates, nothing above U+10FFFF) and moves past it.
    @inline(__always)
    mutating func skipUTF8Sequence() throws(JSONParseError) {
        let lead = bytes[pos]
        var length = 0
        var low: UInt8 = 0x80
        var high: UInt8 = 0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; low = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; high = 0x9F
        case 0xF0: length = 4; low = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; high = 0x8F
        default: throw makeError(.invalidUTF8, at: pos)
        }
        guard pos + length <= count else { throw makeError(.invalidUTF8, at: pos) }
        let second = bytes[pos + 1]
        guard second >= low && second <= high else { throw makeError(.invalidUTF8, at: pos) }
        for i in 2..<length where bytes[pos + i] & 0xC0 != 0x80 {
            throw makeError(.invalidUTF8, at: pos)
        }
        pos += length
    }

    /// Decodes the escape at `pos` (a backslash) into `scratch` and moves past it.
    mutating func decodeEscape() throws(JSONParseError) {
        let escapeStart = pos
        guard pos + 1 < count else { throw makeError(.unexpectedEnd(expected: .closingQuote), at: count) }
        let code = bytes[pos + 1]
        pos += 2
        switch code {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): scratch.append(code)
        case UInt8(ascii: "b"): scratch.append(0x08)
        case UInt8(ascii: "f"): scratch.append(0x0C)
        case UInt8(ascii: "n"): scratch.append(0x0A)
        case UInt8(ascii: "r"): scratch.append(0x0D)
        case UInt8(ascii: "t"): scratch.append(0x09)
        case UInt8(ascii: "u"):
            let unit = try readHex4()
            var scalar = UInt32(unit)
            if unit >= 0xD800 && unit <= 0xDBFF {
                // A high surrogate must be followed by an escaped low surrogate.
                if pos + 1 < count, bytes[pos] == UInt8(ascii: "\\"), bytes[pos + 1] == UInt8(ascii: "u") {
                    let save = pos
                    pos += 2
                    let next = try readHex4()
                    if next >= 0xDC00 && next <= 0xDFFF {
                        scalar = 0x10000 + ((UInt32(unit) - 0xD800) << 10) + (UInt32(next) - 0xDC00)
                    } else {
                        pos = save
                        try loneSurrogate(at: escapeStart)
                        return
                    }
                } else {
                    try loneSurrogate(at: escapeStart)
                    return
                }
            } else if unit >= 0xDC00 && unit <= 0xDFFF {
                try loneSurrogate(at: escapeStart)
                return
            }
            appendUTF8(scalar)
        default:
            throw makeError(.invalidEscape, at: escapeStart)
        }
    }

    /// Rejects an unpaired surrogate, or writes U+FFFD under the replacing policy.
    mutating func loneSurrogate(at offset: Int) throws(JSONParseError) {
        guard options.invalidUnicode == .replace else { throw makeError(.loneSurrogate, at: offset) }
        appendUTF8(0xFFFD)
    }

    /// Reads four hex digits at `pos`.
    mutating func readHex4() throws(JSONParseError) -> UInt16 {
        var value: UInt16 = 0
        for _ in 0..<4 {
            guard pos < count else { throw makeError(.unexpectedEnd(expected: .hexDigits), at: count) }
            let byte = bytes[pos]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte &- UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte &- UInt8(ascii: "a") &+ 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte &- UInt8(ascii: "A") &+ 10
            default: throw makeError(.invalidEscape, at: pos)
            }
            value = value << 4 | UInt16(digit)
            pos += 1
        }
        return value
    }

    @inline(__always)
    mutating func appendUTF8(_ scalar: UInt32) {
        switch scalar {
        case 0..<0x80:
            scratch.append(UInt8(scalar))
        case 0x80..<0x800:
            scratch.append(UInt8(0xC0 | scalar >> 6))
            scratch.append(UInt8(0x80 | scalar & 0x3F))
        case 0x800..<0x10000:
            scratch.append(UInt8(0xE0 | scalar >> 12))
            scratch.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            scratch.append(UInt8(0x80 | scalar & 0x3F))
        default:
            scratch.append(UInt8(0xF0 | scalar >> 18))
            scratch.append(UInt8(0x80 | scalar >> 12 & 0x3F))
            scratch.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            scratch.append(UInt8(0x80 | scalar & 0x3F))
        }
    }
}
