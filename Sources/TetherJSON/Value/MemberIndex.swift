// The key → slot index of a large JSONObject: an open-addressing hash table over a flat buffer.
//
// Why not `[String: Int]`: a live patch stream looks up a model id per operation, and the
// standard dictionary's seeded SipHash over the key (plus its generic probing) was the largest single
// cost of applying an operation. Here a key is hashed once with a fast word-at-a-time mix of its
// UTF-8 bytes, and the table stores that hash next to the slot number, so probing compares strings
// only on a full hash match, growing never rehashes a key, and compaction just renumbers slots.

/// Maps each live member's key to its slot in ``JSONObject``'s slot array.
///
/// Each bucket is one `UInt64`: the low 32 bits are the key's ``hash(_:)``, the high 32 bits are
/// the slot number plus one (`0` marks an empty bucket). Linear probing; removal shifts later
/// entries back (no tombstones), so a lookup stops at the first empty bucket. The element after the
/// last bucket holds the number of entries, so the index is one reference wide (and an absent index
/// costs JSONObject nothing).
///
/// Lookups follow JSONObject's key equality, Swift's canonical equivalence: ``hash(_:)`` gives
/// canonically equal keys the same hash (see there), and a candidate is confirmed with `==`.
@usableFromInline
struct MemberIndex: Sendable {
    /// The buckets (a power of two of them), then the entry count.
    @usableFromInline var buckets: [UInt64]

    /// Number of occupied buckets.
    @usableFromInline var count: Int {
        get { Int(truncatingIfNeeded: buckets[buckets.count &- 1]) }
        set { buckets[buckets.count &- 1] = UInt64(truncatingIfNeeded: newValue) }
    }

    /// An index sized for `capacity` members without growing.
    @usableFromInline
    init(capacity: Int) {
        var size = 16
        while size * 3 < Swift.max(capacity, 1) * 4 { size &<<= 1 }
        buckets = Array(repeating: 0, count: size &+ 1)
    }

    // MARK: Hashing

    /// A per-process seed, so that colliding keys cannot be precomputed offline.
    @usableFromInline
    static let seed: UInt64 = UInt64.random(in: 1...UInt64.max)

    /// The key's hash, equal for keys that Swift's `==` considers equal.
    ///
    /// ASCII keys (all model ids and attribute names in practice) hash their bytes directly. A key
    /// with other scalars is canonically equal to an ASCII key only if every scalar decomposes to
    /// ASCII: besides ASCII itself that is U+212A KELVIN SIGN (K), U+037E GREEK QUESTION MARK (;)
    /// and U+1FEF GREEK VARIA (`) — those keys hash their ASCII image. Any other key can only equal
    /// non-ASCII keys and uses the standard library's canonical `hashValue`.
    @usableFromInline
    static func hash(_ key: String) -> UInt32 {
        let fast = key.utf8.withContiguousStorageIfAvailable { bytes -> UInt32? in
            hashASCII(UnsafeRawBufferPointer(bytes))
        }
        if let fast, let hash = fast { return hash }
        return hashUnicode(key)
    }

    /// The hash of ASCII bytes, or `nil` if a byte is not ASCII.
    @inline(__always)
    static func hashASCII(_ bytes: UnsafeRawBufferPointer) -> UInt32? {
        let n = bytes.count
        var h = seed ^ (UInt64(truncatingIfNeeded: n) &* 0x9E37_79B9_7F4A_7C15)
        var high: UInt64 = 0
        if n >= 8 {
            var offset = 0
            while offset &+ 8 < n {
                let word = bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
                high |= word
                h = mix(h ^ word)
                offset &+= 8
            }
            // The last 8 bytes, overlapping the previous word when n is not a multiple of 8.
            let word = bytes.loadUnaligned(fromByteOffset: n &- 8, as: UInt64.self)
            high |= word
            h = mix(h ^ word)
        } else if n > 0 {
            // Short keys in at most two loads; for a given length the bytes read cover every byte,
            // so distinct keys of one length give distinct words.
            let word: UInt64
            if n >= 4 {
                let first = UInt64(bytes.loadUnaligned(fromByteOffset: 0, as: UInt32.self))
                let last = UInt64(bytes.loadUnaligned(fromByteOffset: n &- 4, as: UInt32.self))
                word = first | last &<< 32
            } else {
                word = UInt64(bytes[0]) | UInt64(bytes[n &>> 1]) &<< 8 | UInt64(bytes[n &- 1]) &<< 16
            }
            high |= word
            h = mix(h ^ word)
        }
        guard high & 0x8080_8080_8080_8080 == 0 else { return nil }
        h ^= h &>> 32
        return UInt32(truncatingIfNeeded: h)
    }

