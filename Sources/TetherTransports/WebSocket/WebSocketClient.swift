public import Foundation
import Dispatch

/// A WebSocket (RFC 6455) client on POSIX sockets, with `wss://` through the system OpenSSL.
///
/// Tether ships its own client because Foundation's `URLSessionWebSocketTask` does not work on Linux.
/// It validates the server strictly (handshake, framing, UTF-8, close codes) and fails the connection with
/// the RFC's close code on any violation; every buffer is bounded (see ``WebSocketOptions``).
///
/// ```swift
/// let socket = try await WebSocketClient.connect(to: "ws://127.0.0.1:8080/v1/ws")
/// try await socket.send(text: "hello")
/// for await message in socket.messages { print(message) }
/// print(socket.closeInfo ?? "open")
/// ```
///
/// Keep the client alive while you use the connection: releasing it starts a close with 1001 (going away).
public final class WebSocketClient: Sendable {
    /// Complete inbound messages in arrival order; the stream finishes when the connection ends
    /// (then ``closeInfo`` says why). One consumer. When it falls ``WebSocketOptions/receiveBufferMessages``
    /// behind, the client stops reading the socket until it catches up (TCP backpressure, nothing dropped).
    public let messages: AsyncStream<WebSocketMessage>
    /// The subprotocol the server selected from ``WebSocketOptions/subprotocols``, if any.
    public var subprotocol: String? { channel.subprotocol }
    /// How the connection ended, or nil while it is open.
    public var closeInfo: WebSocketCloseInfo? { channel.closeInfo }

    private let channel: WebSocketChannel

    private init(channel: WebSocketChannel, messages: AsyncStream<WebSocketMessage>) {
        self.channel = channel
        self.messages = messages
    }

    deinit { channel.closeSoon(code: WebSocketCloseCode.goingAway) }

    /// Connects and completes the opening handshake.
    ///
    /// - Throws: ``WebSocketError`` for a bad URL, an unreachable host, a TLS or handshake failure, or a timeout.
    public static func connect(to url: String, options: WebSocketOptions = WebSocketOptions()) async throws(WebSocketError) -> WebSocketClient {
        let inbox = WebSocketInbox<WebSocketMessage>(capacity: options.receiveBufferMessages)
        let sink = WebSocketChannelSink(
            deliver: { batch in
                inbox.push(batch.map { message in
                    message.isText ? .text(String(decoding: message.bytes, as: UTF8.self)) : .binary(message.bytes)
                })
            },
            finish: { _ in inbox.finish() },
            attached: { channel in inbox.onResume { [weak channel] in channel?.resumeReading() } }
        )
        let stream = AsyncStream(unfolding: { await inbox.next() })
        let channel = try await open(url, options: options, sink: sink)
        return WebSocketClient(channel: channel, messages: stream)
    }

    /// Connects to a `ws://` or `wss://` URL.
    public static func connect(to url: URL, options: WebSocketOptions = WebSocketOptions()) async throws(WebSocketError) -> WebSocketClient {
        try await connect(to: url.absoluteString, options: options)
    }

    /// Sends a text message (masked, unfragmented).
    public func send(text: String) async throws(WebSocketError) {
        if let error = await channel.send(.text, Array(text.utf8)) { throw error }
    }

    /// Sends a binary message.
    public func send(binary: [UInt8]) async throws(WebSocketError) {
        if let error = await channel.send(.binary, binary) { throw error }
    }

    /// Sends a ping; the server's pong is consumed internally (useful as a liveness probe).
    public func ping(_ payload: [UInt8] = []) async throws(WebSocketError) {
        guard payload.count <= 125 else { throw .messageTooLarge(limit: 125) }
        if let error = await channel.send(.ping, payload) { throw error }
    }

    /// Performs the closing handshake and returns once the connection has ended (at most after
    /// ``WebSocketOptions/closeTimeout``). Codes that may not be sent (1005, 1006, 1015, ...) become 1000.
    public func close(code: UInt16 = WebSocketCloseCode.normal, reason: String = "") async {
        await channel.close(code: code, reason: reason)
    }

    /// Connects and returns the running channel, delivering to `sink` (shared by the client and the transport).
    static func open(_ url: String, options: WebSocketOptions, sink: WebSocketChannelSink) async throws(WebSocketError) -> WebSocketChannel {
        let endpoint = try Endpoint(parsingWebSocketURL: url)
        let handshake = try WebSocketHandshake(endpoint: endpoint, subprotocols: options.subprotocols, headers: options.headers)
        if endpoint.secure, case .failure(let error) = OpenSSLLibrary.shared { throw error }
        let queue = DispatchQueue(label: "tether.websocket.\(endpoint.host):\(endpoint.port)")
        let result: Result<WebSocketChannel, WebSocketError> = await withCheckedContinuation { continuation in
            queue.async {
                continuation.resume(returning: Result { () throws(WebSocketError) -> WebSocketChannel in
                    let deadline = ContinuousClock.now + options.connectTimeout
                    let fd = try TCPSocket.connect(host: endpoint.host, port: endpoint.port, deadline: deadline)
                    let stream: any ByteStream = endpoint.secure
                        ? try TLSStream(fileDescriptor: fd, endpoint: endpoint, options: options.tls, deadline: deadline)
                        : PlainStream(fileDescriptor: fd)
                    do throws(WebSocketError) {
                        let accepted = try performUpgrade(handshake, on: stream, deadline: deadline)
                        let channel = WebSocketChannel(
                            queue: queue, stream: stream, subprotocol: accepted.subprotocol, options: options, sink: sink
                        )
                        sink.attached(channel)
                        channel.start(leftover: accepted.leftover)
                        return channel
                    } catch {
                        stream.close()
                        throw error
                    }
                })
            }
        }
        return try result.get()
    }

    private static func performUpgrade(
        _ handshake: WebSocketHandshake,
        on stream: any ByteStream,
        deadline: ContinuousClock.Instant
    ) throws(WebSocketError) -> WebSocketHandshake.Accepted {
        try stream.writeAll(handshake.request, deadline: deadline)
        var response: [UInt8] = []
        while WebSocketHandshake.headerEnd(in: response) == nil {
            guard response.count <= WebSocketHandshake.maxResponseHeaderBytes else {
                throw .handshakeFailed(status: nil, reason: "response headers too large")
            }
            let chunk = try stream.readSome(maximum: 4096, deadline: deadline)
            if chunk.isEmpty { throw .handshakeFailed(status: nil, reason: "connection closed before the upgrade response") }
            response.append(contentsOf: chunk)
        }
        return try handshake.validate(response: response)
    }
}
