/// A way to reach a Tether server: WebSocket, Server-Sent Events, HTTP long polling, or a replayed
/// transcript.
///
/// A transport makes **one** connection per ``connect(_:)`` call; reconnecting, backoff and resume are
/// the ``RealtimeBinder``'s job, so every transport gets them identically. Transports are `Sendable`
/// producers running on their own threads: they hand the binder batches of raw frames (one batch per
/// socket read) and never touch models, which stay in the binder's isolation domain.
public protocol Transport: Sendable {
    /// Which transport this is, for events, metrics and the fallback ladder.
    var kind: TransportKind { get }

    /// Whether the binder answers the server's `ping` with `pong` on this transport (PROTOCOL.md
    /// 2.10). By default only on WebSocket: there the server drops a client that stays silent,
    /// while an SSE stream or a held poll already shows the client alive, and a `pong` would cost
    /// an HTTP request per heartbeat (per poll, on long polling) for nothing.
    var answersPings: Bool { get }

    /// Opens one connection and performs the transport's handshake.
    ///
    /// - Throws: ``TransportError`` when the connection cannot be established.
    func connect(_ handshake: TransportHandshake) async throws(TransportError) -> any TransportConnection
}

extension Transport {
    public var answersPings: Bool { kind.answersPings }
}

/// One open connection. Its ``inbound`` stream finishes when the connection ends.
public protocol TransportConnection: Sendable {
    /// Batches of frames as they arrive, then one `.closed` element, then the end of the stream.
    var inbound: AsyncStream<TransportInbound> { get }

    /// Sends frames to the server; each element is one frame's UTF-8 JSON text.
    func send(_ frames: [[UInt8]]) async throws(TransportError)

    /// Closes the connection (idempotent). `inbound` then yields `.closed` and finishes.
    func close() async
}

/// What a connection delivers.
public enum TransportInbound: Sendable {
    /// One or more frames, each the UTF-8 JSON text of one wire frame, in arrival order.
    case frames([[UInt8]])
    /// The connection ended; nothing follows.
    case closed(TransportCloseReason)
}

/// Why a connection ended, with the server's retry hint when it gave one.
public struct TransportCloseReason: Sendable, Equatable {
    /// A short machine-readable code (`"normal"`, `"server-closed"`, `"idle-timeout"`, `"error"`, ...).
    public var code: String
    /// Human-readable detail.
    public var message: String
    /// How long the server asked us to wait before reconnecting, in milliseconds.
    public var retryAfterMilliseconds: Int?

    public init(code: String, message: String = "", retryAfterMilliseconds: Int? = nil) {
        self.code = code
        self.message = message
        self.retryAfterMilliseconds = retryAfterMilliseconds
    }
}

/// The transports Tether ships.
public enum TransportKind: String, Sendable, Hashable, CaseIterable {
    case webSocket = "websocket"
    case serverSentEvents = "sse"
    case longPolling = "longpoll"
    case replay = "replay"

    /// Whether a client answers `ping` with `pong` on this transport (WebSocket and, for transcripts
    /// recorded without a transport, replay).
    public var answersPings: Bool {
        switch self {
        case .webSocket, .replay: return true
        case .serverSentEvents, .longPolling: return false
        }
    }
}

/// What a transport needs to open (or resume) a session, prepared by the binder on every connect.
public struct TransportHandshake: Sendable {
    /// This replica's client id (also the replica id of its version stamps).
    public var clientID: String
    /// The collections to mirror and, per collection, the cursor to resume from (`nil`: send a snapshot).
    public var subscriptions: [(collection: String, cursor: StreamCursor?)]
    /// A bearer token from the auth provider, asked for on every (re)connect.
    public var token: String?
    /// The `hello` frame (UTF-8 JSON) for transports that send one (WebSocket, replay).
    public var hello: [UInt8]

    public init(
        clientID: String,
        subscriptions: [(collection: String, cursor: StreamCursor?)],
        token: String? = nil,
        hello: [UInt8]
    ) {
        self.clientID = clientID
        self.subscriptions = subscriptions
        self.token = token
        self.hello = hello
    }

    /// The resume cursor in its string form (`todos=e1:42,users=e1:7`), for SSE `Last-Event-ID` and the
    /// long-poll `cursor` parameter. Collections without a cursor are left out.
    public var cursorString: String {
        subscriptions.compactMap { entry in
            entry.cursor.map { "\(entry.collection)=\($0.epoch):\($0.seq)" }
        }.joined(separator: ",")
    }
}

/// A position in a server stream: the stream's epoch and the last sequence number applied.
public struct StreamCursor: Sendable, Hashable, Codable {
    /// Identifies one history of the stream; a new epoch means old sequence numbers are void.
    public var epoch: String
    /// The last sequence number applied (gap-free within an epoch).
    public var seq: UInt64

    public init(epoch: String, seq: UInt64) {
        self.epoch = epoch
        self.seq = seq
    }
}

/// Why a transport operation failed.
public enum TransportError: Error, Sendable, Equatable {
    /// The server could not be reached (DNS, refused, TLS, timeout). Retried with backoff.
    case connectionFailed(String)
    /// The server answered but refused the session (HTTP status, bad handshake). `status` is the HTTP status.
    case handshakeFailed(status: Int?, String)
    /// The server rejected our credentials (401/403) even after one token refresh.
    case unauthorized
    /// A send was attempted on a closed connection.
    case closed
    /// A frame or message exceeded the configured limit.
    case messageTooLarge(limit: Int)
    /// The peer violated its protocol (malformed frame, bad UTF-8, masked server frame, ...).
    case protocolViolation(String)
    /// The transport is not available on this platform or build (for example TLS without libssl).
    case unavailable(String)
}
