/// RFC 6901 JSON Pointer text ↔ decoded tokens, for the versioning layer's wire helpers.
enum PointerTokens {
    /// Decodes `/a/b~1c` into `["a", "b/c"]`; `""` is the root (no tokens).
    static func parse(_ pointer: String) -> [String]? {
        if pointer.isEmpty { return [] }
        let bytes = Array(pointer.utf8)
        guard bytes[0] == UInt8(ascii: "/") else { return nil }
        var tokens: [String] = []
        var current: [UInt8] = []
        var i = 1
        while i < bytes.count {
            let byte = bytes[i]
            if byte == UInt8(ascii: "/") {
                tokens.append(String(decoding: current, as: UTF8.self))
                current.removeAll(keepingCapacity: true)
            } else if byte == UInt8(ascii: "~") {
                guard i + 1 < bytes.count else { return nil }
                switch bytes[i + 1] {
                case UInt8(ascii: "0"): current.append(UInt8(ascii: "~"))
                case UInt8(ascii: "1"): current.append(UInt8(ascii: "/"))
                default: return nil
                }
                i += 1
            } else {
                current.append(byte)
            }
            i += 1
        }
        tokens.append(String(decoding: current, as: UTF8.self))
        return tokens
    }

    /// Encodes tokens as a pointer, escaping `~` and `/`.
    static func encode<S: Sequence<String>>(_ tokens: S) -> String {
        var bytes: [UInt8] = []
        for token in tokens {
            bytes.append(UInt8(ascii: "/"))
            for byte in token.utf8 {
                switch byte {
                case UInt8(ascii: "~"): bytes.append(contentsOf: [UInt8(ascii: "~"), UInt8(ascii: "0")])
                case UInt8(ascii: "/"): bytes.append(contentsOf: [UInt8(ascii: "~"), UInt8(ascii: "1")])
                default: bytes.append(byte)
                }
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
