/// The ASCII image of a key under Swift's string equality, for hash tables keyed by `String`.
///
/// Swift compares strings by canonical equivalence, so a hash must give canonically equal keys
/// the same value. A key with non-ASCII scalars equals an ASCII key only if each scalar decomposes
/// to ASCII: besides ASCII itself that is U+212A KELVIN SIGN (K), U+037E GREEK QUESTION MARK (;) and
/// U+1FEF GREEK VARIA (`). Hashing that image keeps such keys with their ASCII twins; any other key
/// can only equal non-ASCII keys and may hash however the table likes.
package enum CanonicalASCII {
    /// The ASCII bytes `key` is canonically equal to, or `nil` when it equals no ASCII string.
    package static func image(of key: String) -> [UInt8]? {
        var image: [UInt8] = []
        image.reserveCapacity(key.utf8.count)
        for scalar in key.unicodeScalars {
            switch scalar.value {
            case 0..<0x80: image.append(UInt8(truncatingIfNeeded: scalar.value))
            case 0x212A: image.append(UInt8(ascii: "K"))
            case 0x037E: image.append(UInt8(ascii: ";"))
            case 0x1FEF: image.append(UInt8(ascii: "`"))
            default: return nil
            }
        }
        return image
    }
}
