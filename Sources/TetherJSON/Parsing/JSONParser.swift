/// The RFC 8259 parser behind ``JSON/init(parsing:options:)-([UInt8],_)``.
///
/// It walks a contiguous UTF-8 buffer with an integer cursor and never recurses: open containers
/// live on an explicit stack, so ``JSONParseOptions/maximumDepth`` bounds heap use, not the call
/// stack. Finished values are moved (not copied) from a value stack into their parent array or
/// object when the container closes, so every element is retained exactly once.
struct JSONParser: ~Copyable {
    typealias Expectation = JSONParseError.Expectation

    /// An open array or object: where its elements (and keys) start on the stacks.
    struct Container {
        var isObject: Bool
        var valueStart: Int
        var keyStart: Int
    }

    let bytes: UnsafeBufferPointer<UInt8>
    let count: Int
    let options: JSONParseOptions
    var pos = 0
    var values = ParseStack<JSON>()
    var keys = ParseStack<String>()
    /// Cheap fingerprints of the keys on `keys`, to find duplicate keys without comparing strings.
    var fingerprints = ParseStack<UInt64>()
    var containers = ParseStack<Container>(capacity: 16)
    /// Decoded bytes of the current string when it contains escapes.
    var scratch: [UInt8] = []
    /// Whether the last string parsed took the pure-ASCII fast path.
    var lastStringWasASCII = false

    init(bytes: UnsafeBufferPointer<UInt8>, options: JSONParseOptions) {
        self.bytes = bytes
        self.count = bytes.count
        self.options = options
    }

