import CTetherPrefetch
import TetherJSON

/// Runs ahead of a large collection `set`: finds the model each input will merge into a few
/// inputs early, and asks the cache for what that merge will read.
///
/// Why: a merge visits a random model, and the chain input → id → index bucket → model →
/// attribute storage → nested values is a series of cache misses, each waiting for the one
/// before. One merge is too long for the CPU to overlap the next one's misses by itself, so
/// each link is requested early, one link per stage:
///
/// | inputs ahead | requests |
/// |---|---|
/// | 16 | the input's members |
/// | 12 | the index bucket of its id |
/// | 8 | the model (looked up now, remembered) |
/// | 4 | the model's members |
/// | 2 | nested arrays and objects of both |
///
/// Prefetching changes nothing and never faults, so a wrong guess costs only bandwidth. The
/// model looked up at stage 8 is handed to the merge itself (sparing a second lookup) only while
/// the id index has not changed since: the index holds the model, so it is alive, and an
/// unchanged index gives the same answer for the same (immutable) input. A handler that adds,
/// removes or re-indexes models makes the merge look up again.
struct MergeLookahead: ~Copyable {
    /// Inputs looked up ahead, by position modulo ``ring`` (a power of two above the stage-8 distance).
    private static let ring = 16
    /// Below this many inputs a `set` does not run ahead (its data is likely cached already).
    static let minimumInputs = 32

    private let index: ModelIndex
    /// Models found ahead (unretained: see the type's doc), `nil` for "no member".
    private let found: UnsafeMutablePointer<Unmanaged<SyncModel>?>
    /// The input position each ring slot was filled for (`-1`: none).
    private let filledFor: UnsafeMutablePointer<Int>
    /// ``ModelIndex/mutations`` when the ring was filled.
    private var indexVersion: Int

    /// A lookahead for a merge into a collection with this id index; `nil` where object storage
    /// addresses are not known (see `JSONObject.storageAddressesAreKnown`).
    init?(index: ModelIndex) {
        guard JSONObject.storageAddressesAreKnown else { return nil }
        self.index = index
        found = .allocate(capacity: Self.ring)
        found.initialize(repeating: nil, count: Self.ring)
        filledFor = .allocate(capacity: Self.ring)
        filledFor.initialize(repeating: -1, count: Self.ring)
        indexVersion = index.mutations
    }

    deinit {
        found.deallocate()
        filledFor.deallocate()
    }

    /// The model input `i` merges into, if it was looked up ahead and the index is unchanged
    /// since: `.some(nil)` means "no member"; `nil` means "look it up". Call it right after
    /// ``advance(at:_:collection:idAttribute:)`` for `i`, which forgets every lookup once the
    /// index has changed.
    @inline(__always)
    func member(at i: Int) -> Unmanaged<SyncModel>?? {
        let slot = i & (Self.ring - 1)
        guard filledFor[slot] == i else { return nil }
        return .some(found[slot])
    }

    /// Issues the stages for merge `i` of `inputs` into `collection` (a plain collection: ids
    /// are read from the id attribute).
    @inline(__always)
    mutating func advance<Inputs: SetInputSource>(
        at i: Int, _ inputs: Inputs, collection: SyncCollection, idAttribute: String
    ) {
        let count = inputs.count
        if let input = inputs.attributesAddress(at: i &+ 16) { Self.prefetchMembers(of: UnsafeRawPointer(input)) }
        if i &+ 12 < count, let input = inputs.attributesAddress(at: i &+ 12) {
            JSONObject.withValue(forKey: idAttribute, in: input) { id in
                if case .string(let key)? = id?.pointee { index.prefetchBucket(key) }
            }
        }
        // A handler of the previous merge changed the index: forget what was found before it (a
        // model no longer indexed may be gone; MergeLookaheadTests fails without this).
        if index.mutations != indexVersion {
            for k in 0..<Self.ring { filledFor[k] = -1 }
            indexVersion = index.mutations
        }
        if i &+ 8 < count, let input = inputs.attributesAddress(at: i &+ 8) {
            let model = collection.member(for: input, idAttribute: idAttribute, defaultModelId: true)
            let slot = (i &+ 8) & (Self.ring - 1)
            found[slot] = model
            filledFor[slot] = i &+ 8
            if let model {
                let object = UnsafeRawPointer(model.toOpaque())
                // What a merge reads lies in the model's first two lines (see SyncModel's layout).
                tether_prefetch(object)
                tether_prefetch(object + 64)
            }
        }
        if case let model?? = member(at: i &+ 4) {
            model._withUnsafeGuaranteedRef { model in
                withUnsafePointer(to: &model.storage) { Self.prefetchMembers(of: UnsafeRawPointer($0)) }
            }
        }
        if case let model?? = member(at: i &+ 2) {
            model._withUnsafeGuaranteedRef { model in
                withUnsafePointer(to: &model.storage) { Self.prefetchNested(of: UnsafeRawPointer($0)) }
            }
        }
        if let input = inputs.attributesAddress(at: i &+ 2) { Self.prefetchNested(of: UnsafeRawPointer(input)) }
    }

    @inline(__always)
    private static func prefetchMembers(of object: UnsafeRawPointer) {
        let (start, bytes) = JSONObject.memberStorage(of: object)
        var offset = 0
        while offset < bytes {
            tether_prefetch(start + offset)
            offset &+= 64
        }
    }

    @inline(__always)
    private static func prefetchNested(of object: UnsafeRawPointer) {
        JSONObject.forEachNestedStorage(of: object) { storage in
            tether_prefetch(storage)
            tether_prefetch(storage + 64)
        }
    }
}
