// Equality of JSON values, written for the hot path of `set`: a merge compares every incoming
// attribute with the stored one, and most of them are equal.
//
// Values are compared where they lie (through buffer pointers), never copied out of their arrays
// or objects, so equal members cost no reference counting. Two members whose bytes are identical
// (same case, same payload: an inline number, a small string, or shared storage) are equal without
// looking further; otherwise the structural rules apply.

extension JSON {
    /// Structural equality: objects compare as unordered maps, numbers by exact value
    /// (`1 == 1.0`), strings by canonical equivalence.
    @inlinable
    public static func == (lhs: JSON, rhs: JSON) -> Bool {
        // One switch on each side (a switch over the pair would copy both payloads).
        switch lhs {
        case .null:
            if case .null = rhs { return true }
            return false
        case .bool(let a):
            if case .bool(let b) = rhs { return a == b }
            return false
        case .number(let a):
            if case .number(let b) = rhs { return a == b }
            return false
        case .string(let a):
            if case .string(let b) = rhs { return a == b }
            return false
        case .array(let a):
            if case .array(let b) = rhs { return elementsEqual(a, b) }
            return false
        case .object(let a):
            if case .object(let b) = rhs { return a == b }
            return false
        }
    }

    /// Element-wise equality of two arrays, in place.
    @usableFromInline
    static func elementsEqual(_ a: [JSON], _ b: [JSON]) -> Bool {
        guard a.count == b.count else { return false }
        return a.withUnsafeBufferPointer { left in
            b.withUnsafeBufferPointer { right in
                guard let l = left.baseAddress, let r = right.baseAddress, l != r else { return true }
                for i in 0..<left.count where !equal(l + i, r + i) { return false }
                return true
            }
        }
    }

    /// Equality of two values in memory. A scalar whose payload bytes are identical on both sides
    /// (the same number, a short or shared string) is equal without copying either value; the
    /// structural comparison runs only otherwise. (A case's payload starts at offset 0; bytes past
    /// it are unspecified, so only the payload is compared.)
    @usableFromInline @inline(__always)
    static func equal(_ a: UnsafePointer<JSON>, _ b: UnsafePointer<JSON>) -> Bool {
        let left = UnsafeRawPointer(a), right = UnsafeRawPointer(b)
        switch a.pointee {
        case .null:
            if case .null = b.pointee { return true }
            return false
        case .bool:
            if case .bool = b.pointee, sameBytes(left, right, count: MemoryLayout<Bool>.size) { return true }
        case .number:
            if case .number = b.pointee, sameBytes(left, right, count: MemoryLayout<JSONNumber>.size) { return true }
        case .string:
            if case .string = b.pointee, sameBytes(left, right, count: MemoryLayout<String>.size) { return true }
        case .array:
            guard StorageLayout.isVerified else { break }
            guard case .array = b.pointee else { return false }
            return elementsEqual(arrayStorage(at: left), arrayStorage(at: right))
        case .object:
            guard StorageLayout.isVerified else { break }
            guard case .object = b.pointee else { return false }
            return JSONObject.equal(atPayload: left, right)
        }
        return a.pointee == b.pointee
    }

    /// The storage object of the `[JSON]` stored at `pointer` (see ``StorageLayout``).
    @inline(__always)
    static func arrayStorage(at pointer: UnsafeRawPointer) -> UnsafeRawPointer {
        pointer.load(as: UnsafeRawPointer.self)
    }

    /// Element-wise equality of two `[JSON]` storages read in place.
    static func elementsEqual(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer) -> Bool {
        let count = a.load(fromByteOffset: StorageLayout.countOffset, as: Int.self)
        guard count == b.load(fromByteOffset: StorageLayout.countOffset, as: Int.self) else { return false }
        if a == b { return true }
        let left = (a + StorageLayout.jsonElementsOffset).assumingMemoryBound(to: JSON.self)
        let right = (b + StorageLayout.jsonElementsOffset).assumingMemoryBound(to: JSON.self)
        for i in 0..<count where !equal(left + i, right + i) { return false }
        return true
    }

