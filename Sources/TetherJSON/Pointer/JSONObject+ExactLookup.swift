// Code-point member lookup for JSON Pointer (RFC 6901 s4), on top of JSONObject's own index.

extension JSONObject {
    /// The slot of the member whose key equals `key` code point for code point.
    ///
    /// `JSONObject` finds keys with Swift's `String ==` (canonical equivalence, so `"\u{E9}"` and
    /// `"e\u{301}"` collide); RFC 6901 wants code-point equality, so the hit is re-checked on bytes.
    @inline(__always)
    func exactSlot(of key: String) -> Int? {
        guard let i = slot(of: key), sameToken(slots[i].unsafelyUnwrapped.key, key) else { return nil }
        return i
    }
}
