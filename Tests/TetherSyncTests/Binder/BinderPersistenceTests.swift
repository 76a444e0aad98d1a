import Foundation
import Testing
import TetherSync

/// An agent restart loses nothing: state, cursor and outbox come back from the store, and the pending
/// mutation is resent with the same id and stamp and acknowledged once.
@Suite @MainActor struct BinderPersistenceTests {
    typealias B = TranscriptBuilder

    static func temporaryStore() -> (BinderStore, URL) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tether-store-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return (BinderStore(url: folder.appendingPathComponent("binder.json")), folder)
    }

    @Test func restartResendsThePendingWriteAndIsAckedOnce() async throws {
        let (store, folder) = Self.temporaryStore()
        defer { try? FileManager.default.removeItem(at: folder) }
        let stampT1 = B.stamp(B.t0 - 5_000)
        var first = B()
        first.start(state: ["t1": ["id": "t1", "title": "milk"]], seq: 4, versions: ["/t1": .string(stampT1)])
        first.local(.set, "t1", ["title": "oat milk"])
        first.out(["type": "mutate", "client": "alice", "mutation": 1])
        // The agent dies here, before any ack.
        let run1 = await (try ReplaySession(transcript: first.transcript, store: store)).run()
        #expect(run1.mismatches.isEmpty, "\(run1.mismatches)")
        #expect(run1.pendingWrites == 1)

        let saved = try JSON(parsing: Array(try Data(contentsOf: store.url)))
        guard case .array(let outbox)? = saved["outbox"], let ops = outbox.first?["ops"] else {
            Issue.record("no outbox in \(saved)"); return
        }
        let stamp = try #require(ops[0]?["stamp"]?.stringValue)

        var second = B()
        second.connect()
        second.hello(["todos": ["epoch": "e1", "seq": 4]], pending: 1)
        second.out(["type": "mutate", "collection": "todos", "client": "alice", "mutation": 1,
                    "ops": [["op": "add", "path": "/t1/title", "value": "oat milk", "stamp": .string(stamp)]]])
        second.welcome()
        second.inn(B.synced(4))
        second.inn(B.patch(5, [B.set("/t1/title", "oat milk", stamp)], origin: ["client": "alice", "mutation": 1]),
                   ["type": "ack", "client": "alice", "mutation": 1, "collection": "todos", "seq": 5])
        second.inn(["type": "ack", "client": "alice", "mutation": 1, "collection": "todos", "seq": 5])
        let session = try ReplaySession(transcript: second.transcript, store: store)
        // Before connecting, the restored collection already shows the pending write.
        let run2 = await session.run()
        #expect(run2.mismatches.isEmpty, "\(run2.mismatches)")
        #expect(run2.pendingWrites == 0)
        #expect(run2.state == ["todos": ["t1": ["id": "t1", "title": "oat milk"]]])
        #expect(run2.cursors == ["todos": ["epoch": "e1", "seq": 5]])
        #expect(run2.events.filter { $0["event"] == "acked" }.count == 1)
        #expect(run2.events.first == ["source": "todos", "event": "add", "id": "t1", "origin": "remote"])
        // The next local write continues the mutation sequence after a restart.
        let reloaded = try RealtimeBinder(options: .init(clientID: "alice", store: store))
        #expect(!reloaded.hasPendingWrites)
        #expect(reloaded.cursor(of: "todos") == StreamCursor(epoch: "e1", seq: 5))
    }

    @Test func refusesAStoreOfAnotherClientOrACorruptOne() throws {
        let (store, folder) = Self.temporaryStore()
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data("{\"format\":\"tether-binder\",\"version\":1,\"client\":\"bob\",\"nextMutation\":1,\"collections\":{},\"outbox\":[]}".utf8).write(to: store.url)
        #expect(throws: RealtimeBinder.SetupError.self) { try RealtimeBinder(options: .init(clientID: "alice", store: store)) }
        try Data("{\"format\":".utf8).write(to: store.url)
        #expect(throws: RealtimeBinder.SetupError.self) { try RealtimeBinder(options: .init(clientID: "alice", store: store)) }
        _ = try RealtimeBinder(options: .init(clientID: "bob", store: BinderStore(url: folder.appendingPathComponent("none.json"))))
    }

    @Test func savesAtomicallyWithoutLeavingTemporaryFiles() async throws {
        let (store, folder) = Self.temporaryStore()
        defer { try? FileManager.default.removeItem(at: folder) }
        var b = B()
        b.start(state: ["t1": ["id": "t1"]])
        for i in 1...20 {
            b.local(.set, "t1", ["n": .int(Int64(i))])
            b.out(["type": "mutate", "mutation": .int(Int64(i))])
        }
        let result = await (try ReplaySession(transcript: b.transcript, store: store)).run()
        #expect(result.mismatches.isEmpty, "\(result.mismatches)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["binder.json"])
        let reloaded = try RealtimeBinder(options: .init(clientID: "alice", store: store))
        #expect(reloaded.pendingWriteCount == 20)
        #expect(reloaded.state(of: "todos") == ["t1": ["id": "t1", "n": 20]])
    }
}
