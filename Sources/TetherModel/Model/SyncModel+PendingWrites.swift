extension SyncModel {
    /// Whether this model has local writes the server has not acknowledged yet: `true` from a
    /// `set` on a bound collection until the server's `ack` (or the rollback of a `reject`).
    ///
    /// Lets a view mark unsaved edits, as Firestore's `hasPendingWrites` does. Always `false` for a
    /// model whose ``collection`` is not bound to a sync layer.
    public var hasPendingWrites: Bool {
        guard let source = collection?.pendingWritesSource, let id = id?.stringValue else { return false }
        return source.hasPendingWrites(modelID: id)
    }
}
