import Foundation
import Testing
@testable import TetherSync
import TetherTestSupport

/// Replicas that write concurrently, through a server that drops, duplicates and cuts, and that
/// restart (the process) or see the server restart into a new epoch, must end byte-identical with
/// the server, with every local write acknowledged (or rejected) exactly once and merged at most
/// once — the outbox contract of PROTOCOL.md section 5, checked on real binders and collections.
@Suite @MainActor struct OutboxPropertyTests {
    /// One client: its store outlives restarts; its binder and collection are replaced on each.
    @MainActor final class Replica {
        let id: String
        let folder: URL
        var store: BinderStore
        let server: SimulatedServer
        let seed: UInt64
        var binder: RealtimeBinder!
        var collection: SyncCollection!
        var task: Task<Void, Never>?
        /// Per mutation id, every `acked`/`rejected` event it got, across restarts.
        var outcomes: [UInt64: [String]] = [:]
        var errors: [String] = []
        var restarts = 0

        init(id: String, folder: URL, server: SimulatedServer, seed: UInt64) {
            self.id = id
            self.folder = folder
            store = BinderStore(url: folder.appendingPathComponent("\(id).json"))
            self.server = server
            self.seed = seed
        }

        var isRunning: Bool { task != nil }

        func start() throws {
            let options = RealtimeBinder.Options(
                clientID: id,
                reconnect: ReconnectPolicy(initialDelayMilliseconds: 2, maximumDelayMilliseconds: 20, healthyAfterMilliseconds: 0),
                jitterSeed: seed, store: store
            )
            let binder = try RealtimeBinder(options: options)
            binder.observe { [unowned self] event in
                switch event {
                case .acked(_, let mutation): outcomes[mutation.mutation, default: []].append("acked")
                case .rejected(_, let mutation, let code, _): outcomes[mutation.mutation, default: []].append("rejected:\(code)")
                case .error(let error): errors.append("\(error)")
                default: break
                }
            }
            let collection = SyncCollection()
            binder.bind(collection, as: SimulatedServer.collectionName)
            binder.attach(SimulatedTransport(server: server))
            self.binder = binder
            self.collection = collection
            task = Task { await binder.run() }
        }

        /// The process is killed and started again: the new one gets the store file as it is at this
        /// instant (what the binder saved before sending), not what `destroy()` would save.
        func crashAndRestart() async throws {
            restarts += 1
            server.cut(client: id)  // nothing the old process still had queued leaves it
            let disk = folder.appendingPathComponent("\(id)-\(restarts).json")
            if FileManager.default.fileExists(atPath: store.url.path) {
                try FileManager.default.copyItem(at: store.url, to: disk)
            }
            binder.destroy()  // stops the old process; whatever it saves now goes to the old path
            await task?.value
            task = nil
            store = BinderStore(url: disk)
            try start()
        }

        func stop() async {
            binder?.destroy()
            await task?.value
            task = nil
        }

        /// The models as the application sees them, keyed by id (the wire form).
        var shownState: [UInt8] {
            var models = JSONObject()
            for model in collection { models[model.id?.stringValue ?? model.cid] = .object(model.attributes) }
            return JSON.object(models).serializedBytes(options: [.sortedKeys])
        }
    }

    /// One random local write on `replica`'s collection, as an application makes it.
    static func write(on replica: Replica, rng: inout SplitMix64, serial: Int) {
        let collection = replica.collection!
        let models = collection.models
        let roll = Int.random(in: 0..<100, using: &rng)
        if models.isEmpty || roll < 20 {
            let shared = "m\(Int.random(in: 0..<5, using: &rng))"
            let id = collection.get(.string(shared)) == nil ? shared : "\(replica.id)-\(serial)"
            collection.add(["id": .string(id), "a": .int(Int64(serial)), "by": .string(replica.id)])
            return
        }
        let model = models.randomElement(using: &rng)!
        switch roll {
        case 20..<75:
            let key = Int.random(in: 0..<20, using: &rng) == 0 ? "forbidden" : ["a", "b", "c", "o"].randomElement(using: &rng)!
            let value: JSON
            switch Int.random(in: 0..<4, using: &rng) {
            case 0: value = .int(Int64(serial))
            case 1: value = .string("\(replica.id)#\(serial)")
            case 2: value = ["p": .int(Int64(serial)), "by": .string(replica.id)]
            default: value = [.int(Int64(serial)), "x"]
            }
            _ = model.set(key, value)
        case 75..<90:
            let keys = model.attributes.keys.filter { $0 != "id" }
            if let key = keys.randomElement(using: &rng) { _ = model.unset(key) }
        default:
            _ = collection.remove(model)
        }
    }

    @Test(arguments: 0..<8)
    func writesSurviveFaultsAndAreAcknowledgedOnce(seed: Int) async throws {
        let seed = UInt64(seed)
        var rng = SplitMix64(seed: seed &* 104_729 &+ 3)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tether-outbox-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }

        let server = SimulatedServer(seed: seed)
        server.faults = .init(dropPatch: 60, dropAnswer: 120, duplicate: 80)
        let replicas = ["alice", "bob", "carol"].map { Replica(id: $0, folder: folder, server: server, seed: seed) }
        for replica in replicas { try replica.start() }

