/// The binder's view of one server collection: the stream cursor, the **confirmed** state (what the
/// server has sent) and the **visible** state (confirmed plus this client's unconfirmed writes), both
/// as versioned documents so that stamped writes merge the same way here as on every replica.
///
/// The mirror only computes; ``RealtimeBinder`` turns the model ids it reports as changed into
/// Backbone events on the bound ``SyncCollection``.
struct CollectionMirror {
    let name: String
    /// The last applied position of the server stream (`nil`: nothing received yet).
    var cursor: StreamCursor?
    var confirmed = VersionedDocument()
    var visible = VersionedDocument()
    /// A `subscribe` for this collection is outstanding (no second one until it is answered).
    var resyncPending = false
    /// `synced` arrived since the last (re)subscribe.
    var isSynced = false
    /// Writes of acknowledged mutations whose echo patch has not been applied yet (`seq` of the echo).
    var awaitingEcho: [(seq: UInt64, writes: [VersionedWrite])] = []

    init(name: String) { self.name = name }

    /// How a patch frame related to the cursor.
    enum PatchOutcome: Equatable {
        case applied(changed: [String])
        case duplicate
        /// A gap or an epoch change: resubscribe from the cursor.
        case gap
        /// The frame could not be applied: report, resubscribe with a null cursor (forced snapshot).
        case failed(String)
    }

    /// Applies a `patch` frame by the cursor table of PROTOCOL.md section 2.5, atomically.
    mutating func apply(_ patch: WireFrame.Patch, clock: inout HybridLogicalClock) -> PatchOutcome {
        guard let cursor, cursor.epoch == patch.cursor.epoch else { return .gap }
        if patch.cursor.seq <= cursor.seq { return .duplicate }
        if patch.cursor.seq > cursor.seq + 1 { return .gap }

        var changes = VersionedChanges()
        if patch.isVersioned {
            let writes: [VersionedWrite]
            do { writes = try VersionedWrite.decodeAll(patch.ops) } catch { return .failed("patch \(patch.cursor.seq): \(error)") }
            for write in writes {
                _ = try? clock.receive(write.stamp)
                confirmed.apply(write)
                visible.apply(write, recordingInto: &changes)
            }
        } else {
            // A plain RFC 6902 patch from a sequencing server: apply it atomically to the confirmed
            // state, then record each touched model as one whole-model write with a fresh local stamp,
            // so the versioned documents (and any pending local writes on top) stay consistent.
            let jsonPatch: JSONPatch
            do { jsonPatch = try JSONPatch(.array(patch.ops)) } catch { return .failed("patch \(patch.cursor.seq): \(error)") }
            // Every op addresses a model, so the patch only needs the models it touches: apply it to a
            // document holding just those (cost proportional to the patch, not the collection).
            var touched: [String] = []
            var seen = Set<String>()
            for op in jsonPatch.operations {
                for pointer in [op.path, op.from].compactMap({ $0 }) {
                    guard let id = pointer.tokens.first else { return .failed("patch \(patch.cursor.seq): an op addresses the collection root") }
                    if seen.insert(id).inserted { touched.append(id) }
                }
            }
            let current = confirmed.state.objectValue ?? [:]
            var part = JSONObject(minimumCapacity: touched.count)
            for id in touched { if let model = current[id] { part[id] = model } }
            var state = JSON.object(part)
            do { try jsonPatch.apply(to: &state) } catch { return .failed("patch \(patch.cursor.seq): \(error)") }
            guard case .object(let models) = state else { return .failed("patch \(patch.cursor.seq): the collection must stay an object") }
            for id in touched {
                if let model = models[id], model.objectValue == nil {
                    return .failed("patch \(patch.cursor.seq): model \"\(id)\" would not be an object")
                }
            }
            for id in touched {
                let stamp = clock.now()
                let write: VersionedWrite
                if let model = models[id] { write = try! .set([id], model, stamp: stamp) } else { write = try! .remove([id], stamp: stamp) }
                confirmed.apply(write)
                visible.apply(write, recordingInto: &changes)
            }
        }
        self.cursor = patch.cursor
        awaitingEcho.removeAll { $0.seq <= patch.cursor.seq }
        return .applied(changed: changes.modelIDs)
    }

    /// Replaces the confirmed state with a snapshot and rebuilds the visible state on top of it.
    ///
    /// - Parameter pending: writes of this collection's unacknowledged mutations, in order.
    /// - Returns: the ids of models whose visible value changed (for minimal events).
    mutating func apply(_ snapshot: WireFrame.Snapshot, pending: [VersionedWrite], clock: inout HybridLogicalClock) throws(VersionedWriteError) -> [String] {
        let document = try VersionedDocument(snapshotState: snapshot.state, versions: snapshot.versions)
        for stamp in snapshot.versions?.values ?? [:].values {
            if let parsed = try? VersionStamp(parsing: stamp) { _ = try? clock.receive(parsed) }
        }
        confirmed = document
        cursor = snapshot.cursor
        awaitingEcho.removeAll()
        return rebuildVisible(pending: pending)
    }

    /// Drops tombstones stamped before `cutoff` (milliseconds) from both documents; the visible
    /// state does not change.
    ///
    /// - Returns: how many tombstones the confirmed state lost.
    mutating func collectTombstones(olderThan cutoff: UInt64) -> Int {
        _ = visible.collectGarbage(olderThan: cutoff)
        return confirmed.collectGarbage(olderThan: cutoff)
    }

    /// Applies a local write to the visible state only.
    mutating func applyLocal(_ writes: [VersionedWrite]) {
        for write in writes { visible.apply(write) }
    }

    /// Recomputes visible = confirmed + unconfirmed writes (after a snapshot or a rejected mutation).
    ///
    /// - Returns: the ids of models whose visible value changed.
    mutating func rebuildVisible(pending: [VersionedWrite]) -> [String] {
        let old = visible.state.objectValue ?? [:]
        var next = confirmed
        for entry in awaitingEcho { for write in entry.writes { next.apply(write) } }
        for write in pending { next.apply(write) }
        visible = next
        let new = visible.state.objectValue ?? [:]
        var changed: [String] = []
        for (id, model) in new where old[id] != model { changed.append(id) }
        for (id, _) in old where new[id] == nil { changed.append(id) }
        return changed
    }
}
