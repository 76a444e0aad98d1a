import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Receives one request's callbacks serially and in order: the response head, body bytes, then completion.
protocol HTTPTaskHandler: AnyObject, Sendable {
    func didReceive(response: HTTPURLResponse)
    func didReceive(data: Data)
    func didComplete(error: (any Error)?)
}

/// A running request that can be abandoned (a URLSession data task or an ``HTTPExchange``).
protocol HTTPTaskHandle: AnyObject, Sendable {
    func cancel()
}

/// The HTTP client of one transport: Tether's own HTTP/1.1 client on sockets, or a `URLSession` driven
/// through data-task delegates (see ``HTTPClientBackend``).
///
/// Both stream (there is no `bytes(for:)` in FoundationNetworking, so URLSession must use delegates), and
/// each transport has a client of its own so an SSE stream, a held long poll and POSTs never starve each
/// other at a shared per-host connection cap.
final class HTTPSession: Sendable {
    private let backend: Backend

    private enum Backend: Sendable {
        case sockets(connectTimeout: Duration, tls: TLSOptions, pool: HTTPConnectionPool)
        case urlSession(URLSession, Router)
    }

    init(configuration: HTTPTransportConfiguration, maximumConnectionsPerHost: Int = 8) {
        switch configuration.backend.resolved {
        case .sockets, .automatic:
            backend = .sockets(connectTimeout: configuration.connectTimeout, tls: configuration.tls, pool: HTTPConnectionPool())
        case .urlSession:
            let sessionConfiguration = URLSessionConfiguration.ephemeral
            sessionConfiguration.httpMaximumConnectionsPerHost = maximumConnectionsPerHost
            sessionConfiguration.requestCachePolicy = .reloadIgnoringLocalCacheData
            sessionConfiguration.urlCache = nil
            let router = Router()
            let queue = OperationQueue()
            queue.maxConcurrentOperationCount = 1
            queue.name = "tether.http"
            backend = .urlSession(URLSession(configuration: sessionConfiguration, delegate: router, delegateQueue: queue), router)
        }
    }

    deinit {
        // A session retains its delegate until invalidated.
        if case .urlSession(let session, _) = backend { session.invalidateAndCancel() }
    }

    /// Starts `request`, routing its callbacks to `handler` until it completes.
    ///
    /// `reusingConnections` lets the socket client send it on an idle keep-alive connection and keep
    /// the connection afterwards; only for requests that are safe to send twice (a dead pooled
    /// connection makes the client resend once). URLSession pools connections by itself.
    func start(_ request: URLRequest, handler: any HTTPTaskHandler, reusingConnections: Bool = false) -> any HTTPTaskHandle {
        switch backend {
        case .sockets(let connectTimeout, let tls, let pool):
            let exchange = HTTPExchange(
                request: request, handler: handler, connectTimeout: connectTimeout, tls: tls,
                pool: reusingConnections ? pool : nil)
            exchange.resume()
            return exchange
        case .urlSession(let session, let router):
            let task = session.dataTask(with: request)
            router.register(task.taskIdentifier, handler)
            task.resume()
            return DataTaskHandle(task: task)
        }
    }

    /// Runs one request to completion and returns its response with a body of at most `maximumBodySize`
    /// bytes. Cancelling the calling task cancels the request (the connection is closed at once).
    ///
    /// - Throws: ``TransportError/connectionFailed(_:)`` for network errors and timeouts,
    ///   ``TransportError/messageTooLarge(limit:)`` for a larger body, ``TransportError/closed`` when cancelled.
    func fetch(
        _ request: URLRequest, maximumBodySize: Int, reusingConnections: Bool = false
    ) async throws(TransportError) -> (HTTPURLResponse, [UInt8]) {
        let handler = BufferedResponse(limit: maximumBodySize)
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                handler.begin(continuation) { self.start(request, handler: handler, reusingConnections: reusingConnections) }
            }
        } onCancel: {
            handler.cancel()
        }
        return try result.get()
    }

    /// True when a completion error means the request went silent for longer than its timeout.
    static func isTimeout(_ error: any Error) -> Bool {
        if let error = error as? HTTPClientError { return error == .timedOut }
        return (error as NSError).code == NSURLErrorTimedOut
    }

    /// Idle keep-alive connections of the socket client (0 with URLSession), for tests.
    var idleConnectionCount: Int {
        if case .sockets(_, _, let pool) = backend { return pool.idleCount }
        return 0
    }

    /// Maps a completion error (from either backend) to a transport error.
    static func transportError(_ error: any Error) -> TransportError {
        if let error = error as? HTTPClientError {
            switch error {
            case .cancelled: return .closed
            case .timedOut: return .connectionFailed("timed out")
            default: return .connectionFailed(error.description)
            }
        }
        let code = (error as NSError).code
        switch code {
        case NSURLErrorCancelled: return .closed
        case NSURLErrorTimedOut: return .connectionFailed("timed out")
        default: return .connectionFailed(error.localizedDescription)
        }
    }
}

