/// Answers ``PendingWritesSource`` for one bound collection from its binder's outbox.
final class BoundPendingWrites: PendingWritesSource {
    weak var binder: RealtimeBinder?
    let collection: String

    init(binder: RealtimeBinder, collection: String) {
        self.binder = binder
        self.collection = collection
    }

    func hasPendingWrites(modelID: String) -> Bool {
        binder?.hasPendingWrites(collection: collection, id: modelID) ?? false
    }
}
