/// A ``Transport`` that plays a ``Transcript``: it delivers the server's frames, checks the frames
/// the client sends, drops and refuses connections where the transcript says so, and moves a
/// ``VirtualClock`` through the recorded delays — deterministically and without a network.
///
/// Pacing is pull-based: the next step of the transcript runs only when the binder asks its
/// connection for the next batch, i.e. after it has fully applied the previous one. An `out` step
/// waits (boundedly, in real time) for the client to send its frame; a `local` step hands a
/// ``LocalAction`` to whoever consumes ``localActions`` on the binder's isolation and waits for it to
/// be performed. Every divergence between the client and the transcript is recorded in
/// ``mismatches``; a fixture passes only if that list is empty.
public final class ReplayTransport: Transport {
    public var kind: TransportKind { .replay }
    /// As the recorded transport's client did (a hand-written transcript answers, like WebSocket).
    public var answersPings: Bool { transcript.header.transport?.answersPings ?? true }

    /// The session being replayed.
    public let transcript: Transcript
    /// The clock the binder under test must use.
    public let clock: VirtualClock
    /// Local actions to perform on the binder's isolation; call ``LocalActionRequest/complete()``
    /// after each. Finishes when the transcript is exhausted.
    public let localActions: AsyncStream<LocalActionRequest>

    /// How long (real time) an `out` or `local` step waits for the client before it is a mismatch.
    public let stepTimeoutMilliseconds: UInt64

    struct State {
        var position = 0
        var connection = 0
        var clientClosed = false
        var closedDelivered = false
        var unmatchedSent: [[UInt8]] = []
        var mismatches: [String] = []
        var performedActions = Set<Int>()
        var finished = false
    }

    let state = Locked(State())
    private let actionContinuation: AsyncStream<LocalActionRequest>.Continuation

    public init(transcript: Transcript, clock: VirtualClock? = nil, stepTimeoutMilliseconds: UInt64 = 5_000) {
        self.transcript = transcript
        self.clock = clock ?? VirtualClock(start: transcript.header.clock)
        self.stepTimeoutMilliseconds = stepTimeoutMilliseconds
        (localActions, actionContinuation) = AsyncStream.makeStream()
    }

    /// Every way the client departed from the transcript so far, plus frames it sent that no `out`
    /// step accounted for.
    public var mismatches: [String] {
        state.withLock { state in
            state.mismatches + state.unmatchedSent.map { "unexpected frame sent: \(String(decoding: $0, as: UTF8.self))" }
        }
    }

    /// Whether every step of the transcript has been played.
    public var isFinished: Bool { state.withLock { $0.position >= transcript.entries.count } }

    public func connect(_ handshake: TransportHandshake) async throws(TransportError) -> any TransportConnection {
        let outcome: Result<Int, TransportError> = state.withLock { state in
            // Time recorded before a connect is the client's own backoff, which it has just slept.
            while state.position < transcript.entries.count, case .delay = transcript.entries[state.position] {
                state.position += 1
            }
            guard state.position < transcript.entries.count else {
                finish(&state)
                return .failure(.unavailable("replay transcript finished"))
            }
            guard case .connect(let fail) = transcript.entries[state.position] else {
                state.mismatches.append("step \(state.position + 1): client connected, transcript expected \(describe(transcript.entries[state.position]))")
                finish(&state)
                return .failure(.unavailable("replay diverged from the transcript"))
            }
            state.position += 1
            if let fail { return .failure(.connectionFailed(fail)) }
            state.connection += 1
            state.clientClosed = false
            state.closedDelivered = false
            state.unmatchedSent.append(handshake.hello)
            return .success(state.connection)
        }
        switch outcome {
        case .success(let id): return ReplayConnection(transport: self, id: id)
        case .failure(let error): throw error
        }
    }

    private func finish(_ state: inout State) {
        guard !state.finished else { return }
        state.finished = true
        actionContinuation.finish()
    }

    // MARK: Driving the script (called by ReplayConnection)

    func send(_ frames: [[UInt8]], connection id: Int) throws(TransportError) {
        let accepted = state.withLock { state in
            guard state.connection == id, !state.clientClosed, !state.closedDelivered else { return false }
            state.unmatchedSent.append(contentsOf: frames)
            return true
        }
        if !accepted { throw .closed }
    }

    func close(connection id: Int) {
        state.withLock { state in
            if state.connection == id { state.clientClosed = true }
        }
    }

    private enum Step {
        case deliver(TransportInbound)
        case end
        case awaitOut(JSON, index: Int)
        case perform(LocalAction, index: Int)
    }

