import CTetherPrefetch

/// A collection's key → model index (ids and cids), an open-addressing hash table.
///
/// Why not `[String: SyncModel]`: a collection `set` looks up one id per input, and the standard
/// dictionary's seeded SipHash plus its generic probing cost more than the rest of an unchanged
/// model's merge. Here an ASCII key (every id and cid in practice; short ones live inline in the
/// `String`) is hashed a word at a time, the hash is kept next to the key, and a probe compares
/// strings only on a full hash match, bit for bit first.
///
/// Keys follow `String` equality (canonical equivalence), like the dictionary did: see
/// ``hash(_:)``. The hash is seeded per process, so ids sent by a peer cannot be chosen to collide.
///
/// A reference type with one owner (its collection), so updates never copy the table.
final class ModelIndex {
    /// One bucket: `tag` is the key's hash with the top bit set, or 0 when the bucket is empty
    /// (then `key` is `""` and `model` is `nil`).
    struct Bucket {
        var tag: UInt64
        var key: String
        var model: SyncModel?
    }

    private var buckets: UnsafeMutablePointer<Bucket>
    private var mask: Int
    /// ``processSeed`` and ``inlineLayoutHolds``, copied so that a lookup reads no global.
    private let seed = ModelIndex.processSeed
    private let inlineLayout = ModelIndex.inlineLayoutHolds
    /// Number of keys.
    private(set) var count = 0
    /// Counts inserts and removals: a model found earlier is still indexed (and alive) while this
    /// has not moved.
    private(set) var mutations = 0

    init() {
        mask = 15
        buckets = Self.allocate(16)
    }

    deinit {
        buckets.deinitialize(count: mask &+ 1)
        buckets.deallocate()
    }

    private static func allocate(_ size: Int) -> UnsafeMutablePointer<Bucket> {
        let buckets = UnsafeMutablePointer<Bucket>.allocate(capacity: size)
        buckets.initialize(repeating: Bucket(tag: 0, key: "", model: nil), count: size)
        return buckets
    }

    // MARK: Access

    /// The model under `key`; assigning `nil` removes the key.
    subscript(key: String) -> SyncModel? {
        get {
            let tag = tag(key)
            guard let i = find(key, tag: tag) else { return nil }
            return buckets[i].model
        }
        set {
            let tag = tag(key)
            if let model = newValue {
                insert(key, tag: tag, model: model)
            } else if let i = find(key, tag: tag) {
                remove(at: i)
            }
        }
    }

    /// The model under `key`, unretained (the index keeps it alive until the key is removed or
    /// replaced), for lookups on hot paths that take their own reference when they keep it.
    @inline(__always)
    func unretained(_ key: String) -> Unmanaged<SyncModel>? {
        unretained(key, tag: tag(key))
    }

    /// ``unretained(_:)`` with the key's ``tag(_:)`` computed earlier.
    @inline(__always)
    func unretained(_ key: String, tag: UInt64) -> Unmanaged<SyncModel>? {
        guard let i = find(key, tag: tag), let model = (buckets + i).pointee.model else { return nil }
        return Unmanaged.passUnretained(model)
    }

    /// Asks the cache for the home bucket of `key` (a lookup of it a little later then finds it
    /// close); returns the key's tag for that lookup.
    @inline(__always)
    func prefetchBucket(_ key: String) -> UInt64 {
        let tag = tag(key)
        tether_prefetch(buckets + (Int(truncatingIfNeeded: tag) & mask))
        return tag
    }

    /// Removes every key.
    func removeAll() {
        mutations &+= 1
        buckets.deinitialize(count: mask &+ 1)
        buckets.deallocate()
        mask = 15
        buckets = Self.allocate(16)
        count = 0
    }

    @inline(__always)
    private func find(_ key: String, tag: UInt64) -> Int? {
        var i = Int(truncatingIfNeeded: tag) & mask
        while true {
            let bucket = buckets + i
            let found = bucket.pointee.tag
            if found == 0 { return nil }
            if found == tag && Self.equal(bucket.pointee.key, key) { return i }
            i = (i &+ 1) & mask
        }
    }

