// Local RFC 6902 patches: normalized at the origin into stamped writes, sent as one mutation.

extension RealtimeBinder {
    /// Why ``applyLocalPatch(_:to:)`` refused a patch. Nothing was applied or queued.
    public enum LocalPatchError: Error, Sendable, Equatable, CustomStringConvertible {
        /// No collection is bound under this name.
        case unknownCollection(String)
        /// The patch does not apply to the collection's visible state (a failed `test` included).
        case patch(VersionedPatchError)
        /// A model would not be a JSON object, or its `id` member would differ from its key.
        case invalidModel(id: String, reason: String)
        /// The outbox already holds ``Options/maximumOutbox`` unacknowledged mutations.
        case outboxFull(limit: Int)
        /// The binder was destroyed.
        case destroyed

        public var description: String {
            switch self {
            case .unknownCollection(let name): return "no collection is bound as \"\(name)\""
            case .patch(let error): return "\(error)"
            case let .invalidModel(id, reason): return "model \"\(id)\" \(reason)"
            case .outboxFull(let limit): return "outbox full (\(limit) unacknowledged mutations)"
            case .destroyed: return "the binder was destroyed"
            }
        }
    }

    /// Applies an RFC 6902 patch over a bound collection (`/t1/title` addresses an attribute) as
    /// **one** local mutation.
    ///
    /// The patch is normalized against the visible state (VERSIONING.md, "Normalizing local
    /// patches"): object-member ops become writes at their exact path, so concurrent edits of
    /// different nested keys both survive; ops inside an array become a write of the whole array;
    /// `move` and `copy` become writes; `test` is checked here and never sent. It is all or nothing:
    /// on any error nothing changes. Otherwise the writes are applied at once (the collection fires
    /// its events, marked with ``SyncCollection/remoteChangeKey`` like every change the binder
    /// makes), saved with the outbox, and sent.
    ///
    /// - Returns: the mutation's id, or `nil` when the patch changes nothing (only `test`s, or
    ///   values already there).
    /// - Throws: ``LocalPatchError``.
    @discardableResult
    public func applyLocalPatch(_ patch: JSONPatch, to collection: String) throws(LocalPatchError) -> MutationID? {
        guard !isDestroyed else { throw .destroyed }
        guard collections[collection] != nil, let visible = mirrors[collection]?.visible else { throw .unknownCollection(collection) }
        let normalized: [VersionedWrite]
        do { normalized = try visible.normalize(patch, stamps: { clock.now() }) } catch { throw .patch(error) }
        try Self.checkModels(normalized)
        // A write of the value already there is dropped when no other write of the patch touches
        // its path, above or below (then the patch's result does not depend on it).
        var paths = Set<ArraySlice<String>>()
        var properPrefixes = Set<ArraySlice<String>>()
        for write in normalized {
            paths.insert(write.path[...])
            for length in 1..<write.path.count { properPrefixes.insert(write.path.prefix(length)) }
        }
        let state = visible.state.objectValue ?? [:]
        let writes = normalized.filter { write in
            let path = write.path[...]
            if properPrefixes.contains(path) || (1..<path.count).contains(where: { paths.contains(path.prefix($0)) }) { return true }
            switch write.operation {
            case .set(let value): return VersionedDocument.lookup(write.path, in: state) != value
            case .remove: return VersionedDocument.lookup(write.path, in: state) != nil
            }
        }
        guard !writes.isEmpty else { return nil }
        guard outbox.count < options.maximumOutbox else { throw .outboxFull(limit: options.maximumOutbox) }
        let changed: [String] = withMirror(collection) { mirror in
            var changes = VersionedChanges()
            for write in writes { mirror.visible.apply(write, recordingInto: &changes) }
            return changes.modelIDs
        } ?? []
        let id = enqueueMutation(of: writes, in: collection)
        markDirty(collection, changed)
        flushEvents()
        return id
    }

    /// PROTOCOL.md section 1: every model is an object, and its `id` member, when present, is its key.
    private static func checkModels(_ writes: [VersionedWrite]) throws(LocalPatchError) {
        for write in writes {
            guard case .set(let value) = write.operation else { continue }
            let id = write.modelID
            if write.path.count == 1 {
                guard case .object(let model) = value else { throw .invalidModel(id: id, reason: "must be a JSON object") }
                if let member = model["id"], member != .string(id) {
                    throw .invalidModel(id: id, reason: "has id \(member); a model's id must equal its key")
                }
            } else if write.path.count == 2, write.path[1] == "id", value != .string(id) {
                throw .invalidModel(id: id, reason: "would get id \(value); a model's id must equal its key")
            }
        }
    }
}
