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
        case .welcome(let welcome):
            serverHeartbeatMilliseconds = welcome.heartbeatMilliseconds
        case .snapshot(let snapshot):
            guard mirrors[snapshot.collection] != nil else { return emit(.error(.unknownCollection(snapshot.collection))) }
            let pending = outbox.filter { $0.collection == snapshot.collection }.flatMap(\.writes)
            let outcome: Result<[String], VersionedWriteError>? = withMirror(snapshot.collection) { mirror in
                do throws(VersionedWriteError) {
                    let changed = try mirror.apply(snapshot, pending: pending, clock: &clock)
                    mirror.resyncPending = false
                    return .success(changed)
                } catch {
                    return .failure(error)
                }
            }
            switch outcome {
            case .success(let changed)?:
                markDirty(snapshot.collection, changed)
                needsSave = true
            case .failure(let error)?:
                emit(.error(.unappliedFrame(collection: snapshot.collection, reason: "\(error)")))
            case nil:
                break
            }
        case .patch(let patch):
            guard let previous = mirrors[patch.collection].map(\.cursor) else {
                return emit(.error(.unknownCollection(patch.collection)))
            }
            let outcome = withMirror(patch.collection) { $0.apply(patch, clock: &clock) }!
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
            guard let cursor = mirrors[synced.collection].map(\.cursor) else {
                return emit(.error(.unknownCollection(synced.collection)))
            }
            mirrors[synced.collection]?.resyncPending = false
            if cursor == synced.cursor {
                mirrors[synced.collection]?.isSynced = true
                if phase != .synced, order.allSatisfy({ mirrors[$0]?.isSynced == true }) {
                    flushEvents()
                    setPhase(.synced)
                    emit(.synced)
                }
            } else {
                let reason: ResyncReason = cursor?.epoch == synced.cursor.epoch ? .behind : .epochChange
                resync(synced.collection, reason: reason, from: cursor)
            }
        case .ack(let ack):
            guard ack.id.client == options.clientID,
                  let index = outbox.firstIndex(where: { $0.id == ack.id }) else { return }  // duplicate ack
            let mutation = outbox.remove(at: index)
            if let cursor = mirrors[mutation.collection]?.cursor, cursor.seq < ack.seq {
                mirrors[mutation.collection]?.awaitingEcho.append((ack.seq, mutation.writes))
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
        case .ping(let id, let cursors):
            if transport?.answersPings ?? true { sender?.enqueue([WireFrame.pong(id: id).encoded()]) }
            if let cursors { checkHeartbeat(cursors) }
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

    /// Compares a heartbeat's stream positions with the applied cursors (PROTOCOL.md 6.1). Frames on
    /// one connection are ordered, so a position the client has not reached means frames were lost —
    /// typically the last one before a quiet period, which no later patch would reveal.
    func checkHeartbeat(_ cursors: [String: StreamCursor]) {
        for name in order {
            guard let server = cursors[name], let mirror = mirrors[name], !mirror.resyncPending else { continue }
            let local = mirror.cursor
            guard local != server else { continue }
            // Behind in the same epoch (or no state yet) is a gap; another epoch means the history changed.
            let reason: ResyncReason = local == nil || local?.epoch == server.epoch ? .gap : .epochChange
            resync(name, reason: reason, from: local)
        }
    }

    /// Asks the server for the catch-up of `collection` (once until it is answered).
    func resync(_ collection: String, reason: ResyncReason, from cursor: StreamCursor?) {
        guard let pendingAlready = mirrors[collection]?.resyncPending, !pendingAlready else { return }
        mirrors[collection]?.resyncPending = true
        mirrors[collection]?.isSynced = false
        flushEvents()
        if phase == .synced { setPhase(.open) }
        emit(.resync(collection: collection, reason: reason, fromCursor: cursor))
        sender?.enqueue([WireFrame.subscribe(WireFrame.Subscribe(collection: collection, cursor: cursor)).encoded()])
    }

    /// Recomputes a collection's visible state without the writes that left the outbox unconfirmed.
    func rollBack(_ collection: String) {
        let pending = outbox.filter { $0.collection == collection }.flatMap(\.writes)
        guard let changed = withMirror(collection, { $0.rebuildVisible(pending: pending) }) else { return }
        markDirty(collection, changed)
    }

    /// Runs `body` on the mirror of `name` moved out of the dictionary, so that its documents stay
    /// uniquely referenced and are mutated in place (a copy would duplicate the whole collection).
    func withMirror<R>(_ name: String, _ body: (inout CollectionMirror) -> R) -> R? {
        guard var mirror = mirrors.removeValue(forKey: name) else { return nil }
        defer { mirrors[name] = mirror }
        return body(&mirror)
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
            collection.realtimeApply(changes)
        }
    }
}
