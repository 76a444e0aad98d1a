/// A collection's state under conflict-free versioning: a JSON object keyed by model id, merged
/// from stamped writes so that every replica that has seen the same *set* of writes — in any
/// order, with any duplicates — holds byte-identical state.
///
/// Objects merge per key, recursively; every key is a last-writer-wins register; arrays and
/// scalars are atomic; a write under a path that a newer write replaced or removed is shadowed.
/// See docs/VERSIONING.md for the rule and why it converges.
///
/// The materialized ``state`` is updated in place by each write (no rematerialization), and each
/// write reports whether it changed anything visible. The document is a value: copies are
/// independent (the node tree is copied on first mutation of a shared copy).
public struct VersionedDocument: @unchecked Sendable {
    // @unchecked: the node tree is private and copied before any mutation when shared
    // (isKnownUniquelyReferenced), exactly like the standard library's copy-on-write buffers.
    var root: VersionedNode

    /// The materialized collection (always a JSON object).
    public private(set) var state: JSON

    /// Default tombstone horizon: 24 hours of stamp time.
    public static let defaultTombstoneHorizon: UInt64 = 24 * 60 * 60 * 1000

    /// An empty collection.
    public init() {
        root = VersionedNode(stamp: .zero, kind: .implicitObject)
        state = .object(JSONObject())
    }

    /// The canonical bytes of ``state`` (sorted keys, compact): what replicas compare.
    public var canonicalBytes: [UInt8] { state.serializedBytes(options: [.sortedKeys]) }

    /// Applies one stamped write.
    ///
    /// - Returns: whether the visible state changed. Older, shadowed and duplicate writes return
    ///   `false` and leave the state as it was.
    @discardableResult
    public mutating func apply(_ write: VersionedWrite) -> Bool {
        makeUnique()
        let payload: VersionedNode.Payload
        switch write.operation {
        case .set(let value): payload = .set(value)
        case .remove: payload = .remove
        }
        let root = self.root
        return state.withObject { root.place(payload, stamp: write.stamp, at: write.path[...], state: &$0) }
    }

    /// Applies one stamped write and records which model it changed.
    @discardableResult
    public mutating func apply(_ write: VersionedWrite, recordingInto changes: inout VersionedChanges) -> Bool {
        // An attribute-level change only when the model already was an object: otherwise the
        // write created the model (or turned a scalar model into an object).
        let modelWasObject = write.path.count >= 2 && state[write.path[0]]?.objectValue != nil
        let changed = apply(write)
        if changed { changes.record(modelWasObject ? write.path : [write.path[0]]) }
        return changed
    }

    /// Applies writes in order (the result does not depend on the order).
    ///
    /// - Returns: the models whose visible state changed.
    @discardableResult
    public mutating func apply<S: Sequence<VersionedWrite>>(_ writes: S) -> VersionedChanges {
        var changes = VersionedChanges()
        for write in writes { apply(write, recordingInto: &changes) }
        return changes
    }

    /// Drops tombstones whose stamp time is before `cutoff` (milliseconds, stamp time).
    ///
    /// The visible state is unchanged. Afterwards a write older than a collected tombstone is no
    /// longer shadowed by it and may resurrect what the removal hid; keep the horizon longer than
    /// the longest time a write can stay in flight (offline clients, outboxes).
    /// - Returns: the number of tombstones collected.
    @discardableResult
    public mutating func collectGarbage(olderThan cutoff: UInt64) -> Int {
        makeUnique()
        return root.collectTombstones(before: cutoff)
    }

    /// Collects tombstones older than `horizon` milliseconds before `now` (e.g. `clock.now()`).
    @discardableResult
    public mutating func collectGarbage(now: VersionStamp, horizon: UInt64 = defaultTombstoneHorizon) -> Int {
        collectGarbage(olderThan: now.physical > horizon ? now.physical - horizon : 0)
    }

    /// Size of the versioning metadata: nodes in the tree and how many of them are tombstones.
    public var metadataCensus: (nodes: Int, tombstones: Int) {
        var nodes = 0, tombstones = 0
        root.census(nodes: &nodes, tombstones: &tombstones)
        return (nodes, tombstones)
    }

    private mutating func makeUnique() {
        if !isKnownUniquelyReferenced(&root) { root = root.deepCopy() }
    }
}
