// Moving a versioned collection in and out of a `snapshot` frame's `state` + `versions` members
// (PROTOCOL.md section 2.4), used for snapshots and for the binder's persisted state.

extension VersionedDocument {
    /// The stamp given to snapshot nodes the server listed no stamp for: above ``VersionStamp/zero``
    /// (writes need a real stamp) and below every stamp a clock can issue after the epoch start.
    static let snapshotFloor = try! VersionStamp(physical: 0, counter: 0, replica: ReplicaID("0"))

    /// Rebuilds a document from a snapshot: the state, every listed stamp, and a tombstone for every
    /// listed path that the state lacks.
    ///
    /// - Throws: ``VersionedWriteError`` when a `versions` entry is not a valid pointer or stamp.
    init(snapshotState state: JSONObject, versions: [String: String]?) throws(VersionedWriteError) {
        self.init()
        var deeper: [(path: [String], stamp: VersionStamp)] = []
        var modelStamps: [String: VersionStamp] = [:]
        for (pointer, text) in versions ?? [:] {
            let path: [String]
            do { path = try JSONPointer(pointer).tokens } catch { throw .invalidPointer(pointer) }
            guard !path.isEmpty else { throw .emptyPath }
            let stamp: VersionStamp
            do { stamp = try VersionStamp(parsing: text) } catch { throw .invalidStamp(error) }
            if path.count == 1 { modelStamps[path[0]] = stamp } else { deeper.append((path, stamp)) }
        }
        for (id, model) in state {
            apply(try .set([id], model, stamp: modelStamps.removeValue(forKey: id) ?? Self.snapshotFloor))
        }
        for (id, stamp) in modelStamps { apply(try .remove([id], stamp: stamp)) }  // model tombstones
        deeper.sort { $0.stamp < $1.stamp }
        for entry in deeper {
            if let value = Self.lookup(entry.path, in: state) {
                apply(try .set(entry.path, value, stamp: entry.stamp))
            } else {
                apply(try .remove(entry.path, stamp: entry.stamp))
            }
        }
    }

    /// The `versions` member describing this document: every node whose stamp exceeds its
    /// ancestors' (and every tombstone), as JSON Pointer → stamp.
    var snapshotVersions: [String: String] {
        var out: [String: String] = [:]
        func walk(_ node: VersionedNode, path: [String], inherited: VersionStamp) {
            for (key, child) in node.children {
                let childPath = path + [key]
                if child.stamp > inherited || child.isTombstone {
                    out[JSONPointer(tokens: childPath).description] = child.stamp.wireString
                }
                walk(child, path: childPath, inherited: max(inherited, child.stamp))
            }
        }
        walk(root, path: [], inherited: .zero)
        return out
    }

    /// The value at `path` in a collection state, every token an object key (`nil` when absent).
    static func lookup(_ path: [String], in state: JSONObject) -> JSON? {
        var current = state[path[0]]
        for token in path.dropFirst() {
            guard case .object(let object)? = current else { return nil }
            current = object[token]
        }
        return current
    }
}
