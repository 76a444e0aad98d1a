/// What a ``RealtimeBinder`` reports about its connection and its writes.
///
/// Each case is also triggered as a Backbone-style event named ``name`` on the binder, so
/// `binder.on("rejected")` and `bindEvents(binder, ["rejected": ...])` work as in Marionette.
public enum BinderEvent: Sendable, Equatable {
    /// A connection attempt starts (`attempt` counts from 0 since the last healthy connection).
    case connecting(attempt: Int)
    /// The transport connected.
    case open
    /// Every bound collection has caught up with the server.
    case synced
    /// A collection is being resynced: `fromCursor` nil means a forced snapshot.
    case resync(collection: String, reason: ResyncReason, fromCursor: StreamCursor?)
    /// The connection ended; the next attempt starts after `delayMilliseconds`.
    case reconnecting(delayMilliseconds: UInt64, reason: TransportCloseReason)
    /// The binder stopped (destroyed, a fatal close code, or the transport gave up).
    case closed(TransportCloseReason)
    /// Something went wrong that the binder survived: state is unchanged by the offending input.
    case error(BinderError)
    /// The server refused a local write; it has been rolled back.
    case rejected(collection: String, mutation: MutationID, code: String, reason: String?)
    /// The server acknowledged a local write (exactly once per mutation).
    case acked(collection: String, mutation: MutationID)
    /// ``RealtimeBinder/destroy()`` started (`before:destroy`).
    case beforeDestroy
    /// ``RealtimeBinder/destroy()`` finished marking the binder destroyed (`destroy`).
    case destroy

    /// The event name (`"connecting"`, `"open"`, ...).
    public var name: String {
        switch self {
        case .connecting: return "connecting"
        case .open: return "open"
        case .synced: return "synced"
        case .resync: return "resync"
        case .reconnecting: return "reconnecting"
        case .closed: return "closed"
        case .error: return "error"
        case .rejected: return "rejected"
        case .acked: return "acked"
        case .beforeDestroy: return "before:destroy"
        case .destroy: return "destroy"
        }
    }
}

/// Why a collection is resynced.
public enum ResyncReason: String, Sendable, Equatable {
    /// A patch skipped sequence numbers, or a heartbeat named a position the client had not reached
    /// (frames were lost).
    case gap
    /// A patch or heartbeat came from another epoch (the server's history was reset).
    case epochChange = "epoch-change"
    /// A patch could not be applied; a snapshot replaces the state.
    case failedPatch = "failed-patch"
    /// `synced` arrived while the cursor was behind it.
    case behind
}

/// Problems a binder reports and survives.
public enum BinderError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A frame could not be decoded; nothing was changed.
    case malformedFrame(WireFrameError)
    /// A frame was valid but could not be applied (bad patch, bad versions); nothing was changed.
    case unappliedFrame(collection: String, reason: String)
    /// A frame named a collection this binder does not bind.
    case unknownCollection(String)
    /// A frame only a client sends arrived from the server.
    case unexpectedFrame(String)
    /// The server sent an `error` frame.
    case server(code: String, message: String)
    /// A connection attempt failed.
    case transport(TransportError)
    /// A local write could not be recorded (outbox full, model without id); it was rolled back.
    case localWrite(String)
    /// Persisting state failed; the binder keeps running in memory.
    case persistence(String)

    public var description: String {
        switch self {
        case .malformedFrame(let error): return "malformed frame: \(error)"
        case .unappliedFrame(let collection, let reason): return "could not apply frame for \(collection): \(reason)"
        case .unknownCollection(let name): return "frame for unknown collection \"\(name)\""
        case .unexpectedFrame(let type): return "unexpected \(type) frame from the server"
        case .server(let code, let message): return "server error \(code): \(message)"
        case .transport(let error): return "transport: \(error)"
        case .localWrite(let reason): return "local write: \(reason)"
        case .persistence(let reason): return "persistence: \(reason)"
        }
    }
}
