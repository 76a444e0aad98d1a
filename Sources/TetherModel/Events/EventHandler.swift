/// A synchronous event callback. It runs on the emitter's isolation domain, inside `trigger`.
public typealias EventHandler = (Event) -> Void

/// One registration in an emitter's handler list (Backbone's `{callback, context, ctx}`).
///
/// A class, so a dispatch can call it through a borrowed reference (its `let` fields need no
/// retain) while the list that owns it keeps it alive.
final class RegisteredHandler {
    let token: UInt64
    /// The explicit context (`on(..., context:)` or the listener of `listenTo`), matched by `off(context:)`.
    let context: ObjectIdentifier?
    let callback: EventHandler
    /// Whether this is a once-handler.
    let isOnce: Bool
    /// Set when a once-handler has fired: guards against running twice from an older snapshot.
    var fired = false
    /// Present for `listenTo`: lets the emitter clean the listener's bookkeeping when it drops this.
    let listener: ListenerLink?

    init(token: UInt64, context: ObjectIdentifier?, callback: @escaping EventHandler, once: Bool, listener: ListenerLink?) {
        self.token = token
        self.context = context
        self.callback = callback
        isOnce = once
        self.listener = listener
    }
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
