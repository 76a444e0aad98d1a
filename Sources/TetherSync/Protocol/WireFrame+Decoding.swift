// Strict decoding of protocol-v1 frames from JSON text or values.

extension WireFrame {
    /// Limits applied while decoding (PROTOCOL.md section 8).
    public struct Limits: Sendable, Equatable {
        /// Largest frame, in UTF-8 bytes.
        public var maximumFrameBytes: Int
        /// Most ops in one `patch` or `mutate`.
        public var maximumOps: Int
        /// Deepest JSON nesting.
        public var maximumDepth: Int

        public init(maximumFrameBytes: Int = 1 << 20, maximumOps: Int = 10_000, maximumDepth: Int = 512) {
            self.maximumFrameBytes = maximumFrameBytes
            self.maximumOps = maximumOps
            self.maximumDepth = maximumDepth
        }

        /// The limits of protocol v1.
        public static let standard = Limits()
    }

    /// Decodes one frame from its UTF-8 JSON text.
    ///
    /// - Throws: ``WireFrameError`` when the bytes are not JSON, too large, or not a valid frame.
    public init(bytes: [UInt8], limits: Limits = .standard) throws(WireFrameError) {
        guard bytes.count <= limits.maximumFrameBytes else {
            throw .tooLarge(size: bytes.count, limit: limits.maximumFrameBytes)
        }
        let json: JSON
        do {
            json = try JSON(parsing: bytes, options: JSONParseOptions(maximumDepth: limits.maximumDepth))
        } catch {
            throw .invalidJSON(error)
        }
        try self.init(json: json, limits: limits)
    }

    /// Decodes one frame from a parsed JSON value.
    ///
    /// Unknown members are ignored (forward compatibility); `null` counts as absent.
    public init(json: JSON, limits: Limits = .standard) throws(WireFrameError) {
        guard case .object(let object) = json else { throw .notAnObject(found: json.typeName) }
        guard case .string(let type)? = object["type"] else { throw .missingType }
        let r = FrameReader(frame: type, object: object)
        switch type {
        case "hello":
            let version = try r.integer("protocol")
            let subscriptionsObject = try r.object("subscriptions")
            var subscriptions: [(collection: String, cursor: StreamCursor?)] = []
            for (name, value) in subscriptionsObject {
                try r.checkName(name, member: "subscriptions")
                subscriptions.append((name, try r.cursor(value, member: "subscriptions.\(name)")))
            }
            self = .hello(Hello(
                protocolVersion: Int(version),
                client: try r.identifier("client"),
                token: try r.optionalString("token"),
                subscriptions: subscriptions,
                pending: try r.optionalInteger("pending").map { Int($0) }
            ))
        case "welcome":
            self = .welcome(Welcome(
                protocolVersion: Int(try r.integer("protocol")),
                server: try r.string("server"),
                heartbeatMilliseconds: try r.integer("heartbeat")
            ))
        case "subscribe":
            let cursor: StreamCursor?
            if let value = object["cursor"] { cursor = try r.cursor(value, member: "cursor") } else { cursor = nil }
            self = .subscribe(Subscribe(collection: try r.collection(), cursor: cursor))
        case "snapshot":
            var versions: [String: String]?
            if let versionsObject = try r.optionalObject("versions") {
                var map: [String: String] = [:]
                map.reserveCapacity(versionsObject.count)
                for (pointer, stamp) in versionsObject {
                    guard case .string(let stamp) = stamp else {
                        throw .wrongType(frame: type, member: "versions.\(pointer)", expected: "string", found: stamp.typeName)
                    }
                    guard pointer.hasPrefix("/") else {
                        throw .invalidValue(frame: type, member: "versions", reason: "\"\(pointer)\" is not a model path")
                    }
                    map[pointer] = stamp
                }
                versions = map
            }
            self = .snapshot(Snapshot(
                collection: try r.collection(),
                cursor: StreamCursor(epoch: try r.epoch(), seq: try r.integer("seq")),
                state: try r.modelMap("state"),
                versions: versions
            ))
        case "patch":
            var origin: MutationID?
            if let originObject = try r.optionalObject("origin") {
                let o = FrameReader(frame: type, object: originObject, prefix: "origin.")
                origin = MutationID(client: try o.identifier("client"), mutation: try o.integer("mutation"))
            }
            self = .patch(Patch(
                collection: try r.collection(),
                cursor: StreamCursor(epoch: try r.epoch(), seq: try r.integer("seq")),
                ops: try r.ops(requireStamps: false, limits: limits),
                origin: origin
            ))
        case "synced":
            self = .synced(Synced(
                collection: try r.collection(),
                cursor: StreamCursor(epoch: try r.epoch(), seq: try r.integer("seq"))
            ))
        case "mutate":
            let ops = try r.ops(requireStamps: true, limits: limits)
            guard !ops.isEmpty else { throw .invalidValue(frame: type, member: "ops", reason: "a mutation needs at least one op") }
            let mutation = try r.integer("mutation")
            guard mutation >= 1 else { throw .invalidValue(frame: type, member: "mutation", reason: "mutation ids start at 1") }
            self = .mutate(Mutate(
                collection: try r.collection(),
                id: MutationID(client: try r.identifier("client"), mutation: mutation),
                ops: ops
            ))
        case "ack":
            self = .ack(Ack(
                id: MutationID(client: try r.identifier("client"), mutation: try r.integer("mutation")),
                collection: try r.collection(),
                seq: try r.integer("seq")
            ))
        case "reject":
            let collection = try r.optionalString("collection")
            if let collection { try r.checkName(collection, member: "collection") }
            self = .reject(Reject(
                id: MutationID(client: try r.identifier("client"), mutation: try r.integer("mutation")),
                collection: collection,
                code: try r.string("code"),
                reason: try r.optionalString("reason")
            ))
        case "ping":
            let id = try r.integer("id")
            var cursors: [String: StreamCursor]?
            if let cursorsObject = try r.optionalObject("cursors") {
                var map: [String: StreamCursor] = [:]
                map.reserveCapacity(cursorsObject.count)
                for (name, value) in cursorsObject {
                    try r.checkName(name, member: "cursors")
                    guard let cursor = try r.cursor(value, member: "cursors.\(name)") else {
                        throw .wrongType(frame: type, member: "cursors.\(name)", expected: "object", found: value.typeName)
                    }
                    map[name] = cursor
                }
                cursors = map
            }
            self = .ping(id: id, cursors: cursors)
        case "pong":
            self = .pong(id: try r.integer("id"))
        case "error":
            self = .error(ServerError(
                code: try r.string("code"),
                message: try r.string("message"),
                retryAfterMilliseconds: try r.optionalInteger("retryAfter"),
                collection: try r.optionalString("collection")
            ))
        case "close":
            self = .close(Close(
                code: try r.string("code"),
                reason: try r.optionalString("reason"),
                retryAfterMilliseconds: try r.optionalInteger("retryAfter")
            ))
        default:
            throw .unknownType(type)
        }
    }
}