    private func insert(_ key: String, tag: UInt64, model: SyncModel) {
        var i = Int(truncatingIfNeeded: tag) & mask
        while true {
            let found = buckets[i].tag
            if found == 0 { break }
            if found == tag && Self.equal(buckets[i].key, key) {
                buckets[i].model = model
                mutations &+= 1
                return
            }
            i = (i &+ 1) & mask
        }
        buckets[i] = Bucket(tag: tag, key: key, model: model)
        count &+= 1
        mutations &+= 1
        if count &* 4 > (mask &+ 1) &* 3 { grow() }
    }

    /// Empties bucket `i`, shifting later members of its probe run back (no tombstones, so a
    /// lookup still stops at the first empty bucket).
    private func remove(at index: Int) {
        var hole = index
        var j = index
        while true {
            j = (j &+ 1) & mask
            let tag = buckets[j].tag
            if tag == 0 { break }
            let home = Int(truncatingIfNeeded: tag) & mask
            // Move j into the hole unless its home lies cyclically in (hole, j].
            if (j &- home) & mask >= (j &- hole) & mask {
                swap(&buckets[hole], &buckets[j])
                hole = j
            }
        }
        buckets[hole] = Bucket(tag: 0, key: "", model: nil)
        count &-= 1
        mutations &+= 1
    }

    private func grow() {
        let old = buckets, oldSize = mask &+ 1
        mask = oldSize &* 2 &- 1
        buckets = Self.allocate(oldSize &* 2)
        for j in 0..<oldSize where old[j].tag != 0 {
            var i = Int(truncatingIfNeeded: old[j].tag) & mask
            while buckets[i].tag != 0 { i = (i &+ 1) & mask }
            swap(&buckets[i], &old[j])
        }
        old.deinitialize(count: oldSize)
        old.deallocate()
    }

    // MARK: Keys

    /// `String` equality, with a bit-for-bit shortcut (equal bits are equal strings: the same
    /// inline bytes, or the same storage and length).
    @inline(__always)
    static func equal(_ a: String, _ b: String) -> Bool {
        let same = withUnsafeBytes(of: a) { left in
            withUnsafeBytes(of: b) { right in
                left.loadUnaligned(as: (UInt64, UInt64).self) == right.loadUnaligned(as: (UInt64, UInt64).self)
            }
        }
        return same || a == b
    }

    /// The bucket tag of `key`: its hash with the top bit set.
    @inline(__always)
    private func tag(_ key: String) -> UInt64 { Self.hash(key, seed: seed, inlineLayout: inlineLayout) | (1 &<< 63) }

    /// A per-process seed.
    static let processSeed: UInt64 = UInt64.random(in: 1...UInt64.max)

