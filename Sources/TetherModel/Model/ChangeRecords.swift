/// The change records of one model (see ``ChangeRecord``), in a buffer the model owns alone.
///
/// An `Array` would do, but every write to an array checks that its buffer is not shared
/// (copy-on-write), a runtime call on each `set`. These records never leave their model, so the
/// buffer is non-copyable and written in place. Its size and capacity live in the allocation's
/// header, which keeps the model's field one word wide, like the array it replaces.
struct ChangeRecords: ~Copyable {
    /// `count` and `capacity`, followed by the records; `nil` until the first record.
    private var block: UnsafeMutableRawPointer?

    private struct Header {
        var count: Int
        var capacity: Int
    }

    private static var recordsOffset: Int {
        let alignment = MemoryLayout<ChangeRecord>.alignment
        return (MemoryLayout<Header>.size + alignment - 1) / alignment * alignment
    }

    init() { block = nil }

    deinit {
        guard let block else { return }
        Self.records(in: block).deinitialize(count: Self.header(of: block).pointee.count)
        block.deallocate()
    }

    @inline(__always)
    private static func header(of block: UnsafeMutableRawPointer) -> UnsafeMutablePointer<Header> {
        block.assumingMemoryBound(to: Header.self)
    }

    @inline(__always)
    private static func records(in block: UnsafeMutableRawPointer) -> UnsafeMutablePointer<ChangeRecord> {
        (block + recordsOffset).assumingMemoryBound(to: ChangeRecord.self)
    }

    /// Number of records held (live ones first; the rest are spares from earlier sets).
    var count: Int {
        @inline(__always) get {
            guard let block else { return 0 }
            return Self.header(of: block).pointee.count
        }
    }

    /// Record `i` in place (`i < count`); valid until the next append, insert, removal or trim.
    @inline(__always)
    func pointer(at i: Int) -> UnsafeMutablePointer<ChangeRecord> {
        precondition(i >= 0 && i < count, "ChangeRecords index out of range")
        return Self.records(in: block.unsafelyUnwrapped) + i
    }

    /// The first record in place, `nil` when there is none (valid like ``pointer(at:)``).
    var first: UnsafeMutablePointer<ChangeRecord>? {
        @inline(__always) get {
            guard let block, Self.header(of: block).pointee.count > 0 else { return nil }
            return Self.records(in: block)
        }
    }

    /// The first `n` records (`n <= count`), borrowed: valid until the buffer next changes.
    func prefix(_ n: Int) -> UnsafeBufferPointer<ChangeRecord> {
        precondition(n >= 0 && n <= count, "ChangeRecords prefix out of range")
        guard let block else { return UnsafeBufferPointer(start: nil, count: 0) }
        return UnsafeBufferPointer(start: Self.records(in: block), count: n)
    }

    mutating func append(_ record: consuming ChangeRecord) {
        let n = count
        reserve(n + 1)
        let block = block.unsafelyUnwrapped
        (Self.records(in: block) + n).initialize(to: record)
        Self.header(of: block).pointee.count = n + 1
    }

    /// Removes record `i` and returns it, closing the gap.
    mutating func remove(at i: Int) -> ChangeRecord {
        let slot = pointer(at: i)
        let removed = slot.move()
        let n = count
        slot.moveInitialize(from: slot + 1, count: n - i - 1)
        Self.header(of: block.unsafelyUnwrapped).pointee.count = n - 1
        return removed
    }

    /// Inserts `record` before position `i` (`i <= count`).
    mutating func insert(_ record: consuming ChangeRecord, at i: Int) {
        let n = count
        precondition(i >= 0 && i <= n, "ChangeRecords insert position out of range")
        reserve(n + 1)
        let block = block.unsafelyUnwrapped
        let slot = Self.records(in: block) + i
        (slot + 1).moveInitialize(from: slot, count: n - i)
        slot.initialize(to: record)
        Self.header(of: block).pointee.count = n + 1
    }

    /// Keeps the first `n` records and releases the rest.
    mutating func truncate(to n: Int) {
        let current = count
        guard n < current, let block else { return }
        (Self.records(in: block) + n).deinitialize(count: current - n)
        Self.header(of: block).pointee.count = n
    }

    private mutating func reserve(_ needed: Int) {
        let capacity = block.map { Self.header(of: $0).pointee.capacity } ?? 0
        if needed <= capacity { return }
        let newCapacity = Swift.max(needed, capacity * 2, 2)
        let alignment = Swift.max(MemoryLayout<Header>.alignment, MemoryLayout<ChangeRecord>.alignment)
        let grown = UnsafeMutableRawPointer.allocate(
            byteCount: Self.recordsOffset + newCapacity * MemoryLayout<ChangeRecord>.stride, alignment: alignment)
        let n = count
        grown.initializeMemory(as: Header.self, repeating: Header(count: n, capacity: newCapacity), count: 1)
        if let block {
            Self.records(in: grown).moveInitialize(from: Self.records(in: block), count: n)
            block.deallocate()
        }
        block = grown
    }
}
