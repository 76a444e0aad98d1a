/// The handler storage and dispatcher behind every ``EventEmitter`` (Backbone's `_events`,
/// `_listeners` and `_listeningTo`).
///
/// Handlers are kept per parsed ``EventKey``: built-in names in fixed slots, `change:<attr>` in a
/// table keyed by the attribute name, other names in their own table. Each name's handlers are one
/// ``HandlerList``, which gives Backbone's snapshot semantics (a handler added during a dispatch
/// does not run in it; one removed during it still runs in it and never again) without copying
/// the list or retaining its handlers per event.
///
/// Not thread-safe by design: an emitter and its hub belong to one isolation domain.
public final class EventHub {
    /// Slots for ``BuiltinEvent`` names; empty until the first registration.
    @exclusivity(unchecked) var builtin: ContiguousArray<HandlerList?> = []
    /// The `all` list, outside ``builtin``: a model in a collection has only the collection's
    /// bubbling handler, and keeping it here spares every such model the slot array.
    @exclusivity(unchecked) var allList: HandlerList?
    @exclusivity(unchecked) var attributes: [String: HandlerList] = [:]
    @exclusivity(unchecked) var custom: [String: HandlerList] = [:]
    /// Number of registrations in all lists, so emitters with no listeners skip everything.
    @exclusivity(unchecked) var handlerCount = 0
    /// One-entry cache of `attributes` lookups (see ``attributeTargets(_:)``).
    @exclusivity(unchecked) var cachedAttributeKey = ""
    @exclusivity(unchecked) var cacheValid = false
    @exclusivity(unchecked) var cachedAttributeList: HandlerList?
    /// Emitters this hub's owner listens to (`listenTo`), with a registration count each.
    var listeningTo: [ObjectIdentifier: ListeningRecord] = [:]

    public init() {}

    /// Whether any handler is registered at all.
    public var isEmpty: Bool { handlerCount == 0 }

    // MARK: Lists

    func list(_ key: EventKey) -> HandlerList? {
        switch key {
        case .builtin(let b): return builtinList(b)
        case .attribute(let a): return attributes[a]
        case .custom(let c): return custom[c]
        }
    }

    func hasHandlers(_ builtinEvent: BuiltinEvent) -> Bool {
        !(builtinList(builtinEvent)?.isEmpty ?? true)
    }

    @inline(__always)
    func builtinList(_ slot: BuiltinEvent) -> HandlerList? {
        if slot == .all { return allList }
        return builtin.isEmpty ? nil : builtin[slot.rawValue]
    }

    /// The list in a built-in slot if it has handlers, unretained: lists are never dropped while
    /// a dispatch walks them, and the hub outlives the call.
    @inline(__always)
    func nonEmpty(_ slot: BuiltinEvent) -> Unmanaged<HandlerList>? {
        if slot == .all {
            guard let list = allList, !list.isEmpty else { return nil }
            return Unmanaged.passUnretained(list)
        }
        if builtin.isEmpty { return nil }
        return builtin.withUnsafeBufferPointer { buffer in
            guard let list = buffer[slot.rawValue], !list.isEmpty else { return nil }
            return Unmanaged.passUnretained(list)
        }
    }

    /// The lists an event reaches: its own name's and `all`'s (each present only when non-empty).
    struct Targets {
        let own: Unmanaged<HandlerList>?
        let all: Unmanaged<HandlerList>?
    }

    /// Who hears `change:<key>` (its own handlers or `all`), or `nil` when nobody does, so an
    /// unobserved attribute costs no event construction.
    ///
    /// The last attribute looked up is cached, so a hot `set` of one attribute hashes nothing.
    @inline(__always)
    func attributeTargets(_ key: String) -> Targets? {
        if handlerCount == 0 { return nil }
        var own: Unmanaged<HandlerList>? = nil
        if !attributes.isEmpty {
            if cacheValid && cachedAttributeKey == key {
                if let cached = cachedAttributeList, !cached.isEmpty { own = Unmanaged.passUnretained(cached) }
            } else {
                let found = attributes[key]
                cachedAttributeKey = key
                cachedAttributeList = found
                cacheValid = true
                if let found, !found.isEmpty { own = Unmanaged.passUnretained(found) }
            }
        }
        let all = nonEmpty(.all)
        if own == nil && all == nil { return nil }
        return Targets(own: own, all: all)
    }

    /// Who hears `change`, or `nil` when nobody does.
    @inline(__always)
    func changeTargets() -> Targets? {
        if handlerCount == 0 { return nil }
        let own = nonEmpty(.change)
        let all = nonEmpty(.all)
        if own == nil && all == nil { return nil }
        return Targets(own: own, all: all)
    }

    /// Builds and dispatches `change:<key>`. The event lives in this frame only, so it is
    /// destroyed by the enum's own outlined destroy rather than by generic metadata.
    @inline(never)
    func deliverAttributeChange(_ targets: Targets, model: SyncModel, key: String, value: JSON?, options: SetOptions) {
        run(targets.own, targets.all, .changeAttribute(model, key: key, value: value, options))
    }

