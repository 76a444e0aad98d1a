import Synchronization
@testable import TetherSync
import TetherTestSupport

/// An in-process Tether server for one versioned collection, written from PROTOCOL.md (sections 2,
/// 3 and 5) rather than from the client: it sequences mutations into a gap-free patch stream,
/// answers catch-ups with the missed patches or a snapshot, deduplicates mutations per client and
/// repeats the remembered outcome of a resend. While ``Faults`` are on it also misbehaves the way
/// networks do — drops and duplicates what it sends, cuts connections, restarts into a new epoch —
/// so a property test can check what the protocol promises under all of it.
///
/// Everything happens under one lock, synchronously, in the order frames arrive; a connection is a
/// ``SimulatedTransport`` connection whose `send` lands here.
final class SimulatedServer: Sendable {
    /// The one collection it serves.
    static let collectionName = "todos"

    /// What happens to outbound frames while faults are on, in per mille.
    struct Faults: Sendable {
        /// A `patch` is lost (on a live push or a catch-up).
        var dropPatch = 0
        /// An `ack` or `reject` is lost.
        var dropAnswer = 0
        /// A `patch`, `snapshot`, `synced`, `ack` or `reject` arrives twice.
        var duplicate = 0

        static let none = Faults()
    }

    /// What the server did, for assertions and to show a run exercised the faults.
    struct Statistics: Sendable {
        var dropped = 0
        var duplicated = 0
        var resends = 0
        var catchUpsByReplay = 0
        var catchUpsBySnapshot = 0
        var cuts = 0
        var restarts = 0
    }

    private struct Link {
        var client: String
        var continuation: AsyncStream<TransportInbound>.Continuation
        /// The last `(epoch, seq)` placed on this link per collection, lost frames included (6.1).
        var position: StreamCursor?
    }

    private struct State {
        var epoch = "e1"
        var epochCount = 1
        var seq: UInt64 = 0
        var document = VersionedDocument()
        /// The patches of the current epoch: `log[i]` has seq `i + 1`.
        var log: [WireFrame] = []
        /// Per client, the highest mutation id processed (5.2).
        var highest: [String: UInt64] = [:]
        /// The outcome of every processed mutation (`ack` or `reject`), repeated on a resend.
        var answers: [MutationID: WireFrame] = [:]
        /// How many times each mutation was merged into the collection.
        var merged: [MutationID: Int] = [:]
        var links: [Int: Link] = [:]
        var nextLink = 1
        var nextPing: UInt64 = 1
        var faults = Faults.none
        var random: SplitMix64
        var statistics = Statistics()
        /// Client frames that break PROTOCOL.md (must stay empty).
        var violations: [String] = []
    }

    private let state: Mutex<State>

    init(seed: UInt64) {
        state = Mutex(State(random: SplitMix64(seed: seed)))
    }

    // MARK: Test controls

    var faults: Faults {
        get { state.withLock { $0.faults } }
        set { state.withLock { $0.faults = newValue } }
    }

    var statistics: Statistics { state.withLock { $0.statistics } }
    var violations: [String] { state.withLock { $0.violations } }
    var canonicalBytes: [UInt8] { state.withLock { $0.document.canonicalBytes } }
    var cursor: StreamCursor { state.withLock { StreamCursor(epoch: $0.epoch, seq: $0.seq) } }
    var connectedClients: [String] { state.withLock { $0.links.values.map(\.client) } }

    /// The remembered outcome of a mutation (`ack` or `reject` frame), `nil` if never processed.
    func answer(for id: MutationID) -> WireFrame? { state.withLock { $0.answers[id] } }

    /// How many times a mutation was merged into the collection (0 for a rejected one).
    func mergeCount(of id: MutationID) -> Int { state.withLock { $0.merged[id] ?? 0 } }

    /// Ends every connection of `client` abruptly (a network cut: no `close` frame).
    func cut(client: String) {
        state.withLock { state in
            for (id, link) in state.links where link.client == client {
                Self.end(id, in: &state, reason: TransportCloseReason(code: "error", message: "connection cut"))
                state.statistics.cuts += 1
            }
        }
    }

    /// Ends every connection, with a `close` frame (`going-away`, retry at once).
    func closeAll() {
        state.withLock { state in
            for id in Array(state.links.keys) {
                Self.deliver(.close(.init(code: "going-away", reason: "test", retryAfterMilliseconds: 0)), to: id, in: &state, faulty: false)
                Self.end(id, in: &state, reason: TransportCloseReason(code: "server-closed"))
            }
        }
    }

