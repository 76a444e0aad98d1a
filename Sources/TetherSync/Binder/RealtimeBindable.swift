/// What a ``RealtimeBinder`` needs from a collection it mirrors. ``SyncCollection`` conforms; the
/// protocol keeps the binder independent of how a collection stores and announces its models.
public protocol RealtimeBindable: AnyObject {
    /// The attributes of the model with this id, or `nil` when the collection has none.
    func realtimeAttributes(of id: String) -> JSONObject?

    /// Brings the listed models to the given attributes (`nil`: remove the model), firing the real
    /// Backbone events — `add`, `remove`, `change:attr`, `change` — and one `update` for the batch.
    /// Attributes missing from a model's new value are unset.
    func realtimeApply(_ changes: [(id: String, attributes: JSONObject?)])

    /// Starts reporting changes the application makes (`set`, `unset`, `add`, `remove`); changes made
    /// by ``realtimeApply(_:)`` are not reported.
    ///
    /// - Returns: a function that stops the reporting.
    func realtimeObserve(_ handler: @escaping (RealtimeLocalChange) -> Void) -> () -> Void

    /// Receives the binder's answer to "does this model have unacknowledged writes?" (held weakly),
    /// for collections that expose it on their models. The default does nothing.
    func realtimeInstall(pendingWrites source: any PendingWritesSource)
}

extension RealtimeBindable {
    public func realtimeInstall(pendingWrites source: any PendingWritesSource) {}
}

/// A change the application made to a bound collection.
public enum RealtimeLocalChange: Sendable, Equatable {
    /// A model was added with these attributes.
    case added(id: String, attributes: JSONObject)
    /// A model was removed.
    case removed(id: String)
    /// Attributes of a model were set (`set`) or unset (`unset`).
    case changed(id: String, set: JSONObject, unset: [String])

    public var id: String {
        switch self {
        case .added(let id, _), .removed(let id), .changed(let id, _, _): return id
        }
    }
}
