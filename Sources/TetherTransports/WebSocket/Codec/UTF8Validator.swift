/// An incremental, strict UTF-8 validator (RFC 3629: no overlongs, no surrogates, nothing above U+10FFFF).
///
/// RFC 6455 §8.1 requires failing a text message as soon as its bytes cannot be valid UTF-8, even when the
/// message arrives in fragments that split code points; so the validator keeps the state of a partial code
/// point between calls instead of decoding whole messages.
struct UTF8Validator: Sendable {
    /// Continuation bytes the current code point still needs.
    private var needed: UInt8 = 0
    /// The range allowed for the next continuation byte (narrower right after E0, ED, F0, F4).
    private var lower: UInt8 = 0x80
    private var upper: UInt8 = 0xBF

    init() {}

    /// True when the bytes seen so far end on a code point boundary.
    var isAtBoundary: Bool { needed == 0 }

    /// Feeds more bytes; returns false as soon as the sequence can no longer be valid UTF-8.
    mutating func consume<C: Collection>(_ bytes: C) -> Bool where C.Element == UInt8 {
        let fast = bytes.withContiguousStorageIfAvailable { buffer in consumeBuffer(buffer) }
        if let fast { return fast }
        let copy = Array(bytes)
        return copy.withUnsafeBufferPointer { consumeBuffer($0) }
    }

    private mutating func consumeBuffer(_ buffer: UnsafeBufferPointer<UInt8>) -> Bool {
        var index = 0
        let count = buffer.count
        while index < count {
            let byte = buffer[index]
            index += 1
            if needed == 0 {
                if byte < 0x80 { continue }
                switch byte {
                case 0xC2...0xDF: needed = 1; lower = 0x80; upper = 0xBF
                case 0xE0: needed = 2; lower = 0xA0; upper = 0xBF
                case 0xE1...0xEC, 0xEE...0xEF: needed = 2; lower = 0x80; upper = 0xBF
                case 0xED: needed = 2; lower = 0x80; upper = 0x9F
                case 0xF0: needed = 3; lower = 0x90; upper = 0xBF
                case 0xF1...0xF3: needed = 3; lower = 0x80; upper = 0xBF
                case 0xF4: needed = 3; lower = 0x80; upper = 0x8F
                default: return false
                }
            } else {
                guard byte >= lower, byte <= upper else { return false }
                needed -= 1
                lower = 0x80
                upper = 0xBF
            }
        }
        return true
    }

    /// Validates one complete sequence.
    static func isValid<C: Collection>(_ bytes: C) -> Bool where C.Element == UInt8 {
        var validator = UTF8Validator()
        return validator.consume(bytes) && validator.isAtBoundary
    }
}
