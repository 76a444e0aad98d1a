
/// Mirrors named collections with a Tether server over one ``Transport``, in the caller's isolation.
///
/// The binder is the Marionette.Object of Tether: constructed with ``Options``, an overridable
/// ``initialize(options:)`` hook, `destroy()` firing `before:destroy` and `destroy`, `isDestroyed`,
/// and Backbone-style events (``BinderEvent``). It connects, resumes from its cursors, reconnects with
/// jittered backoff, drops duplicate patches, resyncs on gaps, merges versioned writes, and turns
/// every state change into minimal `add`/`remove`/`change:attr` events plus one `update` on the
/// bound collections. Local edits of bound collections become stamped mutations: applied at once,
/// kept in an outbox until the server acknowledges them exactly once, rolled back on rejection.
///
/// Models are not `Sendable` and never leave the isolation that calls ``run(isolation:)``
/// (`@MainActor` in apps, an agent's actor elsewhere); transports only hand it frames.
open class RealtimeBinder: EventEmitter {
    /// How the binder behaves. Everything has a default except the client id.
    public struct Options: Sendable {
        /// This replica's id: the `client` of its frames and the replica of its stamps.
        public var clientID: String
        /// Time source for stamps and backoff (a ``VirtualClock`` in replays).
        public var clock: any SyncClock
        /// Reconnection backoff.
        public var reconnect: ReconnectPolicy
        /// Seed for the backoff jitter (`nil`: random); replays fix it for determinism.
        public var jitterSeed: UInt64?
        /// Where state, cursors and outbox persist across restarts (`nil`: memory only).
        public var store: BinderStore?
        /// The most unacknowledged mutations kept; a local write beyond it is rolled back.
        public var maximumOutbox: Int
        /// Supplies the bearer token on every (re)connect.
        public var token: (@Sendable () async -> String?)?
        /// Frame decoding limits.
        public var limits: WireFrame.Limits
        /// Tombstones older than this much stamp time are dropped from the mirrors, which bounds
        /// their metadata (VERSIONING.md, "The tombstone horizon"); `nil` keeps them forever. Keep it
        /// at most the server's horizon, and longer than any write can stay in flight.
        public var tombstoneHorizonMilliseconds: UInt64?

        public init(
            clientID: String,
            clock: any SyncClock = SystemSyncClock(),
            reconnect: ReconnectPolicy = ReconnectPolicy(),
            jitterSeed: UInt64? = nil,
            store: BinderStore? = nil,
            maximumOutbox: Int = 10_000,
            token: (@Sendable () async -> String?)? = nil,
            limits: WireFrame.Limits = .standard,
            tombstoneHorizonMilliseconds: UInt64? = VersionedDocument.defaultTombstoneHorizon
        ) {
            self.clientID = clientID
            self.clock = clock
            self.reconnect = reconnect
            self.jitterSeed = jitterSeed
            self.store = store
            self.maximumOutbox = maximumOutbox
            self.token = token
            self.limits = limits
            self.tombstoneHorizonMilliseconds = tombstoneHorizonMilliseconds
        }
    }

    /// Where the binder is in its connection life.
    public enum Phase: String, Sendable, Equatable {
        case idle, connecting, open, synced, reconnecting, closed
    }

    /// Why a binder could not be created.
    public enum SetupError: Error, Sendable, Equatable, CustomStringConvertible {
        case invalidClientID(String)
        case store(String)

        public var description: String {
            switch self {
            case .invalidClientID(let id): return "client id \"\(id)\" is not 1-64 of [A-Za-z0-9_.:-]"
            case .store(let message): return "cannot load binder state: \(message)"
            }
        }
    }

    /// The options the binder was created with (Marionette's `options`).
    public let options: Options
    /// Backbone.Events storage: `on`, `off`, `listenTo`, `stopListening`, `trigger` all work on a binder.
    public let eventHub = EventHub()
    /// A unique id for this object (`rtb1`, `rtb2`, ...), as Marionette's `cid`.
    public let cid: String
    /// Whether ``destroy()`` has run (`false` during `before:destroy`, `true` during `destroy`).
    public private(set) var isDestroyed = false
    /// The connection phase, as the last lifecycle event reported it.
    public internal(set) var phase: Phase = .idle
    /// The heartbeat interval the server announced in its last `welcome`, in milliseconds (`nil`
    /// before the first one). A lost final frame is revealed by the server's next heartbeat at most
    /// this long after it (PROTOCOL.md 6.1), so whoever decides a replica is idle should wait longer.
    public internal(set) var serverHeartbeatMilliseconds: UInt64?