/// Typed member access for one frame object, producing ``WireFrameError``s that name the member.
struct FrameReader {
    let frame: String
    let object: JSONObject
    var prefix = ""

    private func member(_ name: String) -> JSON? {
        switch object[name] {
        case nil, .null?: return nil
        case let value?: return value
        }
    }

    private func wrong(_ name: String, _ expected: String, _ value: JSON) -> WireFrameError {
        .wrongType(frame: frame, member: prefix + name, expected: expected, found: value.typeName)
    }

    func string(_ name: String) throws(WireFrameError) -> String {
        guard let value = member(name) else { throw .missingMember(frame: frame, member: prefix + name) }
        guard case .string(let s) = value else { throw wrong(name, "string", value) }
        return s
    }

    func optionalString(_ name: String) throws(WireFrameError) -> String? {
        guard let value = member(name) else { return nil }
        guard case .string(let s) = value else { throw wrong(name, "string", value) }
        return s
    }

    func integer(_ name: String) throws(WireFrameError) -> UInt64 {
        guard let value = member(name) else { throw .missingMember(frame: frame, member: prefix + name) }
        return try integerValue(value, member: name)
    }

    func optionalInteger(_ name: String) throws(WireFrameError) -> UInt64? {
        guard let value = member(name) else { return nil }
        return try integerValue(value, member: name)
    }

    private func integerValue(_ value: JSON, member name: String) throws(WireFrameError) -> UInt64 {
        guard case .number(let number) = value else { throw wrong(name, "integer", value) }
        guard let exact = number.int64Value else {
            throw .invalidValue(frame: frame, member: prefix + name, reason: "not an integer")
        }
        guard exact >= 0, UInt64(exact) <= WireFrame.maximumInteger else {
            throw .invalidValue(frame: frame, member: prefix + name, reason: "\(exact) is outside 0...2^53-1")
        }
        return UInt64(exact)
    }

    func object(_ name: String) throws(WireFrameError) -> JSONObject {
        guard let value = member(name) else { throw .missingMember(frame: frame, member: prefix + name) }
        guard case .object(let o) = value else { throw wrong(name, "object", value) }
        return o
    }

    func optionalObject(_ name: String) throws(WireFrameError) -> JSONObject? {
        guard let value = member(name) else { return nil }
        guard case .object(let o) = value else { throw wrong(name, "object", value) }
        return o
    }

    /// A client or server id: 1–64 of `[A-Za-z0-9_.:-]`.
    func identifier(_ name: String) throws(WireFrameError) -> String {
        let value = try string(name)
        guard WireNames.isIdentifier(value) else {
            throw .invalidValue(frame: frame, member: prefix + name, reason: "\"\(value)\" is not 1-64 of [A-Za-z0-9_.:-]")
        }
        return value
    }

    func collection() throws(WireFrameError) -> String {
        let value = try string("collection")
        try checkName(value, member: "collection")
        return value
    }

    func epoch() throws(WireFrameError) -> String {
        let value = try string("epoch")
        guard WireNames.isName(value) else {
            throw .invalidValue(frame: frame, member: prefix + "epoch", reason: "\"\(value)\" is not 1-64 of [A-Za-z0-9_.-]")
        }
        return value
    }

