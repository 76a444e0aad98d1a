// The `.jsonl` form of transcripts: one JSON object per line, `"kind"` naming the entry.

extension Transcript {
    /// Parses a `.jsonl` transcript. Blank lines are skipped.
    ///
    /// - Throws: ``TranscriptError`` naming the (1-based) line.
    public init(jsonl bytes: [UInt8]) throws(TranscriptError) {
        var lines: [(number: Int, json: JSON)] = []
        var number = 0
        for line in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            number += 1
            let trimmed = line.drop { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }
            if trimmed.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
            do {
                lines.append((number, try JSON(parsing: Array(line))))
            } catch {
                throw TranscriptError(line: number, reason: "not JSON: \(error)")
            }
        }
        guard let first = lines.first else { throw TranscriptError(line: 1, reason: "empty transcript") }
        header = try Header(json: first.json, line: first.number)
        entries = []
        entries.reserveCapacity(lines.count - 1)
        for line in lines.dropFirst() {
            entries.append(try TranscriptEntry(json: line.json, line: line.number))
        }
    }

    /// The `.jsonl` text: the header line, then one line per entry.
    public func jsonl() -> [UInt8] {
        var out: [UInt8] = []
        header.json.serialize(into: &out)
        out.append(UInt8(ascii: "\n"))
        for entry in entries {
            entry.json.serialize(into: &out)
            out.append(UInt8(ascii: "\n"))
        }
        return out
    }
}

extension Transcript.Header {
    init(json: JSON, line: Int) throws(TranscriptError) {
        guard json["kind"]?.stringValue == "session" else {
            throw TranscriptError(line: line, reason: "the first line must be {\"kind\":\"session\",...}")
        }
        guard json["version"]?.intValue == 1 else { throw TranscriptError(line: line, reason: "\"version\" must be 1") }
        guard let client = json["client"]?.stringValue, WireNames.isIdentifier(client) else {
            throw TranscriptError(line: line, reason: "\"client\" must be a client id")
        }
        guard let list = json["collections"]?.arrayValue, !list.isEmpty else {
            throw TranscriptError(line: line, reason: "\"collections\" must be a non-empty array of names")
        }
        var collections: [String] = []
        for item in list {
            guard let name = item.stringValue, WireNames.isName(name), !collections.contains(name) else {
                throw TranscriptError(line: line, reason: "\"collections\" must hold distinct collection names")
            }
            collections.append(name)
        }
        var clock: UInt64 = 1_732_645_000_000
        if let value = json["clock"] {
            guard let ms = value.int64Value, ms >= 0 else { throw TranscriptError(line: line, reason: "\"clock\" must be milliseconds") }
            clock = UInt64(ms)
        }
        var transport: TransportKind?
        if let value = json["transport"] {
            guard let name = value.stringValue, let kind = TransportKind(rawValue: name) else {
                let names = TransportKind.allCases.map(\.rawValue).joined(separator: ", ")
                throw TranscriptError(line: line, reason: "\"transport\" must be one of \(names)")
            }
            transport = kind
        }
        self.init(
            client: client, collections: collections, clock: clock, title: json["title"]?.stringValue ?? "",
            transport: transport)
    }

    var json: JSON {
        var object: JSONObject = [
            "kind": "session", "version": 1, "client": .string(client),
            "collections": .array(collections.map { .string($0) }), "clock": .int(Int64(clock)),
            "title": .string(title),
        ]
        if let transport { object["transport"] = .string(transport.rawValue) }
        return .object(object)
    }
}

