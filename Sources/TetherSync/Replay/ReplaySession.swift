/// Replays a ``Transcript`` against a real ``RealtimeBinder`` bound to real ``SyncCollection``s and
/// collects what an application would see: the binder's lifecycle events and the collections'
/// Backbone events, in order, plus the final state. This is what `tether replay` prints and what
/// the fixture test compares with each session's `.expected.json`.
public final class ReplaySession {
    /// The session being replayed.
    public let transcript: Transcript
    /// The transport playing it (its ``ReplayTransport/clock`` is the binder's clock).
    public let transport: ReplayTransport
    /// The binder under test, created with the transcript's client id.
    public let binder: RealtimeBinder
    /// The bound collections by name.
    public let collections: [String: SyncCollection]
    /// Every event so far, as JSON objects (see Fixtures/README.md for their shape).
    public private(set) var events: [JSON] = []

    private var finished = false
    private var onEvent: ((JSON) -> Void)?

    /// - Parameters:
    ///   - store: persist the binder's state there (to replay agent restarts); `nil` keeps it in memory.
    ///   - stepTimeoutMilliseconds: how long an `out` or `local` step waits for the client (real time).
    ///   - configure: adjusts the binder's options (outbox limit, reconnect policy) before it is created.
    public init(
        transcript: Transcript,
        store: BinderStore? = nil,
        stepTimeoutMilliseconds: UInt64 = 5_000,
        configure: ((inout RealtimeBinder.Options) -> Void)? = nil
    ) throws(RealtimeBinder.SetupError) {
        self.transcript = transcript
        transport = ReplayTransport(transcript: transcript, stepTimeoutMilliseconds: stepTimeoutMilliseconds)
        var options = RealtimeBinder.Options(
            clientID: transcript.header.client,
            clock: transport.clock,
            reconnect: ReconnectPolicy(initialDelayMilliseconds: 100, maximumDelayMilliseconds: 5_000),
            jitterSeed: 1,
            store: store
        )
        configure?(&options)
        binder = try RealtimeBinder(options: options)
        var collections: [String: SyncCollection] = [:]
        for name in transcript.header.collections { collections[name] = SyncCollection() }
        self.collections = collections
    }

    /// Replays the whole transcript, calling `onEvent` with each event as it happens.
    public func run(isolation: isolated (any Actor)? = #isolation, onEvent: ((JSON) -> Void)? = nil) async -> ReplayResult {
        self.onEvent = onEvent
        binder.observe { [unowned self] event in
            if case .reconnecting(_, let reason) = event, reason.code == "replay-finished" {
                // The transcript is over: stop here instead of reconnecting to nothing.
                finished = true
                binder.destroy()
                return
            }
            record(event)
        }
        for name in transcript.header.collections {
            let collection = collections[name]!
            collection.on("all") { [unowned self] event in record(event, collection: name) }
            binder.bind(collection, as: name)
        }
        binder.attach(transport)
        let actions = Task {
            _ = isolation
            for await request in transport.localActions {
                perform(request.action)
                request.complete()
            }
        }
        await binder.run()
        actions.cancel()
        await actions.value
        return result()
    }

    /// The outcome of the replay so far.
    public func result() -> ReplayResult {
        var states = JSONObject()
        var cursors = JSONObject()
        var divergent: [String] = []
        for name in transcript.header.collections {
            var models = JSONObject()
            for model in collections[name]! {
                models[model.id?.stringValue ?? model.cid] = .object(model.attributes)
            }
            states[name] = .object(models)
            cursors[name] = binder.cursor(of: name).map { ["epoch": .string($0.epoch), "seq": .int(Int64($0.seq))] } ?? .null
            let shown = Self.shownByModels(binder.state(of: name)?.objectValue ?? [:], idAttribute: collections[name]!.modelType.idAttribute)
            if let visible = binder.state(of: name), shown != models {
                divergent.append("collection \(name) shows \(JSON.object(models).serialized(options: [.sortedKeys])) but the binder's visible state is \(visible.serialized(options: [.sortedKeys]))")
            }
        }
        return ReplayResult(
            events: events,
            state: .object(states),
            cursors: .object(cursors),
            pendingWrites: binder.pendingWriteCount,
            mismatches: transport.mismatches + divergent + (transport.isFinished ? [] : ["the transcript was not played to the end"])
        )
    }

    /// A collection state as its models show it: a model carries its id attribute even when the
    /// wire value lacks it (the key is the id).
    static func shownByModels(_ state: JSONObject, idAttribute: String) -> JSONObject {
        var shown = state
        for (id, model) in state {
            if case .object(var attributes) = model, attributes[idAttribute] == nil {
                attributes[idAttribute] = .string(id)
                shown[id] = .object(attributes)
            }
        }
        return shown
    }

    private func perform(_ action: LocalAction) {
        guard let collection = collections[action.collection] else {
            return log(["source": "replay", "event": "error", "message": .string("no collection \(action.collection)")])
        }
        let model = collection.get(.string(action.id))
        switch action.kind {
        case .set:
            model?.set(action.attributes)
        case .unset:
            for key in action.attributes.keys { model?.unset(key) }
        case .add:
            var attributes = action.attributes
            if attributes[collection.modelType.idAttribute] == nil { attributes[collection.modelType.idAttribute] = .string(action.id) }
            collection.add(attributes)
        case .remove:
            if let model { collection.remove(model) }
        }
        if model == nil, action.kind == .set || action.kind == .unset || action.kind == .remove {
            log(["source": "replay", "event": "error", "message": .string("no model \(action.id) in \(action.collection)")])
        }
    }

    private func record(_ event: BinderEvent) {
        guard !finished else { return }
        var o: JSONObject = ["source": "binder", "event": .string(event.name)]
        if case .object(let payload) = event.payload { for (k, v) in payload { o[k] = v } }
        log(.object(o))
    }

    private func record(_ event: Event, collection name: String) {
        guard !finished else { return }
        var o: JSONObject = ["source": .string(name), "event": .string(event.name)]
        if let model = event.model { o["id"] = model.id ?? .string(model.cid) }
        switch event {
        case .changeAttribute(let model, let key, let value, _):
            // An unset attribute is absent from the model (whatever `value` the event carries).
            if model.has(key) {
                o["value"] = value ?? .null
            } else {
                o["value"] = .null
                o["unset"] = true
            }
        case .update(_, let options):
            let changes = options.changes
            o["added"] = .array((changes?.added ?? []).map { $0.id ?? .string($0.cid) })
            o["removed"] = .array((changes?.removed ?? []).map { $0.id ?? .string($0.cid) })
        default:
            break
        }
        o["origin"] = event.options?.userInfo[SyncCollection.remoteChangeKey] != nil ? "remote" : "local"
        log(.object(o))
    }

    private func log(_ event: JSON) {
        events.append(event)
        onEvent?(event)
    }
}

/// What a replay produced.
public struct ReplayResult: Sendable, Equatable {
    /// Binder and collection events, in order.
    public var events: [JSON]
    /// Collection name → model id → attributes, read from the collections' models.
    public var state: JSON
    /// Collection name → final cursor.
    public var cursors: JSON
    /// Unacknowledged mutations left.
    public var pendingWrites: Int
    /// Divergences from the transcript (empty when the client behaved exactly as recorded).
    public var mismatches: [String]

    /// The `.expected.json` form: events, state, cursors, pending writes.
    public var expectationJSON: JSON {
        ["events": .array(events), "state": state, "cursors": cursors, "pendingWrites": .int(Int64(pendingWrites))]
    }
}
