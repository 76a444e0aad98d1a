import Foundation
import Testing
import TetherSync

@Suite struct ReplayTransportTests {
    typealias B = TranscriptBuilder

    @Test @MainActor func reportsAFrameTheClientDidNotSend() async throws {
        var b = B()
        b.start(state: ["t1": ["id": "t1"]])
        b.out(["type": "pong", "id": 99])  // the client has no reason to send this
        let result = await (try ReplaySession(transcript: b.transcript, stepTimeoutMilliseconds: 200)).run()
        #expect(result.mismatches.count == 1)
        #expect(result.mismatches.first?.contains("\"pong\"") == true)
    }

    @Test @MainActor func reportsAWrongFrameAndAnUnexpectedConnect() async throws {
        var b = B()
        b.connect()
        b.hello(["todos": ["epoch": "e9", "seq": 1]])  // wrong: the client has no cursor yet
        b.welcome()
        b.inn(["type": "close", "code": "going-away", "retryAfter": 10])
        b.add(.disconnect(TransportCloseReason(code: "going-away", retryAfterMilliseconds: 10)))
        b.inn(["type": "ping", "id": 1])  // the transcript expects a frame, the client reconnects instead
        let result = await (try ReplaySession(transcript: b.transcript)).run()
        #expect(result.mismatches.contains { $0.contains("expected the client to send") && $0.contains("e9") })
        #expect(result.mismatches.contains { $0.contains("client connected") })
    }

    @Test @MainActor func virtualTimeAdvancesWithDelaysAndBackoff() async throws {
        var b = B()
        b.start(state: [:])
        b.add(.delay(milliseconds: 60_000))
        b.add(.disconnect(TransportCloseReason(code: "going-away", retryAfterMilliseconds: 30_000)))
        b.connect()
        b.hello(["todos": ["epoch": "e1", "seq": 0]])
        let session = try ReplaySession(transcript: b.transcript)
        let started = ContinuousClock.now
        let result = await session.run()
        #expect(result.mismatches.isEmpty, "\(result.mismatches)")
        #expect(session.transport.clock.now() >= B.t0 + 90_000)
        // 90 s of virtual time; a generous wall bound so a busy CI machine cannot flake it.
        #expect(ContinuousClock.now - started < .seconds(60), "90 s of virtual time must not be waited for in real time")
    }

    @Test @MainActor func recorderWritesATranscriptThatReplaysIdentically() async throws {
        // Play a fixture through a recorder, then replay the recording: same events, same state.
        var b = B()
        b.start(state: ["t1": ["id": "t1", "title": "a"]], seq: 1)
        b.inn(B.patch(2, [["op": "replace", "path": "/t1/title", "value": "b"]]), ["type": "ping", "id": 3])
        b.out(["type": "pong", "id": 3])
        b.add(.disconnect(TransportCloseReason(code: "error", message: "reset")))
        b.connect()
        b.hello(["todos": ["epoch": "e1", "seq": 2]])
        b.inn(B.synced(2))

        let lines = LinesBox()
        let replay = ReplayTransport(transcript: b.transcript)
        let recorder = TranscriptRecorder(wrapping: replay, clock: replay.clock) { lines.append($0) }
        let binder = try RealtimeBinder(options: .init(clientID: "alice", clock: replay.clock, jitterSeed: 1))
        let todos = SyncCollection()
        binder.bind(todos, as: "todos")
        binder.attach(recorder)
        binder.observe { event in
            if case .reconnecting(_, let reason) = event, reason.code == "replay-finished" { binder.destroy() }
        }
        await binder.run()
        #expect(replay.mismatches.isEmpty, "\(replay.mismatches)")

        let recorded = try Transcript(jsonl: lines.bytes)
        #expect(recorded.header.client == "alice")
        #expect(recorded.header.collections == ["todos"])
        // The recording holds the same connects, frames and disconnects as the original.
        let significant: (TranscriptEntry) -> Bool = { if case .delay = $0 { return false } else { return true } }
        let original = b.transcript.entries.filter(significant).map(Self.normalized)
        let copy = recorded.entries.filter(significant).map(Self.normalized)
        #expect(Array(copy.prefix(original.count)) == original)

        let first = await (try ReplaySession(transcript: b.transcript)).run()
        let second = await (try ReplaySession(transcript: recorded)).run()
        #expect(second.mismatches.isEmpty, "\(second.mismatches)")
        #expect(second.state == first.state)
        #expect(second.events == first.events)
    }

    /// Entries compared by meaning: frames as parsed JSON (a recording re-serializes them).
    static func normalized(_ entry: TranscriptEntry) -> String {
        switch entry {
        case .in(let texts): return "in " + texts.map { (try? JSON(parsing: $0))?.serialized(options: [.sortedKeys]) ?? "?" }.joined(separator: ",")
        case .out(let frame): return "out " + frame.serialized(options: [.sortedKeys])
        case .connect(let fail): return "connect \(fail ?? "")"
        case .disconnect(let reason): return "disconnect \(reason.code)"
        case .delay: return "delay"
        case .local(let action): return "local \(action)"
        }
    }
}

/// Collects recorder lines from any thread.
final class LinesBox: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [UInt8] = []
    func append(_ line: [UInt8]) { lock.lock(); storage += line; lock.unlock() }
    var bytes: [UInt8] { lock.lock(); defer { lock.unlock() }; return storage }
}
