/// The incremental merge: applying one write touches only the nodes on its path (plus, when it
/// replaces a subtree, that subtree), and keeps the materialized state in step.
extension VersionedNode {
    /// What a write puts at its target.
    enum Payload {
        case set(JSON)
        case remove
        /// A surviving subtree of a replaced node, moved under the replacement whole.
        case graft(VersionedNode)
    }

    /// Places `payload` at `path` below this object node, whose visible object is `state`.
    ///
    /// - Returns: whether the visible state changed.
    func place(_ payload: Payload, stamp: VersionStamp, at path: ArraySlice<String>, state: inout JSONObject) -> Bool {
        let key = path[path.startIndex]
        let rest = path.dropFirst()
        if rest.isEmpty { return replaceChild(key, with: payload, stamp: stamp, state: &state) }

        let child: VersionedNode
        if let existing = children[key] {
            // An exact write at an ancestor that is not older shadows this one.
            if existing.stamp >= stamp { return false }
            if existing.isObject {
                let changed = state.withValue(forKey: key) { childState in
                    childState.withObject { existing.place(payload, stamp: stamp, at: rest, state: &$0) }
                }
                assert(changed != nil, "versioned tree and state out of step at \(key)")
                return changed ?? false
            }
            // An older atomic value or tombstone gives way to newer deeper writes; its stamp stays
            // as the floor that keeps shadowing writes older than it.
            existing.kind = .implicitObject
            child = existing
        } else {
            child = VersionedNode(stamp: .zero, kind: .implicitObject)
            children[key] = child
        }
        var childState = JSONObject()
        _ = child.place(payload, stamp: stamp, at: rest, state: &childState)
        state[key] = .object(childState)
        return true
    }

    /// Replaces the child `key` if `stamp` is newer than its last exact write, then re-applies the
    /// parts of the old subtree that are newer still.
    private func replaceChild(_ key: String, with payload: Payload, stamp: VersionStamp, state: inout JSONObject) -> Bool {
        let old = children[key]
        if let old, old.stamp >= stamp { return false }  // older or duplicate
        let node: VersionedNode
        let value: JSON?
        switch payload {
        case .set(let newValue):
            node = .make(newValue, stamp: stamp)
            value = newValue
        case .remove:
            node = VersionedNode(stamp: stamp, kind: .tombstone)
            value = nil
        case .graft(let subtree):
            node = subtree
            value = subtree.visibleValue
        }
        children[key] = node
        let previous: JSON?
        if let value { previous = state.updateValue(value, forKey: key) } else { previous = state.removeValue(forKey: key) }

        guard let old, !old.children.isEmpty else { return previous != value }
        var survivors: [([String], VersionedNode)] = []
        old.collectSurvivors(newerThan: stamp, path: [key], into: &survivors)
        if survivors.isEmpty { return previous != value }
        for (path, subtree) in survivors {
            _ = place(.graft(subtree), stamp: subtree.stamp, at: path[...], state: &state)
        }
        return previous != state[key]
    }

    /// The highest descendants whose stamp is newer than `stamp`, with their paths.
    private func collectSurvivors(newerThan stamp: VersionStamp, path: [String], into survivors: inout [([String], VersionedNode)]) {
        for (key, child) in children {
            if child.stamp > stamp {
                survivors.append((path + [key], child))
            } else if !child.children.isEmpty {
                child.collectSurvivors(newerThan: stamp, path: path + [key], into: &survivors)
            }
        }
    }

    /// Drops tombstones whose physical time is below `cutoff`; returns how many.
    ///
    /// The visible state does not change: an implicit object that loses its last tombstone stays
    /// as an empty object node.
    func collectTombstones(before cutoff: UInt64) -> Int {
        var collected = 0
        var expired: [String] = []
        for (key, child) in children {
            if child.isTombstone {
                if child.stamp.physical < cutoff { expired.append(key) }
            } else if !child.children.isEmpty {
                collected += child.collectTombstones(before: cutoff)
            }
        }
        for key in expired { children[key] = nil }
        return collected + expired.count
    }
}