    /// A restart that lost the patch history (state and dedup memory kept): a new epoch at seq 0,
    /// every connection closed with `server-restart`. Resuming clients get a snapshot (3.1).
    func restartWithNewEpoch() {
        state.withLock { state in
            state.epochCount += 1
            state.epoch = "e\(state.epochCount)"
            state.seq = 0
            state.log = []
            state.statistics.restarts += 1
            for id in Array(state.links.keys) {
                Self.deliver(.close(.init(code: "server-restart", reason: "test restart", retryAfterMilliseconds: 0)), to: id, in: &state, faulty: false)
                Self.end(id, in: &state, reason: TransportCloseReason(code: "server-closed"))
            }
        }
    }

    /// Sends every connection a heartbeat `ping` carrying its stream position (6.1).
    func heartbeat() {
        state.withLock { state in
            for (id, link) in state.links {
                let cursors = link.position.map { [Self.collectionName: $0] }
                Self.deliver(.ping(id: state.nextPing, cursors: cursors ?? [:]), to: id, in: &state, faulty: false)
                state.nextPing += 1
            }
        }
    }

    /// A write made on the server side: merged, sequenced as one patch, pushed to every connection.
    func write(_ write: VersionedWrite) {
        state.withLock { _ = Self.sequence([write], ops: [write.wireOperation], origin: nil, in: &$0) }
    }

    // MARK: The connection's side

    /// Opens a connection for a handshake: `welcome`, then the catch-up of every subscription (3.1).
    func open(_ handshake: TransportHandshake) throws(TransportError) -> (link: Int, inbound: AsyncStream<TransportInbound>) {
        guard case .hello(let hello)? = try? WireFrame(bytes: handshake.hello), hello.protocolVersion == WireFrame.protocolVersion,
              hello.client == handshake.clientID else {
            state.withLock { $0.violations.append("bad hello: \(String(decoding: handshake.hello, as: UTF8.self))") }
            throw .handshakeFailed(status: 400, "bad hello")
        }
        let (inbound, continuation) = AsyncStream.makeStream(of: TransportInbound.self)
        let link = state.withLock { state in
            let id = state.nextLink
            state.nextLink += 1
            state.links[id] = Link(client: hello.client, continuation: continuation)
            Self.deliver(.welcome(.init(server: "simulated", heartbeatMilliseconds: 0)), to: id, in: &state, faulty: false)
            for subscription in hello.subscriptions {
                Self.catchUp(subscription.collection, from: subscription.cursor, to: id, in: &state)
            }
            return id
        }
        return (link, inbound)
    }

    /// Frames the client sent on `link`, processed in order.
    func receive(_ frames: [[UInt8]], on link: Int) throws(TransportError) {
        try state.withLock { (state) throws(TransportError) in
            guard let client = state.links[link]?.client else { throw .closed }
            for bytes in frames {
                let frame: WireFrame
                do { frame = try WireFrame(bytes: bytes) } catch {
                    state.violations.append("malformed frame from \(client): \(error)")
                    continue
                }
                switch frame {
                case .subscribe(let subscribe):
                    Self.catchUp(subscribe.collection, from: subscribe.cursor, to: link, in: &state)
                case .mutate(let mutate):
                    Self.process(mutate, from: link, client: client, in: &state)
                case .ping(let id, _):
                    Self.deliver(.pong(id: id), to: link, in: &state, faulty: false)
                case .pong:
                    break
                default:
                    state.violations.append("\(frame.type) frame from client \(client)")
                }
            }
        }
    }

    /// The client closed its connection.
    func close(_ link: Int) {
        state.withLock { Self.end(link, in: &$0, reason: TransportCloseReason(code: "normal")) }
    }

    // MARK: Protocol

    /// Section 3.1: the missed patches when the cursor is in this epoch and not ahead, otherwise a
    /// snapshot; then `synced`.
    private static func catchUp(_ name: String, from cursor: StreamCursor?, to link: Int, in state: inout State) {
        guard name == collectionName else {
            return deliver(.error(.init(code: "unknown-collection", message: name, collection: name)), to: link, in: &state, faulty: false)
        }
        if let cursor, cursor.epoch == state.epoch, cursor.seq <= state.seq {
            state.statistics.catchUpsByReplay += 1
            for patch in state.log[Int(cursor.seq)...] { deliver(patch, to: link, in: &state, faulty: true) }
        } else {
            state.statistics.catchUpsBySnapshot += 1
            let snapshot = WireFrame.Snapshot(
                collection: name, cursor: StreamCursor(epoch: state.epoch, seq: state.seq),
                state: state.document.state.objectValue ?? [:], versions: state.document.snapshotVersions
            )
            deliver(.snapshot(snapshot), to: link, in: &state, faulty: true)
        }
        deliver(.synced(.init(collection: name, cursor: StreamCursor(epoch: state.epoch, seq: state.seq))), to: link, in: &state, faulty: true)
    }

