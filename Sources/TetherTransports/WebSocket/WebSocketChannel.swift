import Dispatch

/// A complete inbound data message as bytes (text already UTF-8-validated).
struct WebSocketRawMessage: Sendable, Equatable {
    var isText: Bool
    var bytes: [UInt8]
}

/// Where a channel hands its output: one batch of messages per socket read, then one close.
struct WebSocketChannelSink: Sendable {
    /// Returns false when the consumer is too far behind: the channel stops reading until ``WebSocketChannel/resumeReading()``.
    var deliver: @Sendable ([WebSocketRawMessage]) -> Bool
    var finish: @Sendable (WebSocketCloseInfo) -> Void
    /// Called once with the running channel (to wire up ``WebSocketChannel/resumeReading()``).
    var attached: @Sendable (WebSocketChannel) -> Void
}

/// The I/O engine of one open WebSocket connection.
///
/// All mutable state is confined to `queue` (a serial queue per connection): a Dispatch read source
/// drains the socket (and OpenSSL's buffered records) into the ``WebSocketReader``, writes go through a
/// bounded outbound buffer flushed directly or by a write source when the socket is full. Serialising
/// reads and writes on one queue is what makes a shared `SSL*` safe. No thread ever blocks or spins after
/// the handshake.
final class WebSocketChannel: @unchecked Sendable {
    let queue: DispatchQueue
    let subprotocol: String?
    private let stream: any ByteStream
    private let options: WebSocketOptions
    private let sink: WebSocketChannelSink
    private let closeInfoBox = LockedValue<WebSocketCloseInfo?>(nil)

    // Everything below is confined to `queue`.
    private var reader: WebSocketReader
    private var readSource: (any DispatchSourceRead)?
    private var writeSource: (any DispatchSourceWrite)?
    private var writeSourceRunning = false
    /// The read source is suspended because the consumer is behind (backpressure).
    private var readPaused = false
    private var liveSources = 0
    private var outbound: [UInt8] = []
    private var outboundStart = 0
    private var readBuffer = [UInt8](repeating: 0, count: 64 << 10)
    private var batch: [WebSocketRawMessage] = []
    /// After a close frame was received or the connection failed: inbound bytes are read and dropped.
    private var discarding = false
    private var closeSent = false
    private var closeReceived: (code: UInt16?, reason: String)?
    private var failure: WebSocketFailure?
    private var initiator: WebSocketCloseInfo.Initiator?
    private var finished = false
    private var closeTimer: (any DispatchSourceTimer)?
    private var closeWaiters: [CheckedContinuation<Void, Never>] = []
    private var random = SystemRandomNumberGenerator()

    init(
        queue: DispatchQueue,
        stream: any ByteStream,
        subprotocol: String?,
        options: WebSocketOptions,
        sink: WebSocketChannelSink
    ) {
        self.queue = queue
        self.stream = stream
        self.subprotocol = subprotocol
        self.options = options
        self.sink = sink
        self.reader = WebSocketReader(maxMessageSize: options.maxMessageSize)
    }

    /// How the connection ended, once it has.
    var closeInfo: WebSocketCloseInfo? { closeInfoBox.get() }

    // MARK: Public operations (any thread)

    /// Starts reading; `leftover` holds bytes that arrived with the handshake response. Call on `queue`.
    func start(leftover: [UInt8]) {
        dispatchPrecondition(condition: .onQueue(queue))
        let source = DispatchSource.makeReadSource(fileDescriptor: stream.fileDescriptor, queue: queue)
        source.setEventHandler { [self] in readAvailable() }
        source.setCancelHandler { [self] in sourceCancelled() }
        liveSources += 1
        readSource = source
        source.resume()
        if !leftover.isEmpty {
            reader.append(leftover)
            processReader()
            deliverBatch()
        }
        // TLS may already hold decrypted records that the socket will never signal again.
        queue.async { [self] in readAvailable() }
    }

