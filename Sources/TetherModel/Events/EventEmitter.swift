/// Backbone.Events for Swift classes: `on`, `off`, `once`, `trigger`, `listenTo`, `listenToOnce`,
/// `stopListening`, the `all` event, space-separated names and event maps.
///
/// Conform by storing one ``EventHub``. ``SyncModel`` and ``SyncCollection`` conform; so can any
/// object that wants to emit or listen (a binder, a view model).
///
/// Differences forced by Swift: closures have no identity, so `on` returns an ``EventToken`` that
/// `off` accepts in place of the callback; handlers receive one typed ``Event`` instead of a
/// positional argument list; there is no `this` rebinding (capture what you need).
///
/// - Important: Emitters are not thread-safe and take no locks. Use an emitter, its handlers and
///   everything it listens to from one isolation domain (the main actor in apps, one actor in agents).
public protocol EventEmitter: AnyObject {
    /// The emitter's handler storage.
    var eventHub: EventHub { get }
}

extension EventEmitter {
    /// Registers `callback` for the event(s) named in `names` (space-separated; `"all"` receives every event).
    ///
    /// - Parameters:
    ///   - context: An owner object that `off(context:)` can later match on (Backbone's `context`).
    /// - Returns: A token for `off`; one token covers every name in `names`.
    @discardableResult
    public func on(_ names: String, context: AnyObject? = nil, _ callback: @escaping EventHandler) -> EventToken {
        let token = EventToken.next()
        register(names, callback, token: token, context: context, once: false)
        return token
    }

    /// Registers an event map (`["change:title": f, "remove": g]`) in order, under one token.
    @discardableResult
    public func on(_ map: KeyValuePairs<String, EventHandler>, context: AnyObject? = nil) -> EventToken {
        let token = EventToken.next()
        for (names, callback) in map { register(names, callback, token: token, context: context, once: false) }
        return token
    }

    /// Like ``on(_:context:_:)`` but each named event runs `callback` at most once, after which the
    /// registration is removed (before the callback runs, so re-triggering inside it does not re-enter).
    @discardableResult
    public func once(_ names: String, context: AnyObject? = nil, _ callback: @escaping EventHandler) -> EventToken {
        let token = EventToken.next()
        register(names, callback, token: token, context: context, once: true)
        return token
    }

    /// Event-map form of ``once(_:context:_:)``.
    @discardableResult
    public func once(_ map: KeyValuePairs<String, EventHandler>, context: AnyObject? = nil) -> EventToken {
        let token = EventToken.next()
        for (names, callback) in map { register(names, callback, token: token, context: context, once: true) }
        return token
    }

    /// Removes handlers matching **every** criterion given (Backbone `off`); `off()` removes everything.
    ///
    /// - Parameters:
    ///   - names: Space-separated event names; `nil` means every name (including `all`).
    ///   - token: Only the registration(s) made by the call that returned this token.
    ///   - context: Only handlers registered with this context (or by this listener via `listenTo`).
    public func off(_ names: String? = nil, token: EventToken? = nil, context: AnyObject? = nil) {
        eventHub.remove(names: names, token: token?.id, context: context.map(ObjectIdentifier.init))
    }

    /// Fires the event(s) named in `names` (space-separated) with JSON arguments, as ``Event/custom(_:_:)``.
    ///
    /// A name of a built-in event (`"change"`) reaches that event's handlers, with no typed payload.
    public func trigger(_ names: String, _ arguments: JSON...) {
        trigger(names, arguments: arguments)
    }

    /// Array form of ``trigger(_:_:)``.
    public func trigger(_ names: String, arguments: [JSON]) {
        let hub = eventHub
        if hub.isEmpty { return }
        for name in names.eventNames {
            let name = String(name)
            hub.dispatch(.custom(name, arguments), key: EventKey(name))
        }
    }

    /// Fires a typed event: its own handlers in registration order, then the `all` handlers.
    public func trigger(_ event: Event) {
        eventHub.trigger(event)
    }

    // MARK: Inversion of control

    /// Registers `callback` on `emitter` with this object as the context, and remembers it so that
    /// ``stopListening(_:_:token:)`` can remove it. The handler sits in the emitter's own list, in
    /// registration order with the emitter's other handlers.
    @discardableResult
    public func listenTo(_ emitter: any EventEmitter, _ names: String, _ callback: @escaping EventHandler) -> EventToken {
        listen(to: emitter, names, once: false, callback)
    }

    /// Event-map form of ``listenTo(_:_:_:)``.
    @discardableResult
    public func listenTo(_ emitter: any EventEmitter, _ map: KeyValuePairs<String, EventHandler>) -> EventToken {
        let token = EventToken.next()
        for (names, callback) in map { listen(to: emitter, names, once: false, token: token, callback) }
        return token
    }

    /// Like ``listenTo(_:_:_:)``, but each named event fires at most once.
    @discardableResult
    public func listenToOnce(_ emitter: any EventEmitter, _ names: String, _ callback: @escaping EventHandler) -> EventToken {
        listen(to: emitter, names, once: true, callback)
    }

    /// Event-map form of ``listenToOnce(_:_:_:)``.
    @discardableResult
    public func listenToOnce(_ emitter: any EventEmitter, _ map: KeyValuePairs<String, EventHandler>) -> EventToken {
        let token = EventToken.next()
        for (names, callback) in map { listen(to: emitter, names, once: true, token: token, callback) }
        return token
    }

    @discardableResult
    private func listen(
        to emitter: any EventEmitter, _ names: String, once: Bool, token: EventToken = .next(),
        _ callback: @escaping EventHandler
    ) -> EventToken {
        let link = ListenerLink(listener: eventHub, emitter: ObjectIdentifier(emitter))
        let count = emitter.eventHub.register(
            names, token: token, context: ObjectIdentifier(self), once: once, listener: link, callback: callback)
        if count > 0 { eventHub.listened(to: emitter, count: count) }
        return token
    }

    /// Removes what this object registered with `listenTo`: on `emitter` (or every emitter), for
    /// `names` (or every name), for `token` (or every registration). The emitters' own handlers stay.
    public func stopListening(_ emitter: (any EventEmitter)? = nil, _ names: String? = nil, token: EventToken? = nil) {
        let me = ObjectIdentifier(self)
        if let emitter {
            guard eventHub.listeningTo[ObjectIdentifier(emitter)] != nil else { return }
            emitter.eventHub.remove(names: names, token: token?.id, context: me)
            return
        }
        for record in Array(eventHub.listeningTo.values) {
            if let target = record.emitter {
                target.eventHub.remove(names: names, token: token?.id, context: me)
            }
        }
        if names == nil && token == nil {
            eventHub.listeningTo.removeAll()
        }
    }

    /// One `on`/`once` registration of `callback` for `names` under `token`. The callback is passed
    /// as a function value, never inside a generic container: storing it at another abstraction
    /// would wrap every later call in reabstraction thunks (measured: ~100 instructions per event).
    private func register(_ names: String, _ callback: @escaping EventHandler, token: EventToken, context: AnyObject?, once: Bool) {
        eventHub.register(
            names, token: token, context: context.map(ObjectIdentifier.init), once: once, listener: nil, callback: callback)
    }
}