extension TranscriptEntry {
    init(json: JSON, line: Int) throws(TranscriptError) {
        guard case .object(let o) = json, let kind = o["kind"]?.stringValue else {
            throw TranscriptError(line: line, reason: "an entry must be an object with a string \"kind\"")
        }
        switch kind {
        case "connect":
            self = .connect(fail: o["fail"]?.stringValue)
        case "out":
            guard let frame = o["frame"], case .object = frame else {
                throw TranscriptError(line: line, reason: "\"out\" needs an object \"frame\"")
            }
            self = .out(frame)
        case "in":
            if let frame = o["frame"] {
                self = .in([frame.serializedBytes()])
            } else if let frames = o["frames"]?.arrayValue, !frames.isEmpty {
                self = .in(frames.map { $0.serializedBytes() })
            } else if let text = o["text"]?.stringValue {
                self = .in([Array(text.utf8)])
            } else if let texts = o["texts"]?.arrayValue, !texts.isEmpty, texts.allSatisfy({ $0.stringValue != nil }) {
                self = .in(texts.map { Array($0.stringValue!.utf8) })
            } else {
                throw TranscriptError(line: line, reason: "\"in\" needs \"frame\", a non-empty \"frames\", \"text\" or \"texts\"")
            }
        case "delay":
            guard let ms = o["ms"]?.int64Value, ms >= 0 else {
                throw TranscriptError(line: line, reason: "\"delay\" needs integer \"ms\" ≥ 0")
            }
            self = .delay(milliseconds: UInt64(ms))
        case "disconnect":
            self = .disconnect(TransportCloseReason(
                code: o["code"]?.stringValue ?? "error",
                message: o["message"]?.stringValue ?? "",
                retryAfterMilliseconds: o["retryAfter"]?.intValue
            ))
        case "local":
            guard let actionName = o["action"]?.stringValue, let action = LocalAction.Kind(rawValue: actionName) else {
                throw TranscriptError(line: line, reason: "\"local\" needs \"action\": set, unset, add or remove")
            }
            guard let collection = o["collection"]?.stringValue, let id = o["id"]?.stringValue else {
                throw TranscriptError(line: line, reason: "\"local\" needs string \"collection\" and \"id\"")
            }
            let attributes: JSONObject
            switch o["attributes"] {
            case nil: attributes = [:]
            case .object(let a)?: attributes = a
            default: throw TranscriptError(line: line, reason: "\"attributes\" must be an object")
            }
            self = .local(LocalAction(kind: action, collection: collection, id: id, attributes: attributes))
        default:
            throw TranscriptError(line: line, reason: "unknown kind \"\(kind)\"")
        }
    }

    var json: JSON {
        switch self {
        case .connect(let fail):
            var o: JSONObject = ["kind": "connect"]
            if let fail { o["fail"] = .string(fail) }
            return .object(o)
        case .out(let frame):
            return ["kind": "out", "frame": frame]
        case .in(let texts):
            let parsed = texts.map { try? JSON(parsing: $0) }
            if texts.count == 1 {
                if let frame = parsed[0] { return ["kind": "in", "frame": frame] }
                return ["kind": "in", "text": .string(String(decoding: texts[0], as: UTF8.self))]
            }
            if parsed.allSatisfy({ $0 != nil }) { return ["kind": "in", "frames": .array(parsed.map { $0! })] }
            // A batch with a non-JSON text: keep every text as a string.
            return ["kind": "in", "texts": .array(texts.map { .string(String(decoding: $0, as: UTF8.self)) })]
        case .delay(let ms):
            return ["kind": "delay", "ms": .int(Int64(ms))]
        case .disconnect(let reason):
            var o: JSONObject = ["kind": "disconnect", "code": .string(reason.code)]
            if !reason.message.isEmpty { o["message"] = .string(reason.message) }
            if let retry = reason.retryAfterMilliseconds { o["retryAfter"] = .int(Int64(retry)) }
            return .object(o)
        case .local(let action):
            var o: JSONObject = ["kind": "local", "action": .string(action.kind.rawValue),
                                 "collection": .string(action.collection), "id": .string(action.id)]
            if !action.attributes.isEmpty { o["attributes"] = .object(action.attributes) }
            return .object(o)
        }
    }
}

/// A transcript line that could not be read.
public struct TranscriptError: Error, Sendable, Equatable, CustomStringConvertible {
    /// 1-based line number.
    public var line: Int
    public var reason: String

    public init(line: Int, reason: String) {
        self.line = line
        self.reason = reason
    }

    public var description: String { "transcript line \(line): \(reason)" }
}
