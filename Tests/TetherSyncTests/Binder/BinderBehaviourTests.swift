import Testing
import TetherTestSupport
import TetherSync

@Suite @MainActor struct BinderBehaviourTests {
    typealias B = TranscriptBuilder

    @Test func aFullOutboxRollsTheWriteBack() async throws {
        var b = B()
        b.start(state: ["t1": ["id": "t1", "n": 0]])
        b.local(.set, "t1", ["n": 1])
        b.out(["type": "mutate", "mutation": 1])
        b.local(.set, "t1", ["n": 2])  // the outbox holds one mutation: refused, rolled back
        let session = try ReplaySession(transcript: b.transcript) { $0.maximumOutbox = 1 }
        let result = await session.run()
        #expect(result.mismatches.isEmpty, "\(result.mismatches)")
        #expect(result.pendingWrites == 1)
        #expect(result.state == ["todos": ["t1": ["id": "t1", "n": 1]]])
        #expect(result.events.contains { $0["event"] == "error" && $0["error"] == "local-write" })
        #expect(session.collections["todos"]?.get("t1")?.get("n") == 1)
    }

    /// The hybrid logical clock moves past every stamp it receives, so a write made after seeing
    /// another one wins over it — even when the other writer's clock runs an hour ahead of ours.
    @Test func aLocalWriteAfterARemoteOneWinsEvenWhenTheRemoteClockIsAhead() async throws {
        var b = B()
        b.start(state: ["t1": ["id": "t1", "title": "milk"]])
        b.inn(B.patch(1, [B.set("/t1/title", "bread", B.stamp(B.t0 + 3_600_000, 0, "bob"))]))
        b.local(.set, "t1", ["title": "oat milk"])
        b.out(["type": "mutate", "mutation": 1])
        let session = try ReplaySession(transcript: b.transcript)
        let result = await session.run()
        #expect(result.mismatches.isEmpty, "\(result.mismatches)")
        #expect(result.state == ["todos": ["t1": ["id": "t1", "title": "oat milk"]]])
        #expect(session.binder.state(of: "todos") == ["t1": ["id": "t1", "title": "oat milk"]])
    }

    @Test func aCloseFramesRetryHintDelaysTheReconnect() async throws {
        var b = B()
        b.start(state: [:])
        b.inn(["type": "close", "code": "overloaded", "retryAfter": 7_000])
        b.add(.disconnect(TransportCloseReason(code: "error")))  // the transport gives no hint itself
        b.connect()
        b.hello(["todos": ["epoch": "e1", "seq": 0]])
        let result = await (try ReplaySession(transcript: b.transcript)).run()
        #expect(result.mismatches.isEmpty, "\(result.mismatches)")
        let reconnecting = result.events.first { $0["event"] == "reconnecting" }
        #expect((reconnecting?["delay"]?.intValue ?? 0) >= 7_000)
    }

    @Test func aFatalCloseStopsTheBinder() async throws {
        var b = B()
        b.start(state: [:])
        b.inn(["type": "close", "code": "unauthorized", "reason": "token expired"])
        b.add(.disconnect(TransportCloseReason(code: "error")))
        let session = try ReplaySession(transcript: b.transcript)
        let result = await session.run()
        #expect(result.mismatches.isEmpty, "\(result.mismatches)")
        #expect(result.events.last == ["source": "binder", "event": "closed", "code": "unauthorized"])
        #expect(!result.events.contains { $0["event"] == "reconnecting" })
        #expect(session.binder.phase == .closed)
    }

    @Test func backoffIsFullJitterWithinTheBoundAndHonoursHints() {
        let policy = ReconnectPolicy(initialDelayMilliseconds: 100, maximumDelayMilliseconds: 1_000)
        #expect((0..<6).map { policy.bound(forAttempt: $0) } == [100, 200, 400, 800, 1_000, 1_000])
        var rng = SplitMix64(seed: 42)
        var seen = Set<UInt64>()
        for attempt in 0..<200 {
            let delay = policy.delay(forAttempt: attempt % 5, using: &rng)
            #expect(delay <= policy.bound(forAttempt: attempt % 5))
            seen.insert(delay)
        }
        #expect(seen.count > 50)  // jittered, not a fixed schedule
        #expect(policy.delay(forAttempt: 0, hint: 5_000, using: &rng) == 5_000)
    }

    @Test func anAckForAnotherClientOrAnUnknownMutationIsIgnored() async throws {
        var b = B()
        b.start(state: ["t1": ["id": "t1"]])
        b.local(.set, "t1", ["x": 1])
        b.out(["type": "mutate", "mutation": 1])
        b.inn(["type": "ack", "client": "bob", "mutation": 1, "collection": "todos", "seq": 1])
        b.inn(["type": "ack", "client": "alice", "mutation": 9, "collection": "todos", "seq": 1])
        b.inn(["type": "reject", "client": "alice", "mutation": 9, "code": "forbidden"])
        let result = await (try ReplaySession(transcript: b.transcript)).run()
        #expect(result.mismatches.isEmpty, "\(result.mismatches)")
        #expect(result.pendingWrites == 1)
        #expect(!result.events.contains { $0["event"] == "acked" || $0["event"] == "rejected" })
    }
}

@Suite @MainActor struct BinderReactionTests {
    typealias B = TranscriptBuilder

    /// An application handler that reacts to a remote change with its own `set` makes a local write.
    @Test func aWriteMadeInReactionToARemoteChangeIsSent() async throws {
        var b = B()
        b.start(state: ["t1": ["id": "t1", "title": "a"]])
        b.inn(B.patch(1, [["op": "replace", "path": "/t1/title", "value": "b"]]))
        b.out(["type": "mutate", "mutation": 1, "ops": [["op": "add", "path": "/t1/seen", "value": "b"]]])
        let session = try ReplaySession(transcript: b.transcript)
        session.collections["todos"]!.on("change:title") { event in
            if case .changeAttribute(let model, _, let value, _) = event, let value { model.set("seen", value) }
        }
        let result = await session.run()
        #expect(result.mismatches.isEmpty, "\(result.mismatches)")
        #expect(result.state == ["todos": ["t1": ["id": "t1", "title": "b", "seen": "b"]]])
        #expect(result.pendingWrites == 1)
    }
}
