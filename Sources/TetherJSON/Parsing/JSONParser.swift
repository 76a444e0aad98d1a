/// The RFC 8259 parser behind ``JSON/init(parsing:options:)-([UInt8],_)``.
///
/// It walks a contiguous UTF-8 buffer with an integer cursor and never recurses: open containers
/// live on an explicit stack, so ``JSONParseOptions/maximumDepth`` bounds heap use, not the call
/// stack. Array elements wait on a value stack and object members on a member stack; closing a
/// container moves them in bulk into the new array's storage (no reference counting per element).
struct JSONParser: ~Copyable {
    typealias Expectation = JSONParseError.Expectation

    /// An open array or object: where its elements start on `values` (or `members`).
    struct Container {
        var isObject: Bool
        var start: Int
    }

    let bytes: UnsafeBufferPointer<UInt8>
    let count: Int
    let options: JSONParseOptions
    var pos = 0
    /// Elements of open arrays, and the finished top-level value.
    var values = ParseStack<JSON>()
    /// Members of open objects; each is pushed with its key and a placeholder value that the
    /// member's value replaces once parsed. Optional because that is ``JSONObject``'s slot type.
    var members = ParseStack<JSONObject.Entry?>()
    /// Cheap fingerprints of the keys on `members`, to find duplicate keys without comparing strings.
    var fingerprints = ParseStack<UInt64>()
    var containers = ParseStack<Container>(capacity: 8)
    /// Whether the innermost open container is an object (false at the top level).
    var inObject = false
    /// Decoded bytes of the current string when it contains escapes.
    var scratch: [UInt8] = []
    /// Whether the last string parsed took the pure-ASCII fast path.
    var lastStringWasASCII = false
    /// Short strings already made in this document.
    var shortStrings = ShortStringCache()
    /// Where the last string's content began (meaningful when ``lastStringWasASCII``).
    var lastStringStart = 0

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

    /// Hands a finished value to the innermost open container (or leaves it as the result).
    @inline(__always)
    mutating func deliver(_ value: consuming JSON) {
        if inObject {
            members.top.pointee!.value = value
        } else {
            values.push(value)
        }
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
                deliver(.string(try parseString()))
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                deliver(.number(try parseNumber()))
            case UInt8(ascii: "t"):
                try parseLiteral("true")
                deliver(.bool(true))
            case UInt8(ascii: "f"):
                try parseLiteral("false")
                deliver(.bool(false))
            case UInt8(ascii: "n"):
                try parseLiteral("null")
                deliver(.null)
            default:
                throw makeError(.unexpectedCharacter(bytes[pos], expected: expected), at: pos)
            }

            // A value just ended: continue the innermost container, closing as many as end here.
            after: while true {
                guard containers.count > 0 else { return }
                skipWhitespace()
                guard pos < count else {
                    throw makeError(.unexpectedEnd(expected: inObject ? .objectCommaOrEnd : .arrayCommaOrEnd), at: count)
                }
                let byte = bytes[pos]
                if inObject {
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
        containers.push(Container(isObject: isObject, start: isObject ? members.count : values.count))
        inObject = isObject
    }

    /// Parses `"key"` `:` and the whitespace after it; `pos` is at the opening quote.
    @inline(__always)
    mutating func parseKey() throws(JSONParseError) {
        let key = try parseString()
        // Swift compares strings by canonical equivalence, and so does JSONObject: a non-ASCII key
        // (even "\u{212A}", which equals "K") gets the wildcard fingerprint and is compared in full.
        // An ASCII key's text is exactly its source bytes, just before the closing quote.
        fingerprints.push(lastStringWasASCII ? Self.fingerprint(bytes, from: lastStringStart, to: pos - 1) : Self.wildcardFingerprint)
        members.push(JSONObject.Entry(key: key, value: .null))
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
        let array = values.popArray(from: container.start)
        inObject = containers.count > 0 && containers.top.pointee.isObject
        deliver(.array(array))
    }

    mutating func closeObject() {
        let container = containers.pop()
        let start = container.start
        let n = members.count - start
        var unique = true
        // Small objects: compare fingerprints pairwise, strings only when fingerprints collide
        // (larger ones find repeats while JSONObject builds its index).
        if n > 1 && n <= JSONObject.indexThreshold {
            search: for i in 1..<n {
                let fi = fingerprints.peek(start + i).pointee
                for j in 0..<i {
                    let fj = fingerprints.peek(start + j).pointee
                    guard fj == fi || fi == Self.wildcardFingerprint || fj == Self.wildcardFingerprint else { continue }
                    if members.peek(start + i).pointee.unsafelyUnwrapped.key == members.peek(start + j).pointee.unsafelyUnwrapped.key {
                        unique = false
                        break search
                    }
                }
            }
        }
        fingerprints.drop(from: start)
        let object = JSONObject(parsedMembers: members.popArray(from: start), knownUnique: unique)
        inObject = containers.count > 0 && containers.top.pointee.isObject
        deliver(.object(object))
    }

    /// Marks a key that must be compared as a `String` with every other key.
    static let wildcardFingerprint: UInt64 = 0

    /// A cheap, collision-tolerant fingerprint of the key `bytes[start..<end]`: its length plus
    /// its first and last 8 bytes (exact for keys of up to 8 bytes, the common case).
    ///
    /// Static and handed the buffer explicitly: calling a non-mutating method on the parser from
    /// a mutating one makes the compiler copy the whole parser first.
    @inline(__always)
    static func fingerprint(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int) -> UInt64 {
        let count = bytes.count
        let n = end - start
        let h = UInt64(truncatingIfNeeded: n) &* 0x9E37_79B9_7F4A_7C15
        let head: UInt64
        let tail: UInt64
        if start + 8 <= count, let base = bytes.baseAddress {
            let raw = UnsafeRawPointer(base + start)
            head = UInt64(littleEndian: raw.loadUnaligned(as: UInt64.self))
            tail = n < 8 ? 0 : UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self))
        } else {
            // Near the end of the input: assemble the same words byte by byte.
            var word: UInt64 = 0
            for i in 0..<Swift.min(n, 8) { word |= UInt64(bytes[start + i]) << (UInt64(i) * 8) }
            head = word
            word = 0
            if n >= 8 {
                for i in 0..<8 { word |= UInt64(bytes[end - 8 + i]) << (UInt64(i) * 8) }
            }
            tail = word
        }
        if n < 8 {
            return h ^ (head & ((1 << (UInt64(n) &* 8)) &- 1))
        }
        return ((h ^ head) &* 0x1000_0000_01B3) ^ tail
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
