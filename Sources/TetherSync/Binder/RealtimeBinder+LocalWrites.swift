// Local edits of bound collections: stamped, applied optimistically, queued, sent.

extension RealtimeBinder {
    /// Turns an application change of collection `name` into a mutation.
    func localChange(_ change: RealtimeLocalChange, in name: String) {
        guard !applyingRemote, !isDestroyed, mirrors[name] != nil else { return }
        let id = change.id
        var writes: [VersionedWrite] = []
        do {
            switch change {
            case .added(_, let attributes):
                writes.append(try .set([id], .object(attributes), stamp: clock.now()))
            case .removed:
                writes.append(try .remove([id], stamp: clock.now()))
            case .changed(_, let set, let unset):
                for (key, value) in set { writes.append(try .set([id, key], value, stamp: clock.now())) }
                for key in unset { writes.append(try .remove([id, key], stamp: clock.now())) }
            }
        } catch {
            return refuseLocal(name, id, "\(error)")
        }
        guard !writes.isEmpty else { return }
        guard outbox.count < options.maximumOutbox else {
            return refuseLocal(name, id, "outbox full (\(options.maximumOutbox) unacknowledged mutations)")
        }
        withMirror(name) { $0.applyLocal(writes) }
        let mutation = PendingMutation(id: MutationID(client: options.clientID, mutation: nextMutation), collection: name, writes: writes)
        nextMutation += 1
        outbox.append(mutation)
        needsSave = true
        saveIfNeeded()
        sender?.enqueue([mutation.frame.encoded()])
    }

    /// Undoes a local change that could not become a mutation: the model returns to its visible state.
    private func refuseLocal(_ name: String, _ id: String, _ reason: String) {
        emit(.error(.localWrite(reason)))
        markDirty(name, [id])
        flushEvents()
    }
}