    @inline(__always)
    static func mix(_ x: UInt64) -> UInt64 {
        var x = x &* 0xBF58_476D_1CE4_E5B9
        x ^= x &>> 31
        x = x &* 0x94D0_49BB_1331_11EB
        return x ^ (x &>> 29)
    }

    /// The slow path of ``hash(_:)``: keys with non-ASCII bytes (or without contiguous UTF-8).
    static func hashUnicode(_ key: String) -> UInt32 {
        guard let image = CanonicalASCII.image(of: key) else { return UInt32(truncatingIfNeeded: key.hashValue) }
        return image.withUnsafeBytes { hashASCII($0) }.unsafelyUnwrapped
    }

    // MARK: Table operations

    /// The slot whose key matches, probing with `hash` (the key's ``hash(_:)``).
    @inline(__always)
    func find(hash: UInt32, _ matches: (Int) -> Bool) -> Int? {
        buckets.withUnsafeBufferPointer { table -> Int? in
            let mask = table.count &- 2
            var i = Int(hash) & mask
            while true {
                let bucket = table[i]
                if bucket == 0 { return nil }
                if UInt32(truncatingIfNeeded: bucket) == hash {
                    let slot = Int(truncatingIfNeeded: bucket &>> 32) &- 1
                    if matches(slot) { return slot }
                }
                i = (i &+ 1) & mask
            }
        }
    }

    /// Adds `slot` under `hash`; the caller guarantees the key is not present.
    @usableFromInline
    mutating func insert(slot: Int, hash: UInt32) {
        if (count &+ 1) &* 4 > (buckets.count &- 1) &* 3 { grow() }
        count &+= 1
        let entry = UInt64(truncatingIfNeeded: slot &+ 1) &<< 32 | UInt64(hash)
        buckets.withUnsafeMutableBufferPointer { table in
            let mask = table.count &- 2
            var i = Int(hash) & mask
            while table[i] != 0 { i = (i &+ 1) & mask }
            table[i] = entry
        }
    }

    /// Removes the entry for `slot` (stored under `hash`), shifting later entries of its probe run back.
    @usableFromInline
    mutating func remove(slot: Int, hash: UInt32) {
        let entry = UInt64(truncatingIfNeeded: slot &+ 1) &<< 32 | UInt64(hash)
        buckets.withUnsafeMutableBufferPointer { table in
            let mask = table.count &- 2
            var hole = Int(hash) & mask
            while table[hole] != entry {
                precondition(table[hole] != 0, "MemberIndex: removing an absent slot")
                hole = (hole &+ 1) & mask
            }
            var j = hole
            while true {
                j = (j &+ 1) & mask
                let bucket = table[j]
                if bucket == 0 { break }
                let home = Int(truncatingIfNeeded: UInt32(truncatingIfNeeded: bucket)) & mask
                // Move the entry into the hole unless its home lies cyclically in (hole, j].
                let stays = hole <= j ? (hole < home && home <= j) : (hole < home || home <= j)
                if !stays {
                    table[hole] = bucket
                    hole = j
                }
            }
            table[hole] = 0
        }
        count &-= 1
    }

    /// Rewrites every slot number through `newSlot` (after the slot array was compacted).
    @usableFromInline
    mutating func renumber(_ newSlot: UnsafeBufferPointer<Int32>) {
        buckets.withUnsafeMutableBufferPointer { table in
            for i in 0..<(table.count &- 1) where table[i] != 0 {
                let old = Int(truncatingIfNeeded: table[i] &>> 32) &- 1
                table[i] = UInt64(truncatingIfNeeded: Int(newSlot[old]) &+ 1) &<< 32 | (table[i] & 0xFFFF_FFFF)
            }
        }
    }

    /// Doubles the table, re-placing entries by their stored hashes (no key is hashed again).
    mutating func grow() {
        let old = buckets
        buckets = Array(repeating: 0, count: (old.count &- 1) &* 2 &+ 1)
        buckets[buckets.count &- 1] = old[old.count &- 1]
        buckets.withUnsafeMutableBufferPointer { table in
            let mask = table.count &- 2
            for entry in old.dropLast() where entry != 0 {
                var i = Int(truncatingIfNeeded: UInt32(truncatingIfNeeded: entry)) & mask
                while table[i] != 0 { i = (i &+ 1) & mask }
                table[i] = entry
            }
        }
    }
}
