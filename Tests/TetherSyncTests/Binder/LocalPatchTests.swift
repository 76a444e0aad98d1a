import Testing
import TetherSync

/// `applyLocalPatch`: an RFC 6902 patch becomes one mutation of writes at exact paths, so
/// concurrent edits of different nested keys both survive; any error changes nothing.
@Suite @MainActor struct LocalPatchTests {
    static let seed: JSONObject = ["t1": ["id": "t1", "meta": ["a": 1, "b": 1], "tags": ["x", "y"]]]

    /// A binder bound to a fresh collection and connected to `server`, once synced.
    static func connect(_ client: String, to server: SimulatedServer) async throws -> (RealtimeBinder, SyncCollection, Task<Void, Never>) {
        let binder = try RealtimeBinder(options: .init(clientID: client, reconnect: ReconnectPolicy(initialDelayMilliseconds: 2, maximumDelayMilliseconds: 10)))
        let collection = SyncCollection()
        binder.bind(collection, as: SimulatedServer.collectionName)
        binder.attach(SimulatedTransport(server: server))
        let task = Task { await binder.run() }
        try #require(await eventually(within: .seconds(60)) { binder.phase == .synced }, "\(client) never synced")
        return (binder, collection, task)
    }

    static func seededServer() throws -> SimulatedServer {
        let server = SimulatedServer(seed: 7)
        server.write(try .set(["t1"], .object(seed["t1"]!.objectValue!), stamp: VersionStamp(parsing: "001700000000000-000000-server")))
        return server
    }

    static func patch(_ text: String) throws -> JSONPatch { try JSONPatch(JSON(parsing: Array(text.utf8))) }

    @Test func concurrentNestedEditsOfOneModelBothSurvive() async throws {
        let server = try Self.seededServer()
        let (alice, aliceTodos, aliceTask) = try await Self.connect("alice", to: server)
        let (bob, bobTodos, bobTask) = try await Self.connect("bob", to: server)

        let first = try alice.applyLocalPatch(
            Self.patch(#"[{"op":"replace","path":"/t1/meta/a","value":2},{"op":"add","path":"/t1/tags/1","value":"z"}]"#), to: "todos")
        #expect(first == MutationID(client: "alice", mutation: 1))
        // Applied at once, pending until acknowledged.
        #expect(aliceTodos.get("t1")?.get("meta") == ["a": 2, "b": 1])
        #expect(aliceTodos.get("t1")?.get("tags") == ["x", "z", "y"])
        #expect(alice.hasPendingWrites(collection: "todos", id: "t1"))
        #expect(aliceTodos.get("t1")?.hasPendingWrites == true)
        // Bob has not seen Alice's write yet when he edits a sibling key.
        let second = try bob.applyLocalPatch(Self.patch(#"[{"op":"replace","path":"/t1/meta/b","value":3}]"#), to: "todos")
        #expect(second == MutationID(client: "bob", mutation: 1))

        let expected: JSON = ["t1": ["id": "t1", "meta": ["a": 2, "b": 3], "tags": ["x", "z", "y"]]]
        #expect(await eventually(within: .seconds(60)) {
            !alice.hasPendingWrites && !bob.hasPendingWrites && alice.cursor(of: "todos") == server.cursor && bob.cursor(of: "todos") == server.cursor
        })
        for (binder, collection) in [(alice, aliceTodos), (bob, bobTodos)] {
            #expect(binder.state(of: "todos") == expected)
            #expect(binder.confirmedCanonicalBytes(of: "todos") == server.canonicalBytes)
            #expect(collection.get("t1")?.attributes == expected["t1"]?.objectValue)
            #expect(collection.get("t1")?.hasPendingWrites == false)
        }
        #expect(server.mergeCount(of: MutationID(client: "alice", mutation: 1)) == 1)
        #expect(server.violations.isEmpty, "\(server.violations)")
        alice.destroy()
        bob.destroy()
        await aliceTask.value
        await bobTask.value
    }

    @Test func aRefusedPatchChangesNothing() async throws {
        let server = try Self.seededServer()
        let (binder, todos, task) = try await Self.connect("alice", to: server)
        var events: [String] = []
        todos.on("all") { events.append($0.name) }
        let before = binder.state(of: "todos")

        let refused: [(String, (RealtimeBinder.LocalPatchError) -> Bool)] = [
            (#"[{"op":"replace","path":"/t1/meta/a","value":5},{"op":"test","path":"/t1/meta/b","value":9}]"#,
             { if case .patch = $0 { true } else { false } }),
            (#"[{"op":"replace","path":"/missing/title","value":1}]"#, { if case .patch = $0 { true } else { false } }),
            (#"[{"op":"add","path":"/t2","value":"not an object"}]"#, { $0 == .invalidModel(id: "t2", reason: "must be a JSON object") }),
            (#"[{"op":"add","path":"/t2","value":{"id":"other"}}]"#, { if case .invalidModel(id: "t2", _) = $0 { true } else { false } }),
            (#"[{"op":"replace","path":"/t1/id","value":"t9"}]"#, { if case .invalidModel(id: "t1", _) = $0 { true } else { false } }),
        ]
        for (text, matches) in refused {
            let patch = try Self.patch(text)
            do throws(RealtimeBinder.LocalPatchError) {
                try binder.applyLocalPatch(patch, to: "todos")
                Issue.record("accepted \(text)")
            } catch {
                #expect(matches(error), "\(text): \(error)")
            }
        }
        #expect(throws: RealtimeBinder.LocalPatchError.unknownCollection("users")) {
            try binder.applyLocalPatch(Self.patch(#"[{"op":"add","path":"/u1","value":{}}]"#), to: "users")
        }
        // A patch that changes nothing is no mutation.
        #expect(try binder.applyLocalPatch(Self.patch(#"[{"op":"test","path":"/t1/meta/a","value":1},{"op":"replace","path":"/t1/meta/b","value":1}]"#), to: "todos") == nil)

        #expect(binder.state(of: "todos") == before)
        #expect(!binder.hasPendingWrites)
        #expect(events.isEmpty, "\(events)")
        binder.destroy()
        await task.value
        #expect(throws: RealtimeBinder.LocalPatchError.destroyed) {
            try binder.applyLocalPatch(Self.patch(#"[{"op":"add","path":"/t1/x","value":1}]"#), to: "todos")
        }
    }

    @Test func aFullOutboxRefusesThePatch() async throws {
        let binder = try RealtimeBinder(options: .init(clientID: "alice", maximumOutbox: 1))
        binder.bind(SyncCollection(), as: "todos")
        // Not connected: the first mutation waits in the outbox.
        #expect(try binder.applyLocalPatch(Self.patch(#"[{"op":"add","path":"/t1","value":{"id":"t1"}}]"#), to: "todos") != nil)
        #expect(throws: RealtimeBinder.LocalPatchError.outboxFull(limit: 1)) {
            try binder.applyLocalPatch(Self.patch(#"[{"op":"add","path":"/t2","value":{"id":"t2"}}]"#), to: "todos")
        }
        #expect(binder.state(of: "todos") == ["t1": ["id": "t1"]])
        #expect(binder.pendingWriteCount == 1)
    }
}
