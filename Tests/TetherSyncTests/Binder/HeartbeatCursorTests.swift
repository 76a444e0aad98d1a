import Testing
import TetherSync

/// PROTOCOL.md 6.1: a server heartbeat states the stream position, so a lost final frame (which no
/// later patch reveals) is noticed and repaired; an equal, duplicated or unrelated one changes nothing.
@Suite @MainActor struct HeartbeatCursorTests {
    typealias B = TranscriptBuilder

    static func heartbeat(_ id: Int64, _ cursors: JSONObject) -> JSON {
        ["type": "ping", "id": .int(id), "cursors": .object(cursors)]
    }

    static func cursor(_ seq: Int64, epoch: String = "e1") -> JSON {
        ["epoch": .string(epoch), "seq": .int(seq)]
    }

    static func add(_ id: String) -> [JSON] {
        [["op": "add", "path": .string("/\(id)"), "value": ["id": .string(id)]]]
    }

    static func resyncs(_ events: [JSON]) -> [JSON] { events.filter { $0["event"] == "resync" } }

    /// Whether the binder reported `synced` again after its (last) resync.
    static func syncedAfterResync(_ events: [JSON]) -> Bool {
        guard let resync = events.lastIndex(where: { $0["event"] == "resync" }) else { return false }
        return events[resync...].contains { $0["event"] == "synced" }
    }

    @Test func aLostFinalPatchIsRevealedByTheNextHeartbeatAndRepaired() async throws {
        var b = B()
        b.start(state: ["t1": ["id": "t1"]])
        b.inn(B.patch(1, Self.add("t2")))
        // Patch 2 is lost on the way; nothing follows it but the heartbeat.
        b.inn(Self.heartbeat(1, ["todos": Self.cursor(2)]))
        b.out(["type": "pong", "id": 1])
        b.out(["type": "subscribe", "collection": "todos", "cursor": Self.cursor(1)])
        b.inn(B.patch(2, Self.add("t3")), B.synced(2))
        b.inn(Self.heartbeat(2, ["todos": Self.cursor(2)]))
        b.out(["type": "pong", "id": 2])
        let result = await (try ReplaySession(transcript: b.transcript)).run()
        #expect(result.mismatches.isEmpty, "\(result.mismatches)")
        #expect(result.state == ["todos": ["t1": ["id": "t1"], "t2": ["id": "t2"], "t3": ["id": "t3"]]])
        #expect(Self.resyncs(result.events) == [
            ["source": "binder", "event": "resync", "collection": "todos", "reason": "gap", "cursor": Self.cursor(1)],
        ])
        #expect(Self.syncedAfterResync(result.events))
    }

    @Test func anEqualHeartbeatChangesNothingAndUnknownCollectionsAreIgnored() async throws {
        var b = B()
        b.start(state: ["t1": ["id": "t1"]], seq: 4)
        b.inn(B.patch(5, Self.add("t2")))
        b.inn(Self.heartbeat(1, ["todos": Self.cursor(5), "elsewhere": Self.cursor(99)]))
        b.out(["type": "pong", "id": 1])
        let session = try ReplaySession(transcript: b.transcript)
        #expect(session.binder.serverHeartbeatMilliseconds == nil)
        let result = await session.run()
        #expect(session.binder.serverHeartbeatMilliseconds == 15_000)  // from the welcome
        // An unexpected subscribe would be reported as a mismatch ("unexpected frame sent").
        #expect(result.mismatches.isEmpty, "\(result.mismatches)")
        #expect(Self.resyncs(result.events).isEmpty)
        #expect(result.state == ["todos": ["t1": ["id": "t1"], "t2": ["id": "t2"]]])
    }

    @Test func aHeartbeatFromAnotherEpochResyncsToTheSnapshot() async throws {
        var b = B()
        b.start(state: ["t1": ["id": "t1"]], seq: 3)
        b.inn(Self.heartbeat(1, ["todos": Self.cursor(7, epoch: "e0")]))
        b.out(["type": "pong", "id": 1])
        b.out(["type": "subscribe", "collection": "todos", "cursor": Self.cursor(3)])
        b.inn(["type": "snapshot", "collection": "todos", "epoch": "e2", "seq": 0,
               "state": ["t1": ["id": "t1", "n": 1]]], B.synced(0, epoch: "e2"))
        let result = await (try ReplaySession(transcript: b.transcript)).run()
        #expect(result.mismatches.isEmpty, "\(result.mismatches)")
        #expect(Self.resyncs(result.events).map { $0["reason"] } == ["epoch-change"])
        #expect(result.state == ["todos": ["t1": ["id": "t1", "n": 1]]])
        #expect(Self.syncedAfterResync(result.events))
    }

    @Test func aDuplicatedHeartbeatAsksForOneCatchUpOnly() async throws {
        var b = B()
        b.start(state: [:])
        let behind = Self.heartbeat(1, ["todos": Self.cursor(1)])
        b.inn(behind, behind)  // duplicated: the resync is already outstanding
        b.out(["type": "pong", "id": 1])
        b.out(["type": "subscribe", "collection": "todos", "cursor": Self.cursor(0)])
        b.out(["type": "pong", "id": 1])
        b.inn(B.patch(1, Self.add("t1")), B.synced(1))
        b.inn(behind)  // late duplicate after the repair: equal now, nothing happens
        b.out(["type": "pong", "id": 1])
        let result = await (try ReplaySession(transcript: b.transcript)).run()
        #expect(result.mismatches.isEmpty, "\(result.mismatches)")
        #expect(Self.resyncs(result.events).count == 1)
        #expect(result.state == ["todos": ["t1": ["id": "t1"]]])
    }

    /// PROTOCOL.md 2.10: only a WebSocket client answers the server's `ping`; on SSE and long polling
    /// the open stream or the next poll shows it alive, and a `pong` would be one more HTTP request per
    /// heartbeat. A replayed transcript answers as the client of its recorded transport did: an
    /// unexpected `pong`, or a missing one, is a replay mismatch.
    @Test(arguments: [TransportKind.webSocket, .serverSentEvents, .longPolling])
    func pingsAreAnsweredOnlyWhereTheTransportNeedsIt(transport: TransportKind) async throws {
        var b = B()
        b.transcript.header.transport = transport
        b.start(state: ["t1": ["id": "t1"]])
        b.inn(Self.heartbeat(7, ["todos": Self.cursor(0)]))
        if transport == .webSocket { b.out(["type": "pong", "id": 7]) }
        b.inn(B.patch(1, Self.add("t2")))
        let result = await (try ReplaySession(transcript: b.transcript)).run()
        #expect(result.mismatches.isEmpty, "\(result.mismatches)")
        #expect(result.state == ["todos": ["t1": ["id": "t1"], "t2": ["id": "t2"]]])
    }

    @Test func theRecordedTransportSurvivesTheTranscriptFormat() throws {
        var b = B()
        b.transcript.header.transport = .longPolling
        b.start(state: [:])
        let text = b.transcript.jsonl()
        let decoded = try Transcript(jsonl: text)
        #expect(decoded.header.transport == .longPolling)
        #expect(decoded == b.transcript)
        // Hand-written transcripts name no transport and answer pings (like WebSocket).
        #expect(try Transcript(jsonl: B().transcript.jsonl()).header.transport == nil)
        let bad = Array(#"{"kind":"session","version":1,"client":"a","collections":["todos"],"transport":"carrier-pigeon"}"#.utf8)
        #expect(throws: TranscriptError.self) { try Transcript(jsonl: bad) }
    }
}
