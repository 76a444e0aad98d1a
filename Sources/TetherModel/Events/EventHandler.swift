/// A synchronous event callback. It runs on the emitter's isolation domain, inside `trigger`.
public typealias EventHandler = (Event) -> Void

/// One registration in an emitter's handler list (Backbone's `{callback, context, ctx}`).

struct RegisteredHandler {
    let token: UInt64
    /// The explicit context (`on(..., context:)` or the listener of `listenTo`), matched by `off(context:)`.
    let context: ObjectIdentifier?
    let callback: EventHandler
    /// Present for `once`/`listenToOnce`: guards against running twice from an older snapshot.
    let once: OnceFlag?
    /// Present for `listenTo`: lets the emitter clean the listener's bookkeeping when it drops this.
    let listener: ListenerLink?
}

/// Set when a once-handler has fired.

final class OnceFlag {
    var fired = false
    init() {}
}

/// The listener side of a `listenTo` registration, held weakly by the emitter's handler.

final class ListenerLink {
    weak var listener: EventHub?
    let emitter: ObjectIdentifier
    init(listener: EventHub, emitter: ObjectIdentifier) {
        self.listener = listener
        self.emitter = emitter
    }
}
