/// A buffer of at most `capacity` elements, appended without `Array`'s per-append uniqueness
/// and capacity checks, then handed over as an `Array` in one move (no copies, no reference
/// counting).
///
/// `set` fills its result and merge lists one element per input; with `Array.append` those checks
/// were a measurable share of a model merge. Non-copyable: it owns its memory.
struct FixedBuffer<Element>: ~Copyable {
    private let base: UnsafeMutablePointer<Element>
    private let capacity: Int
    /// Number of elements appended.
    private(set) var count = 0

    init(capacity: Int) {
        self.capacity = Swift.max(capacity, 1)
        base = .allocate(capacity: self.capacity)
    }

    deinit {
        base.deinitialize(count: count)
        base.deallocate()
    }

    /// Appends `element`; traps past `capacity`.
    @inline(__always)
    mutating func append(_ element: Element) {
        precondition(count < capacity, "FixedBuffer is full")
        (base + count).initialize(to: element)
        count &+= 1
    }

    /// The elements as an array; the buffer is left empty.
    mutating func takeArray() -> [Element] {
        let n = count
        count = 0
        if n == 0 { return [] }
        let source = base
        return Array(unsafeUninitializedCapacity: n) { buffer, initialized in
            buffer.baseAddress.unsafelyUnwrapped.moveInitialize(from: source, count: n)
            initialized = n
        }
    }
}
