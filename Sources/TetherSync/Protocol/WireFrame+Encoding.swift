// Encoding of protocol-v1 frames, members in the order PROTOCOL.md lists them.

extension WireFrame {
    /// The frame as a JSON object.
    public var json: JSON {
        var o = JSONObject(minimumCapacity: 8)
        o["type"] = .string(type)
        switch self {
        case .hello(let h):
            o["protocol"] = .int(Int64(h.protocolVersion))
            o["client"] = .string(h.client)
            if let token = h.token { o["token"] = .string(token) }
            var subscriptions = JSONObject(minimumCapacity: h.subscriptions.count)
            for entry in h.subscriptions { subscriptions[entry.collection] = entry.cursor.map(Self.cursorJSON) ?? .null }
            o["subscriptions"] = .object(subscriptions)
            if let pending = h.pending { o["pending"] = .int(Int64(pending)) }
        case .welcome(let w):
            o["protocol"] = .int(Int64(w.protocolVersion))
            o["server"] = .string(w.server)
            o["heartbeat"] = Self.integer(w.heartbeatMilliseconds)
        case .subscribe(let s):
            o["collection"] = .string(s.collection)
            o["cursor"] = s.cursor.map(Self.cursorJSON) ?? .null
        case .snapshot(let s):
            o["collection"] = .string(s.collection)
            o["epoch"] = .string(s.cursor.epoch)
            o["seq"] = Self.integer(s.cursor.seq)
            o["state"] = .object(s.state)
            if let versions = s.versions {
                var v = JSONObject(minimumCapacity: versions.count)
                for key in versions.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
                    v[key] = .string(versions[key]!)
                }
                o["versions"] = .object(v)
            }
        case .patch(let p):
            o["collection"] = .string(p.collection)
            o["epoch"] = .string(p.cursor.epoch)
            o["seq"] = Self.integer(p.cursor.seq)
            o["ops"] = .array(p.ops)
            if let origin = p.origin {
                o["origin"] = ["client": .string(origin.client), "mutation": Self.integer(origin.mutation)]
            }
        case .synced(let s):
            o["collection"] = .string(s.collection)
            o["epoch"] = .string(s.cursor.epoch)
            o["seq"] = Self.integer(s.cursor.seq)
        case .mutate(let m):
            o["collection"] = .string(m.collection)
            o["client"] = .string(m.id.client)
            o["mutation"] = Self.integer(m.id.mutation)
            o["ops"] = .array(m.ops)
        case .ack(let a):
            o["client"] = .string(a.id.client)
            o["mutation"] = Self.integer(a.id.mutation)
            o["collection"] = .string(a.collection)
            o["seq"] = Self.integer(a.seq)
        case .reject(let r):
            o["client"] = .string(r.id.client)
            o["mutation"] = Self.integer(r.id.mutation)
            if let collection = r.collection { o["collection"] = .string(collection) }
            o["code"] = .string(r.code)
            if let reason = r.reason { o["reason"] = .string(reason) }
        case .ping(let id, let cursors):
            o["id"] = Self.integer(id)
            if let cursors {
                var c = JSONObject(minimumCapacity: cursors.count)
                for name in cursors.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
                    c[name] = Self.cursorJSON(cursors[name]!)
                }
                o["cursors"] = .object(c)
            }
        case .pong(let id):
            o["id"] = Self.integer(id)
        case .error(let e):
            o["code"] = .string(e.code)
            o["message"] = .string(e.message)
            if let retry = e.retryAfterMilliseconds { o["retryAfter"] = Self.integer(retry) }
            if let collection = e.collection { o["collection"] = .string(collection) }
        case .close(let c):
            o["code"] = .string(c.code)
            if let reason = c.reason { o["reason"] = .string(reason) }
            if let retry = c.retryAfterMilliseconds { o["retryAfter"] = Self.integer(retry) }
        }
        return .object(o)
    }

    /// The frame's compact UTF-8 JSON text, ready for ``TransportConnection/send(_:)``.
    public func encoded() -> [UInt8] { json.serializedBytes() }

    static func cursorJSON(_ cursor: StreamCursor) -> JSON {
        ["epoch": .string(cursor.epoch), "seq": integer(cursor.seq)]
    }

    static func integer(_ value: UInt64) -> JSON { .int(Int64(clamping: value)) }
}