extension HTTPSession {
    /// A URLSession data task as a ``HTTPTaskHandle``.
    private final class DataTaskHandle: HTTPTaskHandle, @unchecked Sendable {
        let task: URLSessionDataTask
        init(task: URLSessionDataTask) { self.task = task }
        func cancel() { task.cancel() }
    }

    /// The session delegate: forwards each task's callbacks to its registered handler.
    fileprivate final class Router: NSObject, URLSessionDataDelegate, @unchecked Sendable {
        private let handlers = ConnectionLock<[Int: any HTTPTaskHandler]>([:])

        func register(_ identifier: Int, _ handler: any HTTPTaskHandler) {
            handlers.withLock { $0[identifier] = handler }
        }

        private func handler(for task: URLSessionTask) -> (any HTTPTaskHandler)? {
            handlers.withLock { $0[task.taskIdentifier] }
        }

        func urlSession(
            _ session: URLSession,
            dataTask: URLSessionDataTask,
            didReceive response: URLResponse,
            completionHandler: @escaping @Sendable (URLSession.ResponseDisposition) -> Void
        ) {
            if let http = response as? HTTPURLResponse { handler(for: dataTask)?.didReceive(response: http) }
            completionHandler(.allow)
        }

        func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
            handler(for: dataTask)?.didReceive(data: data)
        }

        func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
            let handler = handlers.withLock { $0.removeValue(forKey: task.taskIdentifier) }
            handler?.didComplete(error: error)
        }
    }

    /// Collects one response body up to a limit and resumes the waiting caller once.
    private final class BufferedResponse: HTTPTaskHandler, @unchecked Sendable {
        typealias Outcome = Result<(HTTPURLResponse, [UInt8]), TransportError>

        private struct State {
            var continuation: CheckedContinuation<Outcome, Never>?
            var task: (any HTTPTaskHandle)?
            var cancelled = false
            var response: HTTPURLResponse?
            var body: [UInt8] = []
            var failure: TransportError?
        }

        private let limit: Int
        private let state = ConnectionLock(State())

        init(limit: Int) {
            self.limit = limit
        }

        func begin(_ continuation: CheckedContinuation<Outcome, Never>, start: () -> any HTTPTaskHandle) {
            let proceed = state.withLock { state in
                state.continuation = continuation
                return !state.cancelled
            }
            guard proceed else {
                finish(.failure(.closed))
                return
            }
            let task = start()
            let cancelNow = state.withLock { state in
                state.task = task
                return state.cancelled
            }
            if cancelNow { task.cancel() }
        }

        func cancel() {
            let task = state.withLock { state in
                state.cancelled = true
                return state.task
            }
            task?.cancel()
        }

        func didReceive(response: HTTPURLResponse) {
            state.withLock { $0.response = response }
        }

        func didReceive(data: Data) {
            let overflowTask: (any HTTPTaskHandle)? = state.withLock { state in
                guard state.failure == nil else { return nil }
                guard state.body.count + data.count <= limit else {
                    state.failure = .messageTooLarge(limit: limit)
                    state.body = []
                    return state.task
                }
                state.body.append(contentsOf: data)
                return nil
            }
            overflowTask?.cancel()
        }

        func didComplete(error: (any Error)?) {
            let outcome: Outcome = state.withLock { state in
                if let failure = state.failure { return .failure(failure) }
                if state.cancelled { return .failure(.closed) }
                if let error { return .failure(HTTPSession.transportError(error)) }
                guard let response = state.response else {
                    return .failure(.connectionFailed("no HTTP response"))
                }
                return .success((response, state.body))
            }
            finish(outcome)
        }

        private func finish(_ outcome: Outcome) {
            let continuation = state.withLock { state in
                defer { state.continuation = nil }
                return state.continuation
            }
            continuation?.resume(returning: outcome)
        }
    }
}
