/// The handler storage and dispatcher behind every ``EventEmitter`` (Backbone's `_events`,
/// `_listeners` and `_listeningTo`).
///
/// Handlers are kept per parsed ``EventKey``: built-in names in fixed slots, `change:<attr>` in a
/// table keyed by the attribute name, other names in their own table. Lists are value arrays:
/// `trigger` iterates the array it read at the start, and `on`/`off` replace or copy-on-write the
/// stored array, which gives Backbone's snapshot semantics (a handler added during a dispatch does
/// not run in it; one removed during it still runs in it and never again) with no per-event copy.
///
/// Not thread-safe by design: an emitter and its hub belong to one isolation domain.
public final class EventHub {
    /// Slots for ``BuiltinEvent`` names; empty until the first registration.
    @exclusivity(unchecked) var builtin: [[RegisteredHandler]] = []
    @exclusivity(unchecked) var attributes: [String: [RegisteredHandler]] = [:]
    @exclusivity(unchecked) var custom: [String: [RegisteredHandler]] = [:]
    /// Number of registrations in all lists, so emitters with no listeners skip everything.
    @exclusivity(unchecked) var handlerCount = 0
    /// One-entry cache of `attributes` lookups (see ``dispatchAttribute(_:_:)``).
    @exclusivity(unchecked) var cachedAttributeKey: String?
    @exclusivity(unchecked) var cachedAttributeList: [RegisteredHandler] = []
    /// Emitters this hub's owner listens to (`listenTo`), with a registration count each.
    var listeningTo: [ObjectIdentifier: ListeningRecord] = [:]

    public init() {}

    /// Whether any handler is registered at all.
    public var isEmpty: Bool { handlerCount == 0 }

    // MARK: Lists

    func list(_ key: EventKey) -> [RegisteredHandler] {
        switch key {
        case .builtin(let b): return builtin.isEmpty ? [] : builtin[b.rawValue]
        case .attribute(let a): return attributes[a] ?? []
        case .custom(let c): return custom[c] ?? []
        }
    }

    func hasHandlers(_ builtinEvent: BuiltinEvent) -> Bool {
        !builtin.isEmpty && !builtin[builtinEvent.rawValue].isEmpty
    }

    /// Dispatches `change:<key>` if anyone listens (its own handlers or `all`); `makeEvent` runs
    /// only then, so an unobserved attribute costs no event construction.
    ///
    /// The last attribute looked up is cached, so a hot `set` of one attribute hashes nothing.
    func dispatchAttribute(_ key: String, _ makeEvent: () -> Event) {
        if handlerCount == 0 { return }
        let own: [RegisteredHandler]
        if attributes.isEmpty {
            own = []
        } else if let cachedKey = cachedAttributeKey, cachedKey == key {
            own = cachedAttributeList
        } else {
            own = attributes[key] ?? []
            cachedAttributeKey = key
            cachedAttributeList = own
        }
        let all = builtin.isEmpty ? [] : builtin[BuiltinEvent.all.rawValue]
        if own.isEmpty && all.isEmpty { return }
        let event = makeEvent()
        if !own.isEmpty { run(own, event, key: .attribute(key)) }
        if !all.isEmpty { run(all, event, key: .builtin(.all)) }
    }

    /// Dispatches `change` if anyone listens; `makeEvent` runs only then.
    func dispatchChange(_ makeEvent: () -> Event) {
        if handlerCount == 0 || builtin.isEmpty { return }
        let own = builtin[BuiltinEvent.change.rawValue]
        let all = builtin[BuiltinEvent.all.rawValue]
        if own.isEmpty && all.isEmpty { return }
        let event = makeEvent()
        if !own.isEmpty { run(own, event, key: .builtin(.change)) }
        if !all.isEmpty { run(all, event, key: .builtin(.all)) }
    }

    /// Forgets the cached `change:<key>` list after the attribute table changed.
    func invalidateAttributeCache() {
        cachedAttributeKey = nil
        cachedAttributeList = []
    }

    /// Whether the built-in event would reach anyone.
    func wants(_ event: BuiltinEvent) -> Bool {
        handlerCount != 0 && (hasHandlers(event) || hasHandlers(.all))
    }

    func append(_ handler: RegisteredHandler, to key: EventKey) {
        switch key {
        case .builtin(let b):
            if builtin.isEmpty { builtin = Array(repeating: [], count: BuiltinEvent.allCases.count) }
            builtin[b.rawValue].append(handler)
        case .attribute(let a):
            invalidateAttributeCache()
            attributes[a, default: []].append(handler)
        case .custom(let c): custom[c, default: []].append(handler)
        }
        handlerCount += 1
    }

    // MARK: Registration

    /// Registers `callback` for every name in `names` (space-separated) under one token.
    @discardableResult
    func register(
        _ names: String, token: EventToken, context: ObjectIdentifier?, once: Bool,
        listener: ListenerLink?, callback: @escaping EventHandler
    ) -> Int {
        var added = 0
        for name in names.eventNames {
            let handler = RegisteredHandler(
                token: token.id, context: context, callback: callback, once: once, listener: listener)
            append(handler, to: EventKey(String(name)))
            added += 1
        }
        return added
    }

