// Local edits of bound collections: stamped, applied optimistically, queued, sent.

extension RealtimeBinder {
    /// Turns an application change of collection `name` into a mutation.
    func localChange(_ change: RealtimeLocalChange, in name: String) {
        // Changes the binder applies are not reported by the collection (RealtimeBindable's contract);
        // a change an application handler makes in reaction to them is a local write like any other.
        guard !isDestroyed, mirrors[name] != nil else { return }
        let id = change.id
        var writes: [VersionedWrite] = []
        do {
            switch change {
            case .added(_, let attributes):
                writes.append(try .set([id], .object(attributes), stamp: clock.now()))
            case .removed:
                writes.append(try .remove([id], stamp: clock.now()))
            case .changed(_, let set, let unset):
                // Only what differs from the visible state: a `change` event may also list attributes
                // the binder itself just set (an application handler's nested `set` during a remote one).
                let current = mirrors[name]?.visible.state[id]?.objectValue
                for (key, value) in set where current?[key] != value {
                    writes.append(try .set([id, key], value, stamp: clock.now()))
                }
                for key in unset where current?[key] != nil {
                    writes.append(try .remove([id, key], stamp: clock.now()))
                }
            }
        } catch {
            return refuseLocal(name, id, "\(error)")
        }
        guard !writes.isEmpty else { return }
        guard outbox.count < options.maximumOutbox else {
            return refuseLocal(name, id, "outbox full (\(options.maximumOutbox) unacknowledged mutations)")
        }
        withMirror(name) { $0.applyLocal(writes) }
        enqueueMutation(of: writes, in: name)
    }

    /// Queues writes already applied to the visible state as the next mutation: saved before it is
    /// sent, so that a crash after sending cannot lose it (PROTOCOL.md section 5).
    @discardableResult
    func enqueueMutation(of writes: [VersionedWrite], in name: String) -> MutationID {
        let mutation = PendingMutation(id: MutationID(client: options.clientID, mutation: nextMutation), collection: name, writes: writes)
        nextMutation += 1
        outbox.append(mutation)
        needsSave = true
        saveIfNeeded()
        sender?.enqueue([mutation.frame.encoded()])
        return mutation.id
    }

    /// Undoes a local change that could not become a mutation: the model returns to its visible state.
    private func refuseLocal(_ name: String, _ id: String, _ reason: String) {
        emit(.error(.localWrite(reason)))
        markDirty(name, [id])
        flushEvents()
    }
}