        // The random phase: writes, cuts, restarts, heartbeats, with frames flowing in between.
        for step in 0..<160 {
            let replica = replicas.randomElement(using: &rng)!
            switch Int.random(in: 0..<100, using: &rng) {
            case 0..<55:
                let before = replica.binder.nextMutation
                Self.write(on: replica, rng: &rng, serial: step)
                if replica.binder.nextMutation > before, let id = replica.binder.outbox.last?.writes.first?.modelID {
                    // Applied at once, and shown as pending until the server answers.
                    #expect(replica.binder.hasPendingWrites(collection: SimulatedServer.collectionName, id: id))
                    #expect(replica.shownState == Self.visibleBytes(replica.binder))
                }
            case 55..<65: server.cut(client: replica.id)
            case 65..<68: try await replica.crashAndRestart()
            case 68..<70:
                // A crash right after a write, before any answer: only the disk keeps the write.
                Self.write(on: replica, rng: &rng, serial: step)
                try await replica.crashAndRestart()
            case 70..<72: server.restartWithNewEpoch()
            case 72..<80: server.heartbeat()
            default: break
            }
            try await Task.sleep(for: .milliseconds(Int.random(in: 0...2, using: &rng)))
        }

        // Heal: no more faults, every replica reconnects (resending its outbox) and catches up.
        server.faults = .none
        server.closeAll()
        let settledInTime = await eventually(within: .seconds(90)) {
            replicas.allSatisfy { r in
                !r.binder.hasPendingWrites && r.binder.phase == .synced && r.binder.cursor(of: SimulatedServer.collectionName) == server.cursor
            }
        }
        for replica in replicas { await replica.stop() }

        let statistics = server.statistics
        let diagnostics = "seed \(seed): \(statistics), server at \(server.cursor)"
        #expect(settledInTime, "\(diagnostics): \(replicas.map { "\($0.id) \($0.binder.phase) \(String(describing: $0.binder.cursor(of: "todos"))) pending \($0.binder.pendingWriteCount)" })")
        #expect(server.violations.isEmpty, "\(diagnostics): \(server.violations)")

        let expected = server.canonicalBytes
        let text = { (bytes: [UInt8]) in String(decoding: bytes, as: UTF8.self) }
        #expect(!text(expected).contains("forbidden"), "\(diagnostics): a rejected write reached the server state")
        for replica in replicas {
            let binder = replica.binder!
            // Byte-identical with the server: the confirmed state, the visible state, the models.
            #expect(binder.confirmedCanonicalBytes(of: SimulatedServer.collectionName) == expected,
                    "\(diagnostics) \(replica.id) confirmed \(text(binder.confirmedCanonicalBytes(of: "todos") ?? [])) != \(text(expected))")
            let visible = binder.state(of: SimulatedServer.collectionName)?.serializedBytes(options: [.sortedKeys]) ?? []
            #expect(visible == expected, "\(diagnostics) \(replica.id) visible \(text(visible)) != \(text(expected))")
            #expect(replica.shownState == Self.visibleBytes(binder),
                    "\(diagnostics) \(replica.id) models \(text(replica.shownState)) differ from the binder's \(text(Self.visibleBytes(binder)))")
            #expect(replica.errors.isEmpty, "\(diagnostics) \(replica.id): \(replica.errors)")

            // Exactly once: every mutation this client made has one outcome, the server's.
            let made = (0..<Int(binder.nextMutation - 1)).map { UInt64($0 + 1) }
            #expect(Set(replica.outcomes.keys) == Set(made),
                    "\(diagnostics) \(replica.id): outcomes for \(replica.outcomes.keys.sorted()) of \(made.count) mutations")
            for mutation in made {
                let id = MutationID(client: replica.id, mutation: mutation)
                let seen = replica.outcomes[mutation] ?? []
                #expect(seen.count == 1, "\(diagnostics) \(id) answered \(seen)")
                switch server.answer(for: id) {
                case .ack?:
                    #expect(seen == ["acked"], "\(diagnostics) \(id)")
                    #expect(server.mergeCount(of: id) == 1, "\(diagnostics) \(id) merged \(server.mergeCount(of: id)) times")
                case .reject(let reject)?:
                    #expect(seen == ["rejected:\(reject.code)"], "\(diagnostics) \(id)")
                    #expect(server.mergeCount(of: id) == 0)
                default:
                    Issue.record("\(diagnostics): the server never processed \(id)")
                }
            }
        }
        // The run went through what it claims to test.
        #expect(replicas.contains { $0.binder.nextMutation > 10 }, "\(diagnostics): too few writes")
        #expect(statistics.dropped > 0 && statistics.duplicated > 0 && statistics.cuts + statistics.restarts > 0, "\(diagnostics)")
    }

    /// The binder's visible state as the collection's models show it.
    static func visibleBytes(_ binder: RealtimeBinder) -> [UInt8] {
        guard let state = binder.state(of: SimulatedServer.collectionName)?.objectValue else { return [] }
        return JSON.object(ReplaySession.shownByModels(state, idAttribute: "id")).serializedBytes(options: [.sortedKeys])
    }
}