    /// Removes the handlers matching every given criterion (Backbone `off`): `names` (nil = every
    /// name), `token`, `context`. Returns nothing; emptied lists are dropped.
    func remove(names: String?, token: UInt64?, context: ObjectIdentifier?) {
        guard handlerCount > 0 else { return }
        if let names {
            for name in names.eventNames { remove(key: EventKey(String(name)), token: token, context: context) }
            return
        }
        for b in BuiltinEvent.allCases { remove(key: .builtin(b), token: token, context: context) }
        for a in Array(attributes.keys) { remove(key: .attribute(a), token: token, context: context) }
        for c in Array(custom.keys) { remove(key: .custom(c), token: token, context: context) }
    }

    func remove(key: EventKey, token: UInt64?, context: ObjectIdentifier?) {
        let current = list(key)
        if current.isEmpty { return }
        var remaining: [RegisteredHandler] = []
        for handler in current {
            let keep = (token != nil && token != handler.token) || (context != nil && context != handler.context)
            if keep {
                remaining.append(handler)
            } else {
                handlerCount -= 1
                if let link = handler.listener { link.listener?.released(emitter: link.emitter) }
            }
        }
        if remaining.count == current.count { return }
        switch key {
        case .builtin(let b): builtin[b.rawValue] = remaining
        case .attribute(let a):
            invalidateAttributeCache()
            attributes[a] = remaining.isEmpty ? nil : remaining
        case .custom(let c): custom[c] = remaining.isEmpty ? nil : remaining
        }
    }

    /// Removes one once-handler after it fired (Backbone's once wrapper calling `off(name, once)`).
    func removeFired(_ handler: RegisteredHandler, key: EventKey) {
        let current = list(key)
        guard let i = current.firstIndex(where: { $0.meta === handler.meta }) else { return }
        var remaining = current
        remaining.remove(at: i)
        handlerCount -= 1
        if let link = handler.listener { link.listener?.released(emitter: link.emitter) }
        switch key {
        case .builtin(let b): builtin[b.rawValue] = remaining
        case .attribute(let a):
            invalidateAttributeCache()
            attributes[a] = remaining.isEmpty ? nil : remaining
        case .custom(let c): custom[c] = remaining.isEmpty ? nil : remaining
        }
    }

    // MARK: Dispatch

    /// Calls the handlers of `event`'s name, then the `all` handlers (as read before any ran).
    public func trigger(_ event: Event) {
        if handlerCount == 0 { return }
        dispatch(event, key: event.key)
    }

    func dispatch(_ event: Event, key: EventKey) {
        let all = builtin.isEmpty ? [] : builtin[BuiltinEvent.all.rawValue]
        let own = list(key)
        if !own.isEmpty { run(own, event, key: key) }
        if !all.isEmpty { run(all, event, key: .builtin(.all)) }
    }

    /// Dispatch for a built-in event whose key is known statically.
    func dispatch(_ event: Event, builtin slot: BuiltinEvent) {
        if builtin.isEmpty { return }
        let all = builtin[BuiltinEvent.all.rawValue]
        let own = builtin[slot.rawValue]
        if !own.isEmpty { run(own, event, key: .builtin(slot)) }
        if !all.isEmpty { run(all, event, key: .builtin(.all)) }
    }

    func run(_ handlers: [RegisteredHandler], _ event: Event, key: EventKey) {
        handlers.withUnsafeBufferPointer { buffer in
            for i in buffer.indices {
                if let meta = buffer[i].meta, meta.isOnce {
                    if meta.fired { continue }
                    meta.fired = true
                    removeFired(buffer[i], key: key)
                }
                buffer[i].callback(event)
            }
        }
    }

    // MARK: Listening bookkeeping (listener side)

    func listened(to emitter: any EventEmitter, count: Int) {
        let id = ObjectIdentifier(emitter)
        if let record = listeningTo[id] {
            record.count += count
        } else {
            listeningTo[id] = ListeningRecord(emitter: emitter, count: count)
        }
    }

    func released(emitter: ObjectIdentifier) {
        guard let record = listeningTo[emitter] else { return }
        record.count -= 1
        if record.count <= 0 { listeningTo[emitter] = nil }
    }

    /// Whether this hub's owner listens to `emitter` (Backbone's `_listeningTo[id]`).
    public func isListening(to emitter: any EventEmitter) -> Bool {
        listeningTo[ObjectIdentifier(emitter)] != nil
    }

    /// Number of handlers registered on this hub (all names).
    public var count: Int { handlerCount }
}

/// An emitter this hub's owner listens to, with the number of live registrations on it.
final class ListeningRecord {
    weak var emitter: (any EventEmitter)?
    var count: Int
    init(emitter: any EventEmitter, count: Int) {
        self.emitter = emitter
        self.count = count
    }
}
