/// Just enough JSON scanning for long polling: split a response's array into per-frame byte slices,
/// and read a frame's stream position (`type`, `collection`, `epoch`, `seq`) to advance the poll cursor.
///
/// Frames are handed on as raw bytes; the binder parses them fully. So this scanner only finds value
/// boundaries (strings, nesting) and never builds a document: no allocation beyond the slices.
enum FrameArrayScanner {
    /// Where a `snapshot` or `patch` frame sits in its stream.
    struct StreamPosition: Equatable {
        var type: String
        var collection: String
        var epoch: String
        var seq: UInt64
    }

    /// Splits `[{...}, {...}]` into the bytes of each object.
    ///
    /// - Throws: ``TransportError/protocolViolation(_:)`` when the body is not an array of objects, and
    ///   ``TransportError/messageTooLarge(limit:)`` when one frame exceeds `maximumFrameSize`.
    static func frames(in body: [UInt8], maximumFrameSize: Int) throws(TransportError) -> [[UInt8]] {
        var index = skipWhitespace(body, from: 0)
        guard index < body.count, body[index] == UInt8(ascii: "[") else {
            throw .protocolViolation("a long-poll response must be a JSON array of frames")
        }
        index = skipWhitespace(body, from: index + 1)
        var frames: [[UInt8]] = []
        if index < body.count, body[index] == UInt8(ascii: "]") {
            index += 1
        } else {
            while true {
                guard index < body.count, body[index] == UInt8(ascii: "{") else {
                    throw .protocolViolation("every long-poll frame must be a JSON object")
                }
                guard let end = endOfValue(body, from: index) else {
                    throw .protocolViolation("truncated or malformed frame in a long-poll response")
                }
                guard end - index <= maximumFrameSize else { throw .messageTooLarge(limit: maximumFrameSize) }
                frames.append(Array(body[index..<end]))
                index = skipWhitespace(body, from: end)
                guard index < body.count else { throw .protocolViolation("unterminated long-poll array") }
                if body[index] == UInt8(ascii: "]") {
                    index += 1
                    break
                }
                guard body[index] == UInt8(ascii: ",") else {
                    throw .protocolViolation("expected ',' or ']' in a long-poll response")
                }
                index = skipWhitespace(body, from: index + 1)
            }
        }
        guard skipWhitespace(body, from: index) == body.count else {
            throw .protocolViolation("trailing bytes after a long-poll array")
        }
        return frames
    }

    /// The stream position of a `snapshot` or `patch` frame; `nil` for other frames or when a member is
    /// missing or malformed.
    static func streamPosition(of frame: [UInt8]) -> StreamPosition? {
        var index = skipWhitespace(frame, from: 0)
        guard index < frame.count, frame[index] == UInt8(ascii: "{") else { return nil }
        index = skipWhitespace(frame, from: index + 1)
        var type: String?, collection: String?, epoch: String?, seq: UInt64?
        while index < frame.count, frame[index] == UInt8(ascii: "\"") {
            guard let (key, keyEnd) = string(frame, at: index) else { return nil }
            index = skipWhitespace(frame, from: keyEnd)
            guard index < frame.count, frame[index] == UInt8(ascii: ":") else { return nil }
            index = skipWhitespace(frame, from: index + 1)
            guard index < frame.count, let end = endOfValue(frame, from: index) else { return nil }
            switch key {
            case "type": type = string(frame, at: index)?.0
            case "collection": collection = string(frame, at: index)?.0
            case "epoch": epoch = string(frame, at: index)?.0
            case "seq": seq = unsignedInteger(frame[index..<end])
            default: break
            }
            index = skipWhitespace(frame, from: end)
            guard index < frame.count, frame[index] == UInt8(ascii: ",") else { break }
            index = skipWhitespace(frame, from: index + 1)
        }
        guard let type, type == "patch" || type == "snapshot", let collection, let epoch, let seq else { return nil }
        return StreamPosition(type: type, collection: collection, epoch: epoch, seq: seq)
    }

    // MARK: - Scanning

    private static func skipWhitespace(_ bytes: [UInt8], from start: Int) -> Int {
        var index = start
        while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x0A || bytes[index] == 0x0D || bytes[index] == 0x09 {
            index += 1
        }
        return index
    }

