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
/// | 16 | the input's first members |
/// | 12 | the index bucket of its id, the input's other members |
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
    /// Stage 12's findings for stage 8, by position modulo ``ring``: where the input's string id
    /// lies (inputs do not change during a `set`) and its index tag; `nil` for other ids.
    private let ids: UnsafeMutablePointer<(id: UnsafePointer<JSON>, tag: UInt64)?>

    /// A lookahead for a merge into a collection with this id index; `nil` where object storage
    /// addresses are not known (see `JSONObject.storageAddressesAreKnown`).
    init?(index: ModelIndex) {
        guard JSONObject.storageAddressesAreKnown else { return nil }
        self.index = index
        found = .allocate(capacity: Self.ring)
        found.initialize(repeating: nil, count: Self.ring)
        filledFor = .allocate(capacity: Self.ring)
        filledFor.initialize(repeating: -1, count: Self.ring)
        ids = .allocate(capacity: Self.ring)
        ids.initialize(repeating: nil, count: Self.ring)
        indexVersion = index.mutations
    }

    deinit {
        found.deallocate()
        filledFor.deallocate()
        ids.deallocate()
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
        if let input = inputs.attributesAddress(at: i &+ 16) {
            // Its size is not known before its first line arrives: enough lines for a typical
            // model now (eight members), any others at stage 12.
            Self.prefetch(JSONObject.memberStorage(of: UnsafeRawPointer(input)), from: 0, to: Self.typicalBytes)
        }
        if i &+ 12 < count, let input = inputs.attributesAddress(at: i &+ 12) {
            ids[(i &+ 12) & (Self.ring - 1)] = JSONObject.withValue(forKey: idAttribute, in: input) { id in
                guard let id, case .string(let key) = id.pointee else { return nil }
                return (id, index.prefetchBucket(key))
            }
            let storage = JSONObject.memberStorage(of: UnsafeRawPointer(input))
            Self.prefetch(storage, from: Self.typicalBytes, to: Self.memberBytes(storage))
        }
        if index.mutations != indexVersion {
            for k in 0..<Self.ring { filledFor[k] = -1 }
            indexVersion = index.mutations
        }
        if i &+ 8 < count, let input = inputs.attributesAddress(at: i &+ 8) {
            let slot = (i &+ 8) & (Self.ring - 1)
            let model: Unmanaged<SyncModel>?
            if i >= 4, let (id, tag) = ids[slot], case .string(let key) = id.pointee {
                model = index.unretained(key, tag: tag)
            } else {
                model = collection.member(for: input, idAttribute: idAttribute, defaultModelId: true)
            }
            found[slot] = model
            filledFor[slot] = i &+ 8
            if let model {
                // What a merge reads lies in the model's first 128 bytes (see SyncModel's layout):
                // two lines, or three when the object does not start on a line.
                let object = UnsafeRawPointer(model.toOpaque())
                tether_prefetch(object)
                tether_prefetch(object + 64)
                tether_prefetch(object + 127)
            }
        }
        if case let model?? = member(at: i &+ 4), let input = inputs.attributesAddress(at: i &+ 4) {
            // The model's storage header is not here yet; a merge's input usually has the model's
            // shape, and the input's header is.
            let bytes = Self.memberBytes(JSONObject.memberStorage(of: UnsafeRawPointer(input)))
            model._withUnsafeGuaranteedRef { model in
                withUnsafePointer(to: &model.storage) { stored in
                    Self.prefetch(JSONObject.memberStorage(of: UnsafeRawPointer(stored)), from: 0, to: bytes)
                }
            }
        }
        if case let model?? = member(at: i &+ 2) {
            model._withUnsafeGuaranteedRef { model in
                withUnsafePointer(to: &model.storage) { Self.prefetchNested(of: UnsafeRawPointer($0)) }
            }
        }
        if let input = inputs.attributesAddress(at: i &+ 2) { Self.prefetchNested(of: UnsafeRawPointer(input)) }
    }

    /// The most members whose storage (and nested storage) one input or model gets prefetched.
    private static let prefetchedMembers = 12

    /// The member storage of an eight-member object, prefetched before its size is known.
    private static let typicalBytes = JSONObject.memberStorageBytes(slots: 8)

    /// The bytes of member storage worth prefetching (up to ``prefetchedMembers`` members).
    @inline(__always)
    private static func memberBytes(_ storage: UnsafeRawPointer) -> Int {
        JSONObject.memberStorageBytes(slots: Swift.min(JSONObject.slotCount(inMemberStorage: storage), prefetchedMembers))
    }

    /// Prefetches the lines of `start + from ..< start + to`.
    @inline(__always)
    private static func prefetch(_ start: UnsafeRawPointer, from: Int, to end: Int) {
        var offset = from
        while offset < end {
            tether_prefetch(start + offset)
            offset &+= 64
        }
    }

    @inline(__always)
    private static func prefetchNested(of object: UnsafeRawPointer) {
        JSONObject.forEachNestedStorage(of: object, limit: prefetchedMembers) { storage in
            tether_prefetch(storage)
            tether_prefetch(storage + 64)
        }
    }
}