    /// Section 5.2: a new mutation is validated, merged, sequenced as one patch for everyone, then
    /// acknowledged; a resend gets the remembered outcome and changes nothing.
    private static func process(_ mutate: WireFrame.Mutate, from link: Int, client: String, in state: inout State) {
        let id = mutate.id
        guard id.client == client else {
            state.violations.append("mutate from \(client) names client \(id.client)")
            return
        }
        if id.mutation <= state.highest[client] ?? 0 {
            state.statistics.resends += 1
            let answer = state.answers[id]
                ?? .ack(.init(id: id, collection: mutate.collection, seq: state.seq))
            return deliver(answer, to: link, in: &state, faulty: true)
        }
        state.highest[client] = id.mutation
        let answer: WireFrame
        if let code = validationFailure(of: mutate, client: client) {
            answer = .reject(.init(id: id, collection: mutate.collection, code: code, reason: "refused by the simulated server"))
        } else {
            state.merged[id, default: 0] += 1
            let seq = sequence(try! VersionedWrite.decodeAll(mutate.ops), ops: mutate.ops, origin: id, in: &state)
            answer = .ack(.init(id: id, collection: mutate.collection, seq: seq))
        }
        state.answers[id] = answer
        deliver(answer, to: link, in: &state, faulty: true)
    }

    /// Merges writes and publishes them as the stream's next patch (carrying `ops` unchanged) to
    /// every connection; returns the patch's seq.
    private static func sequence(_ writes: [VersionedWrite], ops: [JSON], origin: MutationID?, in state: inout State) -> UInt64 {
        _ = state.document.apply(writes)
        state.seq += 1
        let patch = WireFrame.patch(.init(
            collection: collectionName, cursor: StreamCursor(epoch: state.epoch, seq: state.seq), ops: ops, origin: origin
        ))
        state.log.append(patch)
        for link in Array(state.links.keys).sorted() { deliver(patch, to: link, in: &state, faulty: true) }
        return state.seq
    }

    /// Why a mutation is rejected (section 5's validation list, plus this server's policy: the
    /// attribute `forbidden` may not be written), or `nil` when it is accepted.
    private static func validationFailure(of mutate: WireFrame.Mutate, client: String) -> String? {
        guard mutate.collection == collectionName else { return "unknown-collection" }
        guard !mutate.ops.isEmpty, let writes = try? VersionedWrite.decodeAll(mutate.ops) else { return "invalid-op" }
        for write in writes {
            guard write.stamp.replica.rawValue == client else { return "invalid-stamp" }
            if write.path.contains("forbidden") { return "forbidden" }
        }
        return nil
    }

    /// Places one frame on a link, through the faults when `faulty`.
    private static func deliver(_ frame: WireFrame, to link: Int, in state: inout State, faulty: Bool) {
        guard let continuation = state.links[link]?.continuation else { return }
        switch frame {
        case .patch(let patch): state.links[link]?.position = patch.cursor
        case .snapshot(let snapshot): state.links[link]?.position = snapshot.cursor
        case .synced(let synced): state.links[link]?.position = synced.cursor
        default: break
        }
        var copies = 1
        if faulty {
            let dropRate: Int
            switch frame {
            case .patch: dropRate = state.faults.dropPatch
            case .ack, .reject: dropRate = state.faults.dropAnswer
            default: dropRate = 0
            }
            if Int.random(in: 0..<1000, using: &state.random) < dropRate {
                state.statistics.dropped += 1
                return
            }
            if Int.random(in: 0..<1000, using: &state.random) < state.faults.duplicate {
                state.statistics.duplicated += 1
                copies = 2
            }
        }
        let bytes = frame.encoded()
        continuation.yield(.frames(Array(repeating: bytes, count: copies)))
    }

    private static func end(_ link: Int, in state: inout State, reason: TransportCloseReason) {
        guard let removed = state.links.removeValue(forKey: link) else { return }
        removed.continuation.yield(.closed(reason))
        removed.continuation.finish()
    }
}
