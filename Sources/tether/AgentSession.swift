// One running replica for `tether agent` and `tether push`: a RealtimeBinder, its collections and
// its transport, plus the bookkeeping the commands decide on (activity, sync, closes, rejections).
import Foundation
import Tether

/// A binder mirroring the requested collections, run on the main actor (the binder runs on its
/// caller's isolation; the collections never leave it).
@MainActor
final class AgentSession {
    let options: AgentOptions
    let binder: RealtimeBinder
    /// The mirrored collections: real Backbone-style collections, in subscription order.
    let collections: [(name: String, collection: SyncCollection)]
    let printer: AgentEventPrinter
    let clientID: String

    /// When the last event (binder lifecycle or model change) happened: `--until-idle` counts from it.
    private(set) var lastActivity = ContinuousClock.now
    /// Whether every collection caught up with the server at least once.
    private(set) var hasSynced = false
    /// Set when the binder stopped on its own (fatal close code, transport unavailable, gave up).
    private(set) var fatalClose: TransportCloseReason?
    /// Rejected local writes: (mutation, code, reason).
    private(set) var rejections: [(mutation: UInt64, code: String, reason: String?)] = []
    /// Mutation ids acknowledged since start.
    private(set) var acked: [UInt64] = []
    private var runner: Task<Void, Never>?
    private var runnerFinished = false
    private var stopping = false

    /// - Parameter clientPrefix: names a generated client id (`agent-…`, `push-…`).
    init(options: AgentOptions, clientPrefix: String, printer: AgentEventPrinter) throws(AgentExit) {
        self.options = options
        self.printer = printer
        let store = options.statePath.map { BinderStore(url: URL(fileURLWithPath: $0)) }
        let stored = try Self.storedClientID(options.statePath)
        let clientID = options.clientID ?? stored ?? AgentOptions.generatedClientID(prefix: clientPrefix)
        self.clientID = clientID
        let token = options.token
        let binderOptions = RealtimeBinder.Options(
            clientID: clientID,
            // A headless replica should come back quickly; full jitter still spreads a crowd.
            reconnect: ReconnectPolicy(initialDelayMilliseconds: 200, maximumDelayMilliseconds: 5_000),
            store: store,
            token: token.map { value in { @Sendable in value } }
        )
        do {
            binder = try RealtimeBinder(options: binderOptions)
        } catch {
            switch error {
            case .invalidClientID: throw AgentExit(status: 2, message: "\(error)")
            case .store: throw AgentExit(status: 2, message: "--state: \(error)")
            }
        }
        let transport: any Transport
        do {
            transport = try AgentTransports.make(options.transport, server: options.server, record: options.recordPath)
        } catch let unavailable as AgentTransports.Unavailable {
            throw AgentExit(status: 1, message: unavailable.message)
        } catch {
            throw AgentExit(status: 1, message: "\(error)")
        }
        collections = options.collections.map { ($0, SyncCollection()) }
        binder.observe { [weak self] event in self?.observe(event) }
        for (name, collection) in collections {
            collection.on("all") { [weak self] event in
                self?.touch()
                self?.printer.emit(event, collection: name)
            }
            binder.bind(collection, as: name)
        }
        binder.attach(transport)
    }

    /// The client id recorded in an existing state file, so a restarted agent resumes as itself.
    private static func storedClientID(_ path: String?) throws(AgentExit) -> String? {
        guard let path, FileManager.default.fileExists(atPath: path) else { return nil }
        guard let data = FileManager.default.contents(atPath: path),
              let json = try? JSON(parsing: [UInt8](data)),
              let client = json["client"]?.stringValue
        else { throw AgentExit(status: 2, message: "--state: \(path) is not a tether agent state file") }
        return client
    }

    private func touch() { lastActivity = .now }

    private func observe(_ event: BinderEvent) {
        touch()
        printer.emit(event)
        switch event {
        case .synced:
            hasSynced = true
        case .closed(let reason) where !stopping:
            fatalClose = reason
        case .rejected(_, let mutation, let code, let reason):
            rejections.append((mutation.mutation, code, reason))
        case .acked(_, let mutation):
            acked.append(mutation.mutation)
        default:
            break
        }
    }

    /// Whether every collection is caught up right now.
    var isSynced: Bool { binder.phase == .synced }

    /// Starts the connection loop.
    func start() {
        guard runner == nil else { return }
        let binder = self.binder
        runner = Task { @MainActor [weak self] in
            await binder.run()
            self?.runnerFinished = true
        }
    }

    /// Stops the binder (`destroy` saves its state at once) and waits, at most `grace`, for the
    /// connection loop to wind down; a transport that is slow to close must not keep the process alive.
    ///
    /// - Returns: whether the loop ended within `grace`.
    @discardableResult
    func stop(grace: Duration = .seconds(5)) async -> Bool {
        stopping = true
        binder.destroy()
        runner?.cancel()
        let deadline = ContinuousClock.now + grace
        while runner != nil && !runnerFinished && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        runner = nil
        return runnerFinished
    }

    /// Polls `condition` until it holds, the binder stops on its own, or `timeout` passes.
    func wait(timeout: Duration, until condition: () -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while !condition() {
            if fatalClose != nil || ContinuousClock.now >= deadline { return false }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return true
    }

    /// A collection's models as one object keyed by id.
    static func models(of collection: SyncCollection) -> JSONObject {
        var object = JSONObject()
        for model in collection { object[model.id?.stringValue ?? model.cid] = .object(model.attributes) }
        return object
    }

    /// The visible state of every collection, keyed by collection name: canonical JSON (sorted keys).
    func canonicalState() -> [UInt8] {
        var object = JSONObject(minimumCapacity: collections.count)
        for (name, collection) in collections {
            object[name] = binder.state(of: name) ?? .object(Self.models(of: collection))
        }
        return JSON.object(object).serializedBytes(options: .sortedKeys)
    }
}
