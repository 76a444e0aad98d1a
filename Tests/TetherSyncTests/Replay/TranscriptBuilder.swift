import TetherSync

/// Builds transcripts in tests, mirroring Fixtures/sessions/make_sessions.py.
struct TranscriptBuilder {
    static let t0: UInt64 = 1_732_645_000_000
    var transcript: Transcript

    init(client: String = "alice", collections: [String] = ["todos"]) {
        transcript = Transcript(header: .init(client: client, collections: collections, clock: Self.t0))
    }

    static func stamp(_ ms: UInt64, _ counter: Int = 0, _ replica: String = "server") -> String {
        let msText = String(ms), counterText = String(counter)
        return String(repeating: "0", count: 15 - msText.count) + msText + "-"
            + String(repeating: "0", count: 6 - counterText.count) + counterText + "-" + replica
    }

    mutating func add(_ entry: TranscriptEntry) { transcript.entries.append(entry) }
    mutating func connect() { add(.connect(fail: nil)) }
    mutating func out(_ frame: JSON) { add(.out(frame)) }
    mutating func inn(_ frames: JSON...) { add(.in(frames.map { $0.serializedBytes() })) }
    mutating func text(_ text: String) { add(.in([Array(text.utf8)])) }
    mutating func local(_ kind: LocalAction.Kind, _ id: String, _ attributes: JSONObject = [:], collection: String = "todos") {
        add(.local(LocalAction(kind: kind, collection: collection, id: id, attributes: attributes)))
    }

    mutating func hello(_ subscriptions: JSONObject, pending: Int = 0) {
        out(["type": "hello", "protocol": 1, "client": .string(transcript.header.client),
             "subscriptions": .object(subscriptions), "pending": .int(Int64(pending))])
    }

    mutating func welcome() { inn(["type": "welcome", "protocol": 1, "server": "s1", "heartbeat": 15000]) }

    /// connect, hello (null cursor), welcome, a snapshot at (e1, seq), synced.
    mutating func start(state: JSONObject, seq: UInt64 = 0, versions: JSONObject? = nil, collection: String = "todos") {
        connect()
        hello([collection: nil])
        welcome()
        var snapshot: JSONObject = ["type": "snapshot", "collection": .string(collection), "epoch": "e1",
                                    "seq": .int(Int64(seq)), "state": .object(state)]
        if let versions { snapshot["versions"] = .object(versions) }
        inn(.object(snapshot))
        inn(Self.synced(seq, collection: collection))
    }

    static func patch(_ seq: UInt64, _ ops: [JSON], epoch: String = "e1", collection: String = "todos", origin: JSON? = nil) -> JSON {
        var o: JSONObject = ["type": "patch", "collection": .string(collection), "epoch": .string(epoch),
                             "seq": .int(Int64(seq)), "ops": .array(ops)]
        if let origin { o["origin"] = origin }
        return .object(o)
    }

    static func synced(_ seq: UInt64, epoch: String = "e1", collection: String = "todos") -> JSON {
        ["type": "synced", "collection": .string(collection), "epoch": .string(epoch), "seq": .int(Int64(seq))]
    }

    static func set(_ path: String, _ value: JSON, _ stamp: String) -> JSON {
        ["op": "add", "path": .string(path), "value": value, "stamp": .string(stamp)]
    }

    static func remove(_ path: String, _ stamp: String) -> JSON {
        ["op": "remove", "path": .string(path), "stamp": .string(stamp)]
    }
}
