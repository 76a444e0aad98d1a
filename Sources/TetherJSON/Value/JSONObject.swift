/// An insertion-ordered JSON object.
///
/// Backbone fires `change:attr` events in attribute order, and a server's member order is part of
/// what users see, so members keep the order in which they were first added. Equality ignores order
/// (RFC 8259 objects are unordered maps).
///
/// Small objects (the common model shape) are a flat array searched linearly, which beats hashing
/// for a handful of short keys. Past ``indexThreshold`` members a key → slot index is kept, and
/// removal leaves a hole that is compacted later, so removing from a 10,000-member document is
/// O(1) amortized instead of O(n).
public struct JSONObject: Sendable {
    @usableFromInline
    struct Entry: Sendable {
        @usableFromInline var key: String
        @usableFromInline var value: JSON
        @inlinable init(key: String, value: JSON) {
            self.key = key
            self.value = value
        }
    }

    /// Members in insertion order; `nil` marks a removed member awaiting compaction (only with an index).
    @usableFromInline var slots: [Entry?]
    /// Key → slot position, present only when there are more than ``indexThreshold`` slots.
    @usableFromInline var index: MemberIndex?
    /// Number of live members.
    @usableFromInline var liveCount: Int

    /// Objects with more slots than this keep a hash index.
    public static let indexThreshold = 12

    @inlinable
    public init() {
        slots = []
        index = nil
        liveCount = 0
    }

    @inlinable
    public init(minimumCapacity: Int) {
        self.init()
        slots.reserveCapacity(minimumCapacity)
    }

    /// Builds an object from key-value pairs; a repeated key keeps its first position and last value.
    @inlinable
    public init<S: Sequence>(_ pairs: S) where S.Element == (String, JSON) {
        self.init(minimumCapacity: pairs.underestimatedCount)
        for (key, value) in pairs { self[key] = value }
    }

    /// Adopts members produced by the parser. `knownUnique` promises that no key repeats (the parser
    /// checks small objects itself); larger objects detect repeats while their index is built. With
    /// repeats, the documented rule applies: last value wins, first position is kept.
    @usableFromInline
    init(parsedMembers entries: [Entry?], knownUnique: Bool) {
        self.init()
        var unique = knownUnique
        var built: MemberIndex? = nil
        if entries.count > Self.indexThreshold {
            var keyIndex = MemberIndex(capacity: entries.count)
            unique = true
            entries.withUnsafeBufferPointer { entries in
                for i in entries.indices {
                    let key = entries[i].unsafelyUnwrapped.key
                    let hash = MemberIndex.hash(key)
                    if keyIndex.find(hash: hash, { entries[$0].unsafelyUnwrapped.key == key }) != nil {
                        unique = false
                        break
                    }
                    keyIndex.insert(slot: i, hash: hash)
                }
            }
            built = keyIndex
        }
        if unique {
            slots = entries
            index = built
            liveCount = entries.count
        } else {
            slots.reserveCapacity(entries.count)
            for entry in entries {
                let entry = entry.unsafelyUnwrapped
                updateValue(entry.value, forKey: entry.key)
            }
        }
    }

    /// Adopts members built by code (the Codable bridge) that rarely repeat a key: small objects
    /// are checked pairwise by a cheap key fingerprint, strings are compared only on a match.
    @usableFromInline
    init(members entries: [Entry?]) {
        var unique = true
        let n = entries.count
        if n > 1 && n <= Self.indexThreshold {
            var prints: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) =
                (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
            withUnsafeMutableBytes(of: &prints) { raw in
                let fingerprints = raw.bindMemory(to: UInt64.self)
                for i in 0..<n { fingerprints[i] = Self.fingerprint(of: entries[i].unsafelyUnwrapped.key) }
                search: for i in 1..<n {
                    for j in 0..<i where fingerprints[i] == fingerprints[j] || fingerprints[i] == 0 || fingerprints[j] == 0 {
                        if entries[i].unsafelyUnwrapped.key == entries[j].unsafelyUnwrapped.key {
                            unique = false
                            break search
                        }
                    }
                }
            }
        }
        self.init(parsedMembers: entries, knownUnique: unique)
    }

    /// Length and bytes of an ASCII key folded into 64 bits; 0 ("compare in full") for keys with
    /// non-ASCII text, which Swift compares by canonical equivalence.
    @usableFromInline
    static func fingerprint(of key: String) -> UInt64 {
        var key = key
        return key.withUTF8 { bytes in
            var h = UInt64(truncatingIfNeeded: bytes.count) &* 0x9E37_79B9_7F4A_7C15
            for byte in bytes {
                if byte >= 0x80 { return 0 }
                h = (h ^ UInt64(byte)) &* 0x1000_0000_01B3
            }
            return h == 0 ? 1 : h
        }
    }

    @inlinable public var count: Int { liveCount }
    @inlinable public var isEmpty: Bool { liveCount == 0 }

    /// The keys in insertion order.
    @inlinable public var keys: [String] { map(\.key) }

    /// The values in insertion order.
    @inlinable public var values: [JSON] { map(\.value) }

