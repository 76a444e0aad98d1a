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

    func write(_ value: JSON, into out: inout [UInt8], depth: Int = 0) {
        switch value {
        case .null: Self.appendASCII("null", to: &out)
        case .bool(let flag): Self.appendASCII(flag ? "true" : "false", to: &out)
        case .number(let number): Self.write(number, into: &out)
        case .string(let string): Self.write(string, into: &out)
        case .array(let array): write(array, into: &out, depth: depth)
        case .object(let object): write(object, into: &out, depth: depth)
        }
    }

    private func write(_ array: [JSON], into out: inout [UInt8], depth: Int) {
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

    private func write(_ object: JSONObject, into out: inout [UInt8], depth: Int) {
        out.append(UInt8(ascii: "{"))
        if object.isEmpty {
            out.append(UInt8(ascii: "}"))
            return
        }
        var first = true
        func member(_ key: String, _ value: JSON) {
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            if pretty { newline(into: &out, depth: depth + 1) }
            Self.write(key, into: &out)
            out.append(UInt8(ascii: ":"))
            if pretty { out.append(UInt8(ascii: " ")) }
            write(value, into: &out, depth: depth + 1)
        }
        if sorted {
            let members = object.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
            for (key, value) in members { member(key, value) }
        } else {
            for (key, value) in object { member(key, value) }
        }
        if pretty { newline(into: &out, depth: depth) }
        out.append(UInt8(ascii: "}"))
    }

    private func newline(into out: inout [UInt8], depth: Int) {
        out.append(0x0A)
        out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: depth * 2))
    }

    // MARK: - Scalars

    static func write(_ number: JSONNumber, into out: inout [UInt8]) {
        switch number {
        case .int(let value): write(value, into: &out)
        case .double(let value):
            if value.isFinite {
                out.append(contentsOf: value.description.utf8)
            } else {
                appendASCII("null", to: &out)
            }
        }
    }

    static func write(_ value: Int64, into out: inout [UInt8]) {
        if value < 0 { out.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        if magnitude < 10 {
            out.append(UInt8(ascii: "0") &+ UInt8(magnitude))
            return
        }
        var digits = 0
        var probe = magnitude
        while probe > 0 {
            digits += 1
            probe /= 10
        }
        let end = out.count + digits
        out.append(contentsOf: repeatElement(0, count: digits))
        out.withUnsafeMutableBufferPointer { buffer in
            var i = end
            while magnitude > 0 {
                i -= 1
                buffer[i] = UInt8(ascii: "0") &+ UInt8(magnitude % 10)
                magnitude /= 10
            }
        }
    }

    static func write(_ string: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        if string.utf8.withContiguousStorageIfAvailable({ writeEscaped($0, into: &out) }) == nil {
            writeEscaped(Array(string.utf8), into: &out)
        }
        out.append(UInt8(ascii: "\""))
    }

    private static func writeEscaped(_ bytes: [UInt8], into out: inout [UInt8]) {
        bytes.withUnsafeBufferPointer { writeEscaped($0, into: &out) }
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    private static func writeEscaped(_ bytes: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        var segment = 0
        for i in 0..<bytes.count {
            let byte = bytes[i]
            guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
            if segment < i { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[segment..<i])) }
            segment = i + 1
            out.append(UInt8(ascii: "\\"))
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): out.append(byte)
            case 0x0A: out.append(UInt8(ascii: "n"))
            case 0x0D: out.append(UInt8(ascii: "r"))
            case 0x09: out.append(UInt8(ascii: "t"))
            case 0x08: out.append(UInt8(ascii: "b"))
            case 0x0C: out.append(UInt8(ascii: "f"))
            default:
                out.append(contentsOf: [UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                                        hexDigits[Int(byte >> 4)], hexDigits[Int(byte & 0xF)]])
            }
        }
        if segment < bytes.count { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[segment...])) }
    }

    @inline(__always)
    static func appendASCII(_ text: StaticString, to out: inout [UInt8]) {
        out.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }
}
