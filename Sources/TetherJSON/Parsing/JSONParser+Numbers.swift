// Numbers: strict RFC 8259 grammar, an exact Int64 fast path, Clinger's exact fast path for
// short decimals, and the standard library's correctly rounded conversion for everything else.

/// Powers of ten that are exact in a `Double` (10^0 ... 10^22).
private let exactPowersOfTen: [Double] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
]

extension JSONParser {
    /// Parses a number at `pos` (a `-` or a digit).
    ///
    /// Integers that fit `Int64` become ``JSONNumber/int(_:)``; `-0` becomes `.double(-0.0)` so the
    /// sign survives a round trip; other numbers become `Double`, correctly rounded. Magnitudes
    /// beyond `Double` fail with ``JSONParseError/Reason/numberOutOfRange``.
    @inline(__always)
    mutating func parseNumber() throws(JSONParseError) -> JSONNumber {
        let start = pos
        var negative = false
        if bytes[pos] == UInt8(ascii: "-") {
            negative = true
            pos += 1
        }
        guard pos < count else { throw makeError(.unexpectedEnd(expected: .digit), at: count) }

        var mantissa: UInt64 = 0
        var significant = 0  // digits in `mantissa` (leading zeros excluded)
        var truncated = false  // more than 19 significant digits: slow path
        var exponent = 0

        let first = bytes[pos]
        if first == UInt8(ascii: "0") {
            pos += 1
            if pos < count, bytes[pos] &- UInt8(ascii: "0") < 10 {
                throw makeError(.invalidNumber, at: pos)  // leading zero
            }
        } else if first &- UInt8(ascii: "1") < 9 {
            while pos < count {
                let digit = bytes[pos] &- UInt8(ascii: "0")
                guard digit < 10 else { break }
                if significant < 19 {
                    mantissa = mantissa &* 10 &+ UInt64(digit)
                    significant += 1
                } else {
                    truncated = true
                }
                pos += 1
            }
        } else {
            throw makeError(.unexpectedCharacter(first, expected: .digit), at: pos)
        }

        var integral = true
        if pos < count, bytes[pos] == UInt8(ascii: ".") {
            integral = false
            pos += 1
            try requireDigit()
            while pos < count {
                let digit = bytes[pos] &- UInt8(ascii: "0")
                guard digit < 10 else { break }
                if mantissa == 0 && digit == 0 {
                    exponent -= 1
                } else if significant < 19 {
                    mantissa = mantissa &* 10 &+ UInt64(digit)
                    significant += 1
                    exponent -= 1
                } else {
                    truncated = true
                }
                pos += 1
            }
        }

        if pos < count, bytes[pos] | 0x20 == UInt8(ascii: "e") {
            integral = false
            pos += 1
            var negativeExponent = false
            if pos < count, bytes[pos] == UInt8(ascii: "+") || bytes[pos] == UInt8(ascii: "-") {
                negativeExponent = bytes[pos] == UInt8(ascii: "-")
                pos += 1
            }
            try requireDigit()
            var value = 0
            while pos < count {
                let digit = bytes[pos] &- UInt8(ascii: "0")
                guard digit < 10 else { break }
                if value < 1_000_000 { value = value * 10 + Int(digit) }
                pos += 1
            }
            exponent += negativeExponent ? -value : value
        }

        if integral && !truncated {
            if mantissa == 0 {
                return negative ? .double(-0.0) : .int(0)
            }
            if negative {
                if mantissa <= UInt64(Int64.max) + 1 { return .int(Int64(bitPattern: 0 &- mantissa)) }
            } else if mantissa <= UInt64(Int64.max) {
                return .int(Int64(mantissa))
            }
        }

        if !truncated {
            if mantissa == 0 { return .double(negative ? -0.0 : 0.0) }
            // Clinger: both operands exact, so one IEEE operation rounds correctly.
            if mantissa <= 1 << 53 && exponent >= -22 && exponent <= 22 {
                var value = Double(mantissa)
                if exponent < 0 {
                    value /= exactPowersOfTen[-exponent]
                } else {
                    value *= exactPowersOfTen[exponent]
                }
                return .double(negative ? -value : value)
            }
        }
        return try parseNumberSlowly(from: start)
    }

    /// Correctly rounded conversion of the already validated text `bytes[start..<pos]`.
    mutating func parseNumberSlowly(from start: Int) throws(JSONParseError) -> JSONNumber {
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<pos]), as: UTF8.self)
        guard let value = Double(text) else { throw makeError(.invalidNumber, at: start) }
        guard value.isFinite else { throw makeError(.numberOutOfRange, at: start) }
        return .double(value)
    }

    @inline(__always)
    mutating func requireDigit() throws(JSONParseError) {
        guard pos < count else { throw makeError(.unexpectedEnd(expected: .digit), at: count) }
        guard bytes[pos] &- UInt8(ascii: "0") < 10 else {
            throw makeError(.unexpectedCharacter(bytes[pos], expected: .digit), at: pos)
        }
    }
}
