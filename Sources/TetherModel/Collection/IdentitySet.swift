/// A set of objects by identity, for the "seen" bookkeeping of one collection `set`.
///
/// `Set<ObjectIdentifier>` hashes every pointer with seeded SipHash; `set` inserts every input's
/// model and then asks about every member, so that hashing was a large share of a merge. Here an
/// address is hashed with one multiplication (Fibonacci hashing: the top bits of `address × φ`)
/// into an open-addressing table with linear probing. Addresses are not attacker-controlled, so
/// no seed is needed. Insert-only (a `set` never forgets a model it saw).
///
/// Non-copyable: it owns its buffer and frees it when it goes out of scope.
struct IdentitySet: ~Copyable {
    /// Object addresses; 0 marks an empty bucket.
    private var buckets: UnsafeMutablePointer<UInt>
    /// log2 of the number of buckets.
    private var shift: Int
    private(set) var count = 0

    /// A set that holds `capacity` objects without growing.
    init(capacity: Int) {
        var bits = 4
        while (1 << bits) &* 3 < Swift.max(capacity, 1) &* 4 { bits &+= 1 }
        shift = bits
        buckets = .allocate(capacity: 1 << bits)
        Self.clear(buckets, count: 1 << bits)
    }

    deinit { buckets.deallocate() }

    /// Zeroes fresh buckets (a plain loop, which the optimizer turns into `memset`).
    private static func clear(_ buckets: UnsafeMutablePointer<UInt>, count: Int) {
        var i = 0
        while i < count {
            (buckets + i).initialize(to: 0)
            i &+= 1
        }
    }

    private var size: Int { 1 &<< shift }

    @inline(__always)
    private static func address(_ object: AnyObject) -> UInt {
        UInt(bitPattern: ObjectIdentifier(object))
    }

    @inline(__always)
    private func home(_ address: UInt) -> Int {
        Int(truncatingIfNeeded: (UInt64(address) &* 0x9E37_79B9_7F4A_7C15) &>> UInt64(64 &- shift))
    }

    /// The bucket holding `address` (`found`), or the empty bucket where its probe ends.
    @inline(__always)
    private func probe(_ address: UInt) -> (index: Int, found: Bool) {
        let mask = size &- 1
        var i = home(address)
        while true {
            let bucket = buckets[i] & ~1
            if bucket == address { return (i, true) }
            if bucket == 0 { return (i, false) }
            i = (i &+ 1) & mask
        }
    }

    /// Whether `object` is in the set.
    @inline(__always)
    func contains(_ object: AnyObject) -> Bool {
        probe(Self.address(object)).found
    }

    /// Marks `object` as visited (in bit 0 of its bucket; addresses are aligned, so the bit is
    /// free). Returns `false` if it is not in the set or was marked before. For a one-pass
    /// check that a sequence holds each member at most once.
    @inline(__always)
    mutating func markVisited(_ object: AnyObject) -> Bool {
        let (i, found) = probe(Self.address(object))
        guard found, buckets[i] & 1 == 0 else { return false }
        buckets[i] |= 1
        return true
    }

    /// Adds `object`; returns `false` if it was already there.
    @inline(__always)
    @discardableResult
    mutating func insert(_ object: AnyObject) -> Bool {
        let address = Self.address(object)
        let (i, found) = probe(address)
        if found { return false }
        buckets[i] = address
        count &+= 1
        if count &* 4 > size &* 3 { grow() }
        return true
    }

    private mutating func grow() {
        let old = buckets, oldSize = size
        shift &+= 1
        buckets = .allocate(capacity: size)
        Self.clear(buckets, count: size)
        let mask = size &- 1
        for j in 0..<oldSize where old[j] != 0 {
            var i = home(old[j] & ~1)
            while buckets[i] != 0 { i = (i &+ 1) & mask }
            buckets[i] = old[j]
        }
        old.deallocate()
    }
}
