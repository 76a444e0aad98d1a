import TetherSync

/// The conflict-free versioning rule of HELPERS.md implemented literally, as a set function:
/// `materialize(Q, floor)` over every write at or below Q. Slow (quadratic) and obviously
/// order-independent: it is the oracle the incremental ``VersionedDocument`` must agree with.
enum ReferenceMaterializer {
    private struct Item {
        var path: ArraySlice<String>
        var operation: VersionedWrite.Operation
        var stamp: VersionStamp
    }

    /// The collection state the set of `writes` determines.
    static func state<S: Sequence<VersionedWrite>>(of writes: S) -> JSON {
        let items = Set(writes).map { Item(path: $0.path[...], operation: $0.operation, stamp: $0.stamp) }
        return materialize(items, floor: .zero, inherited: nil) ?? .object(JSONObject())
    }

    /// Canonical bytes of ``state(of:)``.
    static func canonicalBytes<S: Sequence<VersionedWrite>>(of writes: S) -> [UInt8] {
        state(of: writes).serializedBytes(options: [.sortedKeys])
    }

    /// - Parameters:
    ///   - items: writes at or below Q, paths relative to Q.
    ///   - floor: writes with stamps ≤ floor are shadowed by an ancestor's exact write.
    ///   - inherited: Q's member value when the ancestor's write (stamped `floor`) set an object.
    private static func materialize(_ items: [Item], floor: VersionStamp, inherited: JSON?) -> JSON? {
        let live = items.filter { $0.stamp > floor }
        let exact = live.filter { $0.path.isEmpty }.max { $0.stamp < $1.stamp }
        let rStamp = exact?.stamp ?? floor
        let r: VersionedWrite.Operation? = exact?.operation ?? inherited.map { .set($0) }
        let below = live.filter { !$0.path.isEmpty && $0.stamp > rStamp }
        switch r {
        case .set(.object(let members))?:
            var keys = Array(members.keys)
            for item in below where !keys.contains(item.path.first!) { keys.append(item.path.first!) }
            var object = JSONObject()
            for key in keys {
                let sub = below.filter { $0.path.first == key }.map {
                    Item(path: $0.path.dropFirst(), operation: $0.operation, stamp: $0.stamp)
                }
                if let value = materialize(sub, floor: rStamp, inherited: members[key]) { object[key] = value }
            }
            return .object(object)
        case .set(let value)?:
            if below.isEmpty { return value }
            return object(from: below, floor: rStamp)
        case .remove?, nil:
            // (JSON is ExpressibleByNilLiteral: a bare `nil` in a ternary would become JSON.null.)
            if below.isEmpty { return Optional<JSON>.none }
            return object(from: below, floor: rStamp)
        }
    }

    private static func object(from items: [Item], floor: VersionStamp) -> JSON {
        var keys: [String] = []
        for item in items where !keys.contains(item.path.first!) { keys.append(item.path.first!) }
        var object = JSONObject()
        for key in keys {
            let sub = items.filter { $0.path.first == key }.map {
                Item(path: $0.path.dropFirst(), operation: $0.operation, stamp: $0.stamp)
            }
            if let value = materialize(sub, floor: floor, inherited: nil) { object[key] = value }
        }
        return .object(object)
    }
}
