// Marionette.Object conveniences over Backbone.Events, and typed event observation.

extension RealtimeBinder {
    /// A handle for ``removeObserver(_:)``.
    public struct ObserverToken: Hashable, Sendable {
        let id: Int
    }

    /// Calls `handler` with every ``BinderEvent``, typed. (Name-based handlers registered with
    /// `on("rejected")` receive the same events as `Event.custom(name, [payload])`.)
    @discardableResult
    public func observe(_ handler: @escaping (BinderEvent) -> Void) -> ObserverToken {
        nextObserverID += 1
        observers.append((nextObserverID, handler))
        return ObserverToken(id: nextObserverID)
    }

    /// Removes a typed observer.
    public func removeObserver(_ token: ObserverToken) {
        observers.removeAll { $0.id == token.id }
    }

    /// Marionette's `bindEvents`: listens to `entity` with an event map (space-separated names
    /// allowed), through `listenTo`, so that ``destroy()`` unbinds it.
    @discardableResult
    public func bindEvents(_ entity: any EventEmitter, _ bindings: KeyValuePairs<String, EventHandler>) -> EventToken {
        listenTo(entity, bindings)
    }

    /// Marionette's `unbindEvents`: stops listening to everything bound on `entity`.
    public func unbindEvents(_ entity: any EventEmitter) {
        stopListening(entity)
    }

    /// Delivers an event to typed observers (a snapshot, so they may remove themselves), then
    /// triggers it by name for Backbone-style handlers.
    func emit(_ event: BinderEvent) {
        let snapshot = observers
        for observer in snapshot where observers.contains(where: { $0.id == observer.id }) {
            observer.handler(event)
        }
        trigger(event.name, arguments: [event.payload])
    }
}