    /// The next inbound element for connection `id`, running script steps until one produces it.
    func next(connection id: Int) async -> TransportInbound? {
        while true {
            let step: Step = state.withLock { state in
                guard state.connection == id, !state.closedDelivered else { return .end }
                if state.clientClosed {
                    state.closedDelivered = true
                    // A disconnect that the client pre-empted by closing is consumed with it.
                    if state.position < transcript.entries.count, case .disconnect = transcript.entries[state.position] {
                        state.position += 1
                    }
                    return .deliver(.closed(TransportCloseReason(code: "normal", message: "closed by client")))
                }
                guard state.position < transcript.entries.count else {
                    state.closedDelivered = true
                    finish(&state)
                    return .deliver(.closed(TransportCloseReason(code: "replay-finished", message: "end of transcript")))
                }
                let index = state.position
                switch transcript.entries[index] {
                case .in(let texts):
                    state.position += 1
                    return .deliver(.frames(texts))
                case .delay(let ms):
                    state.position += 1
                    clock.advance(by: ms)
                    return .awaitOut(.null, index: -1)  // no-op step; loop again
                case .disconnect(let reason):
                    state.position += 1
                    state.closedDelivered = true
                    return .deliver(.closed(reason))
                case .connect:
                    state.closedDelivered = true
                    return .deliver(.closed(TransportCloseReason(code: "error", message: "connection dropped")))
                case .out(let expected):
                    return .awaitOut(expected, index: index)
                case .local(let action):
                    state.position += 1
                    return .perform(action, index: index)
                }
            }
            switch step {
            case .deliver(let element): return element
            case .end: return nil
            case .awaitOut(_, let index) where index < 0: continue
            case .awaitOut(let expected, let index): await matchOut(expected, index: index)
            case .perform(let action, let index): await perform(action, index: index)
            }
        }
    }

    private func matchOut(_ expected: JSON, index: Int) async {
        let sent: [UInt8]? = await waitFor {
            $0.unmatchedSent.isEmpty ? nil : $0.unmatchedSent.removeFirst()
        }
        state.withLock { state in
            state.position = index + 1
            guard let sent else {
                state.mismatches.append("step \(index + 1): expected the client to send \(expected.serialized()), it sent nothing")
                return
            }
            let actual = try? JSON(parsing: sent)
            if actual.map({ TranscriptMatch.matches(expected: expected, actual: $0) }) != true {
                state.mismatches.append("step \(index + 1): expected the client to send \(expected.serialized()), it sent \(String(decoding: sent, as: UTF8.self))")
            }
        }
    }

    private func perform(_ action: LocalAction, index: Int) async {
        actionContinuation.yield(LocalActionRequest(action: action, index: index, transport: self))
        let done: Bool? = await waitFor { $0.performedActions.contains(index) ? true : nil }
        if done == nil {
            state.withLock { $0.mismatches.append("step \(index + 1): nobody performed local action \(action.kind.rawValue) \(action.id)") }
        }
    }

    func markPerformed(_ index: Int) { _ = state.withLock { $0.performedActions.insert(index) } }

    /// Polls `check` until it yields a value or the step timeout passes (real time, bounded).
    private func waitFor<T>(_ check: (inout State) -> T?) async -> T? {
        let deadline = ContinuousClock.now + .milliseconds(Int64(stepTimeoutMilliseconds))
        var spins = 0
        while true {
            if let value = state.withLock(check) { return value }
            if ContinuousClock.now >= deadline { return nil }
            spins += 1
            if spins < 100 { await Task.yield() } else { try? await Task.sleep(nanoseconds: 200_000) }
        }
    }

    private func describe(_ entry: TranscriptEntry) -> String {
        String(decoding: entry.json.serializedBytes(), as: UTF8.self)
    }
}

/// A ``LocalAction`` the replay asks the application side to perform.
public struct LocalActionRequest: Sendable {
    public let action: LocalAction
    let index: Int
    let transport: ReplayTransport

    /// Tells the replay the action has been performed, so the transcript moves on.
    public func complete() { transport.markPerformed(index) }
}

/// One replayed connection.
final class ReplayConnection: TransportConnection {
    let transport: ReplayTransport
    let id: Int
    let inbound: AsyncStream<TransportInbound>

    init(transport: ReplayTransport, id: Int) {
        self.transport = transport
        self.id = id
        inbound = AsyncStream(unfolding: { await transport.next(connection: id) })
    }

    func send(_ frames: [[UInt8]]) async throws(TransportError) {
        try transport.send(frames, connection: id)
    }

    func close() async { transport.close(connection: id) }
}
