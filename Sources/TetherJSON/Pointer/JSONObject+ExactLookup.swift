// Code-point member lookup for JSON Pointer (RFC 6901 s4), on top of JSONObject's own index.

extension JSONObject {
    /// The slot of the member whose key equals `key` code point for code point.
    ///
    /// `JSONObject` finds keys with Swift's `String ==` (canonical equivalence, so `"\u{E9}"` and
    /// `"e\u{301}"` collide); RFC 6901 wants code-point equality, so a hit is re-checked on bytes.
    /// Small objects are scanned through an unsafe buffer so that probing a member does not copy
    /// (retain and release) its value — this is the patch engine's hottest loop.
    @inline(__always)
    func exactSlot(of key: String) -> Int? {
        if index != nil {
            // Keys are unique up to canonical equivalence, so at most one key has these exact bytes,
            // and byte-equal keys hash alike.
            let hash = MemberIndex.hash(key)
            return slots.withUnsafeBufferPointer { buffer in
                index.unsafelyUnwrapped.find(hash: hash) { sameToken(buffer[$0].unsafelyUnwrapped.key, key) }
            }
        }
        let length = key.utf8.count
        return slots.withUnsafeBufferPointer { buffer -> Int? in
            for i in buffer.indices {
                guard let candidate = buffer[i]?.key else { continue }
                if Self.identical(candidate, key) { return i }
                guard candidate.utf8.count == length else { continue }
                if candidate == key { return sameToken(candidate, key) ? i : nil }
            }
            return nil
        }
    }
}