    var transport: (any Transport)?
    var collections: [String: any RealtimeBindable] = [:]
    /// Bound collection names in binding order (subscription order).
    var order: [String] = []
    var mirrors: [String: CollectionMirror] = [:]
    var outbox: [PendingMutation] = []
    var nextMutation: UInt64 = 1
    var clock: HybridLogicalClock
    var random: SeededGenerator
    var sender: FrameSender?
    var connection: (any TransportConnection)?
    /// Model ids changed by the frames of the current batch, per collection, flushed as events.
    var dirty: [String: [String]] = [:]
    var fatalClose: TransportCloseReason?
    /// The `retryAfter` of the server's last `close` frame on this connection.
    var closeHint: UInt64?
    var needsSave = false
    var observers: [(id: Int, handler: (BinderEvent) -> Void)] = []
    var nextObserverID = 0
    var loaded: BinderStore.Contents?
    var stopObserving: [String: () -> Void] = [:]
    /// Per bound collection, what its models' `hasPendingWrites` asks (the collection holds it weakly).
    var pendingWritesSources: [String: BoundPendingWrites] = [:]
    /// Clock time of the last tombstone collection (0: never).
    var lastTombstoneCollection: UInt64 = 0

    /// Creates a binder; with a ``Options/store`` it reloads the persisted state and outbox.
    ///
    /// - Throws: ``SetupError`` for an invalid client id or an unreadable store.
    public init(options: Options) throws(SetupError) {
        let replica: ReplicaID
        do { replica = try ReplicaID(options.clientID) } catch { throw .invalidClientID(options.clientID) }
        guard WireNames.isIdentifier(options.clientID) else { throw .invalidClientID(options.clientID) }
        self.options = options
        cid = "rtb\(RealtimeBinder.counter.withLock { $0 += 1; return $0 })"
        let source = options.clock
        clock = HybridLogicalClock(replica: replica, physicalClock: { source.now() })
        random = SeededGenerator(seed: options.jitterSeed ?? UInt64.random(in: 0...UInt64.max))
        if let store = options.store {
            do { loaded = try store.load() } catch { throw .store(error.message) }
            if let loaded { try restore(loaded) }
        }
        initialize(options: options)
    }

    private static let counter = Locked(0)

    /// Marionette's `initialize`: called at the end of `init`; override to bind events or collections.
    open func initialize(options: Options) {}

    /// Called first by ``destroy()``, while ``isDestroyed`` is still `false` (Marionette's `onBeforeDestroy`).
    open func onBeforeDestroy() {}

    /// Called by ``destroy()`` once ``isDestroyed`` is `true` (Marionette's `onDestroy`).
    open func onDestroy() {}

    /// Stops the binder for good: fires `before:destroy`, marks it destroyed, fires `destroy`, stops
    /// listening (to other binders and to the bound collections), saves its state and closes the
    /// connection; ``run(isolation:)`` then returns. Idempotent: a second call does nothing.
    /// Listeners registered on the binder itself with ``on(_:_:)`` stay, as in Marionette.
    public func destroy() {
        guard !isDestroyed else { return }
        onBeforeDestroy()
        emit(.beforeDestroy)
        isDestroyed = true
        onDestroy()
        emit(.destroy)
        stopListening()
        for name in order { stopObserving.removeValue(forKey: name)?() }
        saveIfNeeded()
        if let connection {
            Task { await connection.close() }
        }
    }

    /// Whether any local write still waits for the server's acknowledgment.
    public var hasPendingWrites: Bool { !outbox.isEmpty }

    /// Whether a model of a bound collection has a local write the server has not acknowledged.
    public func hasPendingWrites(collection: String, id: String) -> Bool {
        outbox.contains { $0.collection == collection && $0.writes.contains { $0.modelID == id } }
    }

    /// The number of unacknowledged mutations.
    public var pendingWriteCount: Int { outbox.count }

    /// The cursor of a bound collection (`nil` before its first snapshot).
    public func cursor(of collection: String) -> StreamCursor? { mirrors[collection]?.cursor }

    /// The visible state of a bound collection (what its models show), as one JSON object.
    public func state(of collection: String) -> JSON? { mirrors[collection]?.visible.state }

    /// The confirmed server state of a bound collection, in canonical bytes (sorted keys, compact).
    public func confirmedCanonicalBytes(of collection: String) -> [UInt8]? { mirrors[collection]?.confirmed.canonicalBytes }

    // MARK: Binding

    /// Mirrors `collection` as the server collection `name`. Bind before ``run(isolation:)``.
    ///
    /// When persisted state exists for `name`, the collection is brought to it at once (with events).
    public func bind(_ collection: any RealtimeBindable, as name: String) {
        precondition(WireNames.isName(name), "collection name \"\(name)\" is not 1-64 of [A-Za-z0-9_.-]")
        precondition(collections[name] == nil, "collection \"\(name)\" is already bound")
        collections[name] = collection
        order.append(name)
        if mirrors[name] == nil { mirrors[name] = CollectionMirror(name: name) }
        stopObserving[name] = collection.realtimeObserve { [weak self] change in self?.localChange(change, in: name) }
        let source = BoundPendingWrites(binder: self, collection: name)
        pendingWritesSources[name] = source
        collection.realtimeInstall(pendingWrites: source)
        // Bring the collection to the (possibly restored) visible state.
        let visible = mirrors[name]!.visible.state.objectValue ?? [:]
        if !visible.isEmpty {
            collection.realtimeApply(visible.map { ($0.key, $0.value.objectValue) })
        }
    }

    /// Attaches the transport the binder connects through (one at a time).
    public func attach(_ transport: any Transport) {
        self.transport = transport
    }
}
