/// A synchronous event callback. It runs on the emitter's isolation domain, inside `trigger`.
public typealias EventHandler = (Event) -> Void

/// One registration in an emitter's handler list (Backbone's `{callback, context, ctx}`).
struct RegisteredHandler {
    let token: UInt64
    /// The explicit context (`on(..., context:)` or the listener of `listenTo`), matched by `off(context:)`.
    let context: ObjectIdentifier?
    let callback: EventHandler
    /// Present only for `once`/`listenTo` registrations, so plain handlers copy one reference.
    let meta: HandlerMeta?

    init(token: UInt64, context: ObjectIdentifier?, callback: @escaping EventHandler, once: Bool, listener: ListenerLink?) {
        self.token = token
        self.context = context
        self.callback = callback
        meta = once || listener != nil ? HandlerMeta(once: once, listener: listener) : nil
    }

    var listener: ListenerLink? { meta?.listener }
}

/// The extra state of `once` and `listenTo` registrations.
final class HandlerMeta {
    /// Whether this is a once-handler.
    let isOnce: Bool
    /// Set when a once-handler has fired: guards against running twice from an older snapshot.
    var fired = false
    /// Present for `listenTo`: lets the emitter clean the listener's bookkeeping when it drops this.
    let listener: ListenerLink?

    init(once: Bool, listener: ListenerLink?) {
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
