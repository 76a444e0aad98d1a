// Applying server frames to the mirrors, and surfacing what changed as collection events.

extension RealtimeBinder {
    /// Decodes and applies one frame; a malformed frame is reported and changes nothing.
    func handleFrame(_ text: [UInt8]) {
        let frame: WireFrame
        do { frame = try WireFrame(bytes: text, limits: options.limits) } catch {
            emit(.error(.malformedFrame(error)))
            return
        }
        switch frame {
        case .welcome:
            break
        case .snapshot(let snapshot):
            guard var mirror = mirrors[snapshot.collection] else { return emit(.error(.unknownCollection(snapshot.collection))) }
            let pending = outbox.filter { $0.collection == snapshot.collection }.flatMap(\.writes)
            do {
                let changed = try mirror.apply(snapshot, pending: pending, clock: &clock)
                mirror.resyncPending = false
                mirrors[snapshot.collection] = mirror
                markDirty(snapshot.collection, changed)
                needsSave = true
            } catch {
                emit(.error(.unappliedFrame(collection: snapshot.collection, reason: "\(error)")))
            }
        case .patch(let patch):
            guard var mirror = mirrors[patch.collection] else { return emit(.error(.unknownCollection(patch.collection))) }
            let previous = mirror.cursor
            let outcome = mirror.apply(patch, clock: &clock)
            mirrors[patch.collection] = mirror
            switch outcome {
            case .applied(let changed):
                markDirty(patch.collection, changed)
                needsSave = true
            case .duplicate:
                break
            case .gap:
                let reason: ResyncReason = previous == nil || previous?.epoch == patch.cursor.epoch ? .gap : .epochChange
                resync(patch.collection, reason: reason, from: previous)
            case .failed(let message):
                emit(.error(.unappliedFrame(collection: patch.collection, reason: message)))
                resync(patch.collection, reason: .failedPatch, from: nil)
            }
        case .synced(let synced):
            guard var mirror = mirrors[synced.collection] else { return emit(.error(.unknownCollection(synced.collection))) }
            mirror.resyncPending = false
            if mirror.cursor == synced.cursor {
                mirror.isSynced = true
                mirrors[synced.collection] = mirror
                if phase != .synced, order.allSatisfy({ mirrors[$0]?.isSynced == true }) {
                    flushEvents()
                    setPhase(.synced)
                    emit(.synced)
                }
            } else {
                mirrors[synced.collection] = mirror
                let reason: ResyncReason = mirror.cursor?.epoch == synced.cursor.epoch ? .behind : .epochChange
                resync(synced.collection, reason: reason, from: mirror.cursor)
            }
        case .ack(let ack):
            guard ack.id.client == options.clientID,
                  let index = outbox.firstIndex(where: { $0.id == ack.id }) else { return }  // duplicate ack
            let mutation = outbox.remove(at: index)
            if var mirror = mirrors[mutation.collection] {
                if let cursor = mirror.cursor, cursor.seq < ack.seq {
                    mirror.awaitingEcho.append((ack.seq, mutation.writes))
                    mirrors[mutation.collection] = mirror
                }
            }
            needsSave = true
            flushEvents()
            emit(.acked(collection: mutation.collection, mutation: mutation.id))
        case .reject(let reject):
            guard reject.id.client == options.clientID,
                  let index = outbox.firstIndex(where: { $0.id == reject.id }) else { return }  // duplicate reject
            let mutation = outbox.remove(at: index)
            rollBack(mutation.collection)
            needsSave = true
            flushEvents()
            emit(.rejected(collection: mutation.collection, mutation: mutation.id, code: reject.code, reason: reject.reason))
        case .ping(let id):
            sender?.enqueue([WireFrame.pong(id: id).encoded()])
        case .pong:
            break
        case .error(let error):
            emit(.error(.server(code: error.code, message: error.message)))
        case .close(let close):
            closeHint = close.retryAfterMilliseconds
            if close.isFatal {
                fatalClose = TransportCloseReason(
                    code: close.code, message: close.reason ?? "",
                    retryAfterMilliseconds: close.retryAfterMilliseconds.map { Int(clamping: $0) }
                )
            }
        case .hello, .subscribe, .mutate:
            emit(.error(.unexpectedFrame(frame.type)))
        }
    }

    /// Asks the server for the catch-up of `collection` (once until it is answered).
    func resync(_ collection: String, reason: ResyncReason, from cursor: StreamCursor?) {
        guard var mirror = mirrors[collection], !mirror.resyncPending else { return }
        mirror.resyncPending = true
        mirror.isSynced = false
        mirrors[collection] = mirror
        flushEvents()
        if phase == .synced { setPhase(.open) }
        emit(.resync(collection: collection, reason: reason, fromCursor: cursor))
        sender?.enqueue([WireFrame.subscribe(WireFrame.Subscribe(collection: collection, cursor: cursor)).encoded()])
    }

    /// Recomputes a collection's visible state without the writes that left the outbox unconfirmed.
    func rollBack(_ collection: String) {
        guard var mirror = mirrors[collection] else { return }
        let pending = outbox.filter { $0.collection == collection }.flatMap(\.writes)
        let changed = mirror.rebuildVisible(pending: pending)
        mirrors[collection] = mirror
        markDirty(collection, changed)
    }

    func markDirty(_ collection: String, _ ids: [String]) {
        guard !ids.isEmpty else { return }
        var list = dirty[collection] ?? []
        for id in ids where !list.contains(id) { list.append(id) }
        dirty[collection] = list
    }

    /// Brings every bound collection in line with its visible state for the models changed so far.
    func flushEvents() {
        guard !dirty.isEmpty else { return }
        let batch = dirty
        dirty = [:]
        for name in order {
            guard let ids = batch[name], let collection = collections[name], let mirror = mirrors[name] else { continue }
            let state = mirror.visible.state.objectValue ?? [:]
            var changes: [(id: String, attributes: JSONObject?)] = []
            for id in ids {
                let target = state[id]?.objectValue
                if collection.realtimeAttributes(of: id) != target { changes.append((id, target)) }
            }
            guard !changes.isEmpty else { continue }
            applyingRemote = true
            collection.realtimeApply(changes)
            applyingRemote = false
        }
    }
}
