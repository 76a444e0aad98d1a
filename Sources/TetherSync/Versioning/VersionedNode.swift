/// One position of a ``VersionedDocument``'s tree: the stamp of the last exact write there and what
/// that write left.
///
/// Invariant: every descendant's stamp is ≥ its ancestors' stamps (older writes below a newer
/// exact write are shadowed), except that implicit nodes carry only a floor (``VersionStamp/zero``
/// or the stamp of an atomic value/tombstone that newer deeper writes turned into an object).
final class VersionedNode {
    enum Kind {
        /// Created by setting an object value; members are child nodes with the same stamp.
        case object
        /// Created on the way to a deeper write: visible as an object built from the children.
        case implicitObject
        /// A scalar or array (arrays are atomic in versioned state).
        case atomic(JSON)
        /// A removal: invisible, but shadows older writes at and below this path.
        case tombstone
    }

    var stamp: VersionStamp
    var kind: Kind
    /// Child nodes (object kinds only).
    var children: [String: VersionedNode]

    init(stamp: VersionStamp, kind: Kind, children: [String: VersionedNode] = [:]) {
        self.stamp = stamp
        self.kind = kind
        self.children = children
    }

    /// The node a `set(value)` at `stamp` leaves: object values expand into member nodes.
    static func make(_ value: JSON, stamp: VersionStamp) -> VersionedNode {
        guard case .object(let object) = value else { return VersionedNode(stamp: stamp, kind: .atomic(value)) }
        var children = [String: VersionedNode](minimumCapacity: object.count)
        for (key, member) in object { children[key] = make(member, stamp: stamp) }
        return VersionedNode(stamp: stamp, kind: .object, children: children)
    }

    var isObject: Bool {
        switch kind {
        case .object, .implicitObject: return true
        case .atomic, .tombstone: return false
        }
    }

    var isTombstone: Bool {
        if case .tombstone = kind { return true } else { return false }
    }

    /// What this subtree shows in the materialized state; `nil` for a tombstone.
    var visibleValue: JSON? {
        switch kind {
        case .atomic(let value): return value
        case .tombstone: return nil
        case .object, .implicitObject:
            var object = JSONObject(minimumCapacity: children.count)
            for (key, child) in children {
                if let value = child.visibleValue { object[key] = value }
            }
            return .object(object)
        }
    }

    /// An independent copy of the subtree (copy-on-write of ``VersionedDocument``).
    func deepCopy() -> VersionedNode {
        VersionedNode(stamp: stamp, kind: kind, children: children.mapValues { $0.deepCopy() })
    }

    /// Number of nodes and tombstones in the subtree, for diagnostics.
    func census(nodes: inout Int, tombstones: inout Int) {
        nodes += 1
        if isTombstone { tombstones += 1 }
        for child in children.values { child.census(nodes: &nodes, tombstones: &tombstones) }
    }
}