    /// Equality of `value` with the value at `stored` when both are null, booleans or integers
    /// (decided on their bits: the inlined first check of a hot `set`); `nil` otherwise (use `==`).
    @inlinable @inline(__always)
    package static func scalarEquality(_ stored: UnsafePointer<JSON>, _ value: borrowing JSON) -> Bool? {
        switch value {
        case .number(let b):
            guard case .number = stored.pointee else { return false }
            guard case .int = b else { return nil }
            // A `JSONNumber` is its 8 payload bytes then its case byte (Swift's multi-payload enum
            // layout when the payloads have no spare bits; `EqualityTests` checks it): the same case
            // byte means `stored` holds an integer too, and two integers are equal when their bits are.
            return withUnsafeBytes(of: b) { right -> Bool? in
                let left = UnsafeRawPointer(stored)
                guard left.load(fromByteOffset: 8, as: UInt8.self) == right.load(fromByteOffset: 8, as: UInt8.self) else {
                    return nil
                }
                return left.loadUnaligned(as: UInt64.self) == right.loadUnaligned(as: UInt64.self)
            }
        case .bool(let b):
            guard case .bool(let a) = stored.pointee else { return false }
            return a == b
        case .null:
            if case .null = stored.pointee { return true }
            return false
        default:
            return nil
        }
    }

    /// Whether `count` bytes at `a` and `b` are identical. For two strings or two numbers that
    /// means equal values (a NaN equals itself here, as in Backbone's `_.isEqual`).
    @inlinable @inline(__always)
    static func sameBytes(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, count: Int) -> Bool {
        var offset = 0
        while offset + 8 <= count {
            guard a.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
                == b.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            else { return false }
            offset += 8
        }
        while offset < count {
            guard a.load(fromByteOffset: offset, as: UInt8.self) == b.load(fromByteOffset: offset, as: UInt8.self) else {
                return false
            }
            offset += 1
        }
        return true
    }
}