    /// The slot holding `key`, if present.
    ///
    /// Small objects are scanned through the array's buffer, probing only each member's key in
    /// place (no copy of the `Entry`, so no retain/release of its value). Keys are unique, so a
    /// key that is bit-for-bit `key` (a short ASCII key, or the same string storage) is the
    /// answer; only when none is does a second pass compare with `==` (canonical equivalence,
    /// which can match keys of other bytes), so a hit never pays for a full string comparison.
    @inlinable
    func slot(of key: String) -> Int? {
        if index != nil { return indexedSlot(of: key) }
        return slots.withUnsafeBufferPointer { buffer -> Int? in
            guard let base = buffer.baseAddress else { return nil }
            return Self.linearSlot(of: key, in: base, count: buffer.count)
        }
    }

    /// The slot of `key` among `count` hole-free slots: bit-identical keys first, then `==`.
    /// Without holes a present `Entry?` holds its `Entry` at offset 0, so keys are read in place.
    @usableFromInline
    static func linearSlot(of key: String, in slots: UnsafePointer<Entry?>, count: Int) -> Int? {
        if let found = identicalSlot(of: key, in: slots, count: count) { return found }
        for i in 0..<count where slots[i].unsafelyUnwrapped.key == key { return i }
        return nil
    }

    /// The slot among `count` hole-free slots whose key is bit for bit `key`, if any (the first
    /// pass of ``linearSlot(of:in:count:)``, and the whole search of ``withIdenticalValue(forKey:_:)``).
    @inlinable @inline(__always)
    static func identicalSlot(of key: String, in slots: UnsafePointer<Entry?>, count: Int) -> Int? {
        let keyOffset = MemoryLayout<Entry>.offset(of: \Entry.key)!
        return withUnsafeBytes(of: key) { wanted -> Int? in
            for i in 0..<count
            where JSON.sameBytes(
                UnsafeRawPointer(slots + i) + keyOffset, wanted.baseAddress.unsafelyUnwrapped,
                count: MemoryLayout<String>.size)
            {
                return i
            }
            return nil
        }
    }

    /// ``slot(of:)`` through the index (canonical equality, like the linear scan).
    @usableFromInline
    func indexedSlot(of key: String) -> Int? {
        let hash = MemberIndex.hash(key)
        return slots.withUnsafeBufferPointer { buffer in
            index.unsafelyUnwrapped.find(hash: hash) { slot in
                let candidate = buffer[slot].unsafelyUnwrapped.key
                return Self.identical(candidate, key) || candidate == key
            }
        }
    }

    /// Drops `key`, which lives in `slot`, from the index (the slot itself is left to the caller).
    @usableFromInline
    mutating func unindex(_ key: String, slot: Int) {
        index!.remove(slot: slot, hash: MemberIndex.hash(key))
    }

    /// `true` when two strings are the same value bit for bit (a sufficient condition for `==`).
    @inlinable @inline(__always)
    package static func identical(_ a: String, _ b: String) -> Bool {
        withUnsafeBytes(of: a) { left in
            withUnsafeBytes(of: b) { right in
                var offset = 0
                while offset + 8 <= left.count {
                    guard left.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
                        == right.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
                    else { return false }
                    offset += 8
                }
                while offset < left.count {
                    guard left[offset] == right[offset] else { return false }
                    offset += 1
                }
                return true
            }
        }
    }

    @inlinable
    public func contains(key: String) -> Bool { slot(of: key) != nil }

    /// The value for `key`; setting `nil` removes the member, setting a new key appends it.
    @inlinable
    public subscript(key: String) -> JSON? {
        get {
            guard let i = slot(of: key) else { return nil }
            return slots[i].unsafelyUnwrapped.value
        }
        set {
            if let newValue {
                updateValue(newValue, forKey: key)
            } else {
                removeValue(forKey: key)
            }
        }
    }

    /// Sets `value` for `key` and returns the previous value. A new key is appended at the end.
    @inlinable
    @discardableResult
    public mutating func updateValue(_ value: JSON, forKey key: String) -> JSON? {
        if let i = slot(of: key) {
            // Swap the new value in without copying the old one.
            var old = value
            swap(&old, &slots[i]!.value)
            return old
        }
        append(key: key, value: value)
        return nil
    }

    /// Removes the member named `key` and returns its value.
    @inlinable
    @discardableResult
    public mutating func removeValue(forKey key: String) -> JSON? {
        guard let i = slot(of: key) else { return nil }
        let old = slots[i].unsafelyUnwrapped.value
        liveCount -= 1
        if index != nil {
            unindex(slots[i].unsafelyUnwrapped.key, slot: i)
            slots[i] = nil
            if slots.count - liveCount > Swift.max(8, liveCount) { compact() }
        } else {
            slots.remove(at: i)
        }
        return old
    }

    /// Calls `body` with the value for `key` in place (no copy of the value), or returns `nil` when
    /// the key is absent.
    @inlinable
    public mutating func withValue<R>(forKey key: String, _ body: (inout JSON) throws -> R) rethrows -> R? {
        guard let i = slot(of: key) else { return nil }
        return try body(&slots[i]!.value)
    }