    func checkName(_ value: String, member: String) throws(WireFrameError) {
        guard WireNames.isName(value) else {
            throw .invalidValue(frame: frame, member: prefix + member, reason: "\"\(value)\" is not 1-64 of [A-Za-z0-9_.-]")
        }
    }

    /// A cursor object `{"epoch", "seq"}` or `null`.
    func cursor(_ value: JSON, member name: String) throws(WireFrameError) -> StreamCursor? {
        switch value {
        case .null: return nil
        case .object(let o):
            let inner = FrameReader(frame: frame, object: o, prefix: prefix + name + ".")
            return StreamCursor(epoch: try inner.epoch(), seq: try inner.integer("seq"))
        default:
            throw wrong(name, "object or null", value)
        }
    }

    /// The `state` of a snapshot: every member a model object.
    func modelMap(_ name: String) throws(WireFrameError) -> JSONObject {
        let state = try object(name)
        for (id, model) in state {
            guard case .object = model else {
                throw .wrongType(frame: frame, member: "\(prefix)\(name).\(id)", expected: "object", found: model.typeName)
            }
        }
        return state
    }

    /// The `ops` array: objects with a known `op` and a model path; stamps all present or all absent.
    func ops(requireStamps: Bool, limits: WireFrame.Limits) throws(WireFrameError) -> [JSON] {
        guard let value = member("ops") else { throw .missingMember(frame: frame, member: prefix + "ops") }
        guard case .array(let ops) = value else { throw wrong("ops", "array", value) }
        guard ops.count <= limits.maximumOps else {
            throw .invalidValue(frame: frame, member: "ops", reason: "\(ops.count) ops exceed the limit of \(limits.maximumOps)")
        }
        var stamped: Bool?
        for (index, op) in ops.enumerated() {
            let name = "ops[\(index)]"
            guard case .object(let o) = op else {
                throw .wrongType(frame: frame, member: name, expected: "object", found: op.typeName)
            }
            let r = FrameReader(frame: frame, object: o, prefix: name + ".")
            let kind = try r.string("op")
            let path = try r.string("path")
            guard path.hasPrefix("/") else {
                throw .invalidValue(frame: frame, member: name + ".path", reason: "\"\(path)\" does not address a model")
            }
            let stamp = try r.optionalString("stamp")
            if let stamp {
                guard WireNames.isStamp(stamp) else {
                    throw .invalidValue(frame: frame, member: name + ".stamp", reason: "\"\(stamp)\" is not a stamp")
                }
            }
            let hasStamp = stamp != nil
            if requireStamps && !hasStamp { throw .missingMember(frame: frame, member: name + ".stamp") }
            if let stamped, stamped != hasStamp {
                throw .invalidValue(frame: frame, member: "ops", reason: "stamped and unstamped ops are mixed")
            }
            stamped = hasStamp
            switch kind {
            case "add", "replace", "test":
                guard o["value"] != nil else { throw .missingMember(frame: frame, member: name + ".value") }
            case "remove":
                break
            case "move", "copy":
                _ = try r.string("from")
            default:
                throw .invalidValue(frame: frame, member: name + ".op", reason: "unknown op \"\(kind)\"")
            }
            if hasStamp {
                guard kind == "add" || kind == "replace" || kind == "remove" else {
                    throw .invalidValue(frame: frame, member: name + ".op", reason: "a stamped op must be add, replace or remove")
                }
                if kind != "remove", !path.dropFirst().contains("/"), o["value"]?.objectValue == nil {
                    throw .invalidValue(frame: frame, member: name + ".value", reason: "a model must be an object")
                }
            }
        }
        return ops
    }
}

/// The syntax of names on the wire (PROTOCOL.md section 1).
enum WireNames {
    /// Collection names and epochs: 1–64 of `[A-Za-z0-9_.-]`.
    static func isName(_ s: String) -> Bool { check(s) { $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") } }

    /// Client, server and replica ids: 1–64 of `[A-Za-z0-9_.:-]`.
    static func isIdentifier(_ s: String) -> Bool {
        check(s) { $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ":") }
    }

    /// `<15 digits>-<6 digits>-<replica id>`.
    static func isStamp(_ s: String) -> Bool {
        let bytes = Array(s.utf8)
        guard bytes.count >= 24, bytes[15] == UInt8(ascii: "-"), bytes[22] == UInt8(ascii: "-") else { return false }
        for i in 0..<15 where !isDigit(bytes[i]) { return false }
        for i in 16..<22 where !isDigit(bytes[i]) { return false }
        return isIdentifier(String(decoding: bytes[23...], as: UTF8.self))
    }

    private static func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }

    private static func check(_ s: String, extra: (UInt8) -> Bool) -> Bool {
        var count = 0
        for b in s.utf8 {
            count += 1
            guard count <= 64 else { return false }
            let alnum = isDigit(b) || (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")) || (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z"))
            guard alnum || extra(b) else { return false }
        }
        return count > 0
    }
}
