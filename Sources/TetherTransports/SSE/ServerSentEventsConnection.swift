import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// One `GET /v1/events` stream: HTTP client callbacks in, batches of frames out.
///
/// Each network read is parsed incrementally and the `frame` events it completes are yielded as one
/// ``TransportInbound/frames(_:)`` batch. All state changes and yields happen under one lock, so
/// nothing is yielded after `.closed`; the stream is finished outside the lock (its termination
/// handler calls back in).
final class ServerSentEventsConnection: TransportConnection, HTTPTaskHandler, @unchecked Sendable {
    let inbound: AsyncStream<TransportInbound>

    private enum Phase {
        /// Waiting for the response head.
        case connecting
        /// 200 with `text/event-stream`: events flow.
        case open
        case closed
    }

    private struct State {
        var phase = Phase.connecting
        var parser: ServerSentEventParser
        var task: (any HTTPTaskHandle)?
        var responseWaiter: CheckedContinuation<Result<HTTPURLResponse, TransportError>, Never>?
        var abandoned = false
    }

    private let continuation: AsyncStream<TransportInbound>.Continuation
    private let state: ConnectionLock<State>
    private let configuration: HTTPTransportConfiguration
    private let sender: FrameSender
    private let reconnectionTime: ConnectionLock<Int?>

    init(
        configuration: HTTPTransportConfiguration,
        sender: FrameSender,
        reconnectionTime: ConnectionLock<Int?>,
        lastEventID: String
    ) {
        self.configuration = configuration
        self.sender = sender
        self.reconnectionTime = reconnectionTime
        state = ConnectionLock(
            State(parser: ServerSentEventParser(maximumEventSize: configuration.maximumFrameSize, lastEventID: lastEventID)))
        // One slot beyond the limit is kept for the final `.closed`.
        (inbound, continuation) = AsyncStream.makeStream(
            of: TransportInbound.self, bufferingPolicy: .bufferingOldest(configuration.receiveBufferBatches + 1))
        continuation.onTermination = { [weak self] _ in self?.abandon() }
    }

    /// The last event ID the stream committed (what a reconnect would send as `Last-Event-ID`).
    var lastEventID: String { state.withLock { $0.parser.lastEventID } }

    // MARK: - Opening

    /// Starts the request and waits for the response head (or a failure). Cancelling the caller
    /// abandons the request.
    func open(_ request: URLRequest, on http: HTTPSession) async -> Result<HTTPURLResponse, TransportError> {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let proceed = state.withLock { state in
                    state.responseWaiter = continuation
                    return !state.abandoned
                }
                guard proceed else {
                    resumeWaiter(with: .failure(.closed))
                    return
                }
                let task = http.start(request, handler: self)
                let cancelNow = state.withLock { state in
                    state.task = task
                    return state.abandoned
                }
                if cancelNow { task.cancel() }
            }
        } onCancel: {
            abandon()
        }
    }

    /// Ends a connection nobody will read (refused, cancelled, or the consumer went away).
    func abandon() {
        let task = state.withLock { state -> (any HTTPTaskHandle)? in
            state.abandoned = true
            state.phase = .closed
            return state.task
        }
        task?.cancel()
        resumeWaiter(with: .failure(.closed))
        continuation.finish()
    }

    /// Ends the connection at once with `reason` (used when the server asked us to come back later).
    func finish(with reason: TransportCloseReason) {
        let task = state.withLock { state -> (any HTTPTaskHandle)? in
            guard state.phase != .closed else { return nil }
            state.phase = .closed
            continuation.yield(.closed(reason))
            return state.task
        }
        task?.cancel()
        continuation.finish()
    }

    private func resumeWaiter(with result: Result<HTTPURLResponse, TransportError>) {
        let waiter = state.withLock { state in
            defer { state.responseWaiter = nil }
            return state.responseWaiter
        }
        waiter?.resume(returning: result)
    }

    // MARK: - TransportConnection

    func send(_ frames: [[UInt8]]) async throws(TransportError) {
        guard state.withLock({ $0.phase == .open }) else { throw .closed }
        try await sender.send(frames)
    }

    func close() async {
        finish(with: closeReason(code: "normal", message: "closed by the client"))
    }

    // MARK: - HTTPTaskHandler (called serially, in order)

    func didReceive(response: HTTPURLResponse) {
        let isEventStream = response.header("Content-Type")?.lowercased().hasPrefix("text/event-stream") ?? false
        state.withLock { state in
            if response.statusCode == 200, isEventStream, state.phase == .connecting { state.phase = .open }
        }
        resumeWaiter(with: .success(response))
    }

    func didReceive(data: Data) {
        configuration.metrics.bytesReceived?(.serverSentEvents, data.count)
        let ended = state.withLock { state -> (task: (any HTTPTaskHandle)?, ended: Bool) in
            guard state.phase == .open else { return (nil, false) }
            var frames: [[UInt8]] = []
            var failure: (any Error)?
            data.withUnsafeBytes { raw in
                do {
                    try state.parser.parse(raw.bindMemory(to: UInt8.self)) { event in
                        if event.type == "frame", !event.data.isEmpty { frames.append(event.data) }
                    }
                } catch {
                    failure = error
                }
            }
            if failure != nil {
                let message = "an event exceeded \(configuration.maximumFrameSize) bytes"
                return (closeLocked(&state, code: "message-too-large", message: message), true)
            }
            if let retry = state.parser.reconnectionTime { reconnectionTime.withLock { $0 = retry } }
            guard !frames.isEmpty else { return (nil, false) }
            if case .enqueued(let remaining) = continuation.yield(.frames(frames)), remaining > 1 { return (nil, false) }
            let message = "the consumer fell behind by \(configuration.receiveBufferBatches) batches"
            return (closeLocked(&state, code: "receive-overflow", message: message), true)
        }
        if ended.ended {
            ended.task?.cancel()
            continuation.finish()
        }
    }

    func didComplete(error: (any Error)?) {
        let wasOpen = state.withLock { state -> Bool in
            guard state.phase == .open else { return false }
            let reason: (String, String)
            if let error {
                reason = HTTPSession.isTimeout(error)
                    ? ("idle-timeout", "no data for \(configuration.policy.idleTimeoutSeconds) s")
                    : ("error", "\(HTTPSession.transportError(error))")
            } else {
                reason = ("server-closed", "the server ended the stream")
            }
            _ = closeLocked(&state, code: reason.0, message: reason.1)
            return true
        }
        if wasOpen {
            continuation.finish()
        } else {
            resumeWaiter(with: .failure(error.map(HTTPSession.transportError) ?? .connectionFailed("no response")))
        }
    }

    /// Marks the connection closed and yields `.closed` (call with the lock held); returns the task to cancel.
    private func closeLocked(_ state: inout State, code: String, message: String) -> (any HTTPTaskHandle)? {
        state.phase = .closed
        continuation.yield(.closed(closeReason(code: code, message: message)))
        return state.task
    }

    private func closeReason(code: String, message: String) -> TransportCloseReason {
        TransportCloseReason(code: code, message: message, retryAfterMilliseconds: reconnectionTime.withLock { $0 })
    }
}