    /// Runs `body` on the stored value of the member whose key is bit for bit `key`, in place;
    /// `nil` when there is none or the object keeps an index (use ``withValue(forKey:_:)`` then).
    ///
    /// This is the hit case of every lookup in a model's attributes (short ASCII keys are stored
    /// inline, so equal keys have equal bits), inlined so a hot `set` calls no search routine.
    /// `body` must not touch the object itself.
    @inlinable @inline(__always)
    package mutating func withIdenticalValue<R>(forKey key: String, _ body: (UnsafeMutablePointer<JSON>) -> R) -> R? {
        guard index == nil else { return nil }
        return slots.withUnsafeMutableBufferPointer { buffer -> R? in
            guard let base = buffer.baseAddress else { return nil }
            // Without an index there are no holes, and a present `Entry?` holds its `Entry` at offset 0.
            guard let found = Self.identicalSlot(of: key, in: base, count: buffer.count) else { return nil }
            let valueOffset = MemoryLayout<Entry>.offset(of: \Entry.value)!
            return body((UnsafeMutableRawPointer(base + found) + valueOffset).assumingMemoryBound(to: JSON.self))
        }
    }

    /// ``withValue(forKey:_:)`` that looks at position `hint` first: objects of one shape (a model's
    /// attributes and the next version of them) keep each key at the same position, so a write
    /// loop that passes its own position skips the key search.
    @inlinable
    public mutating func withValue<R>(forKey key: String, hint: Int, _ body: (inout JSON) throws -> R) rethrows -> R? {
        if index == nil && hint >= 0 && hint < slots.count {
            let found = slots.withUnsafeBufferPointer { buffer in
                // Without an index there are no holes, and a present `Entry?` holds its `Entry` at
                // offset 0: the key is compared in place, bit for bit.
                withUnsafeBytes(of: key) { wanted in
                    JSON.sameBytes(
                        UnsafeRawPointer(buffer.baseAddress.unsafelyUnwrapped + hint) + MemoryLayout<Entry>.offset(of: \Entry.key)!,
                        wanted.baseAddress.unsafelyUnwrapped, count: MemoryLayout<String>.size)
                }
            }
            if found { return try body(&slots[hint]!.value) }
        }
        return try withValue(forKey: key, body)
    }

    /// Removes every member.
    @inlinable
    public mutating func removeAll(keepingCapacity: Bool = false) {
        slots.removeAll(keepingCapacity: keepingCapacity)
        index = nil
        liveCount = 0
    }

    @inlinable
    mutating func append(key: String, value: JSON) {
        slots.append(Entry(key: key, value: value))
        liveCount += 1
        if index != nil {
            index!.insert(slot: slots.count - 1, hash: MemberIndex.hash(key))
        } else if slots.count > Self.indexThreshold {
            buildIndex()
        }
    }

    @usableFromInline
    mutating func buildIndex() {
        var built = MemberIndex(capacity: slots.count)
        for (i, entry) in slots.enumerated() {
            if let entry { built.insert(slot: i, hash: MemberIndex.hash(entry.key)) }
        }
        index = built
    }

    /// Squeezes out the holes left by removals; the index is renumbered, not rebuilt.
    @usableFromInline
    mutating func compact() {
        guard slots.count - liveCount > 0 else { return }
        guard liveCount > Self.indexThreshold, index != nil else {
            slots.removeAll { $0 == nil }
            index = nil
            return
        }
        var newSlot = [Int32](repeating: -1, count: slots.count)
        var next = 0
        for i in slots.indices where slots[i] != nil {
            newSlot[i] = Int32(truncatingIfNeeded: next)
            next += 1
        }
        slots.removeAll { $0 == nil }
        newSlot.withUnsafeBufferPointer { index!.renumber($0) }
    }
}

extension JSONObject: Sequence {
    public typealias Element = (key: String, value: JSON)

    public struct Iterator: IteratorProtocol {
        @usableFromInline var base: IndexingIterator<[Entry?]>
        @inlinable init(_ slots: [Entry?]) { base = slots.makeIterator() }

        @inlinable
        public mutating func next() -> (key: String, value: JSON)? {
            while let slot = base.next() {
                if let entry = slot { return (entry.key, entry.value) }
            }
            return nil
        }
    }

    @inlinable public func makeIterator() -> Iterator { Iterator(slots) }
    @inlinable public var underestimatedCount: Int { liveCount }
}

extension JSONObject: ExpressibleByDictionaryLiteral {
    @inlinable
    public init(dictionaryLiteral elements: (String, JSON)...) {
        self.init(minimumCapacity: elements.count)
        for (key, value) in elements { self[key] = value }
    }
}

extension JSONObject: Hashable {
    /// Order-insensitive hash: member hashes are combined commutatively.
    public func hash(into hasher: inout Hasher) {
        var sum: UInt = 0
        for (key, value) in self {
            var member = Hasher()
            member.combine(key)
            member.combine(value)
            sum &+= UInt(bitPattern: member.finalize())
        }
        hasher.combine(liveCount)
        hasher.combine(sum)
    }
}
