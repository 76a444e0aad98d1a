import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// One long-polling session: a loop of held `GET /v1/poll` requests, each answering a batch of frames.
///
/// The loop runs in its own task until ``close()`` (which cancels the in-flight poll, closing its TCP
/// connection at once), an error, or the consumer going away. It keeps its own ``LongPollCursor`` so
/// every poll resumes right after the frames already delivered.
final class LongPollingConnection: TransportConnection, @unchecked Sendable {
    let inbound: AsyncStream<TransportInbound>

    /// What one poll produced.
    enum PollResult {
        case frames([[UInt8]])
        /// 429 or 503, with the `Retry-After` hint in milliseconds if given.
        case busy(retryAfterMilliseconds: Int?)
    }

    private struct State {
        var closed = false
        var cursor: LongPollCursor
        var loop: Task<Void, Never>?
    }

    private let continuation: AsyncStream<TransportInbound>.Continuation
    private let state: ConnectionLock<State>
    private let configuration: HTTPTransportConfiguration
    private let http: HTTPSession
    private let handshake: TransportHandshake
    private let sender: FrameSender
    private let waitSeconds: Int

    init(
        configuration: HTTPTransportConfiguration,
        http: HTTPSession,
        handshake: TransportHandshake,
        sender: FrameSender,
        waitSeconds: Int
    ) {
        self.configuration = configuration
        self.http = http
        self.handshake = handshake
        self.sender = sender
        self.waitSeconds = waitSeconds
        state = ConnectionLock(State(cursor: LongPollCursor(handshake)))
        (inbound, continuation) = AsyncStream.makeStream(
            of: TransportInbound.self, bufferingPolicy: .bufferingOldest(configuration.receiveBufferBatches + 1))
        continuation.onTermination = { [weak self] _ in self?.stop() }
    }

    /// The cursor string the next poll sends.
    var cursorString: String { state.withLock { $0.cursor.string } }

    // MARK: - TransportConnection

    func send(_ frames: [[UInt8]]) async throws(TransportError) {
        guard !state.withLock({ $0.closed }) else { throw .closed }
        try await sender.send(frames)
    }

    func close() async {
        finish(code: "normal", message: "closed by the client")
    }

    // MARK: - The poll loop

    /// Starts polling in the background after the connect poll succeeded.
    func startLoop() {
        let task = Task { [weak self] in
            guard let self else { return }
            await self.run()
        }
        let cancelNow = state.withLock { state in
            state.loop = task
            return state.closed
        }
        if cancelNow { task.cancel() }
    }

    private func run() async {
        var quickEmptyPolls = 0
        while !Task.isCancelled {
            do {
                let started = ContinuousClock.now
                switch try await poll(wait: waitSeconds, reason: .request) {
                case .frames(let frames):
                    guard deliver(frames) else { return }
                    // A server that answers empty at once instead of holding would make this loop spin:
                    // pace such polls with the backoff policy.
                    if frames.isEmpty, ContinuousClock.now - started < .milliseconds(500) {
                        quickEmptyPolls += 1
                        let delay = configuration.policy.delay(forAttempt: quickEmptyPolls - 1)
                        do { try await Task.sleep(for: delay) } catch { return }
                    } else {
                        quickEmptyPolls = 0
                    }
                case .busy(let hint?):
                    let delay = configuration.policy.hintDelay(milliseconds: hint)
                    do { try await Task.sleep(for: delay) } catch { return }
                case .busy(nil):
                    finish(code: "server-busy", message: "GET /v1/poll answered 429/503")
                    return
                }
            } catch .closed {
                return
            } catch .unauthorized {
                finish(code: "unauthorized", message: "the server rejected the refreshed token")
                return
            } catch {
                finish(code: "error", message: "\(error)")
                return
            }
        }
    }

    /// One poll: `GET {base}/v1/poll?client=…&collection=…&cursor=…&wait=N`, refreshing the token once on 401.
    func poll(wait: Int, reason: AuthTokenProvider.Reason) async throws(TransportError) -> PollResult {
        var query = HTTPTransportConfiguration.sessionQuery(handshake)
        let cursor = cursorString
        if !cursor.isEmpty { query.append(("cursor", cursor)) }
        query.append(("wait", String(wait)))
        // PROTOCOL.md 4.3: the connect poll carries hello=1, so the server answers at once with
        // `welcome` (and `synced` for a current cursor) instead of holding it.
        if reason == .connect { query.append(("hello", "1")) }
        let url = configuration.url("v1/poll", query: query)
        // The request timeout must outlast the server's hold; Linux counts it in whole seconds.
        let timeout = wait + max(10, configuration.policy.idleTimeoutSeconds)
        var token = try await configuration.token(reason, handshake: handshake)
        for attempt in 0..<2 {
            var request = configuration.request(url, token: token, timeoutSeconds: timeout)
            request.setValue("application/json", forHTTPHeaderField: "Accept")
            let (response, body) = try await http.fetch(request, maximumBodySize: configuration.maximumResponseSize)
            configuration.metrics.bytesReceived?(.longPolling, body.count)
            switch response.statusCode {
            case 200:
                return .frames(try FrameArrayScanner.frames(in: body, maximumFrameSize: configuration.maximumFrameSize))
            case 204:
                return .frames([])
            case 401, 403:
                guard attempt == 0 else { throw .unauthorized }
                token = try await configuration.refreshedToken()
            case 429, 503:
                return .busy(retryAfterMilliseconds: response.retryAfterMilliseconds())
            default:
                throw .handshakeFailed(status: response.statusCode, "GET /v1/poll answered \(response.statusCode)")
            }
        }
        throw .unauthorized
    }

    /// Yields a batch and advances the cursor past it; `false` once the connection is closed.
    func deliver(_ frames: [[UInt8]]) -> Bool {
        let outcome = state.withLock { state -> (keepGoing: Bool, overflowed: Bool) in
            guard !state.closed else { return (false, false) }
            guard !frames.isEmpty else { return (true, false) }
            for frame in frames { state.cursor.advance(past: frame) }
            if case .enqueued(let remaining) = continuation.yield(.frames(frames)), remaining > 1 { return (true, false) }
            state.closed = true
            continuation.yield(.closed(TransportCloseReason(
                code: "receive-overflow",
                message: "the consumer fell behind by \(configuration.receiveBufferBatches) batches")))
            return (false, true)
        }
        if outcome.overflowed { continuation.finish() }
        return outcome.keepGoing
    }

    /// Closes with a reason (once), stopping the loop and any held poll.
    func finish(code: String, message: String, retryAfterMilliseconds: Int? = nil) {
        let loop = state.withLock { state -> Task<Void, Never>?? in
            guard !state.closed else { return nil }
            state.closed = true
            continuation.yield(.closed(TransportCloseReason(
                code: code, message: message, retryAfterMilliseconds: retryAfterMilliseconds)))
            return .some(state.loop)
        }
        guard let loop else { return }
        loop?.cancel()
        continuation.finish()
    }

    /// Stops without a close reason (the consumer went away, or connecting failed).
    func stop() {
        let loop = state.withLock { state in
            state.closed = true
            return state.loop
        }
        loop?.cancel()
        continuation.finish()
    }
}
