// Saving and restoring the binder's durable state through its BinderStore.

extension RealtimeBinder {
    /// Writes the state to the store if anything changed since the last save.
    func saveIfNeeded() {
        guard needsSave, let store = options.store else { return }
        needsSave = false
        var collections: [String: BinderStore.Contents.Collection] = [:]
        for (name, mirror) in mirrors {
            collections[name] = BinderStore.Contents.Collection(
                cursor: mirror.cursor,
                state: mirror.confirmed.state.objectValue ?? [:],
                versions: mirror.confirmed.snapshotVersions,
                awaitingEcho: mirror.awaitingEcho.map { ($0.seq, $0.writes.map(\.wireOperation)) }
            )
        }
        let contents = BinderStore.Contents(
            client: options.clientID,
            nextMutation: nextMutation,
            latestStamp: clock.latest.isZero ? nil : clock.latest.wireString,
            collections: collections,
            outbox: outbox.map { ($0.collection, $0.id.mutation, $0.writes.map(\.wireOperation)) }
        )
        do { try store.save(contents) } catch { emit(.error(.persistence(error.message))) }
    }

    /// Rebuilds mirrors, outbox and clock from stored contents (called from `init`).
    func restore(_ contents: BinderStore.Contents) throws(SetupError) {
        guard contents.client == options.clientID else {
            throw .store("the stored state belongs to client \"\(contents.client)\", not \"\(options.clientID)\"")
        }
        do {
            if let latest = contents.latestStamp { _ = try? clock.receive(try VersionStamp(parsing: latest)) }
            for (name, stored) in contents.collections {
                var mirror = CollectionMirror(name: name)
                mirror.cursor = stored.cursor
                mirror.confirmed = try VersionedDocument(snapshotState: stored.state, versions: stored.versions)
                mirror.awaitingEcho = try stored.awaitingEcho.map { ($0.seq, try VersionedWrite.decodeAll($0.ops)) }
                mirrors[name] = mirror
            }
            for entry in contents.outbox {
                let writes = try VersionedWrite.decodeAll(entry.ops)
                outbox.append(PendingMutation(id: MutationID(client: options.clientID, mutation: entry.mutation),
                                              collection: entry.collection, writes: writes))
            }
        } catch {
            throw .store("\(error)")
        }
        nextMutation = max(contents.nextMutation, (outbox.last?.id.mutation ?? 0) + 1)
        for name in mirrors.keys {
            let pending = outbox.filter { $0.collection == name }.flatMap(\.writes)
            _ = mirrors[name]!.rebuildVisible(pending: pending)
        }
    }
}
