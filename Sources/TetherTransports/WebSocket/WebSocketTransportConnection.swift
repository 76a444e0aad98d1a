/// One open ``WebSocketTransport`` connection: inbound text messages batched per read, then `.closed`.
final class WebSocketTransportConnection: TransportConnection, @unchecked Sendable {
    let inbound: AsyncStream<TransportInbound>
    private let inbox: WebSocketInbox<TransportInbound>
    private let metrics: TransportMetrics
    /// Set once, right after the handshake, before any use by the binder.
    private let channelBox = LockedValue<WebSocketChannel?>(nil)
    /// The `retryAfter` of the last protocol `close` frame seen, for the close reason.
    private let retryHint = LockedValue<Int?>(nil)

    init(bufferLimit: Int, metrics: TransportMetrics) {
        let inbox = WebSocketInbox<TransportInbound>(capacity: bufferLimit)
        self.inbox = inbox
        inbound = AsyncStream(unfolding: { await inbox.next() })
        self.metrics = metrics
    }

    /// Where the channel delivers: text messages become frames; the close becomes `.closed`.
    var sink: WebSocketChannelSink {
        WebSocketChannelSink(
            deliver: { [inbox, metrics, retryHint] batch in
                var frames: [[UInt8]] = []
                frames.reserveCapacity(batch.count)
                var bytes = 0
                for message in batch where message.isText {
                    bytes += message.bytes.count
                    if let hint = RetryHint.fromCloseFrame(message.bytes) { retryHint.set(hint) }
                    frames.append(message.bytes)
                }
                metrics.bytesReceived?(.webSocket, bytes)
                guard !frames.isEmpty else { return true }
                return inbox.push([.frames(frames)])
            },
            finish: { [inbox, retryHint] info in
                inbox.push([.closed(Self.closeReason(info, retryHint: retryHint.get()))])
                inbox.finish()
            },
            attached: { [inbox] channel in inbox.onResume { [weak channel] in channel?.resumeReading() } }
        )
    }

    /// A connection the binder dropped without closing still says goodbye (1001), bounded by the close timeout.
    deinit { channelBox.get()?.closeSoon(code: WebSocketCloseCode.goingAway) }

    func attach(_ channel: WebSocketChannel) {
        channelBox.set(channel)
    }

    func send(_ frames: [[UInt8]]) async throws(TransportError) {
        guard let channel = channelBox.get() else { throw .closed }
        for frame in frames where !UTF8Validator.isValid(frame) {
            throw .protocolViolation("outgoing frame is not valid UTF-8")
        }
        if let error = await channel.sendTexts(frames) { throw WebSocketTransport.transportError(error) }
        metrics.bytesSent?(.webSocket, frames.reduce(0) { $0 + $1.count })
    }

    func close() async {
        await channelBox.get()?.close(code: WebSocketCloseCode.normal, reason: "")
    }

    /// Maps the WebSocket close to the transport vocabulary, keeping the server's retry hint.
    static func closeReason(_ info: WebSocketCloseInfo, retryHint: Int?) -> TransportCloseReason {
        let detail = "WebSocket close \(info.code)" + (info.reason.isEmpty ? "" : ": \(info.reason)")
        let hint = RetryHint.fromText(info.reason) ?? retryHint
        switch info.initiator {
        case .client:
            return TransportCloseReason(code: "normal", message: detail, retryAfterMilliseconds: hint)
        case .server:
            return TransportCloseReason(code: "server-closed", message: detail, retryAfterMilliseconds: hint)
        case .protocolFailure:
            let code = info.code == WebSocketCloseCode.messageTooBig ? "message-too-large" : "protocol-error"
            return TransportCloseReason(code: code, message: detail, retryAfterMilliseconds: hint)
        case .transport:
            return TransportCloseReason(code: "error", message: detail, retryAfterMilliseconds: hint)
        }
    }
}

/// Finds a server's retry hint in a close reason (`retryAfter=1500`, or JSON `"retryAfter":1500`) or in a
/// protocol `close` frame.
enum RetryHint {
    static func fromText(_ text: String) -> Int? {
        fromBytes(Array(text.utf8))
    }

    /// The `retryAfter` of a `{"type":"close",...}` frame; nil for every other frame (checked cheaply).
    static func fromCloseFrame(_ frame: [UInt8]) -> Int? {
        guard frame.count < 4096, contains(frame, Array(#""close""#.utf8)) else { return nil }
        return fromBytes(frame)
    }

    private static func fromBytes(_ bytes: [UInt8]) -> Int? {
        let key = Array("retryAfter".utf8)
        guard let found = firstIndex(of: key, in: bytes) else { return nil }
        var index = found + key.count
        // Skip `"`, `:`, `=` and spaces between the key and the number.
        while index < bytes.count, [UInt8(ascii: "\""), UInt8(ascii: ":"), UInt8(ascii: "="), UInt8(ascii: " ")].contains(bytes[index]) {
            index += 1
        }
        var value = 0
        var digits = 0
        while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]), digits < 9 {
            value = value * 10 + Int(bytes[index] - UInt8(ascii: "0"))
            digits += 1
            index += 1
        }
        return digits > 0 ? value : nil
    }

    private static func contains(_ bytes: [UInt8], _ needle: [UInt8]) -> Bool {
        firstIndex(of: needle, in: bytes) != nil
    }

    private static func firstIndex(of needle: [UInt8], in bytes: [UInt8]) -> Int? {
        guard !needle.isEmpty, bytes.count >= needle.count else { return nil }
        for start in 0...(bytes.count - needle.count) where bytes[start] == needle[0] {
            if bytes[start..<(start + needle.count)].elementsEqual(needle) { return start }
        }
        return nil
    }
}