    /// The index just past the value starting at `start`, or `nil` if it is unterminated or its
    /// brackets do not match.
    private static func endOfValue(_ bytes: [UInt8], from start: Int) -> Int? {
        var closers: [UInt8] = []
        var index = start
        repeat {
            guard index < bytes.count else { return nil }
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                guard let end = endOfString(bytes, from: index) else { return nil }
                index = end
                continue
            case UInt8(ascii: "{"): closers.append(UInt8(ascii: "}"))
            case UInt8(ascii: "["): closers.append(UInt8(ascii: "]"))
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                guard closers.popLast() == byte else { return nil }
            default:
                if closers.isEmpty {  // a scalar: runs to the next delimiter
                    while index < bytes.count, !isDelimiter(bytes[index]) { index += 1 }
                    return index > start ? index : nil
                }
            }
            index += 1
        } while !closers.isEmpty
        return index
    }

    private static func isDelimiter(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: ",") || byte == UInt8(ascii: "}") || byte == UInt8(ascii: "]")
            || byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
    }

    /// The index just past the closing quote of the string starting at `start`.
    private static func endOfString(_ bytes: [UInt8], from start: Int) -> Int? {
        var index = start + 1
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "\""): return index + 1
            case UInt8(ascii: "\\"): index += 2
            default: index += 1
            }
        }
        return nil
    }

    /// Decodes the string starting at `start` (escapes included) and returns it with the index past it.
    private static func string(_ bytes: [UInt8], at start: Int) -> (String, Int)? {
        guard start < bytes.count, bytes[start] == UInt8(ascii: "\""), let end = endOfString(bytes, from: start) else {
            return nil
        }
        let content = bytes[(start + 1)..<(end - 1)]
        guard content.contains(UInt8(ascii: "\\")) else { return (String(decoding: content, as: UTF8.self), end) }
        var scalars = String.UnicodeScalarView()
        var utf8: [UInt8] = []
        var index = content.startIndex
        func flush() {
            scalars.append(contentsOf: String(decoding: utf8, as: UTF8.self).unicodeScalars)
            utf8.removeAll()
        }
        while index < content.endIndex {
            let byte = content[index]
            guard byte == UInt8(ascii: "\\") else {
                utf8.append(byte)
                index += 1
                continue
            }
            flush()
            guard index + 1 < content.endIndex else { return nil }
            let escape = content[index + 1]
            index += 2
            switch escape {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): scalars.append(Unicode.Scalar(escape))
            case UInt8(ascii: "b"): scalars.append("\u{8}")
            case UInt8(ascii: "f"): scalars.append("\u{C}")
            case UInt8(ascii: "n"): scalars.append("\n")
            case UInt8(ascii: "r"): scalars.append("\r")
            case UInt8(ascii: "t"): scalars.append("\t")
            case UInt8(ascii: "u"):
                guard let unit = hex4(content, at: index) else { return nil }
                index += 4
                if (0xD800..<0xDC00).contains(unit), index + 6 <= content.endIndex,
                    content[index] == UInt8(ascii: "\\"), content[index + 1] == UInt8(ascii: "u"),
                    let low = hex4(content, at: index + 2), (0xDC00..<0xE000).contains(low)
                {
                    index += 6
                    scalars.append(Unicode.Scalar(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)) ?? "\u{FFFD}")
                } else {
                    scalars.append(Unicode.Scalar(unit) ?? "\u{FFFD}")
                }
            default: return nil
            }
        }
        flush()
        return (String(scalars), end)
    }

    private static func hex4(_ bytes: ArraySlice<UInt8>, at start: Int) -> UInt32? {
        guard start + 4 <= bytes.endIndex else { return nil }
        var value: UInt32 = 0
        for byte in bytes[start..<(start + 4)] {
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: return nil
            }
            value = value << 4 | UInt32(digit)
        }
        return value
    }

    private static func unsignedInteger(_ bytes: ArraySlice<UInt8>) -> UInt64? {
        guard !bytes.isEmpty, bytes.count <= 20 else { return nil }
        var value: UInt64 = 0
        for byte in bytes {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            let (times, o1) = value.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times.addingReportingOverflow(UInt64(byte - UInt8(ascii: "0")))
            if o1 || o2 { return nil }
            value = sum
        }
        return value
    }
}