    /// The key's hash, equal for keys that `==` considers equal.
    ///
    /// ASCII keys hash their bytes. A key with other scalars equals an ASCII key only if each of
    /// them decomposes canonically to ASCII — U+212A KELVIN SIGN (K), U+037E GREEK QUESTION MARK
    /// (;), U+1FEF GREEK VARIA (`) — so such keys hash their ASCII image; any other key can only
    /// equal non-ASCII keys and uses the standard library's canonical `hashValue`.
    ///
    /// A short ASCII key stored inline (Swift's small-string form: up to 15 bytes in the value
    /// itself) is hashed straight from the value's two words, without asking for its UTF-8 view.
    @inline(__always)
    static func hash(_ key: String, seed: UInt64 = processSeed, inlineLayout: Bool = inlineLayoutHolds) -> UInt64 {
        let (low, high) = withUnsafeBytes(of: key) {
            ($0.loadUnaligned(fromByteOffset: 0, as: UInt64.self), $0.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
        }
        let discriminator = high &>> 56
        if discriminator & 0xF0 == 0xE0 && inlineLayout {
            return hashShort(count: Int(truncatingIfNeeded: discriminator & 0x0F), low, high & 0x00FF_FFFF_FFFF_FFFF, seed: seed)
        }
        return hashStored(key, seed: seed)
    }

    /// Whether this platform stores small ASCII strings as ``hash(_:)`` expects: bytes first,
    /// zero padded, then a top byte of `0xE0 | count` (little-endian 64-bit). Checked once.
    static let inlineLayoutHolds: Bool = {
        func words(_ s: String) -> (UInt64, UInt64) {
            withUnsafeBytes(of: s) {
                ($0.loadUnaligned(fromByteOffset: 0, as: UInt64.self), $0.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
            }
        }
        let empty = words(""), two = words("ab"), full = words("abcdefghijklmno")
        return empty == (0, 0xE0 &<< 56) && two == (0x6261, 0xE2 &<< 56)
            && full == (0x6867_6665_6463_6261, 0xEF6F_6E6D_6C6B_6A69)
    }()

    /// The hash of a key that is not an inline ASCII string.
    @inline(never)
    static func hashStored(_ key: String, seed: UInt64) -> UInt64 {
        let fast = key.utf8.withContiguousStorageIfAvailable { hashASCII(UnsafeRawBufferPointer($0), seed: seed) }
        if let fast, let hash = fast { return hash }
        return hashUnicode(key, seed: seed)
    }

    @inline(never)
    static func hashUnicode(_ key: String, seed: UInt64) -> UInt64 {
        guard let image = CanonicalASCII.image(of: key) else { return mix(seed ^ UInt64(UInt(bitPattern: key.hashValue))) }
        return image.withUnsafeBytes { hashASCII($0, seed: seed) } ?? 0
    }

    /// The hash of ASCII bytes, or `nil` if a byte is not ASCII. Up to 15 bytes hash as two
    /// zero-padded words (as inline strings do); longer keys word by word, the last word
    /// overlapping, so distinct keys of one length give distinct words.
    static func hashASCII(_ bytes: UnsafeRawBufferPointer, seed: UInt64) -> UInt64? {
        let n = bytes.count
        if n <= 15 {
            var words: (UInt64, UInt64) = (0, 0)
            withUnsafeMutableBytes(of: &words) { $0.copyMemory(from: bytes) }
            if (words.0 | words.1) & 0x8080_8080_8080_8080 != 0 { return nil }
            return hashShort(count: n, words.0, words.1, seed: seed)
        }
        var h = seed ^ (UInt64(truncatingIfNeeded: n) &* 0x9E37_79B9_7F4A_7C15)
        var high: UInt64 = 0
        var offset = 0
        while offset &+ 8 < n {
            let word = bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            high |= word
            h = mix(h ^ word)
            offset &+= 8
        }
        let word = bytes.loadUnaligned(fromByteOffset: n &- 8, as: UInt64.self)
        high |= word
        h = mix(h ^ word)
        if high & 0x8080_8080_8080_8080 != 0 { return nil }
        return h
    }

    /// The hash of up to 15 ASCII bytes given as two zero-padded little-endian words.
    /// One folded 64×64→128-bit multiply of the seeded words (the wyhash "mum" step).
    @inline(__always)
    static func hashShort(count: Int, _ low: UInt64, _ high: UInt64, seed: UInt64) -> UInt64 {
        let a = low ^ seed
        let b = high ^ (UInt64(truncatingIfNeeded: count) &<< 56) ^ 0xE703_7ED1_A0B4_28DB ^ (seed &>> 7)
        let product = a.multipliedFullWidth(by: b)
        return product.high ^ product.low
    }

    @inline(__always)
    static func mix(_ x: UInt64) -> UInt64 {
        var z = x
        z = (z ^ (z &>> 32)) &* 0xD6E8_FEB8_6659_FD93
        z = (z ^ (z &>> 32)) &* 0xD6E8_FEB8_6659_FD93
        return z ^ (z &>> 32)
    }
}
