// Marionette.Object lifecycle and events: on/off, listenTo/stopListening, bindEvents, destroy.

extension RealtimeBinder {
    /// A handle for removing a listener with ``off(_:)``.
    public struct ListenerToken: Hashable, Sendable {
        let id: Int
    }

    /// Calls `handler` for every event named `name` (`nil`: every event, like Backbone's `"all"`).
    /// Space-separated names register for each.
    @discardableResult
    public func on(_ name: String?, _ handler: @escaping (BinderEvent) -> Void) -> ListenerToken {
        nextListenerID += 1
        let id = nextListenerID
        if let name {
            for single in name.split(separator: " ") { listeners.append((id, String(single), handler)) }
        } else {
            listeners.append((id, nil, handler))
        }
        return ListenerToken(id: id)
    }

    /// Removes one listener (`nil`: all listeners registered on this binder with ``on(_:_:)``).
    public func off(_ token: ListenerToken? = nil) {
        if let token { listeners.removeAll { $0.id == token.id } } else { listeners.removeAll() }
    }

    /// Listens to another binder's events; ``stopListening(_:)`` (and `destroy`) removes them.
    @discardableResult
    public func listenTo(_ other: RealtimeBinder, _ name: String?, _ handler: @escaping (BinderEvent) -> Void) -> ListenerToken {
        let token = other.on(name, handler)
        nextListenerID += 1
        listening.append((nextListenerID, other, token.id))
        return ListenerToken(id: nextListenerID)
    }

    /// Stops listening to `other` (`nil`: to every object this binder listens to).
    public func stopListening(_ other: RealtimeBinder? = nil) {
        listening.removeAll { entry in
            guard other == nil || entry.source === other else { return false }
            entry.source.off(ListenerToken(id: entry.listener))
            return true
        }
    }

    /// Marionette's `bindEvents`: an event map from names (space-separated allowed) to handlers,
    /// registered with ``listenTo(_:_:_:)`` so that `destroy` unbinds them.
    public func bindEvents(_ other: RealtimeBinder, _ bindings: [String: (BinderEvent) -> Void]) {
        for (name, handler) in bindings { listenTo(other, name, handler) }
    }

    /// Marionette's `unbindEvents`: everything this binder bound on `other`.
    public func unbindEvents(_ other: RealtimeBinder) { stopListening(other) }

    /// Delivers an event to listeners: a snapshot of the list, so handlers may add or remove listeners.
    func emit(_ event: BinderEvent) {
        let snapshot = listeners
        for listener in snapshot where listener.name == nil || listener.name == event.name {
            guard listeners.contains(where: { $0.id == listener.id }) else { continue }
            listener.handler(event)
        }
    }
}
