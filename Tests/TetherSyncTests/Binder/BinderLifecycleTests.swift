import Testing
import TetherSync

/// Marionette.Object behaviour of RealtimeBinder.
@Suite @MainActor struct BinderLifecycleTests {
    final class RecordingBinder: RealtimeBinder {
        var log: [String] = []
        var initializedWith: String?

        override func initialize(options: Options) { initializedWith = options.clientID }
        override func onBeforeDestroy() { log.append("onBeforeDestroy destroyed=\(isDestroyed)") }
        override func onDestroy() { log.append("onDestroy destroyed=\(isDestroyed)") }
    }

    @Test func initializeRunsWithTheOptions() throws {
        let binder = try RecordingBinder(options: .init(clientID: "agent-7"))
        #expect(binder.initializedWith == "agent-7")
        #expect(binder.cid.hasPrefix("rtb"))
        #expect(try RealtimeBinder(options: .init(clientID: "agent-8")).cid != binder.cid)
    }

    @Test func rejectsAnInvalidClientID() {
        #expect(throws: RealtimeBinder.SetupError.invalidClientID("bad id")) {
            try RealtimeBinder(options: .init(clientID: "bad id"))
        }
    }

    @Test func destroyFiresBeforeDestroyThenDestroyOnce() throws {
        let binder = try RecordingBinder(options: .init(clientID: "a"))
        binder.on("before:destroy destroy") { event in
            binder.log.append("\(event.name) destroyed=\(binder.isDestroyed)")
        }
        binder.observe { event in binder.log.append("typed \(event.name)") }
        binder.destroy()
        binder.destroy()  // idempotent
        #expect(binder.log == [
            "onBeforeDestroy destroyed=false", "typed before:destroy", "before:destroy destroyed=false",
            "onDestroy destroyed=true", "typed destroy", "destroy destroyed=true",
        ])
        #expect(binder.isDestroyed)
    }

    @Test func destroyStopsListeningButKeepsOwnHandlers() throws {
        let binder = try RealtimeBinder(options: .init(clientID: "a"))
        let other = try RealtimeBinder(options: .init(clientID: "b"))
        let todos = SyncCollection()
        var heard: [String] = []
        binder.bindEvents(todos, ["add": { _ in heard.append("add") }, "reset remove": { event in heard.append(event.name) }])
        binder.listenTo(other, "custom") { _ in heard.append("custom") }
        binder.on("own") { _ in heard.append("own") }
        todos.add(["id": "x"])
        other.trigger("custom")
        binder.destroy()
        todos.add(["id": "y"])
        todos.remove(id: "y")
        other.trigger("custom")
        binder.trigger("own")
        #expect(heard == ["add", "custom", "own"])
    }

    @Test func unbindEventsRemovesOnlyThatEntity() throws {
        let binder = try RealtimeBinder(options: .init(clientID: "a"))
        let a = SyncCollection(), b = SyncCollection()
        var heard: [String] = []
        binder.bindEvents(a, ["add": { _ in heard.append("a") }])
        binder.bindEvents(b, ["add": { _ in heard.append("b") }])
        binder.unbindEvents(a)
        a.add(["id": "1"])
        b.add(["id": "1"])
        #expect(heard == ["b"])
    }

    @Test func namedHandlersReceiveThePayload() async throws {
        var b = TranscriptBuilder()
        b.start(state: ["t1": ["id": "t1", "title": "a"]])
        b.local(.set, "t1", ["title": "b"])
        b.out(["type": "mutate", "mutation": 1])
        b.inn(["type": "reject", "client": "alice", "mutation": 1, "collection": "todos", "code": "forbidden"])
        let session = try ReplaySession(transcript: b.transcript)
        var payloads: [JSON] = []
        session.binder.on("rejected") { event in
            if case .custom(_, let arguments) = event { payloads.append(contentsOf: arguments) }
        }
        let result = await session.run()
        #expect(result.mismatches.isEmpty, "\(result.mismatches)")
        #expect(payloads == [["collection": "todos", "mutation": 1, "code": "forbidden"]])
        #expect(session.collections["todos"]?.get("t1")?.get("title") == "a")
        #expect(!session.binder.hasPendingWrites)
    }

    @Test func hasPendingWritesPerModel() async throws {
        var b = TranscriptBuilder()
        b.start(state: ["t1": ["id": "t1"], "t2": ["id": "t2"]])
        b.local(.set, "t1", ["done": true])
        b.out(["type": "mutate", "mutation": 1])
        let session = try ReplaySession(transcript: b.transcript)
        let result = await session.run()
        #expect(result.mismatches.isEmpty, "\(result.mismatches)")
        #expect(session.binder.hasPendingWrites)
        #expect(session.binder.hasPendingWrites(collection: "todos", id: "t1"))
        #expect(!session.binder.hasPendingWrites(collection: "todos", id: "t2"))
        // The models say so themselves.
        #expect(session.collections["todos"]?.get("t1")?.hasPendingWrites == true)
        #expect(session.collections["todos"]?.get("t2")?.hasPendingWrites == false)
        #expect(SyncModel(["id": "t1"]).hasPendingWrites == false)  // in no bound collection
        #expect(result.pendingWrites == 1)
    }

    /// After `destroy()` the binder applies nothing more, even frames already received: its state
    /// was saved at destroy time, and the next process resumes from that cursor.
    @Test func aDestroyedBinderAppliesNoMoreFrames() async throws {
        let server = SimulatedServer(seed: 1)
        server.write(try .set(["t1"], ["id": "t1"], stamp: VersionStamp(parsing: "001732645000000-000000-server")))
        let binder = try RealtimeBinder(options: .init(clientID: "a"))
        let collection = SyncCollection()
        var log: [String] = []
        binder.observe { log.append($0.name) }
        // The snapshot's `add` destroys the binder; `synced` is already waiting in the next batch.
        collection.on("add") { _ in binder.destroy() }
        binder.bind(collection, as: SimulatedServer.collectionName)
        binder.attach(SimulatedTransport(server: server))
        await binder.run()
        #expect(collection.count == 1)
        #expect(!log.contains("synced"), "\(log)")
        #expect(log.prefix(4) == ["connecting", "open", "before:destroy", "destroy"], "\(log)")
        #expect(binder.phase != .synced)
    }
}
