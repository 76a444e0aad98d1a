// The JSON form of binder events: the argument of name-based handlers, and the replay event log.

extension BinderEvent {
    /// The event's details as a JSON object (`{}` when it has none).
    public var payload: JSON {
        var o = JSONObject()
        switch self {
        case .connecting(let attempt):
            o["attempt"] = .int(Int64(attempt))
        case .open, .synced, .beforeDestroy, .destroy:
            break
        case .resync(let collection, let reason, let cursor):
            o["collection"] = .string(collection)
            o["reason"] = .string(reason.rawValue)
            o["cursor"] = cursor.map { ["epoch": .string($0.epoch), "seq": .int(Int64($0.seq))] } ?? .null
        case .reconnecting(let delay, let reason):
            o["delay"] = .int(Int64(delay))
            o["code"] = .string(reason.code)
            if let retry = reason.retryAfterMilliseconds { o["retryAfter"] = .int(Int64(retry)) }
        case .closed(let reason):
            o["code"] = .string(reason.code)
        case .error(let error):
            o["error"] = .string(error.kind)
            o["message"] = .string(error.description)
        case .rejected(let collection, let mutation, let code, let reason):
            o["collection"] = .string(collection)
            o["mutation"] = .int(Int64(mutation.mutation))
            o["code"] = .string(code)
            if let reason { o["reason"] = .string(reason) }
        case .acked(let collection, let mutation):
            o["collection"] = .string(collection)
            o["mutation"] = .int(Int64(mutation.mutation))
        }
        return .object(o)
    }
}

extension BinderError {
    /// A short machine-readable kind (`"malformed-frame"`, `"unapplied-frame"`, ...).
    public var kind: String {
        switch self {
        case .malformedFrame: return "malformed-frame"
        case .unappliedFrame: return "unapplied-frame"
        case .unknownCollection: return "unknown-collection"
        case .unexpectedFrame: return "unexpected-frame"
        case .server: return "server"
        case .transport: return "transport"
        case .localWrite: return "local-write"
        case .persistence: return "persistence"
        }
    }
}
