import Dispatch
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// One HTTP/1.1 request and its streamed response on a connection of its own (Tether's socket HTTP client).
///
/// Why not `URLSession` on Linux: FoundationNetworking drives libcurl from Dispatch in a way that keeps a
/// core busy while a request is open (measured: ~90% of a core for an idle SSE stream or a held long
/// poll), which starves everything else on a small machine. This client sleeps in the kernel until bytes
/// arrive.
///
/// All state is confined to `queue` (one serial queue per exchange): the connect and the request write
/// run there (bounded by their deadlines), then a Dispatch read source feeds ``HTTPResponseParser`` and
/// the handler's callbacks run there, in order: at most one `didReceive(response:)`, any number of
/// `didReceive(data:)`, then exactly one `didComplete(error:)`. Silence longer than the request's
/// `timeoutInterval` ends the exchange with ``HTTPClientError/timedOut`` (an idle timer, as URLSession's).
///
/// With a ``HTTPConnectionPool`` the exchange reuses an idle connection and returns its own to the pool
/// when the response ended cleanly (length-delimited, no `Connection: close`, nothing extra). Only
/// requests that are safe to send twice may use a pool: when a reused connection turns out dead before
/// any response byte arrived, the request is sent again once on a fresh connection.
final class HTTPExchange: HTTPTaskHandle, @unchecked Sendable {
    private let queue: DispatchQueue
    private let request: URLRequest
    private let handler: any HTTPTaskHandler
    private let connectTimeout: Duration
    private let tls: TLSOptions
    private let pool: HTTPConnectionPool?

    // Confined to `queue`.
    private var head: HTTPRequestHead?
    private var stream: (any ByteStream)?
    private var streamIsReused = false
    private var readSource: (any DispatchSourceRead)?
    private var idleTimer: (any DispatchSourceTimer)?
    private var lastActivity = ContinuousClock.now
    private var parser = HTTPResponseParser()
    private var readBuffer: [UInt8] = []
    private var responseAllowsReuse = false
    /// The response said `Connection: close`.
    private var connectionClose = false
    private var finished = false

    init(request: URLRequest, handler: any HTTPTaskHandler, connectTimeout: Duration, tls: TLSOptions, pool: HTTPConnectionPool? = nil) {
        self.request = request
        self.handler = handler
        self.connectTimeout = connectTimeout
        self.tls = tls
        self.pool = pool
        queue = DispatchQueue(label: "tether.http.\(request.url?.host ?? "")")
    }

    /// Connects, sends the request and starts reading, on the exchange's queue.
    func resume() {
        queue.async { [self] in run() }
    }

    /// Ends the exchange with ``HTTPClientError/cancelled`` (closing its connection at once) unless it already ended.
    func cancel() {
        queue.async { [self] in complete(.cancelled) }
    }

    private var idleTimeout: Duration { .seconds(max(1, request.timeoutInterval)) }

    private func run() {
        guard !finished else { return }
        do throws(HTTPClientError) {
            let head = try HTTPRequestHead(request, keepAlive: pool != nil)
            self.head = head
            if let reused = pool?.take(head.endpoint) {
                do throws(HTTPClientError) {
                    try send(head, on: reused, reused: true)
                    return
                } catch {
                    reused.close()  // died while idle: fall through to a fresh connection
                }
            }
            try send(head, on: try Self.connect(head.endpoint, tls: tls, deadline: .now + connectTimeout), reused: false)
        } catch {
            complete(error)
        }
    }

    /// Writes the request on `stream` and starts reading the response from it.
    private func send(_ head: HTTPRequestHead, on stream: any ByteStream, reused: Bool) throws(HTTPClientError) {
        self.stream = stream
        streamIsReused = reused
        parser = HTTPResponseParser(isHeadRequest: head.isHead)
        do throws(HTTPClientError) {
            try Self.write(head.bytes, to: stream, deadline: .now + idleTimeout)
        } catch {
            self.stream = nil
            if !reused { stream.close() }
            throw error
        }
        if readBuffer.isEmpty { readBuffer = [UInt8](repeating: 0, count: 64 << 10) }
        lastActivity = .now
        let source = DispatchSource.makeReadSource(fileDescriptor: stream.fileDescriptor, queue: queue)
        source.setEventHandler { [self] in readAvailable() }
        // The descriptor outlives the source: it is closed (or pooled) only once the source is cancelled.
        source.setCancelHandler { [self, pool] in
            if responseAllowsReuse, let pool {
                pool.put(stream, for: head.endpoint)
            } else {
                stream.close()
            }
        }
        readSource = source
        source.resume()
        armIdleTimer(after: idleTimeout)
        // OpenSSL may already hold decrypted bytes that the socket will never signal again.
        readAvailable()
    }

