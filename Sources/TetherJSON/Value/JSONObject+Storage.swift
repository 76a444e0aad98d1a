// Where an object's member storage and its nested containers lie in memory, for a caller that
// wants them in the cache before it reads them (a collection `set` prefetches a few inputs ahead).
// Addresses only: nothing here reads a member's value or changes anything. The layout facts are
// the ones ``StorageLayout`` verifies at startup; callers check ``storageAddressesAreKnown`` once.

extension JSONObject {
    /// Whether the functions below may be called (the storage layout was verified).
    package static var storageAddressesAreKnown: Bool { StorageLayout.isVerified }

    /// The address of the member storage of the object at `object` (which must be readable).
    @inlinable @inline(__always)
    package static func memberStorage(of object: UnsafeRawPointer) -> UnsafeRawPointer {
        object.load(fromByteOffset: MemoryLayout<JSONObject>.offset(of: \JSONObject.slots)!, as: UnsafeRawPointer.self)
    }

    /// Whether the object at `object` keeps an index (then its slots may hold holes).
    @inlinable @inline(__always)
    package static func hasIndex(_ object: UnsafeRawPointer) -> Bool {
        object.load(fromByteOffset: MemoryLayout<JSONObject>.offset(of: \JSONObject.index)!, as: UInt.self) != 0
    }

    /// The number of slots in member storage at `storage`, read from the storage's first line.
    @inlinable @inline(__always)
    package static func slotCount(inMemberStorage storage: UnsafeRawPointer) -> Int {
        storage.load(fromByteOffset: StorageLayout.countOffset, as: Int.self)
    }

    /// The bytes of member storage that hold its first `count` slots.
    @inlinable @inline(__always)
    package static func memberStorageBytes(slots count: Int) -> Int {
        StorageLayout.entryElementsOffset + count * MemoryLayout<Entry?>.stride
    }

    /// Calls `body` with the storage address of each nested array or object among the first
    /// `limit` members of the object at `object`, whose member storage must be readable. Large
    /// objects (with an index, so possibly holes) yield nothing.
    @inlinable @inline(__always)
    package static func forEachNestedStorage(of object: UnsafeRawPointer, limit: Int, _ body: (UnsafeRawPointer) -> Void) {
        guard !hasIndex(object) else { return }
        let storage = memberStorage(of: object)
        let count = Swift.min(slotCount(inMemberStorage: storage), limit)
        // Without an index there are no holes, and a present `Entry?` holds its `Entry` at offset 0.
        let entries = (storage + StorageLayout.entryElementsOffset).assumingMemoryBound(to: Entry.self)
        let valueOffset = MemoryLayout<Entry>.offset(of: \Entry.value)!
        for i in 0..<count {
            let value = UnsafeRawPointer(entries + i) + valueOffset
            switch value.assumingMemoryBound(to: JSON.self).pointee {
            case .array, .object:
                // Both payloads start with the address of their storage object.
                body(value.load(as: UnsafeRawPointer.self))
            default:
                continue
            }
        }
    }
}
