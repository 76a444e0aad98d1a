/// Writes ``JSON`` values as UTF-8 into a byte buffer.
///
/// Strings escape only what RFC 8259 requires (`"`, `\` and control characters, with the short
/// forms `\n \r \t \b \f` where they exist) and keep all other text as raw UTF-8. Integers print
/// without a fraction; doubles print in the shortest form that parses back to the same bits
/// (`0.1`, `1e+20`, `-0.0`). JSON has no NaN or infinity, so a non-finite double, which can only
/// come from code, is written as `null` (as JavaScript's `JSON.stringify` does).
struct JSONSerializer {
    let pretty: Bool
    let sorted: Bool

    init(options: JSONWriteOptions) {
        pretty = options.contains(.prettyPrinted)
        sorted = options.contains(.sortedKeys)
    }

    func write(_ value: JSON, into out: inout ByteWriter, depth: Int = 0) {
        switch value {
        case .null: out.append("null")
        case .bool(let flag): out.append(flag ? "true" : "false")
        case .number(let number): Self.write(number, into: &out)
        case .string(let string): Self.write(string, into: &out)
        case .array(let array): write(array, into: &out, depth: depth)
        case .object(let object): write(object, into: &out, depth: depth)
        }
    }

    private func write(_ array: [JSON], into out: inout ByteWriter, depth: Int) {
        out.append(UInt8(ascii: "["))
        if array.isEmpty {
            out.append(UInt8(ascii: "]"))
            return
        }
        var first = true
        for element in array {
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            if pretty { newline(into: &out, depth: depth + 1) }
            write(element, into: &out, depth: depth + 1)
        }
        if pretty { newline(into: &out, depth: depth) }
        out.append(UInt8(ascii: "]"))
    }

    private func write(_ object: JSONObject, into out: inout ByteWriter, depth: Int) {
        out.append(UInt8(ascii: "{"))
        if object.isEmpty {
            out.append(UInt8(ascii: "}"))
            return
        }
        let slots = object.slots
        if sorted {
            // Sort slot positions, not members, so no value is copied or retained.
            var order: [Int] = []
            order.reserveCapacity(object.count)
            for i in slots.indices where slots[i] != nil { order.append(i) }
            order.sort { slots[$0].unsafelyUnwrapped.key.utf8.lexicographicallyPrecedes(slots[$1].unsafelyUnwrapped.key.utf8) }
            for (n, i) in order.enumerated() {
                let entry = slots[i].unsafelyUnwrapped
                member(entry.key, entry.value, first: n == 0, into: &out, depth: depth)
            }
        } else {
            var first = true
            for slot in slots {
                guard let entry = slot else { continue }
                member(entry.key, entry.value, first: first, into: &out, depth: depth)
                first = false
            }
        }
        if pretty { newline(into: &out, depth: depth) }
        out.append(UInt8(ascii: "}"))
    }

    @inline(__always)
    private func member(_ key: String, _ value: JSON, first: Bool, into out: inout ByteWriter, depth: Int) {
        if !first { out.append(UInt8(ascii: ",")) }
        if pretty { newline(into: &out, depth: depth + 1) }
        Self.write(key, into: &out)
        out.append(UInt8(ascii: ":"))
        if pretty { out.append(UInt8(ascii: " ")) }
        write(value, into: &out, depth: depth + 1)
    }

    private func newline(into out: inout ByteWriter, depth: Int) {
        out.append(0x0A)
        out.append(repeating: UInt8(ascii: " "), count: depth * 2)
    }

    // MARK: - Scalars

    static func write(_ number: JSONNumber, into out: inout ByteWriter) {
        switch number {
        case .int(let value): write(value, into: &out)
        case .double(let value):
            if value.isFinite {
                var text = value.description
                text.withUTF8 { out.append(UnsafeRawBufferPointer($0)) }
            } else {
                out.append("null")
            }
        }
    }

    static func write(_ value: Int64, into out: inout ByteWriter) {
        out.reserve(20)
        if value < 0 { out.appendUnchecked(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        var digits = 1
        var probe = magnitude
        while probe >= 10 {
            digits += 1
            probe /= 10
        }
        let end = out.count + digits
        for _ in 0..<digits { out.appendUnchecked(0) }
        var i = end
        repeat {
            i -= 1
            out.base[i] = UInt8(ascii: "0") &+ UInt8(magnitude % 10)
            magnitude /= 10
        } while magnitude > 0
    }

    static func write(_ string: String, into out: inout ByteWriter) {
        if string.utf8.withContiguousStorageIfAvailable({ writeQuoted($0, into: &out) }) == nil {
            Array(string.utf8).withUnsafeBufferPointer { writeQuoted($0, into: &out) }
        }
    }

    private static let hexDigits: StaticString = "0123456789abcdef"
    private static let ones: UInt64 = 0x0101_0101_0101_0101
    private static let highs: UInt64 = 0x8080_8080_8080_8080

    /// High bit set in each byte of `word` that must be escaped (`"`, `\`, control characters);
    /// exact at the lowest flagged byte.
    @inline(__always)
    private static func escapeMask(_ word: UInt64) -> UInt64 {
        let quote = word ^ (ones &* 0x22)
        let backslash = word ^ (ones &* 0x5C)
        let zeroQuote = (quote &- ones) & ~quote
        let zeroBackslash = (backslash &- ones) & ~backslash
        let control = (word &- ones &* 0x20) & ~word
        return (zeroQuote | zeroBackslash | control) & highs
    }

    private static func writeQuoted(_ bytes: UnsafeBufferPointer<UInt8>, into out: inout ByteWriter) {
        let n = bytes.count
        out.append(UInt8(ascii: "\""))
        var segment = 0
        var i = 0
        while i < n {
            if i + 8 <= n, let base = bytes.baseAddress {
                let mask = escapeMask(UInt64(littleEndian: UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)))
                if mask == 0 {
                    i += 8
                    continue
                }
                i += mask.trailingZeroBitCount >> 3
            } else {
                let byte = bytes[i]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else {
                    i += 1
                    continue
                }
            }
            // bytes[i] needs an escape.
            if segment < i { out.append(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(bytes)[segment..<i])) }
            writeEscape(bytes[i], into: &out)
            i += 1
            segment = i
        }
        if segment < n { out.append(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(bytes)[segment..<n])) }
        out.append(UInt8(ascii: "\""))
    }

    private static func writeEscape(_ byte: UInt8, into out: inout ByteWriter) {
        out.reserve(6)
        out.appendUnchecked(UInt8(ascii: "\\"))
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"): out.appendUnchecked(byte)
        case 0x0A: out.appendUnchecked(UInt8(ascii: "n"))
        case 0x0D: out.appendUnchecked(UInt8(ascii: "r"))
        case 0x09: out.appendUnchecked(UInt8(ascii: "t"))
        case 0x08: out.appendUnchecked(UInt8(ascii: "b"))
        case 0x0C: out.appendUnchecked(UInt8(ascii: "f"))
        default:
            let hex = hexDigits.utf8Start
            out.appendUnchecked(UInt8(ascii: "u"))
            out.appendUnchecked(UInt8(ascii: "0"))
            out.appendUnchecked(UInt8(ascii: "0"))
            out.appendUnchecked(hex[Int(byte >> 4)])
            out.appendUnchecked(hex[Int(byte & 0xF)])
        }
    }
}
