/// The ASCII image of a key under Swift's string equality, for hash tables keyed by `String`.
///
/// Swift compares strings by canonical equivalence, so a hash must give canonically equal keys
/// the same value. A key with non-ASCII scalars equals an ASCII key only if each scalar decomposes
/// to ASCII: besides ASCII itself that is U+212A KELVIN SIGN (K), U+037E GREEK QUESTION MARK (;) and
/// U+1FEF GREEK VARIA (`). Hashing that image keeps such keys with their ASCII twins; any other key
/// can only equal non-ASCII keys and may hash however the table likes.
package enum CanonicalASCII {
    /// The non-ASCII scalars that are canonically equal to an ASCII character, with that character.
    static let equivalents: [(scalar: UInt32, ascii: UInt8)] = [
        (0x212A, UInt8(ascii: "K")), (0x037E, UInt8(ascii: ";")), (0x1FEF, UInt8(ascii: "`")),
    ]

    /// The ASCII bytes `key` is canonically equal to, or `nil` when it equals no ASCII string.
    package static func image(of key: String) -> [UInt8]? {
        var image: [UInt8] = []
        image.reserveCapacity(key.utf8.count)
        for scalar in key.unicodeScalars {
            if scalar.isASCII {
                image.append(UInt8(truncatingIfNeeded: scalar.value))
            } else if let equivalent = equivalents.first(where: { $0.scalar == scalar.value }) {
                image.append(equivalent.ascii)
            } else {
                return nil
            }
        }
        return image
    }

    /// Whether only strings of `text`'s own UTF-8 bytes can equal it: ASCII text without a
    /// character that some non-ASCII scalar is canonically equal to.
    package static func hasOneSpelling(_ text: String) -> Bool {
        text.utf8.allSatisfy { byte in byte < 0x80 && !equivalents.contains { $0.ascii == byte } }
    }
}