    /// A reused connection ended before any response byte: the server had closed it while it sat idle.
    /// Drops it and sends the request once more on a fresh connection.
    private func retryOnFreshConnection() {
        readSource?.cancel()  // closes the dead stream
        readSource = nil
        stream = nil
        guard let head else { return complete(.connectionFailed("no request")) }
        do throws(HTTPClientError) {
            try send(head, on: try Self.connect(head.endpoint, tls: tls, deadline: .now + connectTimeout), reused: false)
        } catch {
            complete(error)
        }
    }

    private static func connect(_ endpoint: Endpoint, tls: TLSOptions, deadline: ContinuousClock.Instant) throws(HTTPClientError) -> any ByteStream {
        do throws(WebSocketError) {
            let fd = try TCPSocket.connect(host: endpoint.host, port: endpoint.port, deadline: deadline)
            return endpoint.secure
                ? try TLSStream(fileDescriptor: fd, endpoint: endpoint, options: tls, deadline: deadline)
                : PlainStream(fileDescriptor: fd)
        } catch .timedOut {
            throw .timedOut
        } catch .connectionFailed(let detail) {
            throw .connectionFailed(detail)
        } catch {
            throw .connectionFailed(error.description)
        }
    }

    private static func write(_ bytes: [UInt8], to stream: any ByteStream, deadline: ContinuousClock.Instant) throws(HTTPClientError) {
        do throws(WebSocketError) {
            try stream.writeAll(bytes, deadline: deadline)
        } catch .timedOut {
            throw .timedOut
        } catch {
            throw .connectionFailed("sending the request failed: \(error)")
        }
    }

    // MARK: - Reading

    private func readAvailable() {
        guard !finished, let stream else { return }
        // Drain until the socket (and TLS's decrypted buffer) is empty: the source will not fire for
        // records OpenSSL already holds.
        while !finished {
            let status = readBuffer.withUnsafeMutableBytes { stream.read(into: $0) }
            switch status {
            case .transferred(let count):
                lastActivity = .now
                let failure: HTTPClientError? = readBuffer.withUnsafeBufferPointer { buffer in
                    do throws(HTTPResponseError) {
                        try parser.parse(UnsafeBufferPointer(rebasing: buffer[..<count])) { event in deliver(event) }
                        return nil
                    } catch {
                        return .badResponse(error)
                    }
                }
                if let failure {
                    complete(failure)
                } else if parser.isComplete {
                    responseAllowsReuse = pool != nil && !parser.hasTrailingBytes && !parser.endsWithConnection
                        && !connectionClose
                    complete(nil)
                }
            case .wouldBlock:
                return
            case .endOfStream where streamIsReused && !parser.hasStarted:
                return retryOnFreshConnection()
            case .failed where streamIsReused && !parser.hasStarted:
                return retryOnFreshConnection()
            case .endOfStream:
                do throws(HTTPResponseError) {
                    try parser.parseEndOfStream { event in deliver(event) }
                    complete(nil)
                } catch {
                    complete(.badResponse(error))
                }
            case .failed(let detail):
                complete(.connectionFailed(detail))
            }
        }
    }

    private func deliver(_ event: HTTPResponseParser.Event) {
        guard !finished else { return }
        switch event {
        case .head(let head):
            connectionClose = head.header("Connection")?.lowercased().contains("close") ?? false
            var fields: [String: String] = [:]
            for field in head.headers {
                fields[field.name] = fields[field.name].map { "\($0), \(field.value)" } ?? field.value
            }
            let url = request.url ?? URL(fileURLWithPath: "/")
            guard let response = HTTPURLResponse(url: url, statusCode: head.status, httpVersion: "HTTP/1.1", headerFields: fields) else {
                return
            }
            handler.didReceive(response: response)
        case .body(let bytes):
            if !bytes.isEmpty { handler.didReceive(data: Data(buffer: bytes)) }
        case .end:
            break  // completed by the read loop once the parser returns
        }
    }

    // MARK: - Idle timeout

    /// One timer per exchange, re-armed lazily: reads only record the time, the timer checks it.
    private func armIdleTimer(after delay: Duration) {
        let timer = idleTimer ?? {
            let timer = DispatchSource.makeTimerSource(queue: queue)
            timer.setEventHandler { [self] in idleTimerFired() }
            timer.resume()
            idleTimer = timer
            return timer
        }()
        let components = delay.components
        let nanoseconds = Int(clamping: components.seconds) &* 1_000_000_000 &+ Int(components.attoseconds / 1_000_000_000)
        timer.schedule(deadline: .now() + .nanoseconds(max(1, nanoseconds)))
    }

    private func idleTimerFired() {
        guard !finished else { return }
        let silent = ContinuousClock.now - lastActivity
        if silent >= idleTimeout {
            complete(.timedOut)
        } else {
            armIdleTimer(after: idleTimeout - silent)
        }
    }

    // MARK: - Completion

    private func complete(_ error: HTTPClientError?) {
        guard !finished else { return }
        finished = true
        idleTimer?.cancel()
        idleTimer = nil
        if let readSource {
            readSource.cancel()  // its cancel handler closes the stream
            self.readSource = nil
        } else {
            stream?.close()
        }
        stream = nil
        handler.didComplete(error: error)
    }
}
