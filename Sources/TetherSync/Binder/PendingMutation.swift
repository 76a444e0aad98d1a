/// A local write waiting in the outbox for its `ack` or `reject`.
struct PendingMutation: Equatable {
    let id: MutationID
    let collection: String
    /// The stamped writes, in stamp order.
    let writes: [VersionedWrite]

    /// The `mutate` frame that carries it (resent unchanged after every reconnect).
    var frame: WireFrame {
        .mutate(WireFrame.Mutate(collection: collection, id: id, ops: writes.map(\.wireOperation)))
    }
}