    /// Parses a whole document.
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>, options: JSONParseOptions) -> Result<JSON, JSONParseError> {
        var parser = JSONParser(bytes: bytes, options: options)
        do {
            return .success(try parser.parseDocument())
        } catch {
            return .failure(error)
        }
    }

    mutating func parseDocument() throws(JSONParseError) -> JSON {
        if let limit = options.maximumBytes, count > limit {
            throw makeError(.tooLarge(limit: limit), at: Swift.max(limit, 0))
        }
        skipWhitespace()
        try parseValue()
        skipWhitespace()
        if pos < count { throw makeError(.trailingGarbage, at: pos) }
        return values.pop()
    }

    // MARK: - Structure

    /// Parses one value (with everything nested in it) onto the value stack. `pos` is at its first
    /// byte, whitespace already skipped.
    mutating func parseValue() throws(JSONParseError) {
        var expected = Expectation.value
        while true {
            // One value starts at `pos`.
            guard pos < count else { throw makeError(.unexpectedEnd(expected: expected), at: count) }
            value: switch bytes[pos] {
            case UInt8(ascii: "{"):
                try open(isObject: true)
                pos += 1
                skipWhitespace()
                guard pos < count else { throw makeError(.unexpectedEnd(expected: .keyOrEnd), at: count) }
                if bytes[pos] == UInt8(ascii: "}") {
                    pos += 1
                    closeObject()
                    break value
                }
                guard bytes[pos] == UInt8(ascii: "\"") else {
                    throw makeError(.unexpectedCharacter(bytes[pos], expected: .keyOrEnd), at: pos)
                }
                try parseKey()
                expected = .value
                continue
            case UInt8(ascii: "["):
                try open(isObject: false)
                pos += 1
                skipWhitespace()
                guard pos < count else { throw makeError(.unexpectedEnd(expected: .value), at: count) }
                if bytes[pos] == UInt8(ascii: "]") {
                    pos += 1
                    closeArray()
                    break value
                }
                expected = .value
                continue
            case UInt8(ascii: "\""):
                values.push(.string(try parseString()))
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                values.push(.number(try parseNumber()))
            case UInt8(ascii: "t"):
                try parseLiteral("true")
                values.push(.bool(true))
            case UInt8(ascii: "f"):
                try parseLiteral("false")
                values.push(.bool(false))
            case UInt8(ascii: "n"):
                try parseLiteral("null")
                values.push(.null)
            default:
                throw makeError(.unexpectedCharacter(bytes[pos], expected: expected), at: pos)
            }

            // A value just ended: continue the innermost container, closing as many as end here.
            after: while true {
                guard containers.count > 0 else { return }
                skipWhitespace()
                let top = containers.peek(containers.count - 1).pointee
                guard pos < count else {
                    throw makeError(.unexpectedEnd(expected: top.isObject ? .objectCommaOrEnd : .arrayCommaOrEnd), at: count)
                }
                let byte = bytes[pos]
                if top.isObject {
                    if byte == UInt8(ascii: ",") {
                        pos += 1
                        skipWhitespace()
                        guard pos < count else { throw makeError(.unexpectedEnd(expected: .key), at: count) }
                        guard bytes[pos] == UInt8(ascii: "\"") else {
                            throw makeError(.unexpectedCharacter(bytes[pos], expected: .key), at: pos)
                        }
                        try parseKey()
                        break after
                    } else if byte == UInt8(ascii: "}") {
                        pos += 1
                        closeObject()
                    } else {
                        throw makeError(.unexpectedCharacter(byte, expected: .objectCommaOrEnd), at: pos)
                    }
                } else {
                    if byte == UInt8(ascii: ",") {
                        pos += 1
                        skipWhitespace()
                        break after
                    } else if byte == UInt8(ascii: "]") {
                        pos += 1
                        closeArray()
                    } else {
                        throw makeError(.unexpectedCharacter(byte, expected: .arrayCommaOrEnd), at: pos)
                    }
                }
            }
            expected = .value
        }
    }

    @inline(__always)
    mutating func open(isObject: Bool) throws(JSONParseError) {
        if containers.count >= options.maximumDepth {
            throw makeError(.tooDeep(limit: options.maximumDepth), at: pos)
        }
        containers.push(Container(isObject: isObject, valueStart: values.count, keyStart: keys.count))
    }

    /// Parses `"key"` `:` and the whitespace after it; `pos` is at the opening quote.
    @inline(__always)
    mutating func parseKey() throws(JSONParseError) {
        var key = try parseString()
        // Swift compares strings by canonical equivalence, and so does JSONObject: a non-ASCII key
        // (even "\u{212A}", which equals "K") gets the wildcard fingerprint and is compared in full.
        fingerprints.push(lastStringWasASCII ? key.withUTF8 { Self.fingerprint($0) } : Self.wildcardFingerprint)
        keys.push(key)
        skipWhitespace()
        guard pos < count else { throw makeError(.unexpectedEnd(expected: .colon), at: count) }
        guard bytes[pos] == UInt8(ascii: ":") else {
            throw makeError(.unexpectedCharacter(bytes[pos], expected: .colon), at: pos)
        }
        pos += 1
        skipWhitespace()
    }

    mutating func closeArray() {
        let container = containers.pop()
        values.push(.array(values.popArray(from: container.valueStart)))
    }

    mutating func closeObject() {
        let container = containers.pop()
        let valueStart = container.valueStart
        let keyStart = container.keyStart
        let n = values.count - valueStart
        guard n > 0 else {
            values.push(.object(JSONObject()))
            return
        }
        // Small objects: compare fingerprints pairwise, strings only when fingerprints collide.
        var unique = true
        if n <= JSONObject.indexThreshold {
            search: for i in 1..<n {
                let fi = fingerprints.peek(keyStart + i).pointee
                for j in 0..<i {
                    let fj = fingerprints.peek(keyStart + j).pointee
                    guard fj == fi || fi == Self.wildcardFingerprint || fj == Self.wildcardFingerprint else { continue }
                    if keys.peek(keyStart + i).pointee == keys.peek(keyStart + j).pointee {
                        unique = false
                        break search
                    }
                }
            }
        }
        let entries = [JSONObject.Entry?](unsafeUninitializedCapacity: n) { buffer, initialized in
            let base = buffer.baseAddress.unsafelyUnwrapped
            for i in 0..<n {
                (base + i).initialize(to: JSONObject.Entry(key: keys.take(keyStart + i), value: values.take(valueStart + i)))
            }
            initialized = n
        }
        keys.forget(from: keyStart)
        values.forget(from: valueStart)
        fingerprints.forget(from: keyStart)
        values.push(.object(JSONObject(parsedMembers: entries, knownUnique: unique)))
    }

    /// Marks a key that must be compared as a `String` with every other key.
    static let wildcardFingerprint: UInt64 = 0

    /// A cheap, collision-tolerant key fingerprint: length plus the first and last 8 bytes.
    @inline(__always)
    static func fingerprint(_ key: UnsafeBufferPointer<UInt8>) -> UInt64 {
        let n = key.count
        var h = UInt64(truncatingIfNeeded: n) &* 0x9E37_79B9_7F4A_7C15
        if n >= 8 {
            let raw = UnsafeRawPointer(key.baseAddress.unsafelyUnwrapped)
            h ^= raw.loadUnaligned(as: UInt64.self)
            h = (h &* 0x1000_0000_01B3) ^ raw.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self)
        } else {
            for byte in key { h = (h ^ UInt64(byte)) &* 0x1000_0000_01B3 }
        }
        return h
    }

    // MARK: - Scalars

    @inline(__always)
    mutating func skipWhitespace() {
        while pos < count {
            let byte = bytes[pos]
            guard byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 else { return }
            pos += 1
        }
    }

    mutating func parseLiteral(_ word: StaticString) throws(JSONParseError) {
        let length = word.utf8CodeUnitCount
        let expected = word.utf8Start
        for i in 1..<length {
            guard pos + i < count else {
                throw makeError(.unexpectedEnd(expected: .literal(word.description)), at: count)
            }
            guard bytes[pos + i] == expected[i] else {
                throw makeError(.unexpectedCharacter(bytes[pos + i], expected: .literal(word.description)), at: pos + i)
            }
        }
        pos += length
    }

    // MARK: - Errors

    /// Builds an error at `offset`, computing the line and column only now (errors are rare).
    func makeError(_ reason: JSONParseError.Reason, at offset: Int) -> JSONParseError {
        var line = 1
        var column = 1
        let end = Swift.min(offset, count)
        var i = 0
        while i < end {
            let byte = bytes[i]
            if byte == 0x0A {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
            i += 1
        }
        return JSONParseError(reason: reason, offset: offset, line: line, column: column)
    }
}
