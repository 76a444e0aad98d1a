/// Remembers recently parsed short ASCII strings so that repeated keys and enum-like values
/// (`"id"`, `"title"`, `"done"`) are created once per document instead of once per occurrence.
///
/// Entries are found by an exact fingerprint (length plus bytes, for 1-7 bytes), so a hit needs no
/// string comparison. The table is allocated only once a document has shown enough short strings
/// to pay for it, keeping small frames allocation-free.
struct ShortStringCache: ~Copyable {
    static let slots = 256
    static let warmUp = 24
    /// The longest string cached: its fingerprint is exact (see `JSONParser.fingerprint`).
    static let maximumLength = 7

    private var tags: UnsafeMutablePointer<UInt64>?
    private var strings: UnsafeMutablePointer<String>?
    private var misses = 0

    init() {}

    deinit {
        if let tags, let strings {
            strings.deinitialize(count: Self.slots)
            strings.deallocate()
            tags.deallocate()
        }
    }

    /// The cached string for `fingerprint`, or `make()`'s result (remembered once warmed up).
    @inline(__always)
    mutating func string(for fingerprint: UInt64, _ make: () -> String) -> String {
        guard let tags, let strings else {
            misses += 1
            if misses >= Self.warmUp { allocate() }
            return make()
        }
        let slot = Int(truncatingIfNeeded: (fingerprint &* 0x9E37_79B9_7F4A_7C15) >> 56)
        if tags[slot] == fingerprint { return strings[slot] }
        let made = make()
        tags[slot] = fingerprint
        strings[slot] = made
        return made
    }

    private mutating func allocate() {
        let tags = UnsafeMutablePointer<UInt64>.allocate(capacity: Self.slots)
        tags.initialize(repeating: 0, count: Self.slots)  // 0 is never a short-string fingerprint
        let strings = UnsafeMutablePointer<String>.allocate(capacity: Self.slots)
        strings.initialize(repeating: "", count: Self.slots)
        self.tags = tags
        self.strings = strings
    }
}
