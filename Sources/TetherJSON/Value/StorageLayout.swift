/// Where a native array keeps its count and elements, and how an object without an index looks,
/// measured once at startup, so that equality can walk nested containers in place.
///
/// Why: comparing a stored attribute with an incoming one recurses into nested arrays and objects.
/// Swift copies an enum payload that is read through a pointer into array storage (an atomic retain
/// and release per container and side, ~450 of the ~2,000 instructions of a w1 model merge), and no
/// borrowing form avoids it on this toolchain (pointer switches, guaranteed and `borrowing`
/// parameters were all tried). The container's storage is kept alive by the value being compared,
/// so reading it in place is safe; what is not promised is the layout, hence the probe: each
/// offset is checked against the public API on real values, and any mismatch turns the in-place
/// path off (``isVerified`` is `false`) and equality copies as before.
@usableFromInline
enum StorageLayout {
    /// Byte offset of the element count in a native array's storage object.
    @usableFromInline static let countOffset = 16
    /// Byte offsets of the first element for `[JSON]` and `[JSONObject.Entry?]` storage.
    @usableFromInline static let jsonElementsOffset = 32
    @usableFromInline static let entryElementsOffset = 32

    /// Whether every offset above (and `nil` as an all-zero index word) held on probe values; only
    /// then does equality read nested containers in place (otherwise it copies them, as before).
    @usableFromInline static let isVerified: Bool = probe()

    static func probe() -> Bool {
        guard MemoryLayout<[JSON]>.size == MemoryLayout<UnsafeRawPointer>.size,
              MemoryLayout<[JSONObject.Entry?]>.size == MemoryLayout<UnsafeRawPointer>.size,
              MemoryLayout<JSONObject.Entry?>.size == MemoryLayout<JSONObject.Entry>.size,
              MemoryLayout<JSONObject.Entry>.offset(of: \JSONObject.Entry.key) == 0
        else { return false }
        let array: [JSON] = [.null, .bool(true), .string("probe")]
        let arrayOK = withUnsafePointer(to: array) { pointer in
            array.withUnsafeBufferPointer { buffer in
                let storage = UnsafeRawPointer(pointer).load(as: UnsafeRawPointer.self)
                return storage.load(fromByteOffset: countOffset, as: Int.self) == buffer.count
                    && UnsafeRawPointer(storage + jsonElementsOffset) == UnsafeRawPointer(buffer.baseAddress!)
            }
        }
        var small = JSONObject()
        small["a"] = 1
        small["b"] = 2
        var large = JSONObject()
        for i in 0...JSONObject.indexThreshold { large["k\(i)"] = .int(Int64(i)) }
        let objectOK = [small, large].allSatisfy { object in
            withUnsafePointer(to: object) { pointer in
                object.slots.withUnsafeBufferPointer { buffer in
                    let raw = UnsafeRawPointer(pointer)
                    guard let slotsOffset = MemoryLayout<JSONObject>.offset(of: \JSONObject.slots),
                          let indexOffset = MemoryLayout<JSONObject>.offset(of: \JSONObject.index)
                    else { return false }
                    let storage = raw.load(fromByteOffset: slotsOffset, as: UnsafeRawPointer.self)
                    let indexWord = raw.load(fromByteOffset: indexOffset, as: UInt.self)
                    return storage.load(fromByteOffset: countOffset, as: Int.self) == buffer.count
                        && UnsafeRawPointer(storage + entryElementsOffset) == UnsafeRawPointer(buffer.baseAddress!)
                        && (indexWord == 0) == (object.index == nil)
                }
            }
        }
        return arrayOK && objectOK
    }
}
