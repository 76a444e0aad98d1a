/// One frame of Tether wire protocol v1 (docs/PROTOCOL.md): the unit every transport carries.
///
/// Decoding is strict and typed (``WireFrameError``) so that a malformed frame can be reported and
/// dropped without touching state; encoding writes the members in the documented order, so recorded
/// transcripts are stable byte for byte.
public enum WireFrame: Sendable, Equatable {
    /// Client → server: opens a WebSocket session with the client's cursors.
    case hello(Hello)
    /// Server → client: the session is open.
    case welcome(Welcome)
    /// Client → server: subscribe to, or resync, one collection.
    case subscribe(Subscribe)
    /// Server → client: the authoritative state of a collection at a cursor.
    case snapshot(Snapshot)
    /// Server → client: the next change of a collection's stream.
    case patch(Patch)
    /// Server → client: the end of a catch-up.
    case synced(Synced)
    /// Client → server: a local write.
    case mutate(Mutate)
    /// Server → client: a mutation was applied.
    case ack(Ack)
    /// Server → client: a mutation was refused.
    case reject(Reject)
    /// Either direction: liveness probe. From the server it carries the stream position of every
    /// collection on the connection (`cursors`), so a client that lost a final frame notices it
    /// without waiting for the next write (PROTOCOL.md 6.1); clients send it without.
    case ping(id: UInt64, cursors: [String: StreamCursor]? = nil)
    /// Either direction: answer to a ``ping(id:)``.
    case pong(id: UInt64)
    /// Server → client: a non-fatal problem.
    case error(ServerError)
    /// Server → client: the server ends the session.
    case close(Close)

    /// The frame's `"type"` member.
    public var type: String {
        switch self {
        case .hello: return "hello"
        case .welcome: return "welcome"
        case .subscribe: return "subscribe"
        case .snapshot: return "snapshot"
        case .patch: return "patch"
        case .synced: return "synced"
        case .mutate: return "mutate"
        case .ack: return "ack"
        case .reject: return "reject"
        case .ping: return "ping"
        case .pong: return "pong"
        case .error: return "error"
        case .close: return "close"
        }
    }

    /// The protocol version these types describe.
    public static let protocolVersion = 1

    /// The largest integer a frame may carry (`2^53 − 1`, exact in every JSON implementation).
    public static let maximumInteger: UInt64 = (1 << 53) - 1
}
