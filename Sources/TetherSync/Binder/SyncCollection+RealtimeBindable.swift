// SyncCollection as a binder target: remote changes become Backbone's own events, local ones mutations.

extension SyncCollection: RealtimeBindable {
    /// `SetOptions.userInfo` key marking changes the binder made (value `true`), so handlers can tell
    /// server-originated changes from the application's own.
    public static let remoteChangeKey = "tether.remote"

    public func realtimeAttributes(of id: String) -> JSONObject? {
        get(.string(id))?.attributes
    }

    public func realtimeApply(_ changes: [(id: String, attributes: JSONObject?)]) {
        let idKey = modelType.idAttribute
        let options = SetOptions(userInfo: [Self.remoteChangeKey: true])
        var targets: [String: JSONObject?] = [:]
        var upserts: [JSON] = []
        var removals: [SyncModel] = []
        for change in changes {
            targets[change.id] = change.attributes
            let existing = get(.string(change.id))
            guard var attributes = change.attributes else {
                if let existing { removals.append(existing) }
                continue
            }
            if attributes[idKey] == nil { attributes[idKey] = .string(change.id) }
            if let existing {
                guard existing.attributes != attributes else { continue }
                // `set` merges; attributes the new value lacks are unset first.
                for key in existing.attributes.keys where attributes[key] == nil {
                    existing.unset(key, options: options)
                }
            }
            upserts.append(.object(attributes))
        }
        switch (upserts.isEmpty, removals.isEmpty) {
        case (true, true):
            return
        case (false, true):
            var merging = options
            merging.remove = false
            merging.merge = true
            _ = try? set(upserts, options: merging)
        case (true, false):
            remove(removals, options: options)
        case (false, false):
            // Adds, merges and removals in one `set`, so the batch fires exactly one `update`: every
            // current model (new values where changed) in its current order, then the new ones.
            var list: [JSON] = []
            list.reserveCapacity(models.count + upserts.count)
            var placed = Set<String>()
            var byID: [String: JSON] = [:]
            for upsert in upserts {
                if let id = upsert[idKey]?.stringValue { byID[id] = upsert }
            }
            for model in models {
                guard let id = model.id?.stringValue else { list.append(.object(model.attributes)); continue }
                if case .some(.none) = targets[id] { continue }  // removed
                list.append(byID[id] ?? .object(model.attributes))
                placed.insert(id)
            }
            for upsert in upserts where !placed.contains(upsert[idKey]?.stringValue ?? "") { list.append(upsert) }
            var replacing = options
            replacing.remove = true
            replacing.merge = true
            _ = try? set(list, options: replacing)
        }
    }

    public func realtimeInstall(pendingWrites source: any PendingWritesSource) {
        pendingWritesSource = source
    }

    public func realtimeObserve(_ handler: @escaping (RealtimeLocalChange) -> Void) -> () -> Void {
        let token = on("add remove change") { event in
            if event.options?.userInfo[SyncCollection.remoteChangeKey] != nil { return }
            switch event {
            case .add(let model, _, _):
                guard let id = model.id?.stringValue else { return }
                handler(.added(id: id, attributes: model.attributes))
            case .remove(let model, _, _):
                guard let id = model.id?.stringValue else { return }
                handler(.removed(id: id))
            case .change(let model, _):
                guard let id = model.id?.stringValue else { return }
                var set = JSONObject()
                var unset: [String] = []
                for key in model.changedKeys {
                    if let value = model.get(key) { set[key] = value } else { unset.append(key) }
                }
                if !set.isEmpty || !unset.isEmpty { handler(.changed(id: id, set: set, unset: unset)) }
            default:
                break
            }
        }
        return { [weak self] in self?.off(token: token) }
    }
}