    /// Runs the handlers of `targets` with `event`. The usual case, one list and no `all`
    /// handlers, is inlined into the caller; the general case is one call.
    @inline(__always)
    func run(_ targets: Targets, _ event: Event) {
        if targets.all == nil, let own = targets.own {
            runAlone(own, event)
        } else {
            run(targets.own, targets.all, event)
        }
    }

    /// One whole dispatch of `event` to one list: a snapshot, its handlers, the end of the snapshot.
    @inline(__always)
    func runAlone(_ list: Unmanaged<HandlerList>, _ event: Event) {
        list._withUnsafeGuaranteedRef { list in
            let snapshot = list.begin()
            list.run(snapshot, event) { handler in removeFired(handler, from: list) }
            list.end()
        }
    }

    /// Forgets the cached `change:<key>` list after the attribute table changed.
    func invalidateAttributeCache() {
        cacheValid = false
        cachedAttributeKey = ""
        cachedAttributeList = nil
    }

    /// Whether the built-in event would reach anyone.
    func wants(_ event: BuiltinEvent) -> Bool {
        handlerCount != 0 && (hasHandlers(event) || hasHandlers(.all))
    }

    func append(_ handler: RegisteredHandler, to key: EventKey) {
        switch key {
        case .builtin(.all):
            if let list = allList {
                list.append(handler)
            } else {
                let list = HandlerList()
                list.append(handler)
                allList = list
            }
        case .builtin(let b):
            if builtin.isEmpty { builtin = ContiguousArray(repeating: nil, count: BuiltinEvent.allCases.count) }
            if let list = builtin[b.rawValue] {
                list.append(handler)
            } else {
                let list = HandlerList()
                list.append(handler)
                builtin[b.rawValue] = list
            }
        case .attribute(let a):
            invalidateAttributeCache()
            if let list = attributes[a] {
                list.append(handler)
            } else {
                let list = HandlerList()
                list.append(handler)
                attributes[a] = list
            }
        case .custom(let c):
            if let list = custom[c] {
                list.append(handler)
            } else {
                let list = HandlerList()
                list.append(handler)
                custom[c] = list
            }
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
        guard let current = list(key) else { return }
        if current.isEmpty {
            dropIfEmpty(current, key: key)
            return
        }
        let removed = current.removeAll(
            where: { handler in
                !((token != nil && token != handler.token) || (context != nil && context != handler.context))
            },
            removed: { handler in
                if let link = handler.listener { link.listener?.released(emitter: link.emitter) }
            })
        if removed == 0 { return }
        handlerCount -= removed
        dropIfEmpty(current, key: key)
    }

    /// Drops an emptied list from its table, unless a dispatch is walking it (it stays, empty).
    func dropIfEmpty(_ list: HandlerList, key: EventKey) {
        switch key {
        case .builtin: break
        case .attribute(let a):
            invalidateAttributeCache()
            if list.isEmpty && list.isIdle { attributes[a] = nil }
        case .custom(let c):
            if list.isEmpty && list.isIdle { custom[c] = nil }
        }
    }

    /// Removes one once-handler after it fired (Backbone's once wrapper calling `off(name, once)`).
    func removeFired(_ handler: RegisteredHandler, from list: HandlerList) {
        let removed = list.removeAll(where: { $0 === handler }, removed: { _ in })
        if removed == 0 { return }
        handlerCount -= 1
        if let link = handler.listener { link.listener?.released(emitter: link.emitter) }
    }

    // MARK: Dispatch

    /// Calls the handlers of `event`'s name, then the `all` handlers (as read before any ran).
    public func trigger(_ event: Event) {
        if handlerCount == 0 { return }
        dispatch(event, key: event.key)
    }

    func dispatch(_ event: Event, key: EventKey) {
        let all = nonEmpty(.all)
        var own: Unmanaged<HandlerList>? = nil
        if let list = list(key), !list.isEmpty { own = Unmanaged.passUnretained(list) }
        run(own, all, event)
    }

    /// Dispatch for a built-in event whose key is known statically.
    func dispatch(_ event: Event, builtin slot: BuiltinEvent) {
        let all = nonEmpty(.all)
        let own = nonEmpty(slot)
        run(own, all, event)
    }

    /// Runs `own`'s handlers, then `all`'s as they were before any handler ran (Backbone copies
    /// `allEvents` first).
    @inline(never)
    func run(_ own: Unmanaged<HandlerList>?, _ all: Unmanaged<HandlerList>?, _ event: Event) {
        let allSnapshot = all?._withUnsafeGuaranteedRef { $0.begin() }
        if let own { runAlone(own, event) }
        if let all, let allSnapshot {
            all._withUnsafeGuaranteedRef { list in
                list.run(allSnapshot, event) { handler in removeFired(handler, from: list) }
                list.end()
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