    /// Queues one data or ping frame; nil on success.
    func send(_ opcode: WebSocketOpcode, _ payload: [UInt8]) async -> WebSocketError? {
        await withCheckedContinuation { continuation in
            queue.async { [self] in continuation.resume(returning: enqueue(opcode, payload)) }
        }
    }

    /// Queues several text messages in one hop to the queue; stops at the first failure.
    func sendTexts(_ payloads: [[UInt8]]) async -> WebSocketError? {
        await withCheckedContinuation { continuation in
            queue.async { [self] in
                for payload in payloads {
                    if let error = enqueue(.text, payload) {
                        continuation.resume(returning: error)
                        return
                    }
                }
                continuation.resume(returning: nil)
            }
        }
    }

    /// Starts the closing handshake and waits until the connection has ended (bounded by the close timeout).
    func close(code: UInt16, reason: String) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            queue.async { [self] in
                if finished {
                    continuation.resume()
                    return
                }
                closeWaiters.append(continuation)
                startClose(code: code, reason: reason)
            }
        }
    }

    /// Restarts reading after backpressure paused it (any thread).
    func resumeReading() {
        queue.async { [self] in
            guard readPaused, !finished else { return }
            unpauseReading()
            readAvailable()
        }
    }

    /// Starts the closing handshake without waiting (used when the owner goes away).
    func closeSoon(code: UInt16) {
        queue.async { [self] in startClose(code: code, reason: "") }
    }

    // MARK: Queue-confined machinery

    private func enqueue(_ opcode: WebSocketOpcode, _ payload: [UInt8]) -> WebSocketError? {
        guard !closeSent, !finished else { return .closed }
        guard payload.count <= options.maxMessageSize else { return .messageTooLarge(limit: options.maxMessageSize) }
        guard outbound.count - outboundStart <= options.sendBufferLimit else {
            return .sendBufferFull(limit: options.sendBufferLimit)
        }
        writeFrame(opcode, payload)
        return nil
    }

    private func writeFrame(_ opcode: WebSocketOpcode, _ payload: [UInt8]) {
        WebSocketFrameEncoder.encode(opcode: opcode, payload: payload, maskKey: random.next() as UInt32, into: &outbound)
        flush()
    }

    private func startClose(code: UInt16, reason: String) {
        guard !closeSent, !finished else { return }
        initiator = .client
        sendClose(code: WebSocketCloseCode.isValidOnWire(code) ? code : WebSocketCloseCode.normal, reason: reason)
    }

    private func sendClose(code: UInt16?, reason: String) {
        closeSent = true
        // From now on inbound data is dropped, not delivered: read again so the server's close is seen.
        if readPaused {
            unpauseReading()
            queue.async { [self] in readAvailable() }
        }
        writeFrame(.close, WebSocketFrameEncoder.closePayload(code: code, reason: reason))
        startCloseTimer()
    }

    private func readAvailable() {
        guard !readPaused else { return }
        var rounds = 0
        while !finished, rounds < 64 {
            rounds += 1
            let status = readBuffer.withUnsafeMutableBytes { stream.read(into: $0) }
            switch status {
            case .transferred(let count):
                if !discarding {
                    reader.append(readBuffer[..<count])
                    processReader()
                }
            case .wouldBlock:
                deliverBatch()
                return
            case .endOfStream, .failed:
                deliverBatch()
                finish(timedOut: false)
                return
            }
        }
        deliverBatch()
        // Yield the queue to writes, then continue: bounded work per callback, nothing left behind in TLS.
        if !finished, !readPaused { queue.async { [self] in readAvailable() } }
    }

    private func processReader() {
        while !finished, !discarding {
            let event: WebSocketInbound?
            do {
                event = try reader.next()
            } catch {
                fail(error)
                return
            }
            guard let event else { return }
            handle(event)
        }
    }

    private func handle(_ event: WebSocketInbound) {
        switch event {
        case .message(let isText, let bytes):
            if !closeSent { batch.append(WebSocketRawMessage(isText: isText, bytes: bytes)) }
        case .ping(let payload):
            if !closeSent { writeFrame(.pong, payload) }
        case .pong:
            break
        case .close(let code, let reason):
            closeReceived = (code, reason)
            discarding = true
            if !closeSent {
                initiator = .server
                // Echo the server's code (RFC 6455 §5.5.1); an empty close is answered with an empty close.
                sendClose(code: code, reason: "")
            }
        }
    }

    private func fail(_ failure: WebSocketFailure) {
        discarding = true
        guard !closeSent else { return }
        deliverBatch()
        self.failure = failure
        initiator = .protocolFailure
        sendClose(code: failure.code, reason: failure.reason)
    }

    private func deliverBatch() {
        guard !batch.isEmpty else { return }
        let messages = batch
        batch.removeAll(keepingCapacity: true)
        if !sink.deliver(messages), !closeSent, !finished, let readSource, !readPaused {
            readSource.suspend()
            readPaused = true
        }
    }

    private func unpauseReading() {
        guard readPaused else { return }
        readPaused = false
        readSource?.resume()
    }

    private func flush() {
        while outboundStart < outbound.count {
            let status = outbound.withUnsafeBytes { raw in stream.write(UnsafeRawBufferPointer(rebasing: raw[outboundStart...])) }
            switch status {
            case .transferred(let count):
                outboundStart += count
            case .wouldBlock:
                resumeWriteSource()
                return
            case .endOfStream, .failed:
                outbound.removeAll()
                outboundStart = 0
                finish(timedOut: false)
                return
            }
        }
        outbound.removeAll(keepingCapacity: outbound.capacity <= 1 << 20)
        outboundStart = 0
        if writeSourceRunning, let writeSource {
            writeSource.suspend()
            writeSourceRunning = false
        }
    }

    private func resumeWriteSource() {
        guard !finished, !writeSourceRunning else { return }
        if writeSource == nil {
            let source = DispatchSource.makeWriteSource(fileDescriptor: stream.fileDescriptor, queue: queue)
            source.setEventHandler { [self] in flush() }
            source.setCancelHandler { [self] in sourceCancelled() }
            liveSources += 1
            writeSource = source
        }
        writeSource?.resume()
        writeSourceRunning = true
    }

    private func startCloseTimer() {
        guard closeTimer == nil, !finished else { return }
        let timer = DispatchSource.makeTimerSource(queue: queue)
        let components = options.closeTimeout.components
        let nanoseconds = Int(clamping: components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000)
        timer.schedule(deadline: .now() + .nanoseconds(max(nanoseconds, 0)))
        timer.setEventHandler { [self] in finish(timedOut: true) }
        closeTimer = timer
        timer.resume()
    }

    private func finish(timedOut: Bool) {
        guard !finished else { return }
        deliverBatch()
        finished = true
        let info: WebSocketCloseInfo
        if let failure {
            info = WebSocketCloseInfo(code: failure.code, reason: failure.reason, initiator: .protocolFailure, wasClean: closeReceived != nil)
        } else if let closeReceived {
            info = WebSocketCloseInfo(
                code: closeReceived.code ?? WebSocketCloseCode.noStatus,
                reason: closeReceived.reason,
                initiator: initiator ?? .server,
                wasClean: closeSent
            )
        } else {
            let reason = timedOut ? "no close frame from the server before the close timeout"
                : "connection dropped without a close frame"
            info = WebSocketCloseInfo(code: WebSocketCloseCode.abnormal, reason: reason, initiator: .transport, wasClean: false)
        }
        closeTimer?.cancel()
        closeTimer = nil
        unpauseReading()  // a suspended source must be resumed before it can be cancelled and released
        readSource?.cancel()
        if let writeSource {
            if !writeSourceRunning { writeSource.resume() }
            writeSource.cancel()
        }
        if liveSources == 0 { stream.close() }
        closeInfoBox.set(info)
        sink.finish(info)
        let waiters = closeWaiters
        closeWaiters.removeAll()
        for waiter in waiters { waiter.resume() }
    }

    private func sourceCancelled() {
        liveSources -= 1
        if liveSources == 0, finished {
            stream.close()
            readSource = nil
            writeSource = nil
        }
    }
}