extension JSONObject {
    /// Order-insensitive equality: same keys, equal values. Members are compared in place;
    /// same-shaped objects (the same key in the same slot) need no key lookup.
    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        guard lhs.liveCount == rhs.liveCount else { return false }
        // Without an index an object has no holes: every slot holds a member.
        guard lhs.index == nil && rhs.index == nil else { return equalWithHoles(lhs, rhs) }
        return lhs.slots.withUnsafeBufferPointer { left in
            rhs.slots.withUnsafeBufferPointer { right in
                guard let l = left.baseAddress, let r = right.baseAddress, l != r else { return true }
                return membersEqual(l, r, count: left.count)
            }
        }
    }

    /// ``==(_:_:)`` of two objects read where they lie. A copy of either would cost an atomic
    /// reference count on its member storage, and an atomic operation also waits for every
    /// cache miss in flight, which is what a merge into a large collection is made of.
    package static func equal(_ lhs: UnsafePointer<JSONObject>, _ rhs: UnsafePointer<JSONObject>) -> Bool {
        guard StorageLayout.isVerified else { return lhs.pointee == rhs.pointee }
        return equal(atPayload: UnsafeRawPointer(lhs), UnsafeRawPointer(rhs))
    }

    /// ``contains(key:)`` of the object at `object`, read in place (see ``equal(_:_:)``).
    package static func contains(key: String, in object: UnsafePointer<JSONObject>) -> Bool {
        withValue(forKey: key, in: object) { $0 != nil }
    }

    /// Calls `body` with the address of the value of `key` in the object at `object` (`nil` when
    /// the key is absent). Nothing is copied: the object's storage is read where it lies.
    @inlinable @inline(__always)
    package static func withValue<R>(
        forKey key: String, in object: UnsafePointer<JSONObject>, _ body: (UnsafePointer<JSON>?) -> R
    ) -> R {
        let valueOffset = MemoryLayout<Entry>.offset(of: \Entry.value)!
        guard StorageLayout.isVerified else {
            let found = object.pointee.slot(of: key)
            return object.pointee.slots.withUnsafeBufferPointer { buffer in
                guard let found else { return body(nil) }
                return body((UnsafeRawPointer(buffer.baseAddress! + found) + valueOffset).assumingMemoryBound(to: JSON.self))
            }
        }
        let raw = UnsafeRawPointer(object)
        let storage = memberStorage(of: raw)
        let entries = (storage + StorageLayout.entryElementsOffset).assumingMemoryBound(to: Entry?.self)
        let found: Int?
        if !hasIndex(raw) {
            found = linearSlot(of: key, in: entries, count: slotCount(inMemberStorage: storage))
        } else {
            found = object.pointee.indexedSlot(of: key)
        }
        guard let found else { return body(nil) }
        return body((UnsafeRawPointer(entries + found) + valueOffset).assumingMemoryBound(to: JSON.self))
    }

    /// ``==(_:_:)`` for the payloads of two `.object` values, read in place (see ``StorageLayout``).
    static func equal(atPayload lhs: UnsafeRawPointer, _ rhs: UnsafeRawPointer) -> Bool {
        let countOffset = MemoryLayout<JSONObject>.offset(of: \JSONObject.liveCount)!
        guard lhs.load(fromByteOffset: countOffset, as: Int.self) == rhs.load(fromByteOffset: countOffset, as: Int.self)
        else { return false }
        guard !hasIndex(lhs), !hasIndex(rhs) else {
            return lhs.assumingMemoryBound(to: JSONObject.self).pointee
                == rhs.assumingMemoryBound(to: JSONObject.self).pointee
        }
        let left = memberStorage(of: lhs)
        let right = memberStorage(of: rhs)
        if left == right { return true }
        let count = slotCount(inMemberStorage: left)
        guard count == slotCount(inMemberStorage: right) else { return false }
        return membersEqual(
            (left + StorageLayout.entryElementsOffset).assumingMemoryBound(to: Entry?.self),
            (right + StorageLayout.entryElementsOffset).assumingMemoryBound(to: Entry?.self), count: count)
    }

    /// Member-wise equality of two hole-free slot runs of `count` members each. A present
    /// `Entry?` holds its `Entry` at offset 0 (`nil` is a spare bit pattern of the key), so members
    /// are read in place through raw pointers.
    static func membersEqual(_ l: UnsafePointer<Entry?>, _ r: UnsafePointer<Entry?>, count: Int) -> Bool {
        let keyOffset = MemoryLayout<Entry>.offset(of: \Entry.key)!
        let valueOffset = MemoryLayout<Entry>.offset(of: \Entry.value)!
        for i in 0..<count {
            let member = UnsafeRawPointer(l + i)
            var other = UnsafeRawPointer(r + i)
            if !JSON.sameBytes(member + keyOffset, other + keyOffset, count: MemoryLayout<String>.size) {
                guard let j = linearSlot(of: l[i].unsafelyUnwrapped.key, in: r, count: count) else { return false }
                other = UnsafeRawPointer(r + j)
            }
            let a = (member + valueOffset).assumingMemoryBound(to: JSON.self)
            let b = (other + valueOffset).assumingMemoryBound(to: JSON.self)
            if !JSON.equal(a, b) { return false }
        }
        return true
    }

    /// ``==(_:_:)`` for large objects, whose slots may hold holes left by removals.
    static func equalWithHoles(_ lhs: JSONObject, _ rhs: JSONObject) -> Bool {
        for slot in lhs.slots {
            guard let member = slot else { continue }
            guard let j = rhs.slot(of: member.key), member.value == rhs.slots[j].unsafelyUnwrapped.value else {
                return false
            }
        }
        return true
    }
}
